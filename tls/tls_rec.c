/* tls/tls_rec.c — TLS 1.3 AES-GCM records decrypted in one pass into the caller's buffer (tls_rec.h).
 *
 * RFC 8446 §5.2–5.4: a record is a 5-byte header (type 23, version 0x0303, length) and an AEAD
 * ciphertext whose last 16 bytes are the tag; the nonce is the IV XOR the 64-bit record number; the
 * header is the additional data; the plaintext ends with the real content type, then zero padding. */
#include "tls/tls_rec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/hmac.h>

#define S_TAG 16

/* HKDF-Expand-Label(secret, label, "", len) for len <= the hash size: one HMAC block (RFC 8446 §7.1). */
static int s_expand_label(const EVP_MD *md, const unsigned char *secret, size_t secret_len, const char *label,
                          unsigned char *out, size_t len)
{
    unsigned char info[64], t[EVP_MAX_MD_SIZE];
    size_t ll = 6 + strlen(label), n = 0;
    unsigned tl = 0;
    if (len > (size_t)EVP_MD_get_size(md) || 4 + ll + 1 > sizeof(info)) return -EINVAL;
    info[n++] = (unsigned char)(len >> 8);
    info[n++] = (unsigned char)len;
    info[n++] = (unsigned char)ll;
    memcpy(info + n, "tls13 ", 6);
    memcpy(info + n + 6, label, ll - 6);
    n += ll;
    info[n++] = 0; /* empty context */
    info[n++] = 1; /* T(1) = HMAC(secret, info || 0x01) */
    if (!HMAC(md, secret, (int)secret_len, info, n, t, &tl)) return -EINVAL;
    memcpy(out, t, len);
    OPENSSL_cleanse(t, sizeof(t));
    return 0;
}

int ur_tls_rec_init(struct ur_tls_rec *r, const EVP_CIPHER *cipher, const EVP_MD *md, const unsigned char *secret,
                    size_t secret_len, uint64_t seq, bool use_vaes)
{
    unsigned char key[32];
    size_t klen = (size_t)EVP_CIPHER_get_key_length(cipher);
    memset(r, 0, sizeof(*r));
    if (klen > sizeof(key) || s_expand_label(md, secret, secret_len, "key", key, klen) < 0 ||
        s_expand_label(md, secret, secret_len, "iv", r->iv, sizeof(r->iv)) < 0)
        return -EINVAL;
    r->seq = seq;
    r->ctx = EVP_CIPHER_CTX_new();
    r->rec = malloc(UR_TLS_REC_MAX);
    r->plain = malloc(UR_TLS_REC_MAX);
    int ok = r->ctx && r->rec && r->plain && EVP_DecryptInit_ex(r->ctx, cipher, NULL, key, NULL);
    if (ok && EVP_CIPHER_get_nid(cipher) == NID_aes_128_gcm && use_vaes && ur_gcm_vaes_usable()) {
        r->vaes = malloc(sizeof(*r->vaes));
        if (r->vaes)
            ur_gcm_vaes_init(r->vaes, key);
        else
            ok = 0;
    }
    OPENSSL_cleanse(key, sizeof(key));
    if (!ok) {
        ur_tls_rec_free(r);
        return -ENOMEM;
    }
    return 0;
}

void ur_tls_rec_free(struct ur_tls_rec *r)
{
    EVP_CIPHER_CTX_free(r->ctx);
    if (r->vaes) OPENSSL_cleanse(r->vaes, sizeof(*r->vaes));
    free(r->vaes);
    free(r->rec);
    free(r->plain);
    OPENSSL_cleanse(r->iv, sizeof(r->iv));
    memset(r, 0, sizeof(*r));
}

size_t ur_tls_rec_buffered(const struct ur_tls_rec *r)
{
    return r->plain_len - r->plain_off;
}

/* Decrypts the record whose body is body[0..len) into out (room for len - 16 bytes). Returns the
 * length of its content and sets *type, or -EPROTO. */
