/* The retry policy: which failures are retried, exponential backoff with jitter, Retry-After
 * (delta-seconds or HTTP-date, RFC 9110 §10.2.3) as a lower bound. */
#include <ctype.h>
#include <curl/curl.h>
#include <math.h>
#include <stdlib.h>

#include "yuqing/error.h"
#include "yuqing/politeness.h"

yq_retry_config yq_retry_defaults(void) {
    return (yq_retry_config){.max_retries = 3, .base_s = 1.0, .max_s = 300.0};
}

static int retryable(enum yq_fetch_error error, long status) {
    if (error == YQ_FETCH_TIMEOUT || error == YQ_FETCH_NETWORK) return 1;
    if (error != YQ_FETCH_HTTP) return 0;
    return status == 408 || status == 425 || status == 429 || status == 500 || status == 502 ||
           status == 503 || status == 504;
}

int yq_retry_after_parse(const char *value, time_t now, double *seconds) {
    if (!value) return yq_error(YQ_EINVAL, "no Retry-After value");
    while (isspace((unsigned char)*value))
        value++;
    if (isdigit((unsigned char)*value)) {
        char *end;
        double s = strtod(value, &end);
        while (isspace((unsigned char)*end))
            end++;
        if (*end) return yq_error(YQ_EINVAL, "bad Retry-After: %s", value);
        *seconds = s;
        return 0;
    }
    time_t when = curl_getdate(value, NULL); /* RFC 1123, RFC 850 and asctime forms */
    if (when < 0) return yq_error(YQ_EINVAL, "bad Retry-After: %s", value);
    *seconds = when > now ? (double)(when - now) : 0;
    return 0;
}

double yq_retry_delay(const yq_retry_config *c, int attempt, enum yq_fetch_error error, long status,
                      const char *retry_after, time_t now, uint64_t *rng) {
    if (!retryable(error, status) || attempt > c->max_retries) return -1;
    double backoff = c->base_s * pow(2.0, attempt - 1) * (0.5 + 0.5 * yq_random_unit(rng));
    if (backoff > c->max_s) backoff = c->max_s;
    double after;
    if (retry_after && yq_retry_after_parse(retry_after, now, &after) == 0) {
        if (after > c->max_s) return -1;
        if (after > backoff) backoff = after;
    }
    return backoff;
}
