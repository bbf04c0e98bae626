/* `yuqing demo [--out DIR]`: the whole pipeline on the bundled sample news site: serve it on a
 * loopback port, crawl it, analyse it with the built-in analyzer, raise alerts, write the report,
 * and print a summary per entity. Runs again idempotently over the same DIR. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "yuqing/crawl.h"
#include "yuqing/datadir.h"
#include "yuqing/error.h"
#include "yuqing/llm_analyzer.h"
#include "yuqing/log.h"
#include "yuqing/mapfile.h"
#include "yuqing/pipeline.h"
#include "yuqing/report.h"
#include "yuqing/static_site.h"
#include "yuqing/utf8.h"

static void usage(FILE *out) {
    fprintf(out, "usage: yuqing demo [--out DIR]\n"
                 "  --out DIR           where the crawl state, items, store and report go (default yuqing-demo)\n"
                 "  --threads N --quiet --verbose --help\n"
                 "Serves the bundled sample site on 127.0.0.1, crawls it, analyses it, writes DIR/report.\n"
                 "With YUQING_MODEL=PATH (and YUQING_TOKENIZER=PATH when the model has none) the LLM\n"
                 "analyzer on that model replaces the built-in analyzer.\n");
}

/* The demo's crawl configuration: data/demo/crawl.yaml with {{base}} and {{out}} filled in. */
static int demo_crawl_config(const char *base, const char *out_dir, yq_crawl_config **config) {
    char path[PATH_MAX], *text;
    size_t len;
    int rc = yq_data_path("demo/crawl.yaml", path, sizeof path);
    if (!rc) rc = yq_read_file(path, &text, &len);
    if (rc) return rc;
    size_t cap = len * 2 + 4096, n = 0;
    char *filled = malloc(cap);
    for (const char *p = text; filled && *p && n + PATH_MAX < cap;) {
        const char *value = !strncmp(p, "{{base}}", 8) ? base : !strncmp(p, "{{out}}", 7) ? out_dir : NULL;
        if (value) {
            n += (size_t)snprintf(filled + n, cap - n, "%s", value);
            p += value == base ? 8 : 7;
        } else {
            filled[n++] = *p++;
        }
    }
    free(text);
    if (!filled) return yq_error(YQ_ENOMEM, "out of memory");
    filled[n] = 0;
    rc = yq_crawl_config_parse(path, filled, n, config);
    free(filled);
    return rc;
}

/* Serves data/demo/site on a free loopback port; *base gets "http://127.0.0.1:PORT". */
static int start_site(yq_static_site **site, yq_http_server **http, char *base, size_t size) {
    char root[PATH_MAX];
    int rc = yq_data_path("demo/site", root, sizeof root);
    if (!rc) rc = yq_static_site_open(root, site);
    if (rc) return rc;
    yq_http_route *routes = malloc((size_t)yq_static_site_n_routes(*site) * sizeof *routes);
    if (!routes) return yq_error(YQ_ENOMEM, "out of memory");
    yq_http_config hc = {"127.0.0.1", 0, NULL, 1 << 20, 2, 10, 64};
    rc = yq_http_server_start(&hc, routes, yq_static_site_routes(*site, routes), http);
    free(routes);
    if (!rc) snprintf(base, size, "http://127.0.0.1:%d", yq_http_server_port(*http));
    return rc;
}

static int crawl_site(const char *base, const char *out_dir) {
    yq_crawl_config *config = NULL;
    char state[PATH_MAX];
    snprintf(state, sizeof state, "%s/crawl-state", out_dir);
    int rc = demo_crawl_config(base, out_dir, &config);
    yq_crawl_options options = {YQ_CRAWL_ONCE, state, NULL, NULL};
    if (!rc) rc = yq_crawl_run(config, &options);
    yq_crawl_config_free(config);
    return rc;
}

