/* One entry of the crawl configuration's `sources` list: start URLs, domains, link rules,
 * limits and schedule, checked with errors naming file, line and key. */
#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawl/crawl_internal.h"
#include "yuqing/crawl.h"
#include "yuqing/error.h"
#include "yuqing/yaml.h"

static const char *const source_keys[] = {"name", "start_urls", "allowed_domains", "follow", "deny", "article",
                                          "revisit", "max_depth", "max_pages", "render", "schedule",
                                          "allow_private", "transcribe", NULL};

int crawl_sql_name_ok(const char *name) {
    if (!name || !*name || isdigit((unsigned char)*name)) return 0;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_') return 0;
    return 1;
}

/* The lowercase host of an absolute http(s) URL into `host`, or YQ_EINVAL. */
int crawl_url_host(const char *url, char *host, size_t size) {
    CURLU *u = curl_url();
    char *scheme = NULL, *h = NULL;
    int ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
             (!strcmp(scheme, "http") || !strcmp(scheme, "https")) && strlen(h) < size;
    if (ok) {
        for (size_t i = 0; h[i]; i++) host[i] = (char)tolower((unsigned char)h[i]);
        host[strlen(h)] = '\0';
    }
    curl_free(scheme);
    curl_free(h);
    curl_url_cleanup(u);
    return ok ? YQ_OK : YQ_EINVAL;
}

static int read_regexes(const yq_yaml_doc *doc, const yq_yaml_node *map, const char *key, yq_regex_list *list) {
    const char **patterns = NULL;
    size_t n = 0;
    int rc = yq_yaml_strings(doc, map, key, &patterns, &n);
    if (rc || !patterns) return rc;
    char message[256];
    rc = crawl_regex_list_compile(list, patterns, n, message, sizeof message);
    free(patterns);
    if (rc == YQ_EINVAL) return yq_yaml_error(doc, yq_yaml_get(map, key), "%s: %s", key, message);
    return rc;
}

/* `schedule`: a cron expression, or a mapping {every: DURATION} or {cron: EXPRESSION}. */
static int read_schedule(const yq_yaml_doc *doc, const yq_yaml_node *map, yq_schedule *s) {
    static const char *const keys[] = {"every", "cron", NULL};
    const yq_yaml_node *node = yq_yaml_get(map, "schedule");
    if (!node) return YQ_OK;
    const char *cron = NULL;
    if (node->kind == YQ_YAML_SCALAR) {
        cron = node->value;
    } else {
        int rc = yq_yaml_check_keys(doc, node, "schedule", keys);
        if (!rc && node->n_items != 1) rc = yq_yaml_error(doc, node, "schedule: give one of every or cron");
        if (!rc) rc = yq_yaml_string(doc, node, "cron", &cron);
        if (!rc && !cron) {
            s->every = 0;
            rc = yq_yaml_duration(doc, node, "every", &s->every);
            if (!rc && s->every <= 0) rc = yq_yaml_error(doc, node->items[0], "every: must be more than 0");
        }
        if (rc || !cron) return rc;
        node = node->items[0];
    }
    s->every = 0;
    if (yq_cron_parse(cron, &s->cron) != 0) {
        char message[300];
        snprintf(message, sizeof message, "%s", yq_last_error());
        return yq_yaml_error(doc, node, "schedule: %s", message);
    }
    return YQ_OK;
}

static int check_start_urls(const yq_yaml_doc *doc, const yq_yaml_node *map, yq_crawl_source *s) {
    const yq_yaml_node *node = yq_yaml_get(map, "start_urls");
    if (!s->n_start_urls) return yq_yaml_error(doc, node ? node : map, "start_urls: give at least one URL");
    char host[256];
    for (size_t i = 0; i < s->n_start_urls; i++)
        if (crawl_url_host(s->start_urls[i], host, sizeof host))
            return yq_yaml_error(doc, node->kind == YQ_YAML_SEQUENCE ? node->items[i] : node,
                                 "start_urls: '%s' is not an absolute http or https URL", s->start_urls[i]);
    return YQ_OK;
}

/* Without allowed_domains, a source stays on its start URLs' hosts. */
static int default_domains(yq_crawl_source *s) {
    if (s->n_allowed_domains) return YQ_OK;
    s->allowed_domains = calloc(s->n_start_urls, sizeof *s->allowed_domains);
    if (!s->allowed_domains) return yq_error(YQ_ENOMEM, "out of memory");
    char host[256];
    for (size_t i = 0; i < s->n_start_urls; i++) {
        crawl_url_host(s->start_urls[i], host, sizeof host);
        if (!(s->allowed_domains[s->n_allowed_domains++] = strdup(host))) return yq_error(YQ_ENOMEM, "out of memory");
    }
    return YQ_OK;
}

static int read_limits(const yq_yaml_doc *doc, const yq_yaml_node *node, yq_crawl_source *s) {
    long long depth = s->max_depth;
    int rc = yq_yaml_int(doc, node, "max_depth", 0, 1000, &depth);
    s->max_depth = (int)depth;
    if (!rc) rc = yq_yaml_int(doc, node, "max_pages", 0, 1000000000000ll, &s->max_pages);
    if (!rc) rc = yq_yaml_bool(doc, node, "render", &s->render);
    if (!rc) rc = yq_yaml_bool(doc, node, "allow_private", &s->allow_private);
    if (!rc) rc = yq_yaml_bool(doc, node, "transcribe", &s->transcribe);
    return rc;
}

int crawl_config_source(yq_crawl_source *s, const yq_yaml_doc *doc, const yq_yaml_node *node) {
    memset(s, 0, sizeof *s);
    s->max_depth = 2;
    s->schedule.every = 15 * 60;
    int rc = yq_yaml_check_keys(doc, node, "source", source_keys);
    if (!rc) rc = crawl_config_string(doc, node, "name", &s->name);
    if (!rc && (!s->name || !*s->name)) rc = yq_yaml_error(doc, node, "name: every source needs a name");
    if (!rc) rc = crawl_config_strings(doc, node, "start_urls", &s->start_urls, &s->n_start_urls);
    if (!rc) rc = check_start_urls(doc, node, s);
    if (!rc) rc = crawl_config_strings(doc, node, "allowed_domains", &s->allowed_domains, &s->n_allowed_domains);
    if (!rc) rc = default_domains(s);
    if (!rc) rc = read_regexes(doc, node, "follow", &s->follow);
    if (!rc) rc = read_regexes(doc, node, "deny", &s->deny);
    if (!rc) rc = read_regexes(doc, node, "article", &s->article);
    if (!rc) rc = read_regexes(doc, node, "revisit", &s->revisit);
    if (!rc) rc = read_limits(doc, node, s);
    if (!rc) rc = read_schedule(doc, node, &s->schedule);
    return rc;
}

void crawl_config_source_free(yq_crawl_source *s) {
    free(s->name);
    crawl_strings_free(s->start_urls, s->n_start_urls);
    crawl_strings_free(s->allowed_domains, s->n_allowed_domains);
    crawl_regex_list_free(&s->follow);
    crawl_regex_list_free(&s->deny);
    crawl_regex_list_free(&s->article);
    crawl_regex_list_free(&s->revisit);
    memset(s, 0, sizeof *s);
}
