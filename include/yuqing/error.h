/* Error codes and the per-thread error message shared by every yuqing module.
 * Functions return 0 on success or a negative YQ_E* code; yq_last_error() says what and where. */
#ifndef YUQING_ERROR_H
#define YUQING_ERROR_H

enum yq_status {
    YQ_OK = 0,
    YQ_EINVAL = -1,       /* bad argument or bad input data */
    YQ_ENOENT = -2,       /* a named file or item does not exist */
    YQ_EFORMAT = -3,      /* a file is malformed, truncated or inconsistent */
    YQ_EUNSUPPORTED = -4, /* well-formed but not supported (architecture, dtype, option) */
    YQ_ERANGE = -5,       /* a value exceeds a limit (context length, vocabulary) */
    YQ_EIO = -6,          /* an operating-system call failed at run time */
    YQ_ENOMEM = -7,       /* out of memory or out of KV cache blocks */
    YQ_EBUSY = -8,        /* a queue is full: try again later */
};

/* Records a printf-style message for the calling thread and returns `code`, so that a failing
 * function can `return yq_error(YQ_EFORMAT, "%s: ...", path);`. */
int yq_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The calling thread's last message ("" if none). Borrowed; valid until the next yq_error(). */
const char *yq_last_error(void);

/* 1 when `code` means the caller's input was bad (exit status 2), 0 for run-time failures. */
int yq_error_is_bad_input(int code);

#endif
