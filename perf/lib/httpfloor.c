/* httpfloor: the least a downloader pays to receive objects over plain HTTP from the suite's nginx, with
 * no file, no event loop and no parser worth the name.
 *
 *   httpfloor HOST PORT PATH...
 *
 * One keep-alive connection; for each PATH a GET, the response head read a byte at a time (a few hundred
 * bytes per object), then the body recv()d into one 1 MiB buffer and thrown away. Prints the body bytes
 * and exits 1 unless every response is a 200 whose Content-Length arrived whole. Run it under runwait,
 * pinned like the tools. Against nginx's sendfile on loopback this costs more than iperf3's receive: the
 * client's ACKs run nginx's next transmit on the client's CPU, which is part of what every tool pays here. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int die(const char *what)
{
    fprintf(stderr, "httpfloor: %s\n", what);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 4) return die("usage: httpfloor HOST PORT PATH...");
    static char body[1 << 20];
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) return die("HOST must be an IPv4 address");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) return die("cannot connect");
    unsigned long long total = 0;
    for (int i = 3; i < argc; i++) {
        char head[8192];
        int n = snprintf(head, sizeof head, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", argv[i], argv[1]);
        if (n <= 0 || n >= (int)sizeof head || write(fd, head, (size_t)n) != n) return die("cannot send");
        size_t h = 0;
        while (h < 4 || memcmp(head + h - 4, "\r\n\r\n", 4) != 0) {
            if (h + 1 >= sizeof head || recv(fd, head + h, 1, 0) != 1) return die("bad response head");
            h++;
        }
        head[h] = 0;
        const char *len = strcasestr(head, "\r\ncontent-length:");
        if (strncmp(head, "HTTP/1.1 200", 12) != 0 || !len) return die(argv[i]);
        unsigned long long left = strtoull(len + 17, NULL, 10);
        while (left > 0) {
            ssize_t r = recv(fd, body, left < sizeof body ? left : sizeof body, 0);
            if (r <= 0) return die("connection ended inside a body");
            left -= (unsigned long long)r;
            total += (unsigned long long)r;
        }
    }
    printf("%llu\n", total);
    return 0;
}
