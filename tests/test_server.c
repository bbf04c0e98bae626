/* The OpenAI server for real, on a loopback port, driven with libcurl: replies equal to
 * transformers' (chat fixture), 32 concurrent clients equal to serving alone, preemption under
 * a small pool, prefix caching, a client leaving mid-stream, every parameter, and bad input. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/generate.h"
#include "yuqing/openai.h"
#include "yuqing/threads.h"

typedef struct {
    yq_model *model;
    yq_tokenizer *tok;
    yq_engine *engine;
    yq_openai *api;
    yq_http_server *http;
    int port;
} server;


static int server_start(server *s, const char *model, yq_engine_config ec, const char *api_key, size_t max_body) {
    memset(s, 0, sizeof *s);
    int rc = yq_model_open(test_data_path(model), &s->model);
    if (!rc) rc = yq_tokenizer_open(test_qwen3_tokenizer_dir(), NULL, &s->tok);
    if (!rc) rc = yq_engine_start(s->model, &ec, &s->engine);
    yq_openai_config oc = {s->model, s->tok, s->engine, "test-model", 4};
    if (!rc) rc = yq_openai_new(&oc, &s->api);
    yq_http_route routes[8];
    yq_http_config hc = {"127.0.0.1", 0, api_key, max_body, 2, 3, 256};
    if (!rc) rc = yq_http_server_start(&hc, routes, yq_openai_routes(s->api, routes), &s->http);
    if (!rc) s->port = yq_http_server_port(s->http);
    CHECKF(rc == 0, "server start: %s", yq_last_error());
    return rc;
}

static void server_stop(server *s) {
    yq_http_server_stop(s->http);
    if (s->engine) yq_engine_stop(s->engine);
    yq_openai_free(s->api);
    yq_tokenizer_free(s->tok);
    yq_model_close(s->model);
}

typedef struct {
    long status;
    char *body;
    size_t len;
    int abort_after; /* abort the transfer after this many bytes (0: never) */
} reply;

static size_t on_data(char *data, size_t size, size_t n, void *user) {
    reply *r = user;
    char *body = realloc(r->body, r->len + size * n + 1);
    if (!body) return 0;
    r->body = body;
    memcpy(r->body + r->len, data, size * n);
    r->len += size * n;
    r->body[r->len] = '\0';
    return r->abort_after && r->len >= (size_t)r->abort_after ? 0 : size * n;
}

static reply request(int port, const char *path, const char *json, const char *auth, int abort_after) {
    reply r = {0, calloc(1, 1), 0, abort_after};
    char url[256], header[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *c = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (auth) {
        snprintf(header, sizeof header, "Authorization: Bearer %s", auth);
        headers = curl_slist_append(headers, header);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    if (json) curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return r;
}

static cJSON *post_json(int port, const char *path, const char *json, long expect_status) {
    reply r = request(port, path, json, NULL, 0);
    CHECKF(r.status == expect_status, "%s %s: status %ld (%s)", path, json, r.status, r.body);
    cJSON *root = cJSON_Parse(r.body);
    free(r.body);
    return root;
}

/* The text of choice `i` of a completion or chat completion. */
static const char *choice_text(const cJSON *root, int i) {
    const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "choices"), i);
    const cJSON *msg = cJSON_GetObjectItem(c, "message");
    const cJSON *text = msg ? cJSON_GetObjectItem(msg, "content") : cJSON_GetObjectItem(c, "text");
    return cJSON_IsString(text) ? text->valuestring : "";
}

static const char *finish_reason(const cJSON *root, int i) {
    const cJSON *f = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "choices"), i), "finish_reason");
    return cJSON_IsString(f) ? f->valuestring : "";
}

