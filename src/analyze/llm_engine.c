/* The LLM analyzer on the local engine: every article of a batch is submitted at once, so the
 * engine decodes them together (continuous batching), each answer constrained to the answer
 * schema; greedy decoding. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/llm_internal.h"
#include "yuqing/chat.h"
#include "yuqing/engine.h"
#include "yuqing/error.h"
#include "yuqing/log.h"

enum { BLOCK_SIZE = 16, KV_MIB = 1024, STEP_TOKENS = 256 };

typedef struct llm_engine {
    llm_common c;
    yq_model *model;
    yq_tokenizer *tokenizer;
    yq_engine *engine;
    yq_json_constraint *schema;
    yq_json_vocab *vocab;
    yq_chat_format format;
} llm_engine;

/* The batch being decoded: how many answers are still due. */
typedef struct batch_wait {
    pthread_mutex_t mu;
    pthread_cond_t done;
    int pending;
} batch_wait;

/* One answer's tokens, written on the engine thread. */
typedef struct answer {
    batch_wait *wait;
    int32_t *ids;
    int n, cap, oom;
    yq_finish_reason finish;
} answer;

static int on_token(void *user, const yq_token_event *ev) {
    answer *a = user;
    if (ev->finish) {
        pthread_mutex_lock(&a->wait->mu);
        a->finish = ev->finish;
        if (--a->wait->pending == 0) pthread_cond_signal(&a->wait->done);
        pthread_mutex_unlock(&a->wait->mu);
        return 0;
    }
    if (a->n == a->cap) {
        int cap = a->cap ? 2 * a->cap : 256;
        int32_t *p = realloc(a->ids, (size_t)cap * sizeof *p);
        if (!p) {
            a->oom = 1;
            return 1;
        }
        a->ids = p;
        a->cap = cap;
    }
    a->ids[a->n++] = ev->token;
    return 0;
}

/* The chat prompt of one article as token ids. */
static int encode_prompt(const llm_engine *self, const yq_doc *d, int32_t **ids, size_t *n) {
    char *user = llm_prompt_user(&self->c.prompt, self->c.watch, d), *text = NULL;
    if (!user) return yq_error(YQ_ENOMEM, "out of memory");
    yq_chat_message messages[2] = {{"system", self->c.prompt.system}, {"user", user}};
    int has_system = self->c.prompt.system[0] != '\0';
    yq_chat_options options = {.add_generation_prompt = 1, .disable_thinking = 1};
    int rc = yq_chat_render(self->format, messages + !has_system, 1 + (size_t)has_system, &options, &text);
    if (!rc) rc = yq_tokenizer_encode(self->tokenizer, text, strlen(text), 1, ids, n);
    free(user);
    free(text);
    return rc;
}

static int submit(llm_engine *self, const yq_doc *d, answer *a, yq_analysis *out) {
    int32_t *ids = NULL;
    size_t n = 0;
    int rc = encode_prompt(self, d, &ids, &n);
    if (rc == YQ_ENOMEM) return rc;
    yq_request_params params = {.prompt = ids, .n_prompt = (int)n, .sampling = yq_sampling_defaults(), .n = 1,
                                .json = self->schema, .json_vocab = self->vocab, .tokenizer = self->tokenizer};
    params.sampling.temperature = 0;
    params.sampling.max_tokens = self->c.max_tokens;
    uint64_t id;
    if (!rc) rc = yq_engine_submit(self->engine, &params, on_token, a, &id);
    free(ids);
    if (!rc) return 1;
    return rc == YQ_ENOMEM ? rc : llm_mark_failed(out, "the article could not be submitted: %s", yq_last_error());
}

/* Reads the finished answer `a` into *out. */
static int read_answer(llm_engine *self, const yq_doc *d, const answer *a, yq_analysis *out) {
    if (a->oom) return yq_error(YQ_ENOMEM, "out of memory");
    if (a->finish == YQ_FINISH_LENGTH)
        return llm_mark_failed(out, "the answer was cut off after %d tokens (max_tokens or the context)", a->n);
    char *text;
    size_t len;
    int rc = yq_tokenizer_decode(self->tokenizer, a->ids, (size_t)a->n, &text, &len);
    if (rc) return rc == YQ_ENOMEM ? rc : llm_mark_failed(out, "the answer could not be decoded: %s", yq_last_error());
    rc = llm_answer_read(self->c.watch, d, text, len, out);
    free(text);
    return rc;
}

