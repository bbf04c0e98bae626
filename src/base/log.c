/* Leveled log lines on stderr ("yuqing: warning: ..."); thread-safe through stdio's locking. */
#include <stdarg.h>
#include <stdio.h>

#include "yuqing/log.h"

static enum yq_log_level current_level = YQ_LOG_WARN;

void yq_log_set_level(enum yq_log_level level) { current_level = level; }
enum yq_log_level yq_log_get_level(void) { return current_level; }

void yq_log(enum yq_log_level level, const char *fmt, ...) {
    static const char *const prefixes[] = {"error: ", "warning: ", "", "debug: "};
    if (level > current_level) return;
    va_list ap;
    va_start(ap, fmt);
    flockfile(stderr);
    fprintf(stderr, "yuqing: %s", prefixes[level]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    funlockfile(stderr);
    va_end(ap);
}