/* Value of a Prometheus sample from /metrics (first line starting with `name`), or -1. */
static double metric(int port, const char *name) {
    reply r = request(port, "/metrics", NULL, NULL, 0);
    double v = -1;
    for (char *line = r.body; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (!strncmp(line, name, strlen(name)) && line[strlen(name)] == ' ') {
            v = atof(line + strlen(name) + 1);
            break;
        }
    free(r.body);
    return v;
}

/* Chat replies equal to transformers' greedy replies (tests/data/hf/qwen3-chat/reference.json),
 * non-streamed and streamed. */
static void test_chat_reference(void) {
    server s;
    yq_engine_config ec = {8, 256, 16, 16, 256};
    if (server_start(&s, "hf/qwen3-chat", ec, NULL, 1 << 20)) return;
    cJSON *ref = test_load_json("hf/qwen3-chat/reference.json");
    const cJSON *turn = cJSON_GetArrayItem(cJSON_GetObjectItem(ref, "turns"), 0);
    const char *expected = cJSON_GetObjectItem(turn, "reply_text")->valuestring;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "messages", cJSON_Duplicate(cJSON_GetObjectItem(turn, "messages"), 1));
    cJSON_AddNumberToObject(body, "temperature", 0);
    cJSON_AddNumberToObject(body, "max_tokens", 12);
    char *json = cJSON_PrintUnformatted(body);
    cJSON *root = post_json(s.port, "/v1/chat/completions", json, 200);
    CHECKF(!strcmp(choice_text(root, 0), expected), "chat reply '%s' != '%s'", choice_text(root, 0), expected);
    CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "usage"), "completion_tokens")->valueint == 12);
    cJSON_Delete(root);
    free(json);
    cJSON_AddTrueToObject(body, "stream");
    cJSON *opts = cJSON_AddObjectToObject(body, "stream_options");
    cJSON_AddTrueToObject(opts, "include_usage");
    json = cJSON_PrintUnformatted(body);
    reply r = request(s.port, "/v1/chat/completions", json, NULL, 0);
    char text[4096] = "";
    int usage_seen = 0;
    for (char *ev = strstr(r.body, "data: "); ev; ev = strstr(ev + 6, "data: ")) {
        if (!strncmp(ev, "data: [DONE]", 12)) break;
        cJSON *chunk = cJSON_Parse(ev + 6);
        const cJSON *delta = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(chunk, "choices"), 0), "delta");
        const cJSON *content = cJSON_GetObjectItem(delta, "content");
        if (cJSON_IsString(content)) strncat(text, content->valuestring, sizeof text - strlen(text) - 1);
        usage_seen |= cJSON_GetObjectItem(chunk, "usage") != NULL;
        cJSON_Delete(chunk);
    }
    CHECKF(!strcmp(text, expected), "streamed reply '%s'", text);
    CHECK(usage_seen && strstr(r.body, "data: [DONE]\n\n") != NULL);
    free(r.body);
    free(json);
    cJSON_Delete(body);
    cJSON_Delete(ref);
    server_stop(&s);
}

typedef struct {
    int port;
    int32_t prompt[48];
    int n_prompt, max_tokens;
    int32_t got[64];
    int n_got;
} client_job;

static void *client_main(void *arg) {
    client_job *j = arg;
    char json[1024];
    int k = snprintf(json, sizeof json, "{\"prompt\":[");
    for (int i = 0; i < j->n_prompt; i++) k += snprintf(json + k, sizeof json - (size_t)k, i ? ",%d" : "%d", j->prompt[i]);
    snprintf(json + k, sizeof json - (size_t)k, "],\"max_tokens\":%d,\"temperature\":0,\"return_tokens\":true}", j->max_tokens);
    cJSON *root = post_json(j->port, "/v1/completions", json, 200);
    const cJSON *tokens = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "choices"), 0), "tokens");
    const cJSON *t;
    cJSON_ArrayForEach(t, tokens) if (j->n_got < 64) j->got[j->n_got++] = t->valueint;
    cJSON_Delete(root);
    return NULL;
}

typedef struct {
    int32_t ids[64];
    int n;
} alone_out;

static int collect(void *user, int32_t token) {
    alone_out *a = user;
    if (a->n < 64) a->ids[a->n++] = token;
    return 0;
}