static ssize_t s_open(struct ur_tls_rec *r, const unsigned char *body, size_t len, unsigned char *out, int *type,
                      const char **why)
{
    unsigned char nonce[12];
    int l1 = 0, l2 = 0;
    memcpy(nonce, r->iv, sizeof(nonce));
    for (int i = 0; i < 8; i++) nonce[11 - i] ^= (unsigned char)(r->seq >> (8 * i));
    bool ok = len >= S_TAG + 1;
    if (ok && r->vaes) {
        ok = ur_gcm_vaes_open(r->vaes, nonce, r->hdr, 5, body, len - S_TAG, body + len - S_TAG, out) == 0;
    } else if (ok) {
        ok = EVP_DecryptInit_ex(r->ctx, NULL, NULL, NULL, nonce) && EVP_DecryptUpdate(r->ctx, NULL, &l1, r->hdr, 5) &&
             EVP_DecryptUpdate(r->ctx, out, &l1, body, (int)(len - S_TAG)) &&
             EVP_CIPHER_CTX_ctrl(r->ctx, EVP_CTRL_GCM_SET_TAG, S_TAG, (void *)(body + len - S_TAG)) &&
             EVP_DecryptFinal_ex(r->ctx, out + l1, &l2) == 1;
    }
    if (!ok) {
        *why = "TLS record failed authentication";
        return -EPROTO;
    }
    r->seq++;
    ssize_t n = (ssize_t)(len - S_TAG);
    while (n > 0 && out[n - 1] == 0) n--; /* padding */
    if (n == 0) {
        *why = "TLS record without a content type";
        return -EPROTO;
    }
    *type = out[n - 1];
    return n - 1;
}

/* Handles a record that is not application data: close_notify ends the stream, tickets are dropped
 * (OpenSSL took the ones that came before the switch), anything else is an error. */
static ssize_t s_control(struct ur_tls_rec *r, int type, const unsigned char *p, ssize_t n, const char **why)
{
    if (type == 21 && n >= 2 && p[1] == 0) { /* alert: close_notify */
        r->closed = true;
        return 0;
    }
    if (type == 22 && n >= 1 && p[0] == 4) return -EAGAIN; /* NewSessionTicket: not needed any more */
    *why = type == 22 ? "TLS KeyUpdate or handshake message after the handshake" : "TLS alert from the server";
    return -EPROTO;
}

ssize_t ur_tls_rec_read(struct ur_tls_rec *r, const unsigned char **in, size_t *in_len, unsigned char *dst,
                        size_t cap, const char **why)
{
    size_t total = 0;
    while (total < cap) {
        if (r->plain_off < r->plain_len) { /* the rest of a record that did not fit */
            size_t k = r->plain_len - r->plain_off;
            if (k > cap - total) k = cap - total;
            memcpy(dst + total, r->plain + r->plain_off, k);
            r->plain_off += k;
            total += k;
            continue;
        }
        if (r->closed) break;
        /* The header. */
        if (r->hdr_have < 5) {
            size_t k = 5 - r->hdr_have;
            if (k > *in_len) k = *in_len;
            memcpy(r->hdr + r->hdr_have, *in, k);
            r->hdr_have += k;
            *in += k;
            *in_len -= k;
            if (r->hdr_have < 5) break;
            r->rec_len = (size_t)r->hdr[3] << 8 | r->hdr[4];
            r->rec_have = 0;
            if (r->hdr[0] != 23 || r->rec_len > UR_TLS_REC_MAX || r->rec_len < S_TAG + 1) {
                *why = "malformed TLS record";
                return total ? (ssize_t)total : -EPROTO;
            }
        }
        /* The body: in place when it is whole in the input, else assembled in r->rec. */
        const unsigned char *body;
        if (r->rec_have == 0 && *in_len >= r->rec_len) {
            body = *in;
            *in += r->rec_len;
            *in_len -= r->rec_len;
        } else {
            size_t k = r->rec_len - r->rec_have;
            if (k > *in_len) k = *in_len;
            memcpy(r->rec + r->rec_have, *in, k);
            r->rec_have += k;
            *in += k;
            *in_len -= k;
            if (r->rec_have < r->rec_len) break;
            body = r->rec;
        }
        r->hdr_have = 0;
        /* Straight into dst when the whole plaintext fits; the content type byte lands past the data. */
        unsigned char *out = r->rec_len - S_TAG <= cap - total ? dst + total : r->plain;
        int type = 0;
        ssize_t n = s_open(r, body, r->rec_len, out, &type, why);
        if (n < 0) return total ? (ssize_t)total : n;
        if (type != 23) {
            ssize_t c = s_control(r, type, out, n, why);
            if (c == -EAGAIN) continue;
            if (c < 0) return total ? (ssize_t)total : c;
            break; /* close_notify */
        }
        if (out == r->plain) {
            r->plain_off = 0;
            r->plain_len = (size_t)n;
        } else {
            total += (size_t)n;
        }
    }
    if (total) return (ssize_t)total;
    return r->closed ? 0 : -EAGAIN;
}
