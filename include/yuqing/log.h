/* Logging to stderr with levels set by --quiet / --verbose. Data never goes through here. */
#ifndef YUQING_LOG_H
#define YUQING_LOG_H

enum yq_log_level { YQ_LOG_ERROR = 0, YQ_LOG_WARN = 1, YQ_LOG_INFO = 2, YQ_LOG_DEBUG = 3 };

void yq_log_set_level(enum yq_log_level level);
enum yq_log_level yq_log_get_level(void);
void yq_log(enum yq_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define yq_warn(...) yq_log(YQ_LOG_WARN, __VA_ARGS__)
#define yq_info(...) yq_log(YQ_LOG_INFO, __VA_ARGS__)
#define yq_debug(...) yq_log(YQ_LOG_DEBUG, __VA_ARGS__)

#endif
