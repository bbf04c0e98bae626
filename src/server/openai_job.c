/* One OpenAI request in flight: submits it to the engine, turns the engine's events into text
 * through a detokenizer and stop-string matcher per choice, and writes server-sent events or,
 * at the end, the whole JSON response. Runs on the engine thread after submission. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_internal.h"
#include "openai_internal.h"
#include "openai_json.h"
#include "yuqing/error.h"

typedef struct {
    yq_detokenizer *detok;
    yq_stop_matcher *stops;
    char *text;
    size_t len, cap;
    cJSON *logprobs;
    cJSON *tokens; /* with return_tokens */
    bool role_sent, stopped;
    double last_token;
} choice_state;

typedef struct {
    yq_engine *engine;
    uint64_t request_id;
} cancel_ticket;

typedef struct {
    yq_openai *api;
    openai_request req;
    yq_http_stream *stream;
    char id[48];
    long created;
    choice_state choices[OPENAI_MAX_N];
    int n_ended, n_prompt, n_cached, completion_tokens;
    const char *finish[OPENAI_MAX_N];
    double t_submit;
    bool any_token;
} openai_job;

static void job_free(openai_job *job) {
    for (int i = 0; i < job->req.n; i++) {
        yq_detokenizer_free(job->choices[i].detok);
        yq_stop_matcher_free(job->choices[i].stops);
        free(job->choices[i].text);
        cJSON_Delete(job->choices[i].logprobs);
        cJSON_Delete(job->choices[i].tokens);
    }
    openai_request_free(&job->req);
    free(job);
}

static void append_text(choice_state *c, const char *text, size_t len) {
    if (c->len + len + 1 > c->cap) {
        size_t cap = (c->len + len + 1) * 2;
        char *p = realloc(c->text, cap);
        if (!p) return;
        c->text = p;
        c->cap = cap;
    }
    memcpy(c->text + c->len, text, len);
    c->len += len;
    c->text[c->len] = '\0';
}

static int send_event(openai_job *job, cJSON *json) {
    char *text = cJSON_PrintUnformatted(json);
    cJSON_Delete(json);
    if (!text) return -1;
    size_t n = strlen(text);
    char *frame = malloc(n + 9);
    int rc = -1;
    if (frame) {
        memcpy(frame, "data: ", 6);
        memcpy(frame + 6, text, n);
        memcpy(frame + 6 + n, "\n\n", 2);
        rc = yq_http_stream_write(job->stream, frame, n + 8);
    }
    free(frame);
    free(text);
    return rc;
}

/* A stream chunk for one choice: new text (may be empty), logprobs, finish reason. */
static int send_chunk(openai_job *job, int index, const char *text, size_t len, cJSON *logprobs, const char *finish) {
    cJSON *root = openai_envelope(job->req.is_chat, true, job->id, job->created, job->api->config.model_name);
    char *copy = text ? strndup(text, len) : NULL;
    choice_state *c = &job->choices[index];
    cJSON_AddItemToArray(cJSON_GetObjectItem(root, "choices"),
                         openai_choice(job->req.is_chat, true, index, copy, !c->role_sent, finish, logprobs));
    c->role_sent = true;
    free(copy);
    return send_event(job, root);
}

static void record_logprobs(openai_job *job, choice_state *c, const yq_token_event *ev, cJSON **chunk_lp) {
    if (!job->req.logprobs) return;
    const yq_tokenizer *tok = job->api->config.tokenizer;
    cJSON *target = job->req.stream ? (*chunk_lp = openai_logprobs_new(job->req.is_chat)) : c->logprobs;
    if (job->req.is_chat) openai_chat_logprob(tok, ev, cJSON_GetObjectItem(target, "content"));
    else openai_completion_logprob(tok, ev, c->len, target);
}

