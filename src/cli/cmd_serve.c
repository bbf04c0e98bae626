/* `yuqing serve`: the OpenAI-compatible API over the continuous-batching engine (--model) and the
 * analysis dashboard and JSON API (--db), on one shared HTTP server. SIGTERM or SIGINT drains:
 * stop accepting, finish running requests, exit 0. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/session.h"
#include "yuqing/analysis_api.h"
#include "yuqing/engine.h"
#include "yuqing/error.h"
#include "yuqing/log.h"
#include "yuqing/openai.h"

typedef struct {
    const char *model_path, *tokenizer_path, *model_name, *host, *port, *api_key, *max_batch, *kv_memory,
        *kv_blocks, *block_size, *max_queue, *max_body, *db;
} serve_options;

static void usage(FILE *out) {
    fprintf(out,
            "usage: yuqing serve [--model PATH] [--db DB] [options]   (at least one of the two)\n"
            "  --model PATH          Hugging Face folder, .gguf or llama2.c .bin (OpenAI API on /v1)\n"
            "  --db DB               analysis store: dashboard at /, JSON API at /api/entities,\n"
            "                        /api/articles?q=&entity=&sentiment=&since=&limit=, /api/alerts\n"
            "  --model-name NAME     name listed by /v1/models (default: the folder or file name)\n"
            "  --tokenizer PATH      tokenizer file or folder, where the model has none\n"
            "  --host ADDR           IPv4 address to bind (default 127.0.0.1)\n"
            "  --port N              port (default 8080; 0 = any free port)\n"
            "  --api-key KEY         require Authorization: Bearer KEY\n"
            "  --max-batch N         running sequences at most (default 16)\n"
            "  --kv-memory MiB       KV cache size (default 1024)   | --kv-blocks N  KV cache in blocks\n"
            "  --block-size N        positions per KV block (default 16)\n"
            "  --max-queue N         waiting requests at most (default 256; more get 429)\n"
            "  --max-body BYTES      largest request body (default 8388608; more get 413)\n"
            "  --threads N --quiet --verbose --help\n");
}

static int parse(int argc, char **argv, serve_options *o) {
    const cli_option options[] = {
        {"--model", CLI_STRING, &o->model_path},   {"--tokenizer", CLI_STRING, &o->tokenizer_path},
        {"--model-name", CLI_STRING, &o->model_name}, {"--host", CLI_STRING, &o->host},
        {"--port", CLI_STRING, &o->port},          {"--api-key", CLI_STRING, &o->api_key},
        {"--max-batch", CLI_STRING, &o->max_batch}, {"--kv-memory", CLI_STRING, &o->kv_memory},
        {"--kv-blocks", CLI_STRING, &o->kv_blocks}, {"--block-size", CLI_STRING, &o->block_size},
        {"--max-queue", CLI_STRING, &o->max_queue}, {"--max-body", CLI_STRING, &o->max_body},
        {"--db", CLI_STRING, &o->db},              {NULL, CLI_SWITCH, NULL}};
    int status = cli_parse_options("serve", argc, argv, options, NULL, usage);
    if (status) return status;
    if (!o->model_path && !o->db) return cli_usage_error("serve", "give --model PATH, --db DB or both");
    if (o->kv_memory && o->kv_blocks) return cli_usage_error("serve", "give --kv-memory or --kv-blocks, not both");
    return 0;
}

/* An integer flag value, or `fallback` when the flag was not given. */
static int int_option(const char *flag, const char *value, long long fallback, long long min, long long max,
                      long long *out) {
    if (!value) {
        *out = fallback;
        return YQ_OK;
    }
    return cli_parse_int(flag, value, min, max, out);
}

static const char *default_name(const char *path) {
    static char name[256];
    snprintf(name, sizeof name, "%s", path);
    size_t n = strlen(name);
    while (n > 1 && name[n - 1] == '/') name[--n] = '\0';
    const char *slash = strrchr(name, '/');
    return slash ? slash + 1 : name;
}

