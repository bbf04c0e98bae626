/* Reading the daemon's configuration file (see include/yuqing/run_config.h). */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yuqing/error.h"
#include "yuqing/run_config.h"
#include "yuqing/yaml.h"

void yq_run_config_free(yq_run_config *c) {
    if (!c) return;
    free(c->crawl), free(c->watch), free(c->state), free(c->db), free(c->report), free(c->alert_cmd);
    free(c);
}

/* `value` made relative to `dir` unless absolute; malloc'd. */
static char *resolve(const char *dir, const char *value) {
    if (!value) return NULL;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s%s%s", value[0] == '/' ? "" : dir, value[0] == '/' ? "" : "/", value);
    return strdup(path);
}

/* A required or optional path key, resolved against `dir`. */
static int path_key(const yq_yaml_doc *doc, const char *dir, const char *key, const char *fallback, int required,
                    char **out) {
    const char *value = fallback;
    int rc = yq_yaml_string(doc, doc->root, key, &value);
    if (rc) return rc;
    if (!value && required) return yq_yaml_error(doc, doc->root, "missing key '%s'", key);
    if (value && !value[0]) return yq_yaml_error(doc, yq_yaml_get(doc->root, key), "%s: empty path", key);
    *out = resolve(dir, value);
    return value && !*out ? yq_error(YQ_ENOMEM, "out of memory") : YQ_OK;
}

static int read_keys(const yq_yaml_doc *doc, const char *dir, yq_run_config *c) {
    static const char *const keys[] = {"crawl", "watch", "state", "db", "report", "alert_cmd", "analyze_every", NULL};
    int rc = yq_yaml_check_keys(doc, doc->root, "the run configuration", keys);
    if (!rc) rc = path_key(doc, dir, "crawl", NULL, 1, &c->crawl);
    if (!rc) rc = path_key(doc, dir, "watch", NULL, 1, &c->watch);
    if (!rc) rc = path_key(doc, dir, "state", "state", 0, &c->state);
    if (!rc) rc = path_key(doc, dir, "db", "analysis.db", 0, &c->db);
    if (!rc) rc = path_key(doc, dir, "report", NULL, 0, &c->report);
    const char *command = NULL;
    if (!rc) rc = yq_yaml_string(doc, doc->root, "alert_cmd", &command);
    if (!rc && command && !(c->alert_cmd = strdup(command))) rc = yq_error(YQ_ENOMEM, "out of memory");
    c->analyze_every = 60;
    if (!rc) rc = yq_yaml_duration(doc, doc->root, "analyze_every", &c->analyze_every);
    if (!rc && (c->analyze_every < 0.1 || c->analyze_every > 86400))
        rc = yq_yaml_error(doc, yq_yaml_get(doc->root, "analyze_every"), "analyze_every: between 100ms and 1d");
    return rc;
}

int yq_run_config_load(const char *path, yq_run_config **out) {
    yq_yaml_doc *doc = NULL;
    yq_run_config *c = calloc(1, sizeof *c);
    char *copy = strdup(path);
    if (!c || !copy) {
        free(c), free(copy);
        return yq_error(YQ_ENOMEM, "out of memory");
    }
    int rc = yq_yaml_load(path, &doc);
    if (!rc) rc = read_keys(doc, dirname(copy), c);
    yq_yaml_free(doc);
    free(copy);
    if (rc) {
        yq_run_config_free(c);
        return rc;
    }
    *out = c;
    return YQ_OK;
}
