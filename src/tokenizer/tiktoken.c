/* Loader of tiktoken rank files (`base64(token bytes) SP rank` per line): the token of rank r
 * has id r; two adjacent parts merge when their concatenation is a token, lowest rank first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tokenizer/tiktoken_encodings.h"
#include "tokenizer/tokenizer_internal.h"
#include "yuqing/error.h"
#include "yuqing/mapfile.h"

/* One parsed line: where its token bytes went in the decode buffer, and its rank. */
typedef struct rank_line {
    uint32_t offset, len;
    int32_t rank;
} rank_line;

static int base64_value(uint8_t c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decodes standard padded base64 s[0..n) to out (room for 3n/4 bytes); returns the length, or
 * -1 when s is not valid base64. */
static long base64_decode(const uint8_t *s, size_t n, uint8_t *out) {
    if (n == 0 || n % 4) return -1;
    size_t pad = (s[n - 1] == '=') + (s[n - 2] == '=');
    long len = 0;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++) {
            int d = i + k >= n - pad ? 0 : base64_value(s[i + k]);
            if (d < 0) return -1;
            v = v << 6 | (uint32_t)d;
        }
        for (size_t k = 0; k < 3; k++)
            out[len++] = (uint8_t)(v >> (16 - 8 * k));
    }
    return len - (long)pad;
}

/* Parses "TOKEN RANK" (trailing '\r' allowed) into `line`, its bytes appended to `bytes`. */
static int parse_line(const uint8_t *s, size_t n, yq_buf *bytes, rank_line *line, const char *path,
                      size_t line_no) {
    if (n && s[n - 1] == '\r') n--;
    const uint8_t *sp = memchr(s, ' ', n);
    if (!sp) return yq_error(YQ_EFORMAT, "%s:%zu: expected 'BASE64 RANK'", path, line_no);
    size_t k = (size_t)(sp - s);
    int rc = yq_buf_reserve(bytes, k);
    if (rc) return rc;
    long len = base64_decode(s, k, bytes->data + bytes->len);
    if (len <= 0) return yq_error(YQ_EFORMAT, "%s:%zu: bad base64 token", path, line_no);
    int64_t rank = 0;
    size_t i = k + 1;
    for (; i < n && s[i] >= '0' && s[i] <= '9' && rank <= INT32_MAX; i++)
        rank = rank * 10 + (s[i] - '0');
    if (i == k + 1 || i != n || rank >= INT32_MAX)
        return yq_error(YQ_EFORMAT, "%s:%zu: bad rank", path, line_no);
    *line = (rank_line){(uint32_t)bytes->len, (uint32_t)len, (int32_t)rank};
    bytes->len += (size_t)len;
    return YQ_OK;
}

/* Parses every non-empty line of the mapped file into a malloc'd array. */
static int parse_file(const yq_mapped_file *f, const char *path, yq_buf *bytes, rank_line **lines,
                      size_t *n_lines) {
    size_t cap = 1;
    for (size_t i = 0; i < f->size; i++)
        cap += f->data[i] == '\n';
    *lines = malloc(cap * sizeof **lines);
    if (!*lines) return yq_error(YQ_ENOMEM, "%s: out of memory", path);
    *n_lines = 0;
    size_t line_no = 0;
    for (size_t pos = 0; pos < f->size;) {
        const uint8_t *nl = memchr(f->data + pos, '\n', f->size - pos);
        size_t end = nl ? (size_t)(nl - f->data) : f->size;
        line_no++;
        if (end > pos && !(end == pos + 1 && f->data[pos] == '\r')) {
            int rc = parse_line(f->data + pos, end - pos, bytes, &(*lines)[*n_lines], path, line_no);
            if (rc) return rc;
            ++*n_lines;
        }
        pos = end + 1;
    }
    if (*n_lines == 0) return yq_error(YQ_EFORMAT, "%s: no ranks in the file", path);
    return YQ_OK;
}

