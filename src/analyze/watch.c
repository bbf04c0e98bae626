/* The watch file: watched entities with their aliases, alert rules, the near-duplicate threshold
 * and the display time zone (docs/ANALYZE.md), read through the line-numbered YAML tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "yuqing/analyze.h"
#include "yuqing/error.h"
#include "yuqing/yaml.h"

enum { DEFAULT_MAX_HAMMING = 6 };

void yq_watch_free(yq_watch *w) {
    if (!w) return;
    for (int i = 0; i < w->n_entities; i++) {
        free(w->entities[i].name);
        for (int j = 0; j < w->entities[i].n_aliases; j++) free(w->entities[i].aliases[j]);
        free(w->entities[i].aliases);
    }
    free(w->entities);
    free(w->alerts);
    free(w->timezone);
    free(w);
}

static int find_entity(const yq_watch *w, const char *name) {
    for (int i = 0; i < w->n_entities; i++)
        if (!strcmp(w->entities[i].name, name)) return i;
    return -1;
}

static int read_entity(const yq_yaml_doc *doc, const yq_yaml_node *node, yq_watch *w) {
    static const char *const keys[] = {"name", "aliases", NULL};
    int rc = yq_yaml_check_keys(doc, node, "an entity", keys);
    const char *name = NULL;
    const char **aliases = NULL;
    size_t n = 0;
    if (!rc) rc = yq_yaml_string(doc, node, "name", &name);
    if (!rc && (!name || !*name)) rc = yq_yaml_error(doc, node, "an entity needs a name");
    if (!rc && find_entity(w, name) >= 0) rc = yq_yaml_error(doc, node, "entity '%s' is listed twice", name);
    if (!rc) rc = yq_yaml_strings(doc, node, "aliases", &aliases, &n);
    for (size_t i = 0; !rc && i < n; i++)
        if (!*aliases[i]) rc = yq_yaml_error(doc, yq_yaml_get(node, "aliases"), "aliases: an alias is empty");
    yq_watch_entity *e = &w->entities[w->n_entities];
    if (!rc && !(e->name = strdup(name))) rc = yq_error(YQ_ENOMEM, "out of memory");
    if (!rc && n && !(e->aliases = calloc(n, sizeof *e->aliases))) rc = yq_error(YQ_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < n; i++)
        if (!(e->aliases[e->n_aliases++] = strdup(aliases[i]))) rc = yq_error(YQ_ENOMEM, "out of memory");
    free(aliases);
    w->n_entities++; /* counted even on failure so yq_watch_free releases what was copied */
    return rc;
}

static int read_alert(const yq_yaml_doc *doc, const yq_yaml_node *node, yq_watch *w) {
    static const char *const keys[] = {"entity", "negative_share_above", "negative_count", "window",
                                       "min_articles", NULL};
    int rc = yq_yaml_check_keys(doc, node, "an alert rule", keys);
    const char *entity = NULL;
    yq_alert_rule *r = &w->alerts[w->n_alerts];
    *r = (yq_alert_rule){.window_s = -1, .min_articles = 1};
    if (!rc) rc = yq_yaml_string(doc, node, "entity", &entity);
    if (!rc && !entity) rc = yq_yaml_error(doc, node, "an alert rule needs an entity");
    if (!rc && (r->entity = find_entity(w, entity)) < 0)
        rc = yq_yaml_error(doc, yq_yaml_get(node, "entity"), "entity: '%s' is not a watched entity", entity);
    int share = yq_yaml_get(node, "negative_share_above") != NULL, count = yq_yaml_get(node, "negative_count") != NULL;
    if (!rc && share == count)
        rc = yq_yaml_error(doc, node, "an alert rule needs exactly one of negative_share_above, negative_count");
    if (!rc && share) {
        r->kind = YQ_ALERT_NEGATIVE_SHARE;
        rc = yq_yaml_double(doc, node, "negative_share_above", 0, 1, &r->threshold);
    } else if (!rc) {
        long long n = 0;
        r->kind = YQ_ALERT_NEGATIVE_COUNT;
        rc = yq_yaml_int(doc, node, "negative_count", 1, 1000000, &n);
        r->threshold = (double)n;
    }
    long long min_articles = 1;
    if (!rc) rc = yq_yaml_int(doc, node, "min_articles", 1, 1000000, &min_articles);
    r->min_articles = (int)min_articles;
    if (!rc) rc = yq_yaml_duration(doc, node, "window", &r->window_s);
    if (!rc && r->window_s <= 0) rc = yq_yaml_error(doc, node, "an alert rule needs a window (e.g. 24h)");
    if (!rc) w->n_alerts++;
    return rc;
}

