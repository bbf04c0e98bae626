/* The pre-tokenizer pipeline: runs each piece through the next step, known patterns by their
 * hand-written matchers, other patterns through PCRE2 (JIT-compiled where available). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include "tokenizer/pretok.h"
#include "yuqing/error.h"

static int add_step(yq_pretok *p, pretok_step step, const char *what) {
    if (p->n_steps == PRETOK_MAX_STEPS) {
        if (step.regex) pcre2_code_free(step.regex);
        return yq_error(YQ_ERANGE, "%s: more than %d pre-tokenizer steps", what, PRETOK_MAX_STEPS);
    }
    p->steps[p->n_steps++] = step;
    return YQ_OK;
}

static int compile(const char *pattern, pcre2_code **out, const char *what) {
    int err;
    PCRE2_SIZE at;
    *out = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                         PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY, &err, &at, NULL);
    if (!*out) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        return yq_error(YQ_EFORMAT, "%s: pattern does not compile at offset %zu: %s", what, (size_t)at,
                        (const char *)msg);
    }
    pcre2_jit_compile(*out, PCRE2_JIT_COMPLETE); /* the interpreter is the fallback */
    return YQ_OK;
}

int pretok_add_split(yq_pretok *p, const char *pattern, int keep_gaps, const char *what) {
    pretok_step step = {.match = pretok_known_pattern(pattern), .keep_gaps = keep_gaps};
    if (!step.match) {
        int rc = compile(pattern, &step.regex, what);
        if (rc) return rc;
    }
    return add_step(p, step, what);
}

int pretok_add_byte_level(yq_pretok *p, int add_prefix_space, int use_regex, const char *what) {
    pretok_step step = {.prefix_space = add_prefix_space ? PRETOK_PREFIX_IF_MISSING : PRETOK_PREFIX_NONE,
                        .keep_gaps = 1};
    if (use_regex) step.match = pretok_known_pattern(pretok_gpt2_pattern);
    return add_step(p, step, what);
}

int pretok_add_space_prefix(yq_pretok *p, const char *what) {
    return add_step(p, (pretok_step){.prefix_space = PRETOK_PREFIX_ALWAYS, .keep_gaps = 1}, what);
}

void pretok_free(yq_pretok *p) {
    for (int i = 0; i < p->n_steps; i++)
        if (p->steps[i].regex) pcre2_code_free(p->steps[i].regex);
    p->n_steps = 0;
}

void pretok_scratch_free(pretok_scratch *s) {
    for (int i = 0; i < PRETOK_MAX_STEPS; i++) {
        free(s->prefixed[i].data);
        if (s->match_data[i]) pcre2_match_data_free(s->match_data[i]);
    }
    memset(s, 0, sizeof *s);
}

typedef struct split_call {
    const yq_pretok *p;
    pretok_scratch *scratch;
    pretok_emit_fn emit;
    void *ctx;
} split_call;

static int run_step(const split_call *c, int k, const uint8_t *s, size_t n);

static int next_step(const split_call *c, int k, const uint8_t *s, size_t n) {
    if (n == 0) return YQ_OK;
    return k + 1 == c->p->n_steps ? c->emit(c->ctx, s, n) : run_step(c, k + 1, s, n);
}

/* Splits by a PCRE2 pattern; an empty match moves on by one character. */
static int split_regex(const split_call *c, int k, const uint8_t *s, size_t n) {
    const pretok_step *step = &c->p->steps[k];
    pcre2_match_data **md = &c->scratch->match_data[k];
    if (!*md && !(*md = pcre2_match_data_create(1, NULL)))
        return yq_error(YQ_ENOMEM, "pre-tokenizer: out of memory");
    size_t pos = 0, gap = 0;
    while (pos <= n) {
        int m = pcre2_match(step->regex, s, n, pos, PCRE2_NO_UTF_CHECK, *md, NULL);
        if (m == PCRE2_ERROR_NOMATCH) break;
        if (m < 0) return yq_error(YQ_ERANGE, "pre-tokenizer: regex match failed (%d)", m);
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(*md);
        int rc = step->keep_gaps ? next_step(c, k, s + gap, ov[0] - gap) : 0;
        if (!rc) rc = next_step(c, k, s + ov[0], ov[1] - ov[0]);
        if (rc) return rc;
        gap = pos = ov[1];
        if (ov[1] == ov[0]) {
            if (pos == n) break;
            do
                pos++;
            while (pos < n && (s[pos] & 0xC0) == 0x80);
        }
    }
    return step->keep_gaps ? next_step(c, k, s + gap, n - gap) : YQ_OK;
}

static int run_step(const split_call *c, int k, const uint8_t *s, size_t n) {
    const pretok_step *step = &c->p->steps[k];
    if (step->prefix_space == PRETOK_PREFIX_ALWAYS ||
        (step->prefix_space == PRETOK_PREFIX_IF_MISSING && s[0] != ' ')) {
        yq_buf *b = &c->scratch->prefixed[k];
        b->len = 0;
        int rc = yq_buf_append(b, " ", 1);
        if (!rc) rc = yq_buf_append(b, s, n);
        if (rc) return rc;
        s = b->data;
        n = b->len;
    }
    if (step->regex) return split_regex(c, k, s, n);
    if (!step->match) return next_step(c, k, s, n);
    for (size_t pos = 0; pos < n;) {
        size_t end = step->match(s, n, pos);
        int rc = next_step(c, k, s + pos, end - pos);
        if (rc) return rc;
        pos = end;
    }
    return YQ_OK;
}

int pretok_split(const yq_pretok *p, pretok_scratch *scratch, const uint8_t *s, size_t n, pretok_emit_fn emit,
                 void *ctx) {
    split_call c = {p, scratch, emit, ctx};
    if (n == 0) return YQ_OK;
    return p->n_steps ? run_step(&c, 0, s, n) : emit(ctx, s, n);
}