static int analyze_batch(yq_analyzer *base, const yq_doc *docs, int n, yq_analysis *out) {
    llm_engine *self = (llm_engine *)base;
    batch_wait wait = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    answer *answers = calloc((size_t)n + 1, sizeof *answers);
    int *submitted = calloc((size_t)n + 1, sizeof *submitted);
    int rc = answers && submitted ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
    for (int i = 0; !rc && i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        answers[i].wait = &wait;
        pthread_mutex_lock(&wait.mu);
        wait.pending++;
        pthread_mutex_unlock(&wait.mu);
        int r = submit(self, &docs[i], &answers[i], &out[i]);
        submitted[i] = r == 1;
        if (r != 1) {
            pthread_mutex_lock(&wait.mu);
            wait.pending--;
            pthread_mutex_unlock(&wait.mu);
        }
        if (r < 0) rc = r;
    }
    pthread_mutex_lock(&wait.mu);
    while (wait.pending > 0)
        pthread_cond_wait(&wait.done, &wait.mu);
    pthread_mutex_unlock(&wait.mu);
    for (int i = 0; !rc && i < n; i++)
        if (submitted[i]) rc = read_answer(self, &docs[i], &answers[i], &out[i]);
    for (int i = 0; answers && i < n; i++)
        free(answers[i].ids);
    free(answers);
    free(submitted);
    return rc;
}

static void engine_free(yq_analyzer *base) {
    llm_engine *self = (llm_engine *)base;
    if (self->engine) yq_engine_stop(self->engine);
    yq_json_vocab_free(self->vocab);
    yq_json_constraint_free(self->schema);
    yq_tokenizer_free(self->tokenizer);
    yq_model_close(self->model);
    llm_prompt_free(&self->c.prompt);
    free(self);
}

/* As `yuqing serve` sizes it: KV_MIB of blocks, no more than every sequence at full context. */
static yq_engine_config engine_config(const yq_model *m, int max_batch) {
    const yq_model_config *mc = &m->config;
    double block_bytes = 2.0 * mc->n_layers * mc->n_kv_heads * mc->head_dim * (double)BLOCK_SIZE * sizeof(float);
    long long per_context = (mc->max_context + BLOCK_SIZE - 1) / BLOCK_SIZE;
    long long blocks = (long long)((double)KV_MIB * 1048576.0 / block_bytes);
    if (blocks > (long long)max_batch * per_context) blocks = (long long)max_batch * per_context;
    if (blocks < 1) blocks = 1;
    return (yq_engine_config){max_batch, (int)blocks, BLOCK_SIZE, 1 << 20, STEP_TOKENS};
}

static int open_model(llm_engine *self, const yq_llm_config *config) {
    int rc = yq_model_open(config->model_path, &self->model);
    if (!rc) {
        const char *tok = config->tokenizer_path ? config->tokenizer_path : self->model->folder;
        rc = yq_tokenizer_open(tok, NULL, &self->tokenizer);
        if (rc && !config->tokenizer_path)
            rc = yq_error(YQ_EINVAL, "%s: the model has no tokenizer (%s); give --tokenizer PATH", config->model_path,
                          yq_last_error());
    }
    if (!rc && !yq_chat_format_detect(yq_tokenizer_chat_template(self->tokenizer), &self->format))
        yq_warn("%s: no recognised chat template; the LLM analyzer uses ChatML", config->model_path);
    if (!rc) rc = yq_json_vocab_new(self->tokenizer, &self->vocab);
    if (!rc) rc = yq_json_constraint_new(llm_answer_schema, strlen(llm_answer_schema), &self->schema);
    int max_batch = config->max_batch > 0 ? config->max_batch : 16;
    yq_engine_config ec = rc ? (yq_engine_config){0} : engine_config(self->model, max_batch);
    if (!rc) rc = yq_engine_start(self->model, &ec, &self->engine);
    return rc;
}

int llm_engine_new(const yq_llm_config *config, yq_analyzer **out) {
    llm_engine *self = calloc(1, sizeof *self);
    if (!self) return yq_error(YQ_ENOMEM, "out of memory");
    self->c.base.analyze_batch = analyze_batch;
    self->c.base.free = engine_free;
    const char *slash = strrchr(config->model_path, '/');
    const char *name = slash && slash[1] ? slash + 1 : config->model_path;
    int rc = llm_common_init(&self->c, config, name);
    if (!rc) rc = open_model(self, config);
    if (rc) {
        engine_free(&self->c.base);
        return rc;
    }
    *out = &self->c.base;
    return YQ_OK;
}
