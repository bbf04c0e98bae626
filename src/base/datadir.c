/* Locating runtime data files next to the executable or under the install prefix. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "yuqing/datadir.h"
#include "yuqing/error.h"

#ifndef YQ_INSTALL_DATADIR
#define YQ_INSTALL_DATADIR "/usr/local/share/yuqing"
#endif

/* The folder holding the running executable ("" when unknown). */
static void executable_dir(char *out, size_t size) {
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    out[0] = 0;
    if (n <= 0) return;
    path[n] = 0;
    char *slash = strrchr(path, '/');
    if (slash) *slash = 0;
    snprintf(out, size, "%s", path);
}

static int try_path(const char *dir, const char *relative, char *out, size_t out_size) {
    if (!dir || !dir[0]) return 0;
    int n = snprintf(out, out_size, "%s/%s", dir, relative);
    return n > 0 && (size_t)n < out_size && access(out, R_OK) == 0;
}

int yq_data_path(const char *relative, char *out, size_t out_size) {
    char exe[PATH_MAX], candidate[PATH_MAX + 32];
    executable_dir(exe, sizeof exe);
    if (try_path(getenv("YUQING_DATA_DIR"), relative, out, out_size)) return YQ_OK;
    snprintf(candidate, sizeof candidate, "%s/../data", exe);
    if (exe[0] && try_path(candidate, relative, out, out_size)) return YQ_OK;
    snprintf(candidate, sizeof candidate, "%s/../share/yuqing", exe);
    if (exe[0] && try_path(candidate, relative, out, out_size)) return YQ_OK;
    if (try_path(YQ_INSTALL_DATADIR, relative, out, out_size)) return YQ_OK;
    return yq_error(YQ_ENOENT,
                    "runtime data '%s' not found (looked in $YUQING_DATA_DIR, %s/../data, "
                    "%s/../share/yuqing, " YQ_INSTALL_DATADIR ")",
                    relative, exe, exe);
}
