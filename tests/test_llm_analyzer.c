/* The LLM analyzer's URL back end against an in-process fake OpenAI server whose answer depends
 * on a marker in the article: a valid answer (entities mapped to the watch list by alias), an
 * answer that is not JSON, one that breaks the schema, one cut off at max_tokens, a server that
 * fails twice then answers (retries), and one that always fails (marked failed, not dropped); and
 * `yuqing run`'s configuration keys for the analyzer. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "yuqing/http.h"
#include "yuqing/llm_analyzer.h"
#include "yuqing/run_config.h"

static atomic_int flaky_calls, requests_with_schema, requests_naming_entity, requests_with_key;

static const char *valid_answer = "{\"sentiment\":\"negative\",\"entities\":[{\"name\":\"Northwind\",\"sentiment\":"
                                  "\"negative\",\"reason\":\"a recall\"},{\"name\":\"Lanhai Bank\",\"sentiment\":"
                                  "\"positive\",\"reason\":\"new loans\"}],\"summary\":\"A recall.\",\"event_type\":"
                                  "\"accident_recall\"}";

static yq_http_response *completion(const char *content, const char *finish) {
    cJSON *root = cJSON_CreateObject(), *choices = cJSON_AddArrayToObject(root, "choices");
    cJSON *choice = cJSON_CreateObject(), *message = cJSON_AddObjectToObject(choice, "message");
    cJSON_AddStringToObject(message, "role", "assistant");
    cJSON_AddStringToObject(message, "content", content);
    cJSON_AddStringToObject(choice, "finish_reason", finish);
    cJSON_AddItemToArray(choices, choice);
    return yq_http_json(200, root);
}

static yq_http_response *handle(void *ctx, const yq_http_request *req) {
    (void)ctx;
    size_t len;
    const char *body = yq_http_body(req, &len);
    if (strstr(body, "\"type\":\"json_schema\"") && strstr(body, "accident_recall")) requests_with_schema++;
    const char *auth = yq_http_header(req, "Authorization");
    if (auth && !strcmp(auth, "Bearer sk-test")) requests_with_key++;
    if (strstr(body, "北风汽车 (also called Northwind Motors, Northwind)")) requests_naming_entity++;
    if (strstr(body, "CASE_VALID")) return completion(valid_answer, "stop");
    if (strstr(body, "CASE_OTHER"))
        return completion("{\"sentiment\":\"positive\",\"entities\":[],\"summary\":\"\",\"event_type\":\"weather\"}", "stop");
    if (strstr(body, "CASE_GARBAGE")) return completion("I think it is negative.", "stop");
    if (strstr(body, "CASE_SCHEMA")) return completion("{\"sentiment\":\"bad\",\"entities\":[]}", "stop");
    if (strstr(body, "CASE_LENGTH")) return completion("{\"sentiment\":\"neg", "length");
    if (strstr(body, "CASE_FLAKY") && ++flaky_calls <= 2) return yq_http_error(503, "server_error", NULL, "busy");
    if (strstr(body, "CASE_FLAKY")) return completion(valid_answer, "stop");
    return yq_http_error(500, "server_error", NULL, "always down");
}

static const char watch_yaml[] = "entities:\n  - name: 北风汽车\n    aliases: [Northwind Motors, Northwind]\n"
                                 "  - name: 澜海银行\n    aliases: [澜海, Lanhai Bank]\n";

static void test_remote(const char *base) {
    yq_watch *watch = NULL;
    CHECK(yq_watch_parse("watch", watch_yaml, strlen(watch_yaml), &watch) == 0);
    yq_llm_config c = {.watch = watch, .url = base, .model_name = "fake", .api_key = "sk-test", .concurrency = 3, .retries = 2,
                       .timeout_ms = 5000};
    yq_analyzer *an = NULL;
    CHECKF(yq_llm_analyzer_new(&c, &an) == 0, "%s", "analyzer");
    if (!an) return;
    CHECK(!strcmp(an->name, "llm:fake"));
    const char *bodies[] = {"CASE_VALID Northwind recalls cars; Lanhai Bank lends.", "CASE_OTHER", "CASE_GARBAGE",
                            "CASE_SCHEMA", "CASE_LENGTH", "CASE_FLAKY Northwind", "CASE_DOWN"};
    enum { N = 7 };
    yq_mention mentions[3] = {{0, 0, 11, 20}, {1, 0, 35, 46}, {0, 0, 11, 20}};
    yq_doc docs[N];
    for (int i = 0; i < N; i++)
        docs[i] = (yq_doc){.id = "x", .title = "T", .title_len = 1, .body = bodies[i], .body_len = strlen(bodies[i]),
                           .lang = "en", .mentions = i == 0 ? mentions : i == 5 ? mentions + 2 : NULL,
                           .n_mentions = i == 0 ? 3 : i == 5 ? 1 : 0};
    yq_analysis out[N];
    CHECK(an->analyze_batch(an, docs, N, out) == 0);
    CHECK(!out[0].failed && out[0].label == YQ_SENTIMENT_NEGATIVE && out[0].score == -1.0f);
    CHECK(out[0].event_type && !strcmp(out[0].event_type, "accident_recall"));
    CHECK(out[0].summary && !strcmp(out[0].summary, "A recall."));
    CHECK(out[0].n_keywords > 0);
    CHECKF(out[0].n_entities == 2, "entities %d", out[0].n_entities);
    if (out[0].n_entities == 2) {
        CHECK(out[0].entities[0].entity == 0 && out[0].entities[0].n_mentions == 2);
        CHECK(out[0].entities[0].label == YQ_SENTIMENT_NEGATIVE);
        CHECK(out[0].entities[1].entity == 1 && out[0].entities[1].label == YQ_SENTIMENT_POSITIVE);
    }
    CHECK(!out[1].failed && out[1].label == YQ_SENTIMENT_POSITIVE && !strcmp(out[1].event_type, "other"));
    for (int i = 2; i <= 4; i++)
        CHECKF(out[i].failed && out[i].error && out[i].error[0], "case %d not failed", i);
    CHECK(out[2].error && strstr(out[2].error, "not JSON"));
    CHECK(out[3].error && strstr(out[3].error, "sentiment"));
    CHECK(out[4].error && strstr(out[4].error, "cut off"));
    CHECKF(!out[5].failed && flaky_calls == 3, "flaky: failed %d after %d calls", out[5].failed, (int)flaky_calls);
    CHECK(out[6].failed && out[6].error && strstr(out[6].error, "3 tries"));
    CHECK(requests_with_schema == N + 2 + 2); /* the retried requests carry it too */
    CHECK(requests_naming_entity >= 2);
    CHECK(requests_with_key == requests_with_schema);
    for (int i = 0; i < N; i++)
        yq_analysis_clear(&out[i]);
    an->free(an);
    yq_watch_free(watch);
}

