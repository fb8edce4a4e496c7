/* tls/trust.h — the system's trusted CAs, read only as far as the handshakes need them. */
#ifndef UR_HTTP_TRUST_H
#define UR_HTTP_TRUST_H

#include <stdbool.h>

#include <openssl/ssl.h>

/* Trusts what SSL_CTX_set_default_verify_paths() would (the CA file, the hashed CA directory and the
 * default store, with SSL_CERT_FILE and SSL_CERT_DIR honoured), but reads the CA file only when a chain
 * needs an issuer that the directory and the store do not have. False on out of memory. */
bool ur_trust_system(SSL_CTX *c);

#endif
