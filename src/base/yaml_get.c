/* Typed, checked reads from a YAML tree: every error names the file, the line and the key. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yuqing/error.h"
#include "yuqing/yaml.h"

int yq_yaml_error(const yq_yaml_doc *doc, const yq_yaml_node *node, const char *fmt, ...) {
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return yq_error(YQ_EINVAL, "%s:%d: %s", doc->path, node ? node->line : 1, message);
}

const yq_yaml_node *yq_yaml_get(const yq_yaml_node *map, const char *key) {
    if (!map || map->kind != YQ_YAML_MAPPING) return NULL;
    for (size_t i = 0; i < map->n_items; i++)
        if (!strcmp(map->items[i]->key, key)) return map->items[i];
    return NULL;
}

int yq_yaml_check_keys(const yq_yaml_doc *doc, const yq_yaml_node *node, const char *what,
                       const char *const *allowed) {
    if (!node || node->kind != YQ_YAML_MAPPING) return yq_yaml_error(doc, node, "%s must be a mapping", what);
    for (size_t i = 0; i < node->n_items; i++) {
        const char *key = node->items[i]->key;
        int known = 0;
        for (const char *const *a = allowed; *a && !known; a++) known = !strcmp(*a, key);
        if (!known) return yq_yaml_error(doc, node->items[i], "unknown key '%s' in %s", key, what);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(node->items[j]->key, key))
                return yq_yaml_error(doc, node->items[i], "duplicate key '%s' in %s", key, what);
    }
    return YQ_OK;
}

/* The scalar under `key`, NULL when absent, or an error when present but not a scalar. */
static int scalar(const yq_yaml_doc *doc, const yq_yaml_node *map, const char *key,
                  const yq_yaml_node **out) {
    const yq_yaml_node *node = yq_yaml_get(map, key);
    if (node && node->kind != YQ_YAML_SCALAR) return yq_yaml_error(doc, node, "%s: expected a single value", key);
    *out = node;
    return YQ_OK;
}

int yq_yaml_string(const yq_yaml_doc *doc, const yq_yaml_node *map, const char *key, const char **out) {
    const yq_yaml_node *node = NULL;
    int rc = scalar(doc, map, key, &node);
    if (!rc && node) *out = node->value;
    return rc;
}

int yq_yaml_int(const yq_yaml_doc *doc, const yq_yaml_node *map, const char *key, long long min,
                long long max, long long *out) {
    const yq_yaml_node *node = NULL;
    int rc = scalar(doc, map, key, &node);
    if (rc || !node) return rc;
    char *end;
    errno = 0;
    long long v = strtoll(node->value, &end, 10);
    if (errno || end == node->value || *end || v < min || v > max)
        return yq_yaml_error(doc, node, "%s: expected an integer in [%lld, %lld], got '%s'", key, min, max,
                             node->value);
    *out = v;
    return YQ_OK;
}

int yq_yaml_double(const yq_yaml_doc *doc, const yq_yaml_node *map, const char *key, double min,
                   double max, double *out) {
    const yq_yaml_node *node = NULL;
    int rc = scalar(doc, map, key, &node);
    if (rc || !node) return rc;
    char *end;
    double v = strtod(node->value, &end);
    if (end == node->value || *end || !isfinite(v) || v < min || v > max)
        return yq_yaml_error(doc, node, "%s: expected a number in [%g, %g], got '%s'", key, min, max,
                             node->value);
    *out = v;
    return YQ_OK;
}

int yq_yaml_bool(const yq_yaml_doc *doc, const yq_yaml_node *map, const char *key, int *out) {
    static const char *const yes[] = {"true", "yes", "on", "True", "TRUE", NULL};
    static const char *const no[] = {"false", "no", "off", "False", "FALSE", NULL};
    const yq_yaml_node *node = NULL;
    int rc = scalar(doc, map, key, &node);
    if (rc || !node) return rc;
    for (int i = 0; yes[i]; i++)
        if (!strcmp(node->value, yes[i])) return *out = 1, YQ_OK;
    for (int i = 0; no[i]; i++)
        if (!strcmp(node->value, no[i])) return *out = 0, YQ_OK;
    return yq_yaml_error(doc, node, "%s: expected true or false, got '%s'", key, node->value);
}

int yq_yaml_duration(const yq_yaml_doc *doc, const yq_yaml_node *map, const char *key, double *out) {
    static const struct { const char *suffix; double seconds; } units[] = {
        {"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}, {"", 1}};
    const yq_yaml_node *node = NULL;
    int rc = scalar(doc, map, key, &node);
    if (rc || !node) return rc;
    char *end;
    double v = strtod(node->value, &end);
    if (end != node->value && isfinite(v) && v >= 0)
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
            if (!strcmp(end, units[i].suffix)) return *out = v * units[i].seconds, YQ_OK;
    return yq_yaml_error(doc, node, "%s: expected a duration such as 500ms, 2s, 15m, 1h or 1d, got '%s'", key,
                         node->value);
}

int yq_yaml_strings(const yq_yaml_doc *doc, const yq_yaml_node *map, const char *key,
                    const char ***out, size_t *n) {
    const yq_yaml_node *node = yq_yaml_get(map, key);
    if (!node) return YQ_OK;
    size_t count = node->kind == YQ_YAML_SCALAR ? 1 : node->n_items;
    if (node->kind == YQ_YAML_MAPPING) return yq_yaml_error(doc, node, "%s: expected a list", key);
    const char **list = calloc(count ? count : 1, sizeof *list);
    if (!list) return yq_error(YQ_ENOMEM, "out of memory reading YAML");
    for (size_t i = 0; i < count; i++) {
        const yq_yaml_node *item = node->kind == YQ_YAML_SCALAR ? node : node->items[i];
        if (item->kind != YQ_YAML_SCALAR) {
            free(list);
            return yq_yaml_error(doc, item, "%s: expected a list of values", key);
        }
        list[i] = item->value;
    }
    *out = list;
    *n = count;
    return YQ_OK;
}
