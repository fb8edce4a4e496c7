/* tls/trust.c — the system's trusted CAs, read only as far as the handshakes need them.
 *
 * SSL_CTX_set_default_verify_paths() parses the whole CA bundle file when the context is made: on Debian
 * 144 certificates, ~22 ms of CPU, three quarters of what a one-object HTTPS copy costs. The same
 * certificates are in the hashed directory (/etc/ssl/certs/<subject hash>.N), from which OpenSSL reads
 * only the one a chain asks for. So the context gets the directory and the default store at once, and
 * the file the first time a chain needs an issuer that neither has and that the server did not send:
 * the trusted set is the union set_default_verify_paths() gives, and a system whose directory is not
 * hashed pays for the file at its first handshake instead of at start.
 *
 * The store's two lookup hooks do it: get_issuer (building the chain) and lookup_certs (is the top of
 * the chain trusted). Loading the file puts OpenSSL's own hooks back, so it happens once per context. A
 * context belongs to one client, whose loop thread alone runs its handshakes. */
#include "tls/trust.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

static int s_get_issuer(X509 **issuer, X509_STORE_CTX *sctx, X509 *x);

/* The file is still unread while our hook is installed. */
static bool s_file_pending(X509_STORE *st)
{
    return X509_STORE_get_get_issuer(st) == s_get_issuer;
}

static void s_load_file(X509_STORE *st)
{
    X509_STORE_set_get_issuer(st, NULL); /* NULL: OpenSSL's own, from the next chain on */
    X509_STORE_set_lookup_certs(st, NULL);
    ERR_set_mark();
    X509_LOOKUP *lu = X509_STORE_add_lookup(st, X509_LOOKUP_file());
    /* SSL_CERT_FILE, else OpenSSL's default file. A missing or bad file adds nothing, as in
     * set_default_verify_paths(); the handshake then fails on the issuer it could not find. */
    if (lu) X509_LOOKUP_load_file(lu, NULL, X509_FILETYPE_DEFAULT);
    ERR_pop_to_mark();
}

/* Whether the server's own chain has x's issuer: then the chain goes on with it, and the question
 * comes back one level up (a server that sends its intermediate makes every handshake ask the stores
 * for it first, and the directory rightly has no intermediates). */
static bool s_peer_has_issuer(X509_STORE_CTX *sctx, X509 *x)
{
    if (X509_check_issued(x, x) == X509_V_OK) return false; /* self-signed: only a trusted copy will do */
    STACK_OF(X509) *sk = X509_STORE_CTX_get0_untrusted(sctx);
    for (int i = 0; i < sk_X509_num(sk); i++)
        if (X509_check_issued(sk_X509_value(sk, i), x) == X509_V_OK) return true;
    return false;
}

static int s_get_issuer(X509 **issuer, X509_STORE_CTX *sctx, X509 *x)
{
    int r = X509_STORE_CTX_get1_issuer(issuer, sctx, x);
    X509_STORE *st = X509_STORE_CTX_get0_store(sctx);
    if (r != 0 || !s_file_pending(st) || s_peer_has_issuer(sctx, x)) return r;
    s_load_file(st);
    return X509_STORE_CTX_get1_issuer(issuer, sctx, x);
}

static STACK_OF(X509) * s_lookup_certs(X509_STORE_CTX *sctx, const X509_NAME *name)
{
    STACK_OF(X509) *sk = X509_STORE_CTX_get1_certs(sctx, name);
    X509_STORE *st = X509_STORE_CTX_get0_store(sctx);
    if (sk_X509_num(sk) > 0 || !s_file_pending(st)) return sk;
    sk_X509_pop_free(sk, X509_free);
    s_load_file(st);
    return X509_STORE_CTX_get1_certs(sctx, name);
}

bool ur_trust_system(SSL_CTX *c)
{
    /* Both ignore a directory or store that does not exist, as set_default_verify_paths() does. */
    if (!SSL_CTX_set_default_verify_dir(c) || !SSL_CTX_set_default_verify_store(c)) return false;
    X509_STORE *st = SSL_CTX_get_cert_store(c);
    X509_STORE_set_get_issuer(st, s_get_issuer);
    X509_STORE_set_lookup_certs(st, s_lookup_certs);
    return true;
}