static int analyse(const char *out_dir, yq_pass_result *result) {
    char watch_path[PATH_MAX], items[PATH_MAX], db[PATH_MAX], report[PATH_MAX];
    snprintf(items, sizeof items, "%s/items.db", out_dir);
    snprintf(db, sizeof db, "%s/analysis.db", out_dir);
    snprintf(report, sizeof report, "%s/report", out_dir);
    yq_watch *watch = NULL;
    yq_sentiment_model *sentiment = NULL;
    yq_analyzer *analyzer = NULL;
    int rc = yq_data_path("demo/watch.yaml", watch_path, sizeof watch_path);
    if (!rc) rc = yq_watch_load(watch_path, &watch);
    const char *model = getenv("YUQING_MODEL");
    yq_llm_config llm = {.watch = watch, .model_path = model, .tokenizer_path = getenv("YUQING_TOKENIZER")};
    if (!rc && model && model[0]) rc = yq_llm_analyzer_new(&llm, &analyzer);
    if (!rc && !analyzer) rc = yq_sentiment_open(NULL, &sentiment);
    if (!rc && !analyzer) rc = yq_builtin_analyzer_new(sentiment, &analyzer);
    yq_pass_options o = {items, db, watch, analyzer, report, NULL, 0, NULL, NULL};
    if (!rc) rc = yq_pipeline_pass(&o, result);
    if (analyzer) analyzer->free(analyzer);
    yq_sentiment_close(sentiment);
    yq_watch_free(watch);
    return rc;
}

/* Terminal columns of a UTF-8 string: wide (CJK) characters take two. */
static int display_width(const char *s) {
    int width = 0;
    while (*s) {
        unsigned c = yq_utf8_next(&s);
        width += c >= 0x1100 && (c <= 0x115f || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
                                 (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xff60)) ? 2 : 1;
    }
    return width;
}

static int json_int(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsNumber(v) ? v->valueint : 0;
}

/* Per entity: articles, sentiment mix, alerts; then the alerts and the report's path. */
static int print_summary(const char *out_dir) {
    char db[PATH_MAX];
    snprintf(db, sizeof db, "%s/analysis.db", out_dir);
    cJSON *data = NULL;
    int rc = yq_report_from_store(db, NULL, NULL, &data);
    if (rc) return rc;
    printf("\n%-14s %8s %9s %8s %9s %7s\n", "entity", "articles", "positive", "neutral", "negative", "alerts");
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(data, "entities")) {
        const char *name = cJSON_GetObjectItem(e, "name")->valuestring;
        int pad = 14 + (int)strlen(name) - display_width(name); /* align CJK names */
        printf("%-*s %8d %9d %8d %9d %7d\n", pad, name, json_int(e, "articles"), json_int(e, "positive"),
               json_int(e, "neutral"), json_int(e, "negative"), json_int(e, "alerts"));
    }
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItem(data, "alerts"))
        printf("ALERT %s  %s\n", cJSON_GetObjectItem(a, "triggered_at")->valuestring,
               cJSON_GetObjectItem(a, "message")->valuestring);
    cJSON_Delete(data);
    char report[PATH_MAX];
    if (realpath(out_dir, report)) printf("\nreport: %s/report/index.html\n", report);
    return YQ_OK;
}

int cmd_demo(int argc, char **argv) {
    const char *out_dir = "yuqing-demo";
    cli_option options[] = {{"--out", CLI_STRING, &out_dir}, {NULL, 0, NULL}};
    int rc = cli_parse_options("demo", argc, argv, options, NULL, usage);
    if (rc != 0) return rc < 0 ? EXIT_OK : rc;
    if (yq_log_get_level() < YQ_LOG_INFO) yq_log_set_level(YQ_LOG_INFO);
    if (mkdir(out_dir, 0755) != 0 && access(out_dir, W_OK) != 0)
        return cli_fail(yq_error(YQ_EIO, "%s: cannot create the demo folder", out_dir));
    yq_static_site *site = NULL;
    yq_http_server *http = NULL;
    char base[64];
    yq_pass_result result;
    rc = start_site(&site, &http, base, sizeof base);
    if (!rc) yq_info("[1/3] sample news site on %s", base);
    if (!rc) rc = crawl_site(base, out_dir);
    yq_http_server_stop(http);
    yq_static_site_free(site);
    const char *model = getenv("YUQING_MODEL");
    if (!rc) yq_info("[2/3] crawled; analysing with %s", model && model[0] ? model : "the built-in analyzer");
    if (!rc) rc = analyse(out_dir, &result);
    if (!rc) yq_info("[3/3] %lld new articles analysed, %d new alerts; report written", result.analyze.analyzed,
                     result.new_alerts);
    if (!rc) rc = print_summary(out_dir);
    return rc ? cli_fail(rc) : EXIT_OK;
}
