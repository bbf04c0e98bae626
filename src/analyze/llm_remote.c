/* The LLM analyzer against an OpenAI-compatible server (vLLM, llama-server, `yuqing serve`):
 * POST /v1/chat/completions with response_format json_schema, `concurrency` requests in flight,
 * retries with exponential backoff on 429, 5xx, timeouts and network errors. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/llm_internal.h"
#include "yuqing/error.h"
#include "yuqing/fetch.h"
#include "yuqing/json.h"
#include "yuqing/log.h"

enum { BACKOFF_MS = 250, BACKOFF_MAX_MS = 8000, RETRY_AFTER_MAX_MS = 60000, MAX_WORKERS = 256 };

typedef struct llm_remote {
    llm_common c;
    char *url, *model, *key;
    int concurrency, retries;
    long timeout_ms;
    cJSON *schema;
} llm_remote;

/* The request body for one article. malloc'd, or NULL when out of memory. */
static char *request_body(const llm_remote *self, const yq_doc *d) {
    char *user = llm_prompt_user(&self->c.prompt, self->c.watch, d);
    cJSON *root = cJSON_CreateObject(), *messages = cJSON_AddArrayToObject(root, "messages");
    cJSON_AddStringToObject(root, "model", self->model);
    if (self->c.prompt.system[0]) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "role", "system");
        cJSON_AddStringToObject(m, "content", self->c.prompt.system);
        cJSON_AddItemToArray(messages, m);
    }
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", "user");
    cJSON_AddStringToObject(m, "content", user ? user : "");
    cJSON_AddItemToArray(messages, m);
    cJSON_AddNumberToObject(root, "temperature", 0);
    cJSON_AddNumberToObject(root, "max_tokens", self->c.max_tokens);
    cJSON *format = cJSON_AddObjectToObject(root, "response_format");
    cJSON_AddStringToObject(format, "type", "json_schema");
    cJSON *js = cJSON_AddObjectToObject(format, "json_schema");
    cJSON_AddStringToObject(js, "name", "article_analysis");
    cJSON_AddBoolToObject(js, "strict", 1);
    cJSON_AddItemToObject(js, "schema", cJSON_Duplicate(self->schema, 1));
    char *body = user ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    free(user);
    return body;
}

static int retryable(const yq_fetch_response *r) {
    if (r->error == YQ_FETCH_TIMEOUT || r->error == YQ_FETCH_NETWORK) return 1;
    return r->error == YQ_FETCH_HTTP && (r->status == 429 || r->status >= 500);
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* The wait before retry `attempt + 1`: 0.25 s doubled per attempt up to 8 s, or the server's
 * Retry-After (seconds) when it asks for longer, up to a minute. */
static long backoff_ms(const yq_fetch_response *r, int attempt) {
    long wait = BACKOFF_MS << (attempt < 5 ? attempt : 5);
    if (wait > BACKOFF_MAX_MS) wait = BACKOFF_MAX_MS;
    const char *after = yq_fetch_header(r, "retry-after");
    long asked = after ? strtol(after, NULL, 10) * 1000 : 0;
    if (asked > wait) wait = asked < RETRY_AFTER_MAX_MS ? asked : RETRY_AFTER_MAX_MS;
    return wait;
}

/* Reads a chat completion response into *a. */
static int read_response(const llm_remote *self, const yq_doc *d, const yq_fetch_response *r, yq_analysis *a) {
    cJSON *root = cJSON_ParseWithLength(r->body, r->body_len);
    const cJSON *choice = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "choices"), 0);
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(choice, "message"), "content");
    const cJSON *finish = cJSON_GetObjectItemCaseSensitive(choice, "finish_reason");
    int rc;
    if (!cJSON_IsString(content))
        rc = llm_mark_failed(a, "the server's response has no choices[0].message.content: %.*s",
                             llm_excerpt_len(r->body), r->body);
    else if (cJSON_IsString(finish) && !strcmp(finish->valuestring, "length"))
        rc = llm_mark_failed(a, "the answer was cut off at max_tokens (%d)", self->c.max_tokens);
    else
        rc = llm_answer_read(self->c.watch, d, content->valuestring, strlen(content->valuestring), a);
    cJSON_Delete(root);
    return rc;
}

