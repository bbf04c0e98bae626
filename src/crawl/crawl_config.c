/* The crawl configuration: global settings and the sources list read from YAML, every value
 * checked with an error naming file, line and key (docs/CRAWL.md is the reference). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crawl/crawl_internal.h"
#include "yuqing/crawl.h"
#include "yuqing/error.h"
#include "yuqing/url.h"
#include "yuqing/yaml.h"

static const char *const top_keys[] = {"sources",
                                       "concurrency",
                                       "per_domain_concurrency",
                                       "delay",
                                       "autothrottle",
                                       "autothrottle_max_delay",
                                       "timeout",
                                       "connect_timeout",
                                       "retries",
                                       "retry_backoff",
                                       "max_redirects",
                                       "user_agents",
                                       "obey_robots",
                                       "robots_agent",
                                       "proxy",
                                       "ca_file",
                                       "cookies",
                                       "max_response_size",
                                       "tracking_params",
                                       "render_concurrency",
                                       "render_timeout",
                                       "chromium",
                                       "output",
                                       NULL};
static const char *const output_keys[] = {"jsonl", "sqlite", "sqlite_table", NULL};

static char **dup_strings(const char **list, size_t n) {
    char **out = calloc(n ? n : 1, sizeof *out);
    for (size_t i = 0; out && i < n; i++)
        if (!(out[i] = strdup(list[i]))) return NULL; /* leaks on OOM only; the caller fails */
    return out;
}

void crawl_strings_free(char **list, size_t n) {
    for (size_t i = 0; list && i < n; i++)
        free(list[i]);
    free(list);
}

/* An optional list of strings under `key`, copied into *out (NULL when the key is absent). */
int crawl_config_strings(const yq_yaml_doc *doc, const yq_yaml_node *map, const char *key, char ***out,
                         size_t *n) {
    const char **list = NULL;
    size_t count = 0;
    int rc = yq_yaml_strings(doc, map, key, &list, &count);
    if (rc || !list) return rc;
    *out = dup_strings(list, count);
    *n = count;
    free(list);
    return *out ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
}

/* An optional string under `key`, copied over *out. */
int crawl_config_string(const yq_yaml_doc *doc, const yq_yaml_node *map, const char *key, char **out) {
    const char *value = NULL;
    int rc = yq_yaml_string(doc, map, key, &value);
    if (rc || !value) return rc;
    free(*out);
    *out = strdup(value);
    return *out ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
}

/* A byte count: an integer with an optional K/KB/KiB, M/MB/MiB or G/GB/GiB suffix (powers of 1024). */
static int read_size(const yq_yaml_doc *doc, const yq_yaml_node *map, const char *key, long long *out) {
    const yq_yaml_node *node = yq_yaml_get(map, key);
    if (!node) return YQ_OK;
    if (node->kind == YQ_YAML_SCALAR) {
        char *end;
        double v = strtod(node->value, &end);
        static const struct {
            const char *suffix;
            double scale;
        } units[] = {{"", 1},        {"B", 1},        {"K", 1024},     {"KB", 1024},
                     {"KiB", 1024},  {"M", 1 << 20},  {"MB", 1 << 20}, {"MiB", 1 << 20},
                     {"G", 1 << 30}, {"GB", 1 << 30}, {"GiB", 1 << 30}};
        while (end != node->value && *end == ' ')
            end++;
        for (size_t i = 0; end != node->value && v >= 1 && i < sizeof units / sizeof units[0]; i++)
            if (!strcmp(end, units[i].suffix) && v * units[i].scale <= 1e15)
                return *out = (long long)(v * units[i].scale), YQ_OK;
    }
    return yq_yaml_error(doc, node, "%s: expected a size such as 10MB, 512KB or 1048576", key);
}

static int read_int(const yq_yaml_doc *doc, const yq_yaml_node *map, const char *key, long long min,
                    long long max, int *out) {
    long long v = *out;
    int rc = yq_yaml_int(doc, map, key, min, max, &v);
    *out = (int)v;
    return rc;
}