/* Every split of a token into two tokens is a merge into it, with the token's rank. */
static int build_merges(yq_tokenizer *tok, const rank_line *lines, size_t n) {
    int rc = bpe_init(&tok->merges, 2 * n, (uint32_t)tok->vocab.n_ids);
    for (size_t i = 0; !rc && i < n; i++) {
        size_t len;
        const uint8_t *b = vocab_bytes(&tok->vocab, lines[i].rank, &len);
        for (size_t k = 1; !rc && k < len; k++) {
            int32_t left = vocab_find(&tok->vocab, b, k);
            int32_t right = left < 0 ? -1 : vocab_find(&tok->vocab, b + k, len - k);
            if (right >= 0) rc = bpe_add(&tok->merges, left, right, (uint32_t)lines[i].rank, lines[i].rank);
        }
    }
    return rc ? rc : bpe_finish(&tok->merges);
}

static int fill_vocab(yq_tokenizer *tok, const tiktoken_encoding *enc, const yq_buf *bytes,
                      const rank_line *lines, size_t n, const char *path) {
    int32_t max_id = 0;
    for (size_t i = 0; i < n; i++)
        max_id = lines[i].rank > max_id ? lines[i].rank : max_id;
    for (size_t i = 0; i < enc->n_specials; i++)
        max_id = enc->specials[i].id > max_id ? enc->specials[i].id : max_id;
    int rc = vocab_init(&tok->vocab, max_id + 1, n);
    if (!rc) rc = yq_buf_reserve(&tok->vocab.pool, bytes->len);
    for (size_t i = 0; !rc && i < n; i++)
        rc = vocab_set(&tok->vocab, lines[i].rank, bytes->data + lines[i].offset, lines[i].len, 1, path);
    for (size_t i = 0; !rc && i < enc->n_specials; i++) {
        const tiktoken_special *s = &enc->specials[i];
        rc = vocab_set(&tok->vocab, s->id, (const uint8_t *)s->text, strlen(s->text), 0, path);
        if (!rc) rc = specials_add(&tok->specials, (const uint8_t *)s->text, strlen(s->text), s->id, 1, 0);
    }
    if (!rc && enc->n_ordinary >= 0 && (int64_t)n != enc->n_ordinary)
        rc = yq_error(YQ_EFORMAT, "%s: %zu ranks where the encoding has %lld (truncated file?)", path, n,
                      (long long)enc->n_ordinary);
    return rc;
}

/* The encoding of `path`: from a sibling NAME.json, else its known NAME, else `encoding`. */
static int resolve_encoding(const char *path, const char *encoding, tiktoken_encoding *enc) {
    char stem[4096];
    size_t n = strlen(path);
    if (n >= 9 && !strcmp(path + n - 9, ".tiktoken")) n -= 9;
    snprintf(stem, sizeof stem, "%.*s.json", (int)n, path);
    struct stat st;
    if (stat(stem, &st) == 0) return tiktoken_read_json(stem, enc);
    stem[n] = '\0';
    const char *base = strrchr(stem, '/') ? strrchr(stem, '/') + 1 : stem;
    static const char *const known[] = {"cl100k_base", "o200k_base", "qwen"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(base, known[i])) return tiktoken_builtin(base, enc);
    if (encoding) return tiktoken_builtin(encoding, enc);
    return yq_error(YQ_EINVAL,
                    "%s: no sibling .json and not a known encoding name; name the "
                    "encoding (cl100k_base, o200k_base, qwen)",
                    path);
}

int tiktoken_load(yq_tokenizer *tok, const char *path, const char *encoding) {
    tiktoken_encoding enc;
    int rc = resolve_encoding(path, encoding, &enc);
    if (rc) return rc;
    yq_mapped_file f;
    yq_buf bytes = {0};
    rank_line *lines = NULL;
    size_t n = 0;
    rc = yq_map_file(path, &f);
    if (!rc) {
        rc = parse_file(&f, path, &bytes, &lines, &n);
        yq_unmap_file(&f);
    }
    if (!rc) rc = fill_vocab(tok, &enc, &bytes, lines, n, path);
    if (!rc) rc = build_merges(tok, lines, n);
    if (!rc) rc = tokenizer_prepare_bpe(tok, path);
    if (!rc) rc = pretok_add_split(&tok->pretok, enc.pattern, 0, path);
    if (!rc) {
        specials_finish(&tok->specials);
        tok->whole_piece_first = 1;
        tok->eos = enc.eos ? yq_tokenizer_special_id(tok, enc.eos) : -1;
    }
    free(lines);
    free(bytes.data);
    tiktoken_encoding_free(&enc);
    return rc;
}