static int read_timezone(const yq_yaml_doc *doc, const yq_yaml_node *root, yq_watch *w) {
    const char *tz = NULL;
    int rc = yq_yaml_string(doc, root, "timezone", &tz);
    if (rc || !tz) return rc;
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
    if (!*tz || strstr(tz, "..") || (stat("/usr/share/zoneinfo", &st) == 0 && stat(path, &st) != 0))
        return yq_yaml_error(doc, yq_yaml_get(root, "timezone"), "timezone: unknown time zone '%s'", tz);
    w->timezone = strdup(tz);
    return w->timezone ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
}

static int read_list(const yq_yaml_doc *doc, const yq_yaml_node *root, const char *key, yq_watch *w,
                     int (*read)(const yq_yaml_doc *, const yq_yaml_node *, yq_watch *)) {
    const yq_yaml_node *list = yq_yaml_get(root, key);
    if (!list) return YQ_OK;
    if (list->kind != YQ_YAML_SEQUENCE) return yq_yaml_error(doc, list, "%s: expected a list", key);
    int rc = YQ_OK;
    for (size_t i = 0; i < list->n_items && !rc; i++) rc = read(doc, list->items[i], w);
    return rc;
}

static int read_watch(const yq_yaml_doc *doc, yq_watch *w) {
    static const char *const keys[] = {"entities", "alerts", "near_duplicates", "timezone", NULL};
    static const char *const dup_keys[] = {"max_hamming", NULL};
    const yq_yaml_node *root = doc->root;
    int rc = yq_yaml_check_keys(doc, root, "the watch file", keys);
    const yq_yaml_node *entities = yq_yaml_get(root, "entities"), *alerts = yq_yaml_get(root, "alerts");
    if (!rc && !entities) rc = yq_yaml_error(doc, root, "the watch file needs an 'entities' list");
    size_t n_entities = entities ? entities->n_items : 0, n_alerts = alerts ? alerts->n_items : 0;
    if (!rc && (!(w->entities = calloc(n_entities + 1, sizeof *w->entities)) ||
                !(w->alerts = calloc(n_alerts + 1, sizeof *w->alerts))))
        rc = yq_error(YQ_ENOMEM, "out of memory");
    if (!rc) rc = read_list(doc, root, "entities", w, read_entity);
    if (!rc) rc = read_list(doc, root, "alerts", w, read_alert);
    const yq_yaml_node *dups = yq_yaml_get(root, "near_duplicates");
    long long max_hamming = DEFAULT_MAX_HAMMING;
    if (!rc && dups) rc = yq_yaml_check_keys(doc, dups, "near_duplicates", dup_keys);
    if (!rc && dups) rc = yq_yaml_int(doc, dups, "max_hamming", 0, 32, &max_hamming);
    w->max_hamming = (int)max_hamming;
    if (!rc) rc = read_timezone(doc, root, w);
    return rc;
}

/* Reads the watch from a parsed document, which it frees. */
static int watch_from_doc(yq_yaml_doc *doc, yq_watch **out) {
    yq_watch *w = calloc(1, sizeof *w);
    int rc = w ? read_watch(doc, w) : yq_error(YQ_ENOMEM, "out of memory");
    yq_yaml_free(doc);
    if (rc) {
        yq_watch_free(w);
        return rc;
    }
    *out = w;
    return YQ_OK;
}

int yq_watch_parse(const char *name, const char *text, size_t len, yq_watch **out) {
    yq_yaml_doc *doc = NULL;
    int rc = yq_yaml_parse(name, text, len, &doc);
    return rc ? rc : watch_from_doc(doc, out);
}

int yq_watch_load(const char *path, yq_watch **out) {
    yq_yaml_doc *doc = NULL;
    int rc = yq_yaml_load(path, &doc);
    return rc ? rc : watch_from_doc(doc, out);
}
