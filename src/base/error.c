/* Per-thread error message store behind yq_error() / yq_last_error(). */
#include <stdarg.h>
#include <stdio.h>

#include "yuqing/error.h"

static _Thread_local char last_message[1024];

int yq_error(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    return code;
}

const char *yq_last_error(void) { return last_message; }

int yq_error_is_bad_input(int code) {
    return code == YQ_EINVAL || code == YQ_ENOENT || code == YQ_EFORMAT ||
           code == YQ_EUNSUPPORTED || code == YQ_ERANGE;
}
