/* The per-origin robots.txt cache: parsed rules for 24 hours, allow-all after a 4xx, disallow-all
 * for a while after a 5xx or an unreachable server (RFC 9309 §2.3.1.3-4, §2.4), and one fetch
 * of each robots.txt at a time. */
#include <stdlib.h>
#include <string.h>

#include "crawl/strmap.h"
#include "yuqing/error.h"
#include "yuqing/robots.h"

#define ROBOTS_TTL_S (24 * 3600.0)
#define ROBOTS_RETRY_S 600.0
#define ROBOTS_PENDING_S 600.0

typedef struct {
    yq_robots *rules;     /* NULL until the first answer */
    double expires;       /* rules are used until then */
    double pending_since; /* a fetch was handed out at this time; < 0: none */
} entry;

struct yq_robots_cache {
    char *agent;
    yq_strmap *map; /* origin -> entry */
};

yq_robots_cache *yq_robots_cache_new(const char *agent) {
    yq_robots_cache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->agent = strdup(agent);
    c->map = yq_strmap_new();
    if (!c->agent || !c->map) {
        yq_robots_cache_free(c);
        return NULL;
    }
    return c;
}

static void entry_free(void *p) {
    entry *e = p;
    yq_robots_free(e->rules);
    free(e);
}

void yq_robots_cache_free(yq_robots_cache *c) {
    if (!c) return;
    yq_strmap_free(c->map, entry_free);
    free(c->agent);
    free(c);
}

enum yq_robots_state yq_robots_cache_get(yq_robots_cache *c, const char *origin, double now,
                                         const yq_robots **rules) {
    *rules = NULL;
    entry *e = yq_strmap_get(c->map, origin);
    if (!e) {
        e = calloc(1, sizeof *e);
        if (!e || yq_strmap_put(c->map, origin, e)) {
            free(e);
            return YQ_ROBOTS_WAIT; /* out of memory: nothing is fetched */
        }
        e->pending_since = -1;
    }
    if (e->rules && now < e->expires) {
        *rules = e->rules;
        return YQ_ROBOTS_READY;
    }
    if (e->pending_since >= 0 && now - e->pending_since < ROBOTS_PENDING_S) return YQ_ROBOTS_WAIT;
    e->pending_since = now;
    return YQ_ROBOTS_FETCH;
}

int yq_robots_cache_put(yq_robots_cache *c, const char *origin, long status, const char *body, size_t len,
                        double now, double retry_s) {
    yq_robots *rules;
    int rc;
    double ttl = ROBOTS_TTL_S;
    if (status >= 200 && status < 300) {
        rc = yq_robots_parse(body ? body : "", body ? len : 0, c->agent, &rules);
    } else if (status >= 400 && status < 500) {
        rc = yq_robots_new_all(1, &rules);
    } else {
        rc = yq_robots_new_all(0, &rules);
        ttl = retry_s > 0 ? retry_s : ROBOTS_RETRY_S;
    }
    if (rc) return rc;
    entry *e = yq_strmap_get(c->map, origin);
    if (!e) {
        e = calloc(1, sizeof *e);
        if (!e || yq_strmap_put(c->map, origin, e)) {
            free(e);
            yq_robots_free(rules);
            return YQ_ENOMEM;
        }
    }
    yq_robots_free(e->rules);
    e->rules = rules;
    e->expires = now + ttl;
    e->pending_since = -1;
    return 0;
}