static int read_cookies(yq_crawl_config *c, const yq_yaml_doc *doc, const yq_yaml_node *root) {
    const yq_yaml_node *node = yq_yaml_get(root, "cookies");
    if (!node) return YQ_OK;
    if (node->kind != YQ_YAML_MAPPING)
        return yq_yaml_error(doc, node, "cookies: expected a mapping of domain to \"name=value; ...\"");
    c->cookies = calloc(node->n_items ? node->n_items : 1, sizeof *c->cookies);
    if (!c->cookies) return yq_error(YQ_ENOMEM, "out of memory");
    for (size_t i = 0; i < node->n_items; i++) {
        const yq_yaml_node *item = node->items[i];
        if (item->kind != YQ_YAML_SCALAR)
            return yq_yaml_error(doc, item, "cookies: %s: expected \"name=value; ...\"", item->key);
        c->cookies[i].domain = strdup(item->key);
        c->cookies[i].cookie = strdup(item->value);
        c->n_cookies = i + 1;
        if (!c->cookies[i].domain || !c->cookies[i].cookie) return yq_error(YQ_ENOMEM, "out of memory");
    }
    return YQ_OK;
}

static int read_output(yq_crawl_config *c, const yq_yaml_doc *doc, const yq_yaml_node *root) {
    const yq_yaml_node *node = yq_yaml_get(root, "output");
    if (!node) return YQ_OK;
    int rc = yq_yaml_check_keys(doc, node, "output", output_keys);
    if (!rc) rc = crawl_config_string(doc, node, "jsonl", &c->out_jsonl);
    if (!rc) rc = crawl_config_string(doc, node, "sqlite", &c->out_sqlite);
    if (!rc) rc = crawl_config_string(doc, node, "sqlite_table", &c->out_sqlite_table);
    if (!rc && !crawl_sql_name_ok(c->out_sqlite_table))
        rc = yq_yaml_error(doc, yq_yaml_get(node, "sqlite_table"),
                           "sqlite_table: expected a table name of letters, digits and '_'");
    return rc;
}

static int set_defaults(yq_crawl_config *c) {
    c->concurrency = 16;
    c->per_domain_concurrency = 2;
    c->delay = 1.0;
    c->autothrottle = 1;
    c->autothrottle_max_delay = 60;
    c->timeout = 30;
    c->connect_timeout = 10;
    c->retries = 3;
    c->retry_backoff = 1;
    c->max_redirects = 5;
    c->obey_robots = 1;
    c->max_response_size = 10ll << 20;
    c->render_concurrency = 2;
    c->render_timeout = 30;
    size_t n = 0;
    while (yq_url_default_tracking[n])
        n++;
    c->tracking_params = dup_strings((const char **)yq_url_default_tracking, n);
    c->n_tracking_params = n;
    c->robots_agent = strdup("yuqing");
    c->chromium = strdup("/usr/bin/chromium");
    c->out_sqlite_table = strdup("items");
    if (!c->tracking_params || !c->robots_agent || !c->chromium || !c->out_sqlite_table)
        return yq_error(YQ_ENOMEM, "out of memory");
    return YQ_OK;
}

/* The CA certificates to trust (a PEM file), checked for being readable now. */
static int read_ca_file(yq_crawl_config *c, const yq_yaml_doc *doc, const yq_yaml_node *root) {
    int rc = crawl_config_string(doc, root, "ca_file", &c->ca_file);
    if (rc || !c->ca_file || access(c->ca_file, R_OK) == 0) return rc;
    return yq_yaml_error(doc, yq_yaml_get(root, "ca_file"), "ca_file: cannot read %s: %s", c->ca_file,
                         strerror(errno));
}

static int read_globals(yq_crawl_config *c, const yq_yaml_doc *doc, const yq_yaml_node *root) {
    int rc = read_int(doc, root, "concurrency", 1, 10000, &c->concurrency);
    if (!rc) rc = read_int(doc, root, "per_domain_concurrency", 1, 1000, &c->per_domain_concurrency);
    if (!rc) rc = yq_yaml_duration(doc, root, "delay", &c->delay);
    if (!rc) rc = yq_yaml_bool(doc, root, "autothrottle", &c->autothrottle);
    if (!rc) rc = yq_yaml_duration(doc, root, "autothrottle_max_delay", &c->autothrottle_max_delay);
    if (!rc) rc = yq_yaml_duration(doc, root, "timeout", &c->timeout);
    if (!rc) rc = yq_yaml_duration(doc, root, "connect_timeout", &c->connect_timeout);
    if (!rc) rc = read_int(doc, root, "retries", 0, 100, &c->retries);
    if (!rc) rc = yq_yaml_duration(doc, root, "retry_backoff", &c->retry_backoff);
    if (!rc) rc = read_int(doc, root, "max_redirects", 0, 100, &c->max_redirects);
    if (!rc) rc = crawl_config_strings(doc, root, "user_agents", &c->user_agents, &c->n_user_agents);
    if (!rc) rc = yq_yaml_bool(doc, root, "obey_robots", &c->obey_robots);
    if (!rc) rc = crawl_config_string(doc, root, "robots_agent", &c->robots_agent);
    if (!rc) rc = crawl_config_string(doc, root, "proxy", &c->proxy);
    if (!rc) rc = read_ca_file(c, doc, root);
    if (!rc) rc = read_cookies(c, doc, root);
    if (!rc) rc = read_size(doc, root, "max_response_size", &c->max_response_size);
    if (!rc && yq_yaml_get(root, "tracking_params")) {
        crawl_strings_free(c->tracking_params, c->n_tracking_params);
        c->tracking_params = NULL, c->n_tracking_params = 0;
        rc = crawl_config_strings(doc, root, "tracking_params", &c->tracking_params, &c->n_tracking_params);
    }
    if (!rc) rc = read_int(doc, root, "render_concurrency", 1, 64, &c->render_concurrency);
    if (!rc) rc = yq_yaml_duration(doc, root, "render_timeout", &c->render_timeout);
    if (!rc) rc = crawl_config_string(doc, root, "chromium", &c->chromium);
    if (!rc) rc = read_output(c, doc, root);
    if (!rc && (c->timeout <= 0 || c->connect_timeout <= 0 || c->render_timeout <= 0)) {
        const char *key = c->timeout <= 0           ? "timeout"
                          : c->connect_timeout <= 0 ? "connect_timeout"
                                                    : "render_timeout";
        rc = yq_yaml_error(doc, yq_yaml_get(root, key), "%s: must be more than 0", key);
    }
    return rc;
}

