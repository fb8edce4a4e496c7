/* cli/main.c — the urestore binary's entry point: everything is in the CLI modules (cli/). */
#include <openssl/crypto.h>

#include "cli/run.h"

int main(int argc, char **argv)
{
    /* The process is about to end anyway: skip OpenSSL's atexit teardown of its global tables (1.4 of the
     * 24 million instructions of a one-object HTTPS copy). Must come before OpenSSL's first use. The
     * library leaves this to its host program. */
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
    return ur_cli_main(argc, argv);
}
