/* tests/tools/no_uring.c — runs a command the way a container runtime's default seccomp profile would:
 * io_uring_setup, io_uring_enter and io_uring_register fail (EPERM, as Docker >= 25 and containerd >= 2.0
 * answer, or ENOSYS, as a kernel without io_uring does); every other system call is allowed.
 *
 *   no_uring [--eperm | --enosys] COMMAND [ARGS...]
 *
 * The filter is inherited across execve and by every child, and cannot be lifted. PR_SET_NO_NEW_PRIVS
 * lets an unprivileged process install it. Exit status: the command's, or 127/126 when it cannot be run. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define UR_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define UR_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "no_uring: add this architecture's AUDIT_ARCH"
#endif

int main(int argc, char **argv)
{
    int err = EPERM, i = 1;
    if (i < argc && !strcmp(argv[i], "--eperm"))
        i++;
    else if (i < argc && !strcmp(argv[i], "--enosys"))
        err = ENOSYS, i++;
    if (i < argc && !strcmp(argv[i], "--")) i++;
    if (i >= argc) {
        fprintf(stderr, "usage: no_uring [--eperm | --enosys] COMMAND [ARGS...]\n");
        return 2;
    }
    struct sock_filter prog[] = {
        /* A foreign architecture's numbers mean other calls: refuse it outright rather than guess. */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, UR_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 3, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_enter, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_register, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
    };
    struct sock_fprog fprog = {.len = sizeof(prog) / sizeof(prog[0]), .filter = prog};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        perror("no_uring: PR_SET_NO_NEW_PRIVS");
        return 126;
    }
    if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0) {
        perror("no_uring: SECCOMP_SET_MODE_FILTER");
        return 126;
    }
    execvp(argv[i], argv + i);
    fprintf(stderr, "no_uring: %s: %s\n", argv[i], strerror(errno));
    return errno == ENOENT ? 127 : 126;
}