static int read_sources(yq_crawl_config *c, const yq_yaml_doc *doc, const yq_yaml_node *root) {
    const yq_yaml_node *list = yq_yaml_get(root, "sources");
    if (!list || list->kind != YQ_YAML_SEQUENCE || !list->n_items)
        return yq_yaml_error(doc, list ? list : root, "sources: expected a list of at least one source");
    c->sources = calloc(list->n_items, sizeof *c->sources);
    if (!c->sources) return yq_error(YQ_ENOMEM, "out of memory");
    for (size_t i = 0; i < list->n_items; i++) {
        c->n_sources = i + 1;
        int rc = crawl_config_source(&c->sources[i], doc, list->items[i]);
        for (size_t j = 0; !rc && j < i; j++)
            if (!strcmp(c->sources[j].name, c->sources[i].name))
                rc = yq_yaml_error(doc, yq_yaml_get(list->items[i], "name"),
                                   "name: duplicate source name '%s'", c->sources[i].name);
        if (rc) return rc;
    }
    return YQ_OK;
}

static int from_doc(const yq_yaml_doc *doc, yq_crawl_config **out) {
    yq_crawl_config *c = calloc(1, sizeof *c);
    if (!c) return yq_error(YQ_ENOMEM, "out of memory");
    int rc = set_defaults(c);
    if (!rc) c->path = strdup(doc->path), rc = c->path ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
    if (!rc) rc = yq_yaml_check_keys(doc, doc->root, "the crawl configuration", top_keys);
    if (!rc) rc = read_globals(c, doc, doc->root);
    if (!rc) rc = read_sources(c, doc, doc->root);
    if (rc) {
        yq_crawl_config_free(c);
        return rc;
    }
    *out = c;
    return YQ_OK;
}

int yq_crawl_config_parse(const char *name, const char *text, size_t len, yq_crawl_config **out) {
    yq_yaml_doc *doc = NULL;
    int rc = yq_yaml_parse(name, text, len, &doc);
    if (!rc) rc = from_doc(doc, out);
    yq_yaml_free(doc);
    return rc;
}

int yq_crawl_config_load(const char *path, yq_crawl_config **out) {
    yq_yaml_doc *doc = NULL;
    int rc = yq_yaml_load(path, &doc);
    if (!rc) rc = from_doc(doc, out);
    yq_yaml_free(doc);
    return rc;
}

void yq_crawl_config_free(yq_crawl_config *c) {
    if (!c) return;
    for (size_t i = 0; i < c->n_sources; i++)
        crawl_config_source_free(&c->sources[i]);
    free(c->sources);
    crawl_strings_free(c->user_agents, c->n_user_agents);
    crawl_strings_free(c->tracking_params, c->n_tracking_params);
    for (size_t i = 0; i < c->n_cookies; i++)
        free(c->cookies[i].domain), free(c->cookies[i].cookie);
    free(c->cookies);
    free(c->path);
    free(c->robots_agent);
    free(c->proxy);
    free(c->ca_file);
    free(c->chromium);
    free(c->out_jsonl);
    free(c->out_sqlite);
    free(c->out_sqlite_table);
    free(c);
}
