/* Model + tokenizer + streaming output, shared by the generate and chat commands. */
#include <stdlib.h>
#include <string.h>

#include "cli/session.h"
#include "yuqing/error.h"

int cli_session_open(cli_session *s, const char *model_path, const char *tokenizer_path, int need_tokenizer) {
    memset(s, 0, sizeof *s);
    int rc = yq_model_open(model_path, &s->model);
    if (rc) return rc;
    if (!tokenizer_path && !need_tokenizer) return YQ_OK;
    rc = yq_tokenizer_open(tokenizer_path ? tokenizer_path : s->model->folder, NULL, &s->tokenizer);
    if (rc && !tokenizer_path)
        return yq_error(YQ_EINVAL, "%s: the model has no tokenizer (%s); give --tokenizer PATH, or use --prompt-ids with --print-ids",
                        model_path, yq_last_error());
    if (!rc) rc = yq_detokenizer_new(s->tokenizer, &s->detok);
    return rc;
}

void cli_session_close(cli_session *s) {
    yq_stop_matcher_free(s->stops);
    yq_detokenizer_free(s->detok);
    yq_tokenizer_free(s->tokenizer);
    yq_model_close(s->model);
    free(s->captured);
    memset(s, 0, sizeof *s);
}

int cli_session_encode_prompt(cli_session *s, const char *text, int32_t **ids, int *n_ids) {
    int32_t *raw;
    size_t n;
    int rc = yq_tokenizer_encode(s->tokenizer, text, strlen(text), 1, &raw, &n);
    if (rc) return rc;
    int bos = yq_tokenizer_adds_bos(s->tokenizer) ? yq_tokenizer_bos(s->tokenizer) : -1;
    int32_t *out = malloc((n + 1) * sizeof *out);
    if (!out) {
        free(raw);
        return yq_error(YQ_ENOMEM, "out of memory");
    }
    int k = 0;
    if (bos >= 0) out[k++] = bos;
    memcpy(out + k, raw, n * sizeof *out);
    free(raw);
    *ids = out;
    *n_ids = k + (int)n;
    return YQ_OK;
}

int cli_session_set_stops(cli_session *s, const char *const *stops, int n_stops) {
    yq_stop_matcher_free(s->stops);
    s->stops = NULL;
    s->stopped = 0;
    s->captured_len = 0;
    if (s->captured) s->captured[0] = '\0';
    if (n_stops > 0 && !s->tokenizer)
        return yq_error(YQ_EINVAL, "--stop needs a tokenizer to see text; give --tokenizer PATH");
    if (!s->tokenizer) return YQ_OK;
    yq_detokenizer_free(s->detok);
    s->detok = NULL;
    int rc = yq_detokenizer_new(s->tokenizer, &s->detok);
    if (!rc) rc = yq_stop_matcher_new(stops, n_stops, &s->stops);
    return rc;
}

/* Writes released text to `out` and appends it to the captured reply. */
static void write_out(cli_session *s, FILE *out, const char *text, size_t len) {
    if (len == 0) return;
    if (s->captured_len + len + 1 > s->captured_cap) {
        size_t cap = (s->captured_len + len + 1) * 2;
        char *p = realloc(s->captured, cap);
        if (!p) return;
        s->captured = p;
        s->captured_cap = cap;
    }
    memcpy(s->captured + s->captured_len, text, len);
    s->captured_len += len;
    s->captured[s->captured_len] = '\0';
    if (!out) return;
    fwrite(text, 1, len, out);
    fflush(out);
}

int cli_session_stream(cli_session *s, int32_t token, FILE *out) {
    if (!s->detok || s->stopped) return s->stopped;
    const char *text, *emit;
    size_t len, emit_len;
    if (yq_detokenizer_push(s->detok, token, &text, &len)) return 0;
    s->stopped = yq_stop_matcher_feed(s->stops, text, len, &emit, &emit_len);
    write_out(s, out, emit, emit_len);
    return s->stopped;
}

void cli_session_finish_stream(cli_session *s, FILE *out) {
    if (!s->detok || s->stopped) return;
    const char *text, *emit;
    size_t len, emit_len;
    if (!yq_detokenizer_flush(s->detok, &text, &len)) {
        s->stopped = yq_stop_matcher_feed(s->stops, text, len, &emit, &emit_len);
        write_out(s, out, emit, emit_len);
    }
    if (!s->stopped) {
        yq_stop_matcher_flush(s->stops, &emit, &emit_len);
        write_out(s, out, emit, emit_len);
    }
}
