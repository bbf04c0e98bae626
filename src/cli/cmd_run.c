/* `yuqing run CONFIG.yaml`: the daemon users deploy. The crawler runs every source on its
 * schedule in a thread of its own; every analyze_every the new items are analysed, alerts
 * evaluated and the report refreshed. SIGTERM/SIGINT: the crawler stops (in-flight requests stay
 * in its frontier), a last pass runs, exit 0. A crash resumes without loss: crawl state and the
 * analysis store are both transactional and idempotent. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "yuqing/crawl.h"
#include "yuqing/error.h"
#include "yuqing/llm_analyzer.h"
#include "yuqing/log.h"
#include "yuqing/media_transcribe.h"
#include "yuqing/pipeline.h"
#include "yuqing/run_config.h"

static void usage(FILE *out) {
    fprintf(out, "usage: yuqing run CONFIG.yaml   (keys: docs/CONFIG.md)\n"
                 "  --threads N --quiet --verbose --help\n"
                 "Crawls on schedule, analyses new items, raises alerts, keeps the report fresh;\n"
                 "SIGTERM or SIGINT stops it cleanly.\n");
}

typedef struct {
    yq_crawl_config *crawl;
    yq_crawl_options options;
    volatile int stop;
    int status;
} crawl_thread;

static void *run_crawler(void *arg) {
    crawl_thread *t = arg;
    t->status = yq_crawl_run(t->crawl, &t->options);
    if (t->status) yq_log(YQ_LOG_ERROR, "crawler stopped: %s", yq_last_error());
    return NULL;
}

/* The items the crawler writes: its SQLite output, else its JSONL output, else STATE/items.db. */
static int items_path(yq_crawl_config *crawl, const char *state, char **out) {
    if (!crawl->out_sqlite && !crawl->out_jsonl) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/items.db", state);
        if (!(crawl->out_sqlite = strdup(path))) return yq_error(YQ_ENOMEM, "out of memory");
    }
    *out = crawl->out_sqlite ? crawl->out_sqlite : crawl->out_jsonl;
    return YQ_OK;
}

/* What every pass needs. */
typedef struct {
    const yq_run_config *c;
    const yq_crawl_config *crawl;
    const char *items;
    const yq_watch *watch;
    yq_analyzer *analyzer;
    yq_media_transcriber *transcriber; /* NULL when no source transcribes its media */
} daemon_parts;

static int pass(const daemon_parts *d) {
    yq_pass_options o = {d->items, d->c->db, d->watch, d->analyzer, d->c->report, d->c->alert_cmd, 0,
                         d->transcriber, d->crawl};
    yq_pass_result r;
    int rc = yq_pipeline_pass(&o, &r);
    if (!rc && (r.analyze.analyzed || r.new_alerts || r.transcribed))
        yq_info("run: %lld new articles, %d transcribed, %d new alerts", r.analyze.analyzed, r.transcribed,
                r.new_alerts);
    return rc;
}

/* Passes every analyze_every until a signal; then stops the crawler and runs a last pass. */
static int loop(const daemon_parts *d, crawl_thread *t, const sigset_t *signals) {
    double every_s = d->c->analyze_every;
    struct timespec every = {(time_t)every_s, (long)((every_s - (time_t)every_s) * 1e9)};
    int rc = YQ_OK;
    for (;;) {
        int sig = sigtimedwait(signals, NULL, &every);
        if (sig > 0) {
            yq_info("run: signal %d: stopping", sig);
            break;
        }
        if (sig < 0 && errno != EAGAIN && errno != EINTR) return yq_error(YQ_EIO, "sigtimedwait: %s", strerror(errno));
        if ((rc = pass(d)) != YQ_OK) yq_warn("run: analysis pass failed: %s", yq_last_error());
    }
    t->stop = 1;
    return rc;
}