/* One article: tries until an answer, a failure that a retry cannot mend, or the tries run out. */
static int analyze_one(const llm_remote *self, const yq_doc *d, yq_analysis *a) {
    memset(a, 0, sizeof *a);
    char *body = request_body(self, d);
    if (!body) return yq_error(YQ_ENOMEM, "out of memory");
    int rc = YQ_OK;
    for (int attempt = 0;; attempt++) {
        yq_fetch_response *r = NULL;
        rc = yq_fetch_post_json(self->url, self->key, body, self->timeout_ms, &r);
        if (rc) {
            rc = rc == YQ_ENOMEM ? rc : llm_mark_failed(a, "no request could be made: %s", yq_last_error());
        } else if (r->error == YQ_FETCH_OK) {
            rc = read_response(self, d, r, a);
        } else if (!retryable(r) || attempt >= self->retries) {
            const char *body = r->status ? r->body : "";
            rc = llm_mark_failed(a, "%s after %d tr%s: %s%s%.*s", self->url, attempt + 1, attempt ? "ies" : "y",
                                 r->reason, r->status ? ": " : "", llm_excerpt_len(body), body);
        } else {
            long wait = backoff_ms(r, attempt);
            yq_fetch_response_free(r);
            sleep_ms(wait);
            continue;
        }
        yq_fetch_response_free(r);
        break;
    }
    free(body);
    return rc;
}

typedef struct batch {
    const llm_remote *self;
    const yq_doc *docs;
    yq_analysis *out;
    int n;
    atomic_int next;
    atomic_int rc;
} batch;

static void *worker(void *arg) {
    batch *b = arg;
    for (int i; (i = atomic_fetch_add(&b->next, 1)) < b->n;) {
        int rc = analyze_one(b->self, &b->docs[i], &b->out[i]);
        if (rc) atomic_store(&b->rc, rc);
    }
    return NULL;
}

static int analyze_batch(yq_analyzer *base, const yq_doc *docs, int n, yq_analysis *out) {
    llm_remote *self = (llm_remote *)base;
    batch b = {self, docs, out, n, 0, 0};
    int n_workers = self->concurrency < n ? self->concurrency : n, started = 0;
    pthread_t threads[MAX_WORKERS];
    while (started < n_workers && pthread_create(&threads[started], NULL, worker, &b) == 0)
        started++;
    if (started == 0) worker(&b);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    int rc = atomic_load(&b.rc);
    return rc ? yq_error(rc, "out of memory") : YQ_OK;
}

static void remote_free(yq_analyzer *base) {
    llm_remote *self = (llm_remote *)base;
    llm_prompt_free(&self->c.prompt);
    cJSON_Delete(self->schema);
    free(self->url);
    free(self->model);
    free(self->key);
    free(self);
}

/* The chat completions URL from a base URL ("http://h:8000", ".../v1") or the full one. */
static char *completions_url(const char *url) {
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        n--;
    const char *tail = "/v1/chat/completions";
    if (n >= 17 && !strncmp(url + n - 17, "/chat/completions", 17)) tail = "";
    else if (n >= 3 && !strncmp(url + n - 3, "/v1", 3)) tail = "/chat/completions";
    char *out = malloc(n + strlen(tail) + 1);
    if (out) {
        memcpy(out, url, n);
        strcpy(out + n, tail);
    }
    return out;
}

int llm_remote_new(const yq_llm_config *config, yq_analyzer **out) {
    if (strncmp(config->url, "http://", 7) && strncmp(config->url, "https://", 8))
        return yq_error(YQ_EINVAL, "--llm-url %s: not an http:// or https:// URL", config->url);
    llm_remote *self = calloc(1, sizeof *self);
    if (!self) return yq_error(YQ_ENOMEM, "out of memory");
    self->c.base.analyze_batch = analyze_batch;
    self->c.base.free = remote_free;
    const char *model = config->model_name ? config->model_name : "default";
    self->url = completions_url(config->url);
    self->model = strdup(model);
    self->key = config->api_key ? strdup(config->api_key) : NULL;
    self->schema = cJSON_Parse(llm_answer_schema);
    self->concurrency = config->concurrency > 0 ? config->concurrency : 4;
    if (self->concurrency > MAX_WORKERS) self->concurrency = MAX_WORKERS;
    self->retries = config->retries >= 0 ? config->retries : 3;
    self->timeout_ms = config->timeout_ms > 0 ? config->timeout_ms : 120000;
    int rc = self->url && self->model && self->schema && (self->key || !config->api_key)
                 ? YQ_OK
                 : yq_error(YQ_ENOMEM, "out of memory");
    if (!rc) rc = llm_common_init(&self->c, config, model);
    if (rc) {
        remote_free(&self->c.base);
        return rc;
    }
    *out = &self->c.base;
    return YQ_OK;
}
