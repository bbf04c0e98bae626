/* yq_generate: one sequence through the batched forward pass (a batch of one). */
#include <stdlib.h>
#include <time.h>

#include "yuqing/error.h"
#include "yuqing/generate.h"

enum { PREFILL_CHUNK = 512, BLOCK_SIZE = 16 };

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int is_eos(const yq_model_config *c, int32_t token) {
    for (int i = 0; i < c->n_eos; i++)
        if (c->eos_ids[i] == token) return 1;
    return 0;
}

typedef struct {
    const yq_model *model;
    yq_kv_cache *kv;
    yq_kv_seq seq;
    yq_forward_ctx *fwd;
    yq_sampler *sampler;
    float *logits;
} session;

static void session_close(session *s) {
    if (s->kv) yq_kv_seq_release(s->kv, &s->seq);
    yq_kv_cache_free(s->kv);
    yq_forward_ctx_free(s->fwd);
    yq_sampler_free(s->sampler);
    free(s->logits);
}

static int session_open(session *s, const yq_model *m, const yq_generate_request *req) {
    const yq_model_config *c = &m->config;
    if (req->n_prompt <= 0) return yq_error(YQ_EINVAL, "the prompt is empty");
    if (req->n_prompt > c->max_context)
        return yq_error(YQ_ERANGE, "the prompt has %d tokens; the model's context is %d", req->n_prompt, c->max_context);
    long positions = (long)req->n_prompt + (req->params.max_tokens > 0 ? req->params.max_tokens : 0);
    if (positions > c->max_context) positions = c->max_context;
    s->model = m;
    int rc = yq_model_kv_cache_new(m, BLOCK_SIZE, (int)((positions + BLOCK_SIZE - 1) / BLOCK_SIZE), &s->kv);
    if (!rc) rc = yq_forward_ctx_new(m, &s->fwd);
    if (!rc) rc = yq_sampler_new(&req->params, c->vocab_size, &s->sampler);
    if (!rc && !(s->logits = malloc((size_t)c->vocab_size * sizeof(float))))
        rc = yq_error(YQ_ENOMEM, "out of memory");
    return rc;
}

static int run_step(session *s, const int32_t *tokens, int n, yq_logits_mode mode) {
    yq_seq_step step = {tokens, n, &s->seq, mode, s->logits};
    return yq_forward(s->model, s->kv, &step, 1, s->fwd);
}

static int prefill(session *s, const yq_generate_request *req) {
    for (int i = 0; i < req->n_prompt; i++) yq_sampler_observe(s->sampler, req->prompt[i]);
    for (int done = 0; done < req->n_prompt;) {
        int n = req->n_prompt - done < PREFILL_CHUNK ? req->n_prompt - done : PREFILL_CHUNK;
        int last = done + n == req->n_prompt;
        int rc = run_step(s, req->prompt + done, n, last ? YQ_LOGITS_LAST : YQ_LOGITS_NONE);
        if (rc) return rc;
        done += n;
    }
    return YQ_OK;
}

static int decode(session *s, const yq_generate_request *req, yq_generate_stats *stats) {
    const yq_model_config *c = &s->model->config;
    for (;;) {
        if (stats->n_generated >= req->params.max_tokens) {
            stats->stop_reason = YQ_STOP_MAX_TOKENS;
            return YQ_OK;
        }
        int32_t token = yq_sampler_sample(s->sampler, s->logits);
        if (is_eos(c, token)) {
            stats->stop_reason = YQ_STOP_EOS;
            return YQ_OK;
        }
        stats->n_generated++;
        yq_sampler_observe_output(s->sampler, token);
        if (req->on_token && req->on_token(req->user, token)) {
            stats->stop_reason = YQ_STOP_CALLER;
            return YQ_OK;
        }
        if (s->seq.n_tokens >= c->max_context) {
            stats->stop_reason = YQ_STOP_CONTEXT;
            return YQ_OK;
        }
        int rc = run_step(s, &token, 1, YQ_LOGITS_LAST);
        if (rc) return rc;
    }
}

int yq_generate(const yq_model *model, const yq_generate_request *req, yq_generate_stats *stats) {
    *stats = (yq_generate_stats){.n_prompt = req->n_prompt};
    session s = {0};
    int rc = session_open(&s, model, req);
    double t0 = now_seconds();
    if (!rc) rc = prefill(&s, req);
    double t1 = now_seconds();
    if (!rc) rc = decode(&s, req, stats);
    stats->prefill_seconds = t1 - t0;
    stats->decode_seconds = now_seconds() - t1;
    session_close(&s);
    return rc;
}
