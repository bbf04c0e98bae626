/* Per-host politeness: a concurrency limit, a minimum gap between request starts, pauses
 * (Retry-After), and Scrapy's AutoThrottle (scrapy/extensions/throttle.py) adapting the gap to
 * the host's latency. */
#include <stdlib.h>

#include "crawl/strmap.h"
#include "yuqing/politeness.h"

typedef struct {
    int in_flight;
    double last_start; /* < 0: never */
    double delay;      /* current gap (AutoThrottle's, or the configured one) */
    double floor;      /* robots.txt Crawl-delay; < 0: none */
    double paused_until;
} host_slot;

struct yq_polite {
    yq_polite_config config;
    yq_strmap *hosts; /* host -> host_slot */
};

yq_polite_config yq_polite_defaults(void) {
    return (yq_polite_config){
        .per_host_concurrency = 2,
        .delay_s = 1.0,
        .autothrottle = 1,
        .target_concurrency = 1.0,
        .start_delay_s = 5.0,
        .max_delay_s = 60.0,
    };
}

yq_polite *yq_polite_new(const yq_polite_config *config) {
    yq_polite *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->config = *config;
    if (p->config.per_host_concurrency < 1) p->config.per_host_concurrency = 1;
    if (p->config.target_concurrency <= 0) p->config.target_concurrency = 1.0;
    if (!(p->hosts = yq_strmap_new())) {
        free(p);
        return NULL;
    }
    return p;
}

void yq_polite_free(yq_polite *p) {
    if (!p) return;
    yq_strmap_free(p->hosts, free);
    free(p);
}

/* The host's slot, created on first use; NULL on out-of-memory. */
static host_slot *slot_of(yq_polite *p, const char *host) {
    host_slot *s = yq_strmap_get(p->hosts, host);
    if (s) return s;
    if (!(s = malloc(sizeof *s))) return NULL;
    double start = p->config.autothrottle && p->config.start_delay_s > p->config.delay_s
                       ? p->config.start_delay_s
                       : p->config.delay_s;
    *s = (host_slot){0, -1, start, -1, 0};
    if (yq_strmap_put(p->hosts, host, s)) {
        free(s);
        return NULL;
    }
    return s;
}

static double effective_delay(const host_slot *s) {
    return s->delay > s->floor ? s->delay : s->floor;
}

double yq_polite_acquire(yq_polite *p, const char *host, double now) {
    host_slot *s = slot_of(p, host);
    if (!s) return 1.0; /* out of memory: try again later */
    if (now < s->paused_until) return s->paused_until - now;
    double delay = effective_delay(s);
    if (s->in_flight >= p->config.per_host_concurrency) return delay > 0.05 ? delay : 0.05;
    if (s->last_start >= 0 && now - s->last_start < delay) return delay - (now - s->last_start);
    s->in_flight++;
    s->last_start = now;
    return 0;
}

void yq_polite_release(yq_polite *p, const char *host, double now, double latency_s, long status) {
    host_slot *s = slot_of(p, host);
    (void)now;
    if (!s) return;
    if (s->in_flight > 0) s->in_flight--;
    if (!p->config.autothrottle) return;
    const yq_polite_config *c = &p->config;
    double target = latency_s / c->target_concurrency;
    double next = (s->delay + target) / 2.0;
    if (next < target) next = target;
    if (next < c->delay_s) next = c->delay_s;
    if (next > c->max_delay_s) next = c->max_delay_s;
    /* error pages are fast: they may raise the delay but never lower it */
    if (status != 200 && next <= s->delay) return;
    s->delay = next;
}

void yq_polite_set_floor(yq_polite *p, const char *host, double seconds) {
    host_slot *s = slot_of(p, host);
    if (s) s->floor = seconds;
}

void yq_polite_pause(yq_polite *p, const char *host, double until) {
    host_slot *s = slot_of(p, host);
    if (s && until > s->paused_until) s->paused_until = until;
}

double yq_polite_delay(const yq_polite *p, const char *host) {
    const host_slot *s = yq_strmap_get(p->hosts, host);
    if (!s)
        return p->config.autothrottle && p->config.start_delay_s > p->config.delay_s ? p->config.start_delay_s
                                                                                     : p->config.delay_s;
    return effective_delay(s);
}

int yq_polite_in_flight(const yq_polite *p, const char *host) {
    const host_slot *s = yq_strmap_get(p->hosts, host);
    return s ? s->in_flight : 0;
}