static void test_config_errors(void) {
    yq_analyzer *an = NULL;
    yq_llm_config none = {0}, bad_url = {.url = "ftp://x"}, bad_prompt = {.url = "http://127.0.0.1:1",
                                                                          .prompt_path = "/nonexistent.yaml"};
    CHECK(yq_llm_analyzer_new(&none, &an) != 0);
    CHECK(yq_llm_analyzer_new(&bad_url, &an) != 0);
    CHECK(yq_llm_analyzer_new(&bad_prompt, &an) != 0);
}

/* `yuqing run`'s keys for the LLM analyzer: paths resolved, model and llm_url exclusive. */
static void test_run_config(void) {
    char dir[] = "/tmp/yq_llm_runXXXXXX", path[64];
    if (!mkdtemp(dir)) return;
    snprintf(path, sizeof path, "%s/run.yaml", dir);
    FILE *f = fopen(path, "w");
    fputs("crawl: c.yaml\nwatch: w.yaml\nllm_url: http://h:8000\nllm_model: m\nllm_key: k\nllm_prompt: p.yaml\n"
          "llm_concurrency: 8\n", f);
    fclose(f);
    yq_run_config *c = NULL;
    CHECK(yq_run_config_load(path, &c) == 0);
    if (c) {
        CHECK(c->llm_url && !strcmp(c->llm_url, "http://h:8000") && !strcmp(c->llm_model, "m") && !strcmp(c->llm_key, "k"));
        CHECK(c->llm_prompt && strstr(c->llm_prompt, dir) && c->llm_concurrency == 8 && !c->model);
        yq_run_config_free(c);
    }
    f = fopen(path, "w");
    fputs("crawl: c.yaml\nwatch: w.yaml\nmodel: m\nllm_url: http://h\n", f);
    fclose(f);
    c = NULL;
    CHECK(yq_run_config_load(path, &c) != 0 && !c);
    remove(path);
    rmdir(dir);
}

int main(void) {
    yq_http_route routes[] = {{"POST", "/v1/chat/completions", handle, NULL}};
    yq_http_config hc = {"127.0.0.1", 0, NULL, 1 << 20, 4, 10, 64};
    yq_http_server *server = NULL;
    CHECK(yq_http_server_start(&hc, routes, 1, &server) == 0);
    if (server) {
        char base[64];
        snprintf(base, sizeof base, "http://127.0.0.1:%d/v1/", yq_http_server_port(server));
        test_remote(base);
        yq_http_server_stop(server);
    }
    test_config_errors();
    test_run_config();
    return test_summary("test_llm_analyzer");
}
