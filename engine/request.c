/* engine/request.c — the memory body consumer and the digests of a request body (request.h). */
#include "engine/request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

int ur_membody_feed(struct ur_membody *m, const char *at, size_t n)
{
    if (m->len + n > m->max) {
        m->over = true;
        return -EFBIG;
    }
    if (m->len + n + 1 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64 * 1024;
        while (cap < m->len + n + 1) cap *= 2;
        char *b = realloc(m->buf, cap);
        if (!b) return -ENOMEM;
        m->buf = b;
        m->cap = cap;
    }
    memcpy(m->buf + m->len, at, n);
    m->len += n;
    m->buf[m->len] = 0;
    return 0;
}

void ur_membody_reset(struct ur_membody *m)
{
    m->len = 0;
    m->over = false;
    if (m->buf) m->buf[0] = 0;
}

void ur_membody_free(struct ur_membody *m)
{
    free(m->buf);
    m->buf = NULL;
    m->len = m->cap = 0;
}

int ur_request_set_body(struct ur_request *r, const char *body, size_t len)
{
    unsigned char md5[16], sha[32];
    unsigned n = 0;
    r->body = body;
    r->body_len = len;
    if (!EVP_Digest(body, len, md5, &n, EVP_md5(), NULL) || !EVP_Digest(body, len, sha, &n, EVP_sha256(), NULL))
        return -ENOMEM;
    EVP_EncodeBlock((unsigned char *)r->body_md5_b64, md5, 16);
    for (int i = 0; i < 32; i++) snprintf(r->body_sha256_hex + 2 * i, 3, "%02x", sha[i]);
    return 0;
}
