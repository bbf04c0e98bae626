/* mmap-based file access for checkpoints, and whole-file reads for small config files. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "yuqing/error.h"
#include "yuqing/mapfile.h"

static int open_regular(const char *path, int *fd, size_t *size) {
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return yq_error(errno == ENOENT ? YQ_ENOENT : YQ_EIO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(*fd, &st) != 0) {
        close(*fd);
        return yq_error(YQ_EIO, "%s: %s", path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        close(*fd);
        return yq_error(YQ_EINVAL, "%s: not a regular file", path);
    }
    *size = (size_t)st.st_size;
    return YQ_OK;
}

int yq_map_file(const char *path, yq_mapped_file *out) {
    int fd;
    out->data = NULL;
    out->size = 0;
    int rc = open_regular(path, &fd, &out->size);
    if (rc) return rc;
    if (out->size > 0) {
        void *p = mmap(NULL, out->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            close(fd);
            return yq_error(YQ_EIO, "%s: mmap: %s", path, strerror(errno));
        }
        out->data = p;
    }
    close(fd);
    return YQ_OK;
}

void yq_unmap_file(yq_mapped_file *file) {
    if (file->data) munmap((void *)file->data, file->size);
    file->data = NULL;
    file->size = 0;
}

void yq_mapped_file_forget(const yq_mapped_file *file, const void *begin, size_t bytes) {
    uintptr_t start = (uintptr_t)begin, end = start + bytes, base = (uintptr_t)file->data;
    if (!file->data || start < base || end > base + file->size) return;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    start = (start + page - 1) / page * page;
    end = end / page * page;
    if (end > start) madvise((void *)start, end - start, MADV_DONTNEED);
}

int yq_read_file(const char *path, char **out, size_t *size) {
    int fd;
    size_t n;
    int rc = open_regular(path, &fd, &n);
    if (rc) return rc;
    char *buf = malloc(n + 1);
    if (!buf) {
        close(fd);
        return yq_error(YQ_ENOMEM, "%s: out of memory", path);
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            free(buf);
            close(fd);
            return yq_error(YQ_EIO, "%s: read failed", path);
        }
        got += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *out = buf;
    if (size) *size = n;
    return YQ_OK;
}