static int on_token(openai_job *job, const yq_token_event *ev) {
    choice_state *c = &job->choices[ev->choice];
    double now = yq_http_now();
    if (!job->any_token) yq_metrics_observe(job->api->metrics, YQ_HIST_TTFT, now - job->t_submit);
    else if (c->last_token > 0) yq_metrics_observe(job->api->metrics, YQ_HIST_ITL, now - c->last_token);
    job->any_token = true;
    c->last_token = now;
    job->completion_tokens++;
    if (job->req.is_chat && ev->token == job->api->end_of_turn) return 1;
    const char *text = "", *emit = "";
    size_t len = 0, emit_len = 0;
    if (yq_detokenizer_push(c->detok, ev->token, &text, &len) == YQ_OK)
        c->stopped = yq_stop_matcher_feed(c->stops, text, len, &emit, &emit_len);
    cJSON *chunk_lp = NULL;
    record_logprobs(job, c, ev, &chunk_lp);
    if (c->tokens) cJSON_AddItemToArray(c->tokens, cJSON_CreateNumber(ev->token));
    if (!job->req.stream) {
        append_text(c, emit, emit_len);
        return c->stopped;
    }
    if ((emit_len > 0 || chunk_lp) && send_chunk(job, ev->choice, emit, emit_len, chunk_lp, NULL) < 0) return 1;
    return c->stopped;
}

/* The rest held by the detokenizer and matcher, unless a stop string ended the choice. */
static void flush_choice(choice_state *c, const char **emit, size_t *emit_len) {
    *emit = "";
    *emit_len = 0;
    if (c->stopped) return;
    const char *text;
    size_t len;
    if (!yq_detokenizer_flush(c->detok, &text, &len) && len > 0) {
        if (yq_stop_matcher_feed(c->stops, text, len, emit, emit_len)) return;
        char *held = strndup(*emit, *emit_len);
        const char *rest;
        size_t rest_len;
        yq_stop_matcher_flush(c->stops, &rest, &rest_len);
        append_text(c, held ? held : "", held ? strlen(held) : 0);
        free(held);
        *emit = rest;
        *emit_len = rest_len;
        return;
    }
    yq_stop_matcher_flush(c->stops, emit, emit_len);
}

static void send_final(openai_job *job);

static void on_end(openai_job *job, const yq_token_event *ev) {
    choice_state *c = &job->choices[ev->choice];
    job->n_prompt = ev->n_prompt;
    job->n_cached = ev->n_cached;
    job->finish[ev->choice] = ev->finish == YQ_FINISH_LENGTH ? "length" : "stop";
    if (ev->finish != YQ_FINISH_CANCELLED) {
        const char *emit;
        size_t emit_len;
        size_t before = c->len;
        flush_choice(c, &emit, &emit_len);
        append_text(c, emit, emit_len);
        if (job->req.stream) send_chunk(job, ev->choice, c->text + before, c->len - before, NULL, job->finish[ev->choice]);
    }
    if (++job->n_ended == job->req.n) send_final(job);
}

static void send_final(openai_job *job) {
    yq_openai *api = job->api;
    if (job->req.stream) {
        if (job->req.include_usage) {
            cJSON *root = openai_envelope(job->req.is_chat, true, job->id, job->created, api->config.model_name);
            cJSON_AddItemToObject(root, "usage", openai_usage(job->n_prompt, job->completion_tokens, job->n_cached));
            send_event(job, root);
        }
        yq_http_stream_write(job->stream, "data: [DONE]\n\n", 14);
    } else {
        cJSON *root = openai_envelope(job->req.is_chat, false, job->id, job->created, api->config.model_name);
        for (int i = 0; i < job->req.n; i++) {
            cJSON *lp = job->choices[i].logprobs;
            job->choices[i].logprobs = NULL;
            cJSON *choice = openai_choice(job->req.is_chat, false, i, job->choices[i].text ? job->choices[i].text : "",
                                          true, job->finish[i], lp);
            if (job->choices[i].tokens) {
                cJSON_AddItemToObject(choice, "tokens", job->choices[i].tokens);
                job->choices[i].tokens = NULL;
            }
            cJSON_AddItemToArray(cJSON_GetObjectItem(root, "choices"), choice);
        }
        cJSON_AddItemToObject(root, "usage", openai_usage(job->n_prompt, job->completion_tokens, job->n_cached));
        char *text = cJSON_PrintUnformatted(root);
        cJSON_Delete(root);
        if (text) yq_http_stream_write(job->stream, text, strlen(text));
        free(text);
    }
    yq_metrics_observe(api->metrics, YQ_HIST_E2E, yq_http_now() - job->t_submit);
    yq_http_stream_close(job->stream);
    job_free(job);
}

