/* Shared by the fuzz targets: the readers take paths and map files, so each input is written to
 * one in-memory file (memfd), reached through a symbolic link whose name the loader expects and
 * which is removed at exit. */
#ifndef YUQING_FUZZ_INPUT_H
#define YUQING_FUZZ_INPUT_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "yuqing/log.h"

static const char *fuzz_link;

static void fuzz_remove_link(void) { unlink(fuzz_link); }

/* The path `link` (made once, pointing at the memfd) of a file holding exactly data[0..size);
 * aborts when the memfd cannot be written. */
static const char *fuzz_input_path(const char *link, const unsigned char *data, size_t size) {
    static int fd = -1;
    if (fd < 0) {
        fuzz_link = link;
        atexit(fuzz_remove_link);
        char target[64];
        fd = memfd_create("yq-fuzz", 0);
        snprintf(target, sizeof target, "/proc/%d/fd/%d", (int)getpid(), fd);
        unlink(link);
        if (fd < 0 || symlink(target, link)) abort();
        yq_log_set_level(YQ_LOG_ERROR);
    }
    if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size)) abort();
    return link;
}

#endif
