// Process plumbing for reading HDF5 in a child process (see Checkpoint's HDF5Isolation): the
// parent starts the worker with one socket as its descriptor 3; the worker arms itself so that
// it dies with its parent, never writes a core file, and runs under an address-space limit.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "CHDF5.h"

extern char **environ;

int htsr_worker_spawn(const char *executable, char *const argv[], int *fd, int *pid) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return errno;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // dup2 clears close-on-exec on the child's copy; everything else above 3 is closed, so the
    // worker holds no descriptor of the parent's (and keeps no other worker's socket open).
    posix_spawn_file_actions_adddup2(&actions, pair[1], 3);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&actions, 4);
    // Default signal dispositions in the child (the parent may ignore SIGPIPE or catch SIGINT).
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    pid_t child = 0;
    int rc = posix_spawn(&child, executable, &actions, &attributes, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(pair[1]);
    if (rc != 0) {
        close(pair[0]);
        return rc;
    }
    *fd = pair[0];
    *pid = child;
    return 0;
}

int htsr_worker_is_channel(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

void htsr_worker_arm(void) {
    // Die with the parent, even when stuck inside libhdf5; if the parent is already gone, go.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1) _exit(0);
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    // The worker only reads: a write to a regular file would be a bug in libhdf5 (SIGXFSZ).
    setrlimit(RLIMIT_FSIZE, &none);
}

int htsr_worker_limit_memory(unsigned long long allowance) {
    // The address space in use now (first field of statm, in pages) plus the allowance.
    unsigned long long pages = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (statm) {
        if (fscanf(statm, "%llu", &pages) != 1) pages = 0;
        fclose(statm);
    }
    unsigned long long used = pages * (unsigned long long)sysconf(_SC_PAGESIZE);
    struct rlimit current;
    if (getrlimit(RLIMIT_AS, &current) != 0) return errno;
    rlim_t wanted = used + allowance < used ? RLIM_INFINITY : (rlim_t)(used + allowance);
    if (current.rlim_max != RLIM_INFINITY && wanted > current.rlim_max) wanted = current.rlim_max;
    struct rlimit next = {wanted, current.rlim_max};
    return setrlimit(RLIMIT_AS, &next) == 0 ? 0 : errno;
}

int htsr_worker_reap(int pid, int *signal_number) {
    int status = 0;
    pid_t r;
    do { r = waitpid(pid, &status, 0); } while (r < 0 && errno == EINTR);
    if (r < 0) return -1;
    if (WIFSIGNALED(status)) { *signal_number = WTERMSIG(status); return -2; }
    *signal_number = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