static int engine_config(const serve_options *o, const yq_model *m, yq_engine_config *c) {
    long long batch, block, queue, mib, blocks;
    int rc = int_option("--max-batch", o->max_batch, 16, 1, 1024, &batch);
    if (!rc) rc = int_option("--block-size", o->block_size, 16, 1, 4096, &block);
    if (!rc) rc = int_option("--max-queue", o->max_queue, 256, 0, 1 << 20, &queue);
    if (!rc) rc = int_option("--kv-memory", o->kv_memory, 1024, 1, 1 << 22, &mib);
    if (!rc) rc = int_option("--kv-blocks", o->kv_blocks, 0, 1, 1 << 26, &blocks);
    if (rc) return rc;
    const yq_model_config *mc = &m->config;
    double block_bytes = 2.0 * mc->n_layers * mc->n_kv_heads * mc->head_dim * (double)block * sizeof(float);
    if (!o->kv_blocks) { /* no more than every batch slot at full context, twice over (prefix cache) */
        long long per_context = (mc->max_context + block - 1) / block;
        blocks = (long long)((double)mib * 1048576.0 / block_bytes);
        if (blocks > 2 * batch * per_context) blocks = 2 * batch * per_context;
    }
    if (blocks < 1) return yq_error(YQ_EINVAL, "--kv-memory: %lld MiB holds no block of %.0f bytes", mib, block_bytes);
    *c = (yq_engine_config){(int)batch, (int)blocks, (int)block, (int)queue, 256};
    return YQ_OK;
}

/* Waits for SIGTERM/SIGINT (blocked in every thread), then drains. */
static void wait_and_drain(yq_http_server *http, yq_engine *engine, const sigset_t *signals) {
    int sig;
    sigwait(signals, &sig);
    yq_info("serve: signal %d: draining (no new connections; running requests finish)", sig);
    yq_http_server_quiesce(http);
    for (;;) {
        yq_engine_stats st = {0};
        if (engine) yq_engine_get_stats(engine, &st);
        if (st.running == 0 && st.waiting == 0 && yq_http_server_active_streams(http) == 0) break;
        nanosleep(&(struct timespec){0, 50000000}, NULL);
    }
}

/* What serve runs: the engine and OpenAI API (with a model), the analysis API (with a store). */
typedef struct {
    yq_engine *engine;
    yq_openai *openai;
    yq_analysis_api *analysis;
    yq_http_route routes[16];
    int n_routes;
} services;

static int start_model(const serve_options *o, cli_session *s, services *sv) {
    yq_engine_config ec;
    int rc = engine_config(o, s->model, &ec);
    if (!rc) rc = yq_engine_start(s->model, &ec, &sv->engine);
    yq_openai_config oc = {s->model, s->tokenizer, sv->engine,
                           o->model_name ? o->model_name : default_name(o->model_path), ec.max_batch};
    if (!rc) rc = yq_openai_new(&oc, &sv->openai);
    if (!rc) sv->n_routes += yq_openai_routes(sv->openai, sv->routes + sv->n_routes);
    if (!rc) yq_info("serve: model %s (%d KV blocks of %d positions, batch %d)", oc.model_name, ec.n_blocks,
                     ec.block_size, ec.max_batch);
    return rc;
}

static int start_store(const serve_options *o, services *sv) {
    int rc = yq_analysis_api_new(o->db, &sv->analysis);
    if (!rc) sv->n_routes += yq_analysis_api_routes(sv->analysis, sv->routes + sv->n_routes);
    if (!rc) yq_info("serve: analysis store %s (dashboard at /, JSON API under /api)", o->db);
    return rc;
}

static int serve(const serve_options *o, cli_session *s, const sigset_t *signals) {
    long long port, max_body;
    int rc = int_option("--port", o->port, 8080, 0, 65535, &port);
    if (!rc) rc = int_option("--max-body", o->max_body, 8 << 20, 1024, 1LL << 32, &max_body);
    services sv = {0};
    if (!rc && o->model_path) rc = start_model(o, s, &sv);
    if (!rc && o->db) rc = start_store(o, &sv);
    yq_http_server *http = NULL;
    yq_http_config hc = {o->host ? o->host : "127.0.0.1", (int)port, o->api_key, (size_t)max_body, 4, 30, 1024};
    if (!rc) rc = yq_http_server_start(&hc, sv.routes, sv.n_routes, &http);
    if (!rc) {
        yq_info("serve: listening on http://%s:%d", hc.host, yq_http_server_port(http));
        wait_and_drain(http, sv.engine, signals);
    }
    yq_http_server_stop(http);
    if (sv.engine) yq_engine_stop(sv.engine);
    yq_openai_free(sv.openai);
    yq_analysis_api_free(sv.analysis);
    return rc;
}

int cmd_serve(int argc, char **argv) {
    serve_options o = {0};
    yq_log_set_level(YQ_LOG_INFO);
    int status = parse(argc, argv, &o);
    if (status) return status < 0 ? EXIT_OK : status;
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    cli_session session = {0};
    int rc = o.model_path ? cli_session_open(&session, o.model_path, o.tokenizer_path, 1) : YQ_OK;
    if (!rc) rc = serve(&o, &session, &signals);
    status = rc ? cli_fail(rc) : EXIT_OK;
    if (o.model_path) cli_session_close(&session);
    return status;
}
