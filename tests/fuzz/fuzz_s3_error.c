/* tests/fuzz/fuzz_s3_error.c — s3/error.c and s3/xml.c on arbitrary bodies.
 *
 * Input: bytes 0..1 = HTTP status, byte 2 = output capacities, the rest = the error body. Checks that every
 * output is NUL-terminated within its capacity and that the returned lengths are true. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3/error.h"
#include "s3/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    int status = (data[0] << 8 | data[1]) % 1000;
    size_t cap = 1 + data[2] % 200;
    const char *body = (const char *)data + 3;
    size_t n = size - 3;

    char *code = malloc(cap), *msg = malloc(cap), out[600];
    int r = ur_s3_error_parse(body, n, code, cap, msg, cap);
    if (strnlen(code, cap) >= cap || strnlen(msg, cap) >= cap) abort();
    if (r != 0 && (code[0] || msg[0])) abort();
    int len = ur_s3_error_message(status, body, n, out, cap);
    if (strnlen(out, cap) >= cap || (len >= 0 && (size_t)len != strlen(out))) abort();
    len = ur_s3_error_message(status, body, n, out, sizeof out);
    if (len < 0 || (size_t)len != strlen(out)) abort();

    size_t elen = 0;
    const char *e = ur_xml_element(body, n, "Code", &elen);
    if (e && (e < body || e + elen > body + n)) abort();
    if (e) {
        int d = ur_xml_decode(e, elen, code, cap);
        if (strnlen(code, cap) >= cap || (d >= 0 && (size_t)d != strlen(code) && !memchr(e, 0, elen))) abort();
    }
    free(code);
    free(msg);
    return 0;
}
