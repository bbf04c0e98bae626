/* Load generator for `yuqing serve`: aggregate generated tokens/s and p50/p99 time to first
 * token at 1, 4, 16 and 64 concurrent streaming clients, against an in-process server over real
 * HTTP on loopback, with a Qwen2.5-0.5B-shaped random bf16 model. Usage:
 * bench_serve [QWEN_TOKENIZER_DIR (default ../shared/data/tokenizers/qwen3)] [MAX_CONCURRENCY] */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "yuqing/error.h"
#include "yuqing/openai.h"
#include "yuqing/random_model.h"
#include "yuqing/threads.h"

enum { PROMPT = 64, OUTPUT = 32, MAX_CLIENTS = 64 };

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct {
    int port, requests, seed;
    double ttft[8];
    int n_ttft, tokens;
    double start, first;
} client;

static size_t on_data(char *data, size_t size, size_t n, void *user) {
    client *c = user;
    for (char *p = data; (p = memmem(p, (size_t)(data + size * n - p), "\"text\":\"", 8)); p += 8) {
        if (c->first == 0) c->first = now();
        c->tokens++;
    }
    return size * n;
}

static void *client_main(void *arg) {
    client *c = arg;
    CURL *curl = curl_easy_init();
    char url[64], json[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/completions", c->port);
    for (int r = 0; r < c->requests; r++) {
        int k = snprintf(json, sizeof json, "{\"prompt\":[");
        for (int i = 0; i < PROMPT; i++)
            k += snprintf(json + k, sizeof json - (size_t)k, i ? ",%d" : "%d", 1000 + (c->seed * 7919 + r * 104729 + i * 31) % 100000);
        snprintf(json + k, sizeof json - (size_t)k, "],\"max_tokens\":%d,\"temperature\":0,\"stream\":true}", OUTPUT);
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, c);
        c->start = now();
        c->first = 0;
        curl_easy_perform(curl);
        if (c->first > 0 && c->n_ttft < 8) c->ttft[c->n_ttft++] = c->first - c->start;
    }
    curl_easy_cleanup(curl);
    return NULL;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Time to first token of a request whose prompt is a 448-token shared prefix plus 16 tokens
 * of its own; the second such request reuses the first's cached blocks. */
static double prefix_ttft(int port, int salt) {
    CURL *curl = curl_easy_init();
    char url[64], json[8192];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/completions", port);
    int k = snprintf(json, sizeof json, "{\"prompt\":[");
    for (int i = 0; i < 464; i++) k += snprintf(json + k, sizeof json - (size_t)k, i ? ",%d" : "%d", i < 448 ? 5000 + i : salt + i);
    snprintf(json + k, sizeof json - (size_t)k, "],\"max_tokens\":1,\"temperature\":0,\"stream\":true}");
    client c = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &c);
    c.start = now();
    curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    return c.first - c.start;
}

/* Runs `n` clients of `requests` requests each; prints a row; returns tokens/s. */
static double run_level(int port, int n, int requests) {
    client clients[MAX_CLIENTS];
    pthread_t threads[MAX_CLIENTS];
    double t0 = now();
    for (int i = 0; i < n; i++) {
        clients[i] = (client){.port = port, .requests = requests, .seed = n * 1000 + i};
        pthread_create(&threads[i], NULL, client_main, &clients[i]);
    }
    int tokens = 0, n_ttft = 0;
    double ttft[MAX_CLIENTS * 8];
    for (int i = 0; i < n; i++) {
        pthread_join(threads[i], NULL);
        tokens += clients[i].tokens;
        for (int j = 0; j < clients[i].n_ttft; j++) ttft[n_ttft++] = clients[i].ttft[j];
    }
    double seconds = now() - t0;
    qsort(ttft, (size_t)n_ttft, sizeof *ttft, compare);
    double p50 = n_ttft ? ttft[n_ttft / 2] : 0, p99 = n_ttft ? ttft[(n_ttft * 99) / 100 < n_ttft ? (n_ttft * 99) / 100 : n_ttft - 1] : 0;
    printf("%7d  %8d  %14.1f  %12.3f  %12.3f\n", n, tokens, tokens / seconds, p50, p99);
    fflush(stdout);
    return tokens / seconds;
}

int main(int argc, char **argv) {
    const char *tokenizer_dir = argc > 1 ? argv[1] : "../shared/data/tokenizers/qwen3";
    int max_clients = argc > 2 ? atoi(argv[2]) : MAX_CLIENTS;
    char dir[] = "/tmp/yuqing-bench-serve-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    fprintf(stderr, "bench_serve: writing a Qwen2.5-0.5B-shaped bf16 model to %s ...\n", dir);
    yq_random_model_shape shape = yq_random_model_qwen25_05b();
    yq_model *model = NULL;
    yq_tokenizer *tok = NULL;
    yq_engine *engine = NULL;
    yq_openai *api = NULL;
    yq_http_server *http = NULL;
    yq_threads_init(0);
    yq_engine_config ec = {MAX_CLIENTS, 1024, 16, 1024, 256};
    int rc = yq_random_model_write(dir, &shape, NULL);
    if (!rc) rc = yq_model_open(dir, &model);
    if (!rc) rc = yq_tokenizer_open(tokenizer_dir, NULL, &tok);
    if (!rc) rc = yq_engine_start(model, &ec, &engine);
    yq_openai_config oc = {model, tok, engine, "qwen2.5-0.5b-shape", 1};
    if (!rc) rc = yq_openai_new(&oc, &api);
    yq_http_route routes[8];
    yq_http_config hc = {"127.0.0.1", 0, NULL, 1 << 20, 4, 600, 1024};
    if (!rc) rc = yq_http_server_start(&hc, routes, yq_openai_routes(api, routes), &http);
    if (rc) {
        fprintf(stderr, "bench_serve: %s\n", yq_last_error());
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    printf("yuqing serve, Qwen2.5-0.5B shape (bf16), prompt %d tokens, %d generated per request, %d threads\n", PROMPT,
           OUTPUT, yq_threads_count());
    printf("clients  tokens  tokens/s (all)  p50 TTFT (s)  p99 TTFT (s)\n");
    double base = 0;
    for (int n = 1; n <= max_clients; n *= 4) {
        double tps = run_level(yq_http_server_port(http), n, n < 16 ? 4 : 2);
        if (n == 1) base = tps;
        else printf("         %.1fx the single-stream throughput\n", tps / base);
    }
    double cold = prefix_ttft(yq_http_server_port(http), 20000), warm = prefix_ttft(yq_http_server_port(http), 30000);
    printf("prefix cache: TTFT of a 464-token prompt %.3f s cold, %.3f s with its first 448 tokens cached\n", cold, warm);
    yq_http_server_stop(http);
    yq_engine_stop(engine);
    yq_openai_free(api);
    yq_tokenizer_free(tok);
    yq_model_close(model);
    yq_random_model_remove(dir);
    curl_global_cleanup();
    return 0;
}