/* The Whisper model for `transcribe: true` sources: NULL when no source transcribes. */
static int open_transcriber(const yq_run_config *c, const yq_crawl_config *crawl, yq_media_transcriber **out) {
    *out = NULL;
    int wanted = 0;
    for (size_t i = 0; i < crawl->n_sources; i++) wanted |= crawl->sources[i].transcribe;
    if (!wanted) return YQ_OK;
    if (!c->whisper_model)
        return yq_error(YQ_EINVAL, "%s: a source has transcribe: true, but the run configuration has no whisper_model",
                        crawl->path);
    if (!crawl->out_sqlite)
        return yq_error(YQ_EINVAL, "%s: transcribing media needs the items in SQLite (output.sqlite)", crawl->path);
    return yq_media_transcriber_open(c->whisper_model, out);
}

static int run(const yq_run_config *c, yq_crawl_config *crawl, const yq_watch *watch, yq_analyzer *analyzer) {
    daemon_parts d = {c, crawl, NULL, watch, analyzer, NULL};
    char *items;
    int rc = items_path(crawl, c->state, &items);
    if (!rc) rc = open_transcriber(c, crawl, &d.transcriber);
    if (rc) return rc;
    d.items = items;
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, NULL); /* the crawler thread inherits the mask */
    signal(SIGPIPE, SIG_IGN);
    crawl_thread t = {.crawl = crawl};
    t.options = (yq_crawl_options){YQ_CRAWL_DAEMON, c->state, NULL, &t.stop};
    pthread_t thread;
    if (pthread_create(&thread, NULL, run_crawler, &t) != 0) {
        yq_media_transcriber_close(d.transcriber);
        return yq_error(YQ_EIO, "cannot start the crawler thread");
    }
    yq_info("run: crawling %zu sources; analysing every %gs into %s", crawl->n_sources, c->analyze_every, c->db);
    rc = loop(&d, &t, &signals);
    pthread_join(thread, NULL);
    if (!rc) rc = pass(&d); /* what the crawler stored last */
    yq_media_transcriber_close(d.transcriber);
    return rc ? rc : t.status;
}

int cmd_run(int argc, char **argv) {
    const char *config_path;
    char **rest = malloc(((size_t)argc + 1) * sizeof *rest);
    if (!rest) return cli_fail(yq_error(YQ_ENOMEM, "out of memory"));
    static const char *const none[] = {NULL};
    int n_rest, status = cli_split_positional("run", argc, argv, none, &config_path, rest, &n_rest);
    cli_option options[] = {{NULL, 0, NULL}};
    if (!status) status = cli_parse_options("run", n_rest, rest, options, NULL, usage);
    free(rest);
    if (status) return status < 0 ? EXIT_OK : status;
    if (!config_path) return cli_usage_error("run", "give CONFIG.yaml");
    if (yq_log_get_level() < YQ_LOG_INFO) yq_log_set_level(YQ_LOG_INFO);
    yq_run_config *c = NULL;
    yq_crawl_config *crawl = NULL;
    yq_watch *watch = NULL;
    yq_sentiment_model *sentiment = NULL;
    yq_analyzer *analyzer = NULL;
    int rc = yq_run_config_load(config_path, &c);
    if (!rc) rc = yq_crawl_config_load(c->crawl, &crawl);
    if (!rc) rc = yq_watch_load(c->watch, &watch);
    if (rc) status = cli_fail(rc);
    yq_llm_config llm = {.watch = watch, .prompt_path = c ? c->llm_prompt : NULL, .model_path = c ? c->model : NULL,
                         .tokenizer_path = c ? c->tokenizer : NULL, .max_batch = c ? c->llm_concurrency : 0,
                         .url = c ? c->llm_url : NULL, .model_name = c ? c->llm_model : NULL,
                         .api_key = c ? c->llm_key : NULL, .concurrency = c ? c->llm_concurrency : 0, .retries = -1};
    if (!rc && (llm.model_path || llm.url)) rc = yq_llm_analyzer_new(&llm, &analyzer);
    if (!rc && !analyzer) rc = yq_sentiment_open(NULL, &sentiment);
    if (!rc && !analyzer) rc = yq_builtin_analyzer_new(sentiment, &analyzer);
    if (!rc) rc = run(c, crawl, watch, analyzer);
    if (!status) status = rc ? cli_fail(rc) : EXIT_OK;
    if (analyzer) analyzer->free(analyzer);
    yq_sentiment_close(sentiment);
    yq_watch_free(watch);
    yq_crawl_config_free(crawl);
    yq_run_config_free(c);
    return status;
}
