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
    free(c->model), free(c->tokenizer), free(c->llm_url), free(c->llm_model), free(c->llm_key), free(c->llm_prompt);
    free(c->whisper_model);
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

/* An optional string key, copied. */
static int string_key(const yq_yaml_doc *doc, const char *key, char **out) {
    const char *value = NULL;
    int rc = yq_yaml_string(doc, doc->root, key, &value);
    if (!rc && value && !(*out = strdup(value))) rc = yq_error(YQ_ENOMEM, "out of memory");
    return rc;
}

/* The LLM analyzer's keys: model/tokenizer or llm_url/llm_model/llm_key, llm_prompt, llm_concurrency. */
static int read_llm_keys(const yq_yaml_doc *doc, const char *dir, yq_run_config *c) {
    long long concurrency = 0;
    int rc = path_key(doc, dir, "model", NULL, 0, &c->model);
    if (!rc) rc = path_key(doc, dir, "tokenizer", NULL, 0, &c->tokenizer);
    if (!rc) rc = path_key(doc, dir, "llm_prompt", NULL, 0, &c->llm_prompt);
    if (!rc) rc = string_key(doc, "llm_url", &c->llm_url);
    if (!rc) rc = string_key(doc, "llm_model", &c->llm_model);
    if (!rc) rc = string_key(doc, "llm_key", &c->llm_key);
    if (!rc) rc = yq_yaml_int(doc, doc->root, "llm_concurrency", 1, 256, &concurrency);
    c->llm_concurrency = (int)concurrency;
    if (!rc && c->model && c->llm_url)
        rc = yq_yaml_error(doc, yq_yaml_get(doc->root, "llm_url"), "give model or llm_url, not both");
    return rc;
}

static int read_keys(const yq_yaml_doc *doc, const char *dir, yq_run_config *c) {
    static const char *const keys[] = {"crawl",     "watch",     "state",   "db",      "report",     "alert_cmd",
                                       "analyze_every", "model", "tokenizer", "llm_url", "llm_model", "llm_key",
                                       "llm_prompt", "llm_concurrency", "whisper_model", NULL};
    int rc = yq_yaml_check_keys(doc, doc->root, "the run configuration", keys);
    if (!rc) rc = path_key(doc, dir, "crawl", NULL, 1, &c->crawl);
    if (!rc) rc = path_key(doc, dir, "watch", NULL, 1, &c->watch);
    if (!rc) rc = path_key(doc, dir, "state", "state", 0, &c->state);
    if (!rc) rc = path_key(doc, dir, "db", "analysis.db", 0, &c->db);
    if (!rc) rc = path_key(doc, dir, "report", NULL, 0, &c->report);
    if (!rc) rc = path_key(doc, dir, "whisper_model", NULL, 0, &c->whisper_model);
    const char *command = NULL;
    if (!rc) rc = yq_yaml_string(doc, doc->root, "alert_cmd", &command);
    if (!rc && command && !(c->alert_cmd = strdup(command))) rc = yq_error(YQ_ENOMEM, "out of memory");
    c->analyze_every = 60;
    if (!rc) rc = yq_yaml_duration(doc, doc->root, "analyze_every", &c->analyze_every);
    if (!rc && (c->analyze_every < 0.1 || c->analyze_every > 86400))
        rc = yq_yaml_error(doc, yq_yaml_get(doc->root, "analyze_every"), "analyze_every: between 100ms and 1d");
    if (!rc) rc = read_llm_keys(doc, dir, c);
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