/* n clients at once, each checked against the same request generated alone. */
static void run_clients(server *s, int n, int salt) {
    client_job jobs[32];
    pthread_t threads[32];
    for (int i = 0; i < n; i++) {
        jobs[i] = (client_job){.port = s->port, .n_prompt = 1 + (i * 11 + salt) % 40, .max_tokens = 1 + (i * 7) % 30};
        for (int p = 0; p < jobs[i].n_prompt; p++) jobs[i].prompt[p] = 4 + (p * 31 + (i % 4) * 97 + salt) % 2000;
        pthread_create(&threads[i], NULL, client_main, &jobs[i]);
    }
    for (int i = 0; i < n; i++) pthread_join(threads[i], NULL);
    for (int i = 0; i < n; i++) {
        alone_out a = {.n = 0};
        yq_sampling_params p = yq_sampling_defaults();
        p.max_tokens = jobs[i].max_tokens;
        yq_generate_request req = {jobs[i].prompt, jobs[i].n_prompt, p, collect, &a};
        yq_generate_stats st;
        CHECK(yq_generate(s->model, &req, &st) == 0);
        CHECKF(a.n == jobs[i].n_got && !memcmp(a.ids, jobs[i].got, (size_t)a.n * sizeof(int32_t)),
               "client %d (prompt %d, max %d): served %d tokens differ from alone (%d)", i, jobs[i].n_prompt,
               jobs[i].max_tokens, jobs[i].n_got, a.n);
    }
}

/* 32 concurrent greedy clients on the f32 Llama fixture: every output as if served alone; then
 * a pool too small for all of them: preemption happens and outputs still match. */
static void test_batching(void) {
    server s;
    yq_engine_config ec = {16, 512, 16, 64, 64};
    if (server_start(&s, "hf/llama", ec, NULL, 1 << 20)) return;
    run_clients(&s, 32, 0);
    server_stop(&s);
    yq_engine_config small = {16, 20, 4, 64, 32};
    if (server_start(&s, "hf/llama", small, NULL, 1 << 20)) return;
    run_clients(&s, 16, 5);
    CHECKF(metric(s.port, "yuqing_preemptions_total") > 0, "no preemption with 20 blocks of 4");
    server_stop(&s);
}

static char *ids_json(const char *extra, int n, int salt) {
    static char json[2048];
    int k = snprintf(json, sizeof json, "{\"prompt\":[");
    for (int i = 0; i < n; i++) k += snprintf(json + k, sizeof json - (size_t)k, i ? ",%d" : "%d", 4 + (i * 53 + salt) % 2000);
    snprintf(json + k, sizeof json - (size_t)k, "]%s}", extra);
    return json;
}

/* The same 48-token prompt twice: the second reuses the first's three full blocks (all but the
 * last position, whose logits must be computed). */
static void test_prefix_cache(void) {
    server s;
    yq_engine_config ec = {4, 128, 16, 8, 256};
    if (server_start(&s, "hf/llama", ec, NULL, 1 << 20)) return;
    const char *extra = ",\"max_tokens\":8,\"temperature\":0";
    cJSON *a = post_json(s.port, "/v1/completions", ids_json(extra, 48, 1), 200);
    cJSON *b = post_json(s.port, "/v1/completions", ids_json(extra, 48, 1), 200);
    const cJSON *details = cJSON_GetObjectItem(cJSON_GetObjectItem(b, "usage"), "prompt_tokens_details");
    CHECKF(cJSON_GetObjectItem(details, "cached_tokens")->valueint == 47, "cached tokens %d",
           cJSON_GetObjectItem(details, "cached_tokens")->valueint);
    CHECK(!strcmp(choice_text(a, 0), choice_text(b, 0)));
    CHECK(metric(s.port, "yuqing_prompt_tokens_cached_total") == 47);
    cJSON_Delete(a);
    cJSON_Delete(b);
    server_stop(&s);
}

