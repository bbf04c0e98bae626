/* robots.txt per RFC 9309: the parser keeps the rules of the groups for one product token (else
 * '*'), and the matcher picks the longest matching pattern, Allow winning ties. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crawl/url_internal.h"
#include "yuqing/error.h"
#include "yuqing/robots.h"

#define ROBOTS_MAX_BYTES (500 * 1024)

typedef struct {
    char *pattern; /* percent-encoding normalised; '*' any run, '$' at the end anchors */
    size_t len;    /* octets of the pattern: the match's specificity */
    int allow;
} rule;

struct yq_robots {
    rule *rules;
    int n_rules;
    double crawl_delay; /* -1: none */
    char **sitemaps;
    int n_sitemaps;
};

/* Which groups a line belongs to while parsing. */
typedef struct {
    const char *token;    /* our product token */
    int in_agent_lines;   /* the previous line was a user-agent line */
    int group_is_agent;   /* the current group names our product token */
    int group_is_star;    /* the current group names '*' */
    int seen_agent;       /* some group named our token: '*' rules are not used */
    yq_robots mine, star; /* rules collected for our token and for '*' */
} parser;

static int add_rule(yq_robots *r, const char *value, size_t n, int allow) {
    rule *rules = realloc(r->rules, (size_t)(r->n_rules + 1) * sizeof *rules);
    if (!rules) return YQ_ENOMEM;
    r->rules = rules;
    char *pattern = yq_url_normalise_escapes(value, n);
    if (!pattern) return YQ_ENOMEM;
    rules[r->n_rules++] = (rule){pattern, strlen(pattern), allow};
    return 0;
}

static int add_sitemap(yq_robots *r, const char *value, size_t n) {
    char **maps = realloc(r->sitemaps, (size_t)(r->n_sitemaps + 1) * sizeof *maps);
    if (!maps) return YQ_ENOMEM;
    r->sitemaps = maps;
    if (!(maps[r->n_sitemaps] = strndup(value, n))) return YQ_ENOMEM;
    r->n_sitemaps++;
    return 0;
}

/* 1 when a User-agent value names `agent`: its product token (letters, '_' and '-') equal
 * case-insensitively. */
static int names_agent(const char *value, size_t n, const char *agent) {
    size_t len = 0;
    while (len < n && (isalpha((unsigned char)value[len]) || value[len] == '_' || value[len] == '-'))
        len++;
    return len == strlen(agent) && len && strncasecmp(value, agent, len) == 0;
}

static void on_user_agent(parser *p, const char *value, size_t n) {
    if (!p->in_agent_lines) p->group_is_agent = p->group_is_star = 0;
    p->in_agent_lines = 1;
    if (n == 1 && value[0] == '*') p->group_is_star = 1;
    if (names_agent(value, n, p->token)) p->group_is_agent = p->seen_agent = 1;
}

/* Handles one "key: value" line (value trimmed). */
static int on_line(parser *p, const char *key, size_t key_len, const char *value, size_t n) {
#define KEY(name) (key_len == strlen(name) && strncasecmp(key, name, key_len) == 0)
    if (KEY("user-agent")) {
        on_user_agent(p, value, n);
        return 0;
    }
    if (KEY("sitemap")) return n ? add_sitemap(&p->mine, value, n) : 0;
    p->in_agent_lines = 0;
    int allow = KEY("allow");
    int rc = 0;
    for (int which = 0; which < 2 && !rc; which++) {
        yq_robots *r = which ? &p->star : &p->mine;
        if (!(which ? p->group_is_star : p->group_is_agent)) continue;
        if ((allow || KEY("disallow")) && n) rc = add_rule(r, value, n, allow);
        if (KEY("crawl-delay")) {
            char *end, *text = strndup(value, n);
            double d = text ? strtod(text, &end) : 0;
            if (text && end != text && d >= 0) r->crawl_delay = d;
            free(text);
        }
    }
    return rc;
#undef KEY
}

static void robots_clear(yq_robots *r) {
    for (int i = 0; i < r->n_rules; i++)
        free(r->rules[i].pattern);
    free(r->rules);
    for (int i = 0; i < r->n_sitemaps; i++)
        free(r->sitemaps[i]);
    free(r->sitemaps);
}

/* Splits one line into key and value (comments and surrounding blanks removed); 0 when the line
 * has no ':'. */
static int split_line(const char *line, size_t n, const char **key, size_t *key_len, const char **value,
                      size_t *value_len) {
    const char *hash = memchr(line, '#', n);
    if (hash) n = (size_t)(hash - line);
    const char *colon = memchr(line, ':', n);
    if (!colon) return 0;
    const char *k = line, *k_end = colon, *v = colon + 1, *v_end = line + n;
    while (k < k_end && isspace((unsigned char)*k))
        k++;
    while (k_end > k && isspace((unsigned char)k_end[-1]))
        k_end--;
    while (v < v_end && isspace((unsigned char)*v))
        v++;
    while (v_end > v && isspace((unsigned char)v_end[-1]))
        v_end--;
    *key = k, *key_len = (size_t)(k_end - k), *value = v, *value_len = (size_t)(v_end - v);
    return 1;
}

