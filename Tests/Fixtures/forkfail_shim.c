/*
 * Fault-injection shim for aoftop's tests (LD_PRELOAD).
 *
 * While the file named by AOFTOP_FORKFAIL_FLAG exists, fork() fails with ENOMEM, exactly what Redis sees when
 * vm.overcommit_memory=0 and its RSS is large. With AOFTOP_FORKFAIL_LEAK=1 the next two close() calls on pipe
 * fds after each failed fork are skipped: Redis 7 closes its child-info pipe right after a failed fork, so it
 * then leaks 2 fds per attempt, the way Redis <= 3.2.8 leaked the 6 fds of its AOF rewrite IPC pipes (redis#2857).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static int leaked_closes_pending = 0;

static int flag_present(void) {
    const char *flag = getenv("AOFTOP_FORKFAIL_FLAG");
    return flag != NULL && access(flag, F_OK) == 0;
}

static int leak_enabled(void) {
    const char *leak = getenv("AOFTOP_FORKFAIL_LEAK");
    return leak != NULL && leak[0] == '1';
}

pid_t fork(void) {
    static pid_t (*real_fork)(void) = NULL;
    if (real_fork == NULL) real_fork = (pid_t (*)(void))dlsym(RTLD_NEXT, "fork");
    if (flag_present()) {
        if (leak_enabled()) __atomic_store_n(&leaked_closes_pending, 2, __ATOMIC_SEQ_CST);
        errno = ENOMEM;
        return -1;
    }
    return real_fork();
}

int close(int fd) {
    static int (*real_close)(int) = NULL;
    if (real_close == NULL) real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
    if (__atomic_load_n(&leaked_closes_pending, __ATOMIC_SEQ_CST) > 0) {
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) {
            __atomic_sub_fetch(&leaked_closes_pending, 1, __ATOMIC_SEQ_CST);
            return 0; /* leaked on purpose */
        }
    }
    return real_close(fd);
}