/* A client that leaves mid-stream: its sequence is cancelled and its blocks freed. */
static void test_client_leaves(void) {
    server s;
    yq_engine_config ec = {4, 256, 16, 8, 8};
    if (server_start(&s, "hf/qwen3-chat", ec, NULL, 1 << 20)) return;
    reply r = request(s.port, "/v1/completions", ids_json(",\"max_tokens\":1000,\"stream\":true", 30, 2), NULL, 200);
    free(r.body);
    double used = 1, running = 1;
    for (int i = 0; i < 300 && (used != 0 || running != 0); i++) {
        nanosleep(&(struct timespec){0, 20000000}, NULL);
        used = metric(s.port, "yuqing_kv_blocks{state=\"used\"}");
        running = metric(s.port, "yuqing_sequences_running");
    }
    CHECKF(used == 0 && running == 0, "after the client left: %g blocks used, %g running", used, running);
    CHECKF(metric(s.port, "yuqing_generation_tokens_total") < 1000, "the sequence was not cancelled");
    server_stop(&s);
}

/* Generates with `extra` fields on the f32 Llama fixture; returns the parsed response. */
static cJSON *gen(int port, const char *extra) { return post_json(port, "/v1/completions", ids_json(extra, 12, 9), 200); }

static int same_text(int port, const char *a, const char *b) {
    cJSON *x = gen(port, a), *y = gen(port, b);
    int same = !strcmp(choice_text(x, 0), choice_text(y, 0));
    cJSON_Delete(x);
    cJSON_Delete(y);
    return same;
}

/* Each sampling parameter changes the output the way it should (so it is not ignored). */
static void test_parameters(void) {
    server s;
    yq_engine_config ec = {8, 256, 16, 16, 256};
    if (server_start(&s, "hf/llama", ec, NULL, 1 << 20)) return;
    const char *greedy = ",\"max_tokens\":16,\"temperature\":0";
    CHECK(!same_text(s.port, greedy, ",\"max_tokens\":16,\"temperature\":1.5,\"seed\":1"));
    CHECK(same_text(s.port, greedy, ",\"max_tokens\":16,\"temperature\":1.5,\"top_k\":1,\"seed\":1"));
    CHECK(same_text(s.port, greedy, ",\"max_tokens\":16,\"temperature\":1.5,\"top_p\":0.0001,\"seed\":1"));
    CHECK(same_text(s.port, greedy, ",\"max_tokens\":16,\"temperature\":1.5,\"min_p\":1,\"seed\":1"));
    CHECK(same_text(s.port, ",\"max_tokens\":16,\"temperature\":1.5,\"seed\":4", ",\"max_tokens\":16,\"temperature\":1.5,\"seed\":4"));
    CHECK(!same_text(s.port, ",\"max_tokens\":16,\"temperature\":1.5,\"seed\":4", ",\"max_tokens\":16,\"temperature\":1.5,\"seed\":5"));
    CHECK(!same_text(s.port, greedy, ",\"max_tokens\":16,\"temperature\":0,\"repetition_penalty\":3"));
    cJSON *full = gen(s.port, greedy);
    char stop[64] = "", extra[256];
    const char *text = choice_text(full, 0);
    size_t half = strlen(text) / 2;
    snprintf(stop, sizeof stop, "%.3s", text + half);
    snprintf(extra, sizeof extra, "%s,\"stop\":[\"%s\"]", greedy, stop);
    cJSON *cut = gen(s.port, extra);
    CHECKF(strlen(choice_text(cut, 0)) <= half && !strncmp(choice_text(cut, 0), text, strlen(choice_text(cut, 0))) &&
               !strcmp(finish_reason(cut, 0), "stop"),
           "stop '%s': '%s' from '%s'", stop, choice_text(cut, 0), text);
    CHECK(!strcmp(finish_reason(full, 0), "length"));
    cJSON *n3 = gen(s.port, ",\"max_tokens\":4,\"temperature\":1,\"n\":3,\"seed\":2");
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(n3, "choices")) == 3);
    CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(n3, "usage"), "completion_tokens")->valueint == 12);
    cJSON *lp = gen(s.port, ",\"max_tokens\":3,\"logprobs\":2,\"temperature\":0");
    const cJSON *logprobs = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(lp, "choices"), 0), "logprobs");
    const cJSON *top = cJSON_GetArrayItem(cJSON_GetObjectItem(logprobs, "top_logprobs"), 0);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(logprobs, "token_logprobs")) == 3 && cJSON_GetArraySize(top) == 2);
    CHECK(cJSON_GetArrayItem(cJSON_GetObjectItem(logprobs, "token_logprobs"), 0)->valuedouble < 0);
    cJSON_Delete(full);
    cJSON_Delete(cut);
    cJSON_Delete(n3);
    cJSON_Delete(lp);
    server_stop(&s);
}

