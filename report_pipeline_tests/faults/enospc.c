/* A full disk for one directory tree, for the fault tests (LD_PRELOAD).
 *
 * ENOSPC_DIR: the tree whose file system "fills up"; ENOSPC_BUDGET: a file
 * holding how many more counted writes under that tree succeed (shared by every
 * process of the run, Dagster's step processes too); ENOSPC_MATCH (optional): count
 * only writes to paths containing it, so a test can fill the disk at the Nth PDF or
 * .eml write. The first counted write over the budget fails with ENOSPC, and from
 * then on every write under the tree that needs new space does, as on a full file
 * system, until the test deletes the budget file ("frees space").
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);

static int under_tree(int fd, char *path, size_t size) {
    const char *tree = getenv("ENOSPC_DIR");
    char link[64];
    if (!tree || !*tree) return 0;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, size - 1);
    if (n <= 0) return 0;
    path[n] = 0;
    return strncmp(path, tree, strlen(tree)) == 0;
}

/* Whether `count` bytes at `offset` (-1: the file position) need new space; writes
 * over bytes a file already has succeed on a full disk too (SQLite's rollback). */
static int grows(int fd, size_t count, off_t offset) {
    struct stat status;
    if (offset < 0) offset = lseek(fd, 0, SEEK_CUR);
    if (offset < 0 || fstat(fd, &status) != 0) return 1;
    return (off_t)(offset + count) > status.st_size;
}

/* 1 when this write must fail: the budget is spent (decremented under a lock). */
static int disk_full(int fd, size_t count, off_t offset) {
    char path[4096], text[32] = {0};
    const char *budget = getenv("ENOSPC_BUDGET"), *match = getenv("ENOSPC_MATCH");
    if (!budget || !under_tree(fd, path, sizeof path) || !grows(fd, count, offset)) return 0;
    int counter = open(budget, O_RDWR);
    if (counter < 0) return 0; /* no budget file: space is free */
    flock(counter, LOCK_EX);
    long left = (read(counter, text, sizeof text - 1) > 0) ? atol(text) : 0;
    int counts = !match || !*match || strstr(path, match);
    int full = left < 0 || (left == 0 && counts);
    if (counts && left >= 0) { /* count this write; the first one over the budget trips it */
        int len = snprintf(text, sizeof text, "%ld\n", left - 1);
        if (!real_pwrite) real_pwrite = dlsym(RTLD_NEXT, "pwrite");
        if (ftruncate(counter, 0) == 0) real_pwrite(counter, text, len, 0);
    }
    flock(counter, LOCK_UN);
    close(counter);
    if (full && getenv("ENOSPC_LOG")) fprintf(stderr, "enospc: %s\n", path);
    return full;
}

#define FAIL_IF_FULL(fd, count, offset) \
    if (disk_full(fd, count, offset)) { errno = ENOSPC; return -1; }

static size_t total(const struct iovec *iov, int count) {
    size_t sum = 0;
    for (int i = 0; i < count; i++) sum += iov[i].iov_len;
    return sum;
}

ssize_t write(int fd, const void *buf, size_t count) {
    static ssize_t (*real)(int, const void *, size_t);
    if (!real) real = dlsym(RTLD_NEXT, "write");
    FAIL_IF_FULL(fd, count, -1);
    return real(fd, buf, count);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset) {
    if (!real_pwrite) real_pwrite = dlsym(RTLD_NEXT, "pwrite");
    FAIL_IF_FULL(fd, count, offset);
    return real_pwrite(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset) {
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (!real) real = dlsym(RTLD_NEXT, "pwrite64");
    FAIL_IF_FULL(fd, count, offset);
    return real(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec *iov, int count) {
    static ssize_t (*real)(int, const struct iovec *, int);
    if (!real) real = dlsym(RTLD_NEXT, "writev");
    FAIL_IF_FULL(fd, total(iov, count), -1);
    return real(fd, iov, count);
}

ssize_t pwritev(int fd, const struct iovec *iov, int count, off_t offset) {
    static ssize_t (*real)(int, const struct iovec *, int, off_t);
    if (!real) real = dlsym(RTLD_NEXT, "pwritev");
    FAIL_IF_FULL(fd, total(iov, count), offset);
    return real(fd, iov, count, offset);
}