static int on_event(void *user, const yq_token_event *ev) {
    openai_job *job = user;
    if (ev->finish) {
        on_end(job, ev);
        return 0;
    }
    return on_token(job, ev);
}

static void on_abort(void *user) {
    cancel_ticket *t = user;
    yq_engine_cancel(t->engine, t->request_id);
}

static int job_init(yq_openai *api, openai_job *job) {
    snprintf(job->id, sizeof job->id, "%s-%llu", job->req.is_chat ? "chatcmpl" : "cmpl", ++api->next_id);
    job->created = (long)time(NULL);
    for (int i = 0; i < job->req.n; i++) {
        choice_state *c = &job->choices[i];
        int rc = yq_detokenizer_new(api->config.tokenizer, &c->detok);
        if (!rc) rc = yq_stop_matcher_new(job->req.stops, job->req.n_stops, &c->stops);
        if (rc) return rc;
        if (job->req.logprobs && !job->req.stream) c->logprobs = openai_logprobs_new(job->req.is_chat);
        if (job->req.return_tokens && !job->req.stream) c->tokens = cJSON_CreateArray();
        append_text(c, "", 0);
    }
    return YQ_OK;
}

static yq_http_response *submit_error(int rc) {
    if (rc == YQ_EBUSY)
        return yq_http_error(strstr(yq_last_error(), "shutting down") ? 503 : 429, "server_error", NULL, "%s", yq_last_error());
    if (yq_error_is_bad_input(rc)) return yq_http_error(400, "invalid_request_error", NULL, "%s", yq_last_error());
    return yq_http_error(500, "server_error", NULL, "%s", yq_last_error());
}

yq_http_response *openai_run(yq_openai *api, openai_request *req) {
    openai_job *job = calloc(1, sizeof *job);
    cancel_ticket *ticket = calloc(1, sizeof *ticket);
    if (!job || !ticket) {
        free(job);
        free(ticket);
        openai_request_free(req);
        return yq_http_error(500, "server_error", NULL, "out of memory");
    }
    job->api = api;
    job->req = *req;
    memset(req, 0, sizeof *req);
    if (job_init(api, job)) {
        free(ticket);
        job_free(job);
        return yq_http_error(500, "server_error", NULL, "%s", yq_last_error());
    }
    bool sse = job->req.stream;
    yq_http_response *response = yq_http_streamed(200, sse ? "text/event-stream" : "application/json",
                                                   sse ? ": keep-alive\n\n" : " ", on_abort, ticket, &job->stream);
    if (!response) {
        free(ticket);
        job_free(job);
        return yq_http_error(500, "server_error", NULL, "out of memory");
    }
    yq_request_params params = {job->req.prompt, job->req.n_prompt, job->req.sampling, job->req.n,
                                job->req.logprobs, job->req.top_logprobs, job->req.constraint,
                                job->req.constraint ? api->json_vocab : NULL, api->config.tokenizer};
    ticket->engine = api->config.engine;
    job->t_submit = yq_http_now();
    int rc = yq_engine_submit(api->config.engine, &params, on_event, job, &ticket->request_id);
    if (rc) {
        yq_http_response *error = submit_error(rc);
        yq_http_response_free(response);
        job_free(job);
        return error;
    }
    return response;
}