/* OpenAI's penalties act on repeated output tokens: stories260K repeats itself greedily. */
static void test_openai_penalties(void) {
    server s;
    yq_engine_config ec = {4, 64, 16, 8, 64};
    if (server_start(&s, "models/stories260K/stories260K.bin", ec, NULL, 1 << 20)) return;
    const char *base = "{\"prompt\":[1,461,378,455],\"max_tokens\":16,\"temperature\":0,\"return_tokens\":true";
    char json[256];
    cJSON *plain, *presence, *frequency;
    snprintf(json, sizeof json, "%s}", base);
    plain = post_json(s.port, "/v1/completions", json, 200);
    snprintf(json, sizeof json, "%s,\"presence_penalty\":2}", base);
    presence = post_json(s.port, "/v1/completions", json, 200);
    snprintf(json, sizeof json, "%s,\"frequency_penalty\":0.5}", base);
    frequency = post_json(s.port, "/v1/completions", json, 200);
    const cJSON *t0 = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(plain, "choices"), 0), "tokens");
    const cJSON *t1 = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(presence, "choices"), 0), "tokens");
    const cJSON *t2 = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(frequency, "choices"), 0), "tokens");
    CHECK(cJSON_GetArrayItem(t0, 2)->valueint == 422 && cJSON_GetArrayItem(t0, 3)->valueint == 422); /* run.c's ids */
    CHECK(!cJSON_Compare(t0, t1, 1) && !cJSON_Compare(t0, t2, 1) && !cJSON_Compare(t1, t2, 1));
    cJSON_Delete(plain);
    cJSON_Delete(presence);
    cJSON_Delete(frequency);
    server_stop(&s);
}

static void expect_status(int port, const char *path, const char *json, long status, const char *param);

/* response_format json_schema: the output parses and satisfies the schema (a finite one, so
 * the random model must finish); json_object starts an object; a bad schema is a 400. */
static void test_response_format(void) {
    server s;
    yq_engine_config ec = {4, 256, 16, 8, 64};
    if (server_start(&s, "hf/qwen3-chat", ec, NULL, 1 << 20)) return;
    const char *schema = "{\"type\":\"object\",\"properties\":{\"sentiment\":{\"enum\":[\"positive\",\"neutral\",\"negative\"]},"
                         "\"alert\":{\"type\":\"boolean\"}},\"required\":[\"sentiment\",\"alert\"]}";
    char json[1024];
    for (int seed = 1; seed <= 4; seed++) {
        snprintf(json, sizeof json, "{\"messages\":[{\"role\":\"user\",\"content\":\"rate it\"}],\"max_tokens\":200,\"seed\":%d,"
                 "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"r\",\"schema\":%s}}}", seed, schema);
        cJSON *root = post_json(s.port, "/v1/chat/completions", json, 200);
        cJSON *out = cJSON_Parse(choice_text(root, 0));
        const cJSON *sentiment = cJSON_GetObjectItem(out, "sentiment");
        CHECKF(!strcmp(finish_reason(root, 0), "stop") && cJSON_IsObject(out) && cJSON_IsBool(cJSON_GetObjectItem(out, "alert")) &&
                   cJSON_IsString(sentiment) && strstr("positive neutral negative", sentiment->valuestring),
               "seed %d: '%s' does not satisfy the schema", seed, choice_text(root, 0));
        cJSON_Delete(out);
        cJSON_Delete(root);
    }
    cJSON *root = post_json(s.port, "/v1/chat/completions",
                            "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":8,\"seed\":2,"
                            "\"response_format\":{\"type\":\"json_object\"}}", 200);
    const char *text = choice_text(root, 0);
    CHECKF(text[strspn(text, " \t\r\n")] == '{', "json_object output '%s'", text);
    cJSON_Delete(root);
    expect_status(s.port, "/v1/chat/completions",
                  "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"json_schema\","
                  "\"json_schema\":{\"schema\":{\"type\":\"object\",\"patternProperties\":{}}}}}", 400, "response_format");
    server_stop(&s);
}

