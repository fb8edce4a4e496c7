/* s3/xml.c — element lookup and text decoding for S3's XML responses (see xml.h). */
#include "s3/xml.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The UTF-8 encoding of cp into b; its length, or 0 when cp is not a character XML allows here. */
static size_t s_utf8(unsigned long cp, char b[4])
{
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    if (cp < 0x80) {
        b[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    b[0] = (char)(0xF0 | (cp >> 18));
    b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The entity at s[0..n) (s[0] is '&'): its expansion into b and *blen, and how many input bytes it
 * spans; 0 when it is not one we know. */
static size_t s_entity(const char *s, size_t n, char b[4], size_t *blen)
{
    static const struct {
        const char *name;
        char c;
    } ents[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
    for (size_t e = 0; e < sizeof(ents) / sizeof(ents[0]); e++) {
        size_t el = strlen(ents[e].name);
        if (n - 1 >= el && memcmp(s + 1, ents[e].name, el) == 0) {
            b[0] = ents[e].c;
            *blen = 1;
            return 1 + el;
        }
    }
    if (n <= 2 || s[1] != '#') return 0;
    size_t j = 2;
    int base = 10;
    if (s[j] == 'x' || s[j] == 'X') {
        base = 16;
        j++;
    }
    unsigned long cp = 0;
    size_t digits = 0;
    for (; j < n && digits < 8; j++, digits++) {
        char c = s[j];
        int d = (c >= '0' && c <= '9')                 ? c - '0'
                : (base == 16 && c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (base == 16 && c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                       : -1;
        if (d < 0) break;
        cp = cp * (unsigned long)base + (unsigned long)d;
    }
    if (digits == 0 || j >= n || s[j] != ';') return 0;
    *blen = s_utf8(cp, b);
    return *blen ? j + 1 : 0;
}

int ur_xml_decode(const char *s, size_t n, char *out, size_t cap)
{
    if (cap == 0) return n ? -ENOSPC : 0;
    size_t o = 0, i = 0;
    while (i < n) {
        const char *src = s + i;
        size_t take, adv;
        char b[4];
        if (n - i >= 9 && memcmp(src, "<![CDATA[", 9) == 0) {
            const char *end = memmem(src + 9, n - i - 9, "]]>", 3);
            take = end ? (size_t)(end - (src + 9)) : n - i - 9;
            adv = 9 + take + (end ? 3 : 0);
            src += 9;
        } else if (s[i] == '&' && (adv = s_entity(src, n - i, b, &take)) > 0) {
            src = b;
        } else {
            take = adv = 1; /* plain text, or an '&' that starts no entity we know: kept as it is */
        }
        if (take > cap - 1 - o) {
            size_t fit = src == b ? 0 : cap - 1 - o; /* never half a character from an entity */
            memcpy(out + o, src, fit);
            out[o + fit] = '\0';
            return -ENOSPC;
        }
        memcpy(out + o, src, take);
        o += take;
        i += adv;
    }
    out[o] = '\0';
    return (int)o;
}

const char *ur_xml_element(const char *doc, size_t n, const char *tag, size_t *len)
{
    char open[32], close[32], empty[32];
    snprintf(open, sizeof(open), "<%s>", tag);
    snprintf(close, sizeof(close), "</%s>", tag);
    snprintf(empty, sizeof(empty), "<%s/>", tag);
    const char *a = memmem(doc, n, open, strlen(open));
    if (!a) {
        if (memmem(doc, n, empty, strlen(empty))) {
            *len = 0;
            return doc;
        }
        return NULL;
    }
    a += strlen(open);
    const char *b = memmem(a, n - (size_t)(a - doc), close, strlen(close));
    if (!b) return NULL;
    *len = (size_t)(b - a);
    return a;
}