int yq_robots_parse(const char *body, size_t len, const char *agent, yq_robots **out) {
    parser p = {.token = agent, .mine = {.crawl_delay = -1}, .star = {.crawl_delay = -1}};
    if (len > ROBOTS_MAX_BYTES) len = ROBOTS_MAX_BYTES;
    if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0) body += 3, len -= 3;
    int rc = 0;
    for (size_t i = 0; i < len && !rc;) {
        size_t n = 0;
        while (i + n < len && body[i + n] != '\n' && body[i + n] != '\r')
            n++;
        const char *key, *value;
        size_t key_len, value_len;
        if (split_line(body + i, n, &key, &key_len, &value, &value_len))
            rc = on_line(&p, key, key_len, value, value_len);
        i += n + 1;
    }
    yq_robots *r = malloc(sizeof *r);
    if (rc || !r) {
        free(r);
        robots_clear(&p.mine);
        robots_clear(&p.star);
        return YQ_ENOMEM;
    }
    /* sitemaps were collected into p.mine; rules come from our token's groups, else '*' */
    *r = p.mine;
    if (!p.seen_agent) {
        for (int i = 0; i < r->n_rules; i++)
            free(r->rules[i].pattern);
        free(r->rules);
        r->rules = p.star.rules, r->n_rules = p.star.n_rules, r->crawl_delay = p.star.crawl_delay;
    } else {
        for (int i = 0; i < p.star.n_rules; i++)
            free(p.star.rules[i].pattern);
        free(p.star.rules);
    }
    *out = r;
    return 0;
}

int yq_robots_new_all(int allow, yq_robots **out) {
    yq_robots *r = calloc(1, sizeof *r);
    if (!r) return YQ_ENOMEM;
    r->crawl_delay = -1;
    if (!allow && add_rule(r, "/", 1, 0)) {
        yq_robots_free(r);
        return YQ_ENOMEM;
    }
    *out = r;
    return 0;
}

void yq_robots_free(yq_robots *r) {
    if (!r) return;
    robots_clear(r);
    free(r);
}

/* 1 when pattern p[0..pn) matches a prefix of s[0..sn) ('*' any run; a final '$' requires the
 * whole of s). Greedy matching with backtracking to the last '*'. */
static int pattern_matches(const char *p, size_t pn, const char *s, size_t sn) {
    int anchored = pn > 0 && p[pn - 1] == '$';
    if (anchored) pn--;
    size_t i = 0, j = 0, star = (size_t)-1, mark = 0;
    while (j < sn) {
        if (i == pn && !anchored) return 1;
        if (i < pn && p[i] == '*') {
            star = i++;
            mark = j;
        } else if (i < pn && p[i] == s[j]) {
            i++, j++;
        } else if (star != (size_t)-1) {
            i = star + 1;
            j = ++mark;
        } else {
            return 0;
        }
    }
    while (i < pn && p[i] == '*')
        i++;
    return i == pn;
}

/* The path + query of `url` (absolute, or already a path), normalised; malloc'd. */
static char *match_target(const char *url) {
    const char *start = url;
    const char *scheme_end = strstr(url, "://");
    if (url[0] != '/' && scheme_end) {
        start = scheme_end + 3;
        start += strcspn(start, "/?#");
    }
    size_t n = strcspn(start, "#");
    if (*start != '/') { /* "http://h" or "http://h?q": the path is "/" */
        char *with_slash = malloc(n + 2);
        if (!with_slash) return NULL;
        with_slash[0] = '/';
        memcpy(with_slash + 1, start, n);
        char *out = yq_url_normalise_escapes(with_slash, n + 1);
        free(with_slash);
        return out;
    }
    return yq_url_normalise_escapes(start, n);
}

int yq_robots_allowed(const yq_robots *r, const char *url) {
    char *target = match_target(url);
    if (!target) return 0;
    size_t sn = strlen(target);
    int allowed = 1;
    size_t best = 0;
    int found = 0;
    if (strcmp(target, "/robots.txt") != 0) {
        for (int i = 0; i < r->n_rules; i++) {
            const rule *ru = &r->rules[i];
            if (!pattern_matches(ru->pattern, ru->len, target, sn)) continue;
            if (!found || ru->len > best || (ru->len == best && ru->allow)) {
                allowed = ru->allow;
                best = ru->len;
                found = 1;
            }
        }
    }
    free(target);
    return allowed;
}

double yq_robots_crawl_delay(const yq_robots *r) {
    return r->crawl_delay;
}

const char *const *yq_robots_sitemaps(const yq_robots *r, int *n) {
    *n = r->n_sitemaps;
    return (const char *const *)r->sitemaps;
}