static void expect_status(int port, const char *path, const char *json, long status, const char *param) {
    reply r = request(port, path, json, NULL, 0);
    CHECKF(r.status == status, "%s %.60s: %ld, expected %ld (%s)", path, json ? json : "", r.status, status, r.body);
    if (param) CHECKF(strstr(r.body, param) != NULL, "error for %.60s does not name %s: %s", json, param, r.body);
    free(r.body);
}

/* A client that sends half a request and stalls holds one connection, not the server. */
static int slow_client(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(0x7f000001)};
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) return -1;
    const char *partial = "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"pro";
    if (write(fd, partial, strlen(partial)) < 0) return -1;
    return fd;
}

static void test_bad_input(void) {
    server s;
    yq_engine_config ec = {4, 64, 16, 2, 64};
    if (server_start(&s, "hf/llama", ec, NULL, 4096)) return;
    int stalled = slow_client(s.port);
    expect_status(s.port, "/v1/completions", "{bad json", 400, NULL);
    expect_status(s.port, "/v1/completions", ids_json(",\"temperature\":\"hot\"", 4, 0), 400, "temperature");
    expect_status(s.port, "/v1/completions", ids_json(",\"max_tokens\":1000000", 4, 0), 400, "max_tokens");
    expect_status(s.port, "/v1/completions", ids_json(",\"n\":100", 4, 0), 400, "\"n\"");
    expect_status(s.port, "/v1/completions", ids_json(",\"stop\":7", 4, 0), 400, "stop");
    expect_status(s.port, "/v1/completions", "{\"prompt\":[1,99999]}", 400, "prompt");
    expect_status(s.port, "/v1/chat/completions", "{\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}", 400, "messages");
    expect_status(s.port, "/v1/chat/completions", "{\"messages\":\"hi\"}", 400, "messages");
    char big[6000];
    memset(big, ' ', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    big[0] = '{';
    big[sizeof big - 2] = '}';
    expect_status(s.port, "/v1/completions", big, 413, NULL);
    expect_status(s.port, "/v1/nothing", "{}", 404, NULL);
    expect_status(s.port, "/v1/models", "{}", 405, NULL);
    expect_status(s.port, "/v1/completions", ids_json(",\"model\":\"any-name\",\"max_tokens\":2", 4, 0), 200, NULL);
    expect_status(s.port, "/v1/models", NULL, 200, "test-model");
    CHECK(metric(s.port, "yuqing_requests_total{status=\"400\"}") == 8);
    if (stalled >= 0) close(stalled);
    server_stop(&s);
    if (server_start(&s, "hf/llama", ec, "sekret", 4096)) return;
    reply r = request(s.port, "/v1/models", NULL, NULL, 0);
    CHECK(r.status == 401);
    free(r.body);
    r = request(s.port, "/v1/models", NULL, "wrong", 0);
    CHECK(r.status == 401);
    free(r.body);
    r = request(s.port, "/v1/models", NULL, "sekret", 0);
    CHECK(r.status == 200);
    free(r.body);
    server_stop(&s);
}

int main(void) {
    if (!test_qwen3_tokenizer_dir()) return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    yq_threads_init(2);
    test_chat_reference();
    test_batching();
    test_prefix_cache();
    test_client_leaves();
    test_parameters();
    test_openai_penalties();
    test_response_format();
    test_bad_input();
    yq_threads_shutdown();
    curl_global_cleanup();
    return test_summary("server");
}
