/* `yuqing tokenize`: text on stdin to token ids and back, either all of stdin as one text or
 * one JSON object per line ({"text"} to {"ids"}, {"ids"} to {"text"}), batches over threads. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "yuqing/error.h"
#include "yuqing/tokenizer.h"

typedef struct {
    const char *tokenizer, *encoding;
    int allow_special, count, decode, jsonl;
} tokenize_options;

enum { BATCH_LINES = 4096 };

static void usage(FILE *out) {
    fprintf(out, "usage: yuqing tokenize --tokenizer PATH [options] < TEXT\n"
                 "  --tokenizer PATH  .tiktoken file, tokenizer.json, GGUF file, or a model folder\n"
                 "  --encoding NAME   tiktoken encoding (cl100k_base, o200k_base, qwen) when the\n"
                 "                    .tiktoken file has no sibling NAME.json and no known name\n"
                 "  --allow-special   recognise special and added tokens in the text\n"
                 "  --count           print only the number of tokens\n"
                 "  --decode          read token ids, print the text they stand for\n"
                 "  --jsonl           one JSON object per line: {\"text\": ...} to {\"ids\": [...]}\n"
                 "                    (or {\"count\": N}); with --decode {\"ids\"} to {\"text\"}\n"
                 "  --threads N --quiet --verbose --help\n"
                 "Without --jsonl all of stdin is one text, byte for byte; ids are space-separated.\n");
}

static int parse_options(int argc, char **argv, tokenize_options *o) {
    const cli_option options[] = {{"--tokenizer", CLI_STRING, &o->tokenizer},
                                  {"--encoding", CLI_STRING, &o->encoding},
                                  {"--allow-special", CLI_SWITCH, &o->allow_special},
                                  {"--count", CLI_SWITCH, &o->count},
                                  {"--decode", CLI_SWITCH, &o->decode},
                                  {"--jsonl", CLI_SWITCH, &o->jsonl},
                                  {NULL, CLI_SWITCH, NULL}};
    int status = cli_parse_options("tokenize", argc, argv, options, NULL, usage);
    if (status) return status;
    if (!o->tokenizer) return cli_usage_error("tokenize", "--tokenizer is required");
    if (o->decode && (o->count || o->allow_special))
        return cli_usage_error("tokenize", "--decode takes neither --count nor --allow-special");
    return 0;
}

/* All of stdin, NUL-terminated (the NUL not counted in *len). */
static int read_stdin(char **data, size_t *len) {
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - 1 - n, stdin);
        if (n < cap - 1) break;
        char *bigger = realloc(buf, cap *= 2);
        if (!bigger) free(buf);
        buf = bigger;
    }
    if (!buf) return yq_error(YQ_ENOMEM, "stdin: out of memory");
    if (ferror(stdin)) {
        free(buf);
        return yq_error(YQ_EIO, "stdin: read error");
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return YQ_OK;
}

/* Writes ids as "1 2 3" (between `open` and `close`, separated by `sep`). */
static void print_ids(const int32_t *ids, size_t n, const char *open, const char *sep, const char *close) {
    fputs(open, stdout);
    for (size_t i = 0; i < n; i++)
        printf("%s%d", i ? sep : "", (int)ids[i]);
    fputs(close, stdout);
}

static int run_plain(const yq_tokenizer *tok, const tokenize_options *o, const char *text, size_t len) {
    int32_t *ids = NULL;
    size_t n = 0;
    int rc;
    if (o->decode) {
        int n_ids = 0;
        if (strlen(text) != len) return yq_error(YQ_EINVAL, "stdin: a NUL byte among the ids");
        rc = cli_parse_ids("stdin", text, &ids, &n_ids);
        char *out = NULL;
        if (!rc) rc = yq_tokenizer_decode(tok, ids, (size_t)n_ids, &out, &n);
        if (!rc) fwrite(out, 1, n, stdout);
        free(out);
    } else if (o->count) {
        rc = yq_tokenizer_count(tok, text, len, o->allow_special, &n);
        if (!rc) printf("%zu\n", n);
    } else {
        rc = yq_tokenizer_encode(tok, text, len, o->allow_special, &ids, &n);
        if (!rc) print_ids(ids, n, "", " ", "\n");
    }
    free(ids);
    return rc;
}

/* ---- JSON Lines ---- */

static int hex4(const char *p, unsigned *v) {
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) return -1;
        *v = *v << 4 | (unsigned)d;
    }
    return 0;
}

static size_t put_utf8(char *out, unsigned cp) {
    if (cp < 0x80) return (size_t)(out[0] = (char)cp, 1);
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The \u escape at p (after the backslash-u) into out; a surrogate pair takes both escapes. */
static int unicode_escape(const char **p, char *out, size_t *n) {
    unsigned hi, lo;
    if (hex4(*p, &hi)) return -1;
    *p += 4;
    if (hi >= 0xDC00 && hi <= 0xDFFF) return -1;
    if (hi >= 0xD800 && hi <= 0xDBFF) {
        if ((*p)[0] != '\\' || (*p)[1] != 'u' || hex4(*p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF) return -1;
        *p += 6;
        hi = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
    }
    *n += put_utf8(out + *n, hi);
    return 0;
}

/* Decodes the JSON string literal at *p (on its opening quote) into a malloc'd buffer, keeping
 * NUL bytes (\u0000) that a C string would lose; *p moves past the closing quote. */
static int json_string(const char **p, char **out, size_t *len) {
    const char *s = *p + 1;
    char *buf = malloc(strlen(s) + 1);
    size_t n = 0;
    if (!buf) return yq_error(YQ_ENOMEM, "out of memory");
    for (; *s != '"'; s++) {
        if ((unsigned char)*s < 0x20) goto bad; /* includes the end of the line */
        if (*s != '\\') {
            buf[n++] = *s;
            continue;
        }
        const char *esc = strchr("\"\\/bfnrt", *++s);
        if (*s == 'u') {
            s++;
            if (unicode_escape(&s, buf, &n)) goto bad;
            s--;
        } else if (esc && *s) {
            buf[n++] = "\"\\/\b\f\n\r\t"[esc - "\"\\/bfnrt"];
        } else {
            goto bad;
        }
    }
    *p = s + 1;
    *out = buf;
    *len = n;
    return YQ_OK;
bad:
    free(buf);
    return yq_error(YQ_EINVAL, "bad JSON string (bad escape, lone surrogate or control character)");
}

static const char *skip_ws(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    return p;
}

/* Finds member `key` of the JSON object that is the whole line. With `text`, the member must be
 * a string, whose exact bytes (NULs included) go to *text and *len; otherwise its parsed value
 * goes to *value. Other members are checked and skipped. */
static int json_member(const char *line, const char *key, char **text, size_t *len, cJSON **value) {
    const char *p = skip_ws(line);
    int found = 0, rc = YQ_OK;
    if (*p++ != '{') return yq_error(YQ_EINVAL, "not a JSON object");
    for (p = skip_ws(p); !rc && *p != '}';) {
        char *name = NULL;
        size_t name_len;
        if (*p != '"' || (rc = json_string(&p, &name, &name_len))) break;
        int match = !found && name_len == strlen(key) && !memcmp(name, key, name_len);
        free(name);
        if (*(p = skip_ws(p)) != ':') break;
        p = skip_ws(p + 1);
        if (match && *p == '"' && text) {
            rc = json_string(&p, text, len);
        } else {
            cJSON *v = cJSON_ParseWithOpts(p, &p, 0);
            if (!v) break;
            if (match && value)
                *value = v;
            else
                cJSON_Delete(v);
        }
        found |= match;
        if (*(p = skip_ws(p)) == ',')
            p = skip_ws(p + 1);
        else if (*p != '}')
            break;
    }
    if (rc || *p != '}' || *skip_ws(p + 1)) {
        if (text && *text) free(*text), *text = NULL;
        if (value && *value) cJSON_Delete(*value), *value = NULL;
        return rc ? rc : yq_error(YQ_EINVAL, "not a valid JSON object");
    }
    if (!found || (text && !*text))
        return yq_error(YQ_EINVAL, "no \"%s\" %s", key, text ? "string" : "field");
    return YQ_OK;
}

/* Writes s[0..n) as a JSON string; ill-formed UTF-8 becomes U+FFFD, so the line stays JSON. */
static void print_json_string(const char *s, size_t n) {
    putchar('"');
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        int k = yq_utf8_char_len(s + i, n - i);
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c < 0x20 || c == 0x7F)
            printf("\\u%04x", c);
        else if (k > 0)
            fwrite(s + i, 1, (size_t)k, stdout);
        else
            fputs("\\ufffd", stdout);
        i += k > 0 ? (size_t)k : 1;
    }
    putchar('"');
}

static void print_error(size_t line_no, const char *message) {
    char text[1200];
    snprintf(text, sizeof text, "line %zu: %s", line_no, message);
    fputs("{\"error\": ", stdout);
    print_json_string(text, strlen(text));
    fputs("}\n", stdout);
}

/* {"ids": [...]} to {"text": ...}, one line. */
static void decode_line(const yq_tokenizer *tok, const char *line, size_t line_no) {
    cJSON *ids_json = NULL, *it;
    int rc = json_member(line, "ids", NULL, NULL, &ids_json);
    int n = rc ? 0 : cJSON_GetArraySize(ids_json);
    int32_t *ids = malloc(((size_t)n + 1) * sizeof *ids);
    if (!rc && !cJSON_IsArray(ids_json)) rc = yq_error(YQ_EINVAL, "\"ids\" is not an array");
    if (!rc && !ids) rc = yq_error(YQ_ENOMEM, "out of memory");
    n = 0;
    const cJSON *list = rc ? NULL : ids_json;
    cJSON_ArrayForEach(it, list) {
        if (!cJSON_IsNumber(it) || it->valuedouble != (double)(int32_t)it->valuedouble) {
            rc = yq_error(YQ_EINVAL, "\"ids\" holds something other than token ids");
            break;
        }
        ids[n++] = (int32_t)it->valuedouble;
    }
    char *text = NULL;
    size_t len;
    if (!rc) rc = yq_tokenizer_decode(tok, ids, (size_t)n, &text, &len);
    if (rc) {
        print_error(line_no, yq_last_error());
    } else {
        fputs("{\"text\": ", stdout);
        print_json_string(text, len);
        fputs("}\n", stdout);
    }
    free(text);
    free(ids);
    cJSON_Delete(ids_json);
}

/* A batch of {"text"} lines: parsed here, encoded over the thread pool, printed in order. */
typedef struct text_batch {
    char *lines[BATCH_LINES];
    char *texts[BATCH_LINES];
    size_t lens[BATCH_LINES], n_ids[BATCH_LINES], n;
    int32_t *ids[BATCH_LINES];
    int status[BATCH_LINES];
    char *errors[BATCH_LINES]; /* the parse error of a line, or NULL */
} text_batch;

static void encode_batch(const yq_tokenizer *tok, const tokenize_options *o, text_batch *b,
                         size_t first_line_no) {
    for (size_t i = 0; i < b->n; i++) {
        b->texts[i] = NULL;
        b->lens[i] = 0;
        b->errors[i] = json_member(b->lines[i], "text", &b->texts[i], &b->lens[i], NULL)
                           ? strdup(yq_last_error())
                           : NULL;
    }
    yq_token_batch batch = {
        b->n, (const char *const *)b->texts, b->lens, o->count ? NULL : b->ids, b->n_ids, b->status};
    yq_tokenizer_encode_batch(tok, &batch, o->allow_special);
    for (size_t i = 0; i < b->n; i++) {
        if (b->errors[i]) {
            print_error(first_line_no + i, b->errors[i]);
        } else if (b->status[i]) { /* encode it again here for its message */
            size_t n;
            yq_tokenizer_count(tok, b->texts[i], b->lens[i], o->allow_special, &n);
            print_error(first_line_no + i, yq_last_error());
        } else if (o->count) {
            printf("{\"count\": %zu}\n", b->n_ids[i]);
        } else {
            print_ids(b->ids[i], b->n_ids[i], "{\"ids\": [", ", ", "]}\n");
        }
        if (!o->count) free(b->ids[i]);
        free(b->texts[i]);
        free(b->errors[i]);
        free(b->lines[i]);
    }
    b->n = 0;
}

static int run_jsonl(const yq_tokenizer *tok, const tokenize_options *o) {
    text_batch *b = calloc(1, sizeof *b);
    if (!b) return yq_error(YQ_ENOMEM, "out of memory");
    char *line = NULL;
    size_t cap = 0, line_no = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        size_t len = (size_t)n;
        line_no++;
        if (len && line[len - 1] == '\n') line[--len] = '\0';
        if (strlen(line) != len) {
            print_error(line_no, "a raw NUL byte in the line");
        } else if (o->decode) {
            decode_line(tok, line, line_no);
        } else {
            b->lines[b->n++] = line;
            line = NULL;
            cap = 0;
            if (b->n == BATCH_LINES) encode_batch(tok, o, b, line_no + 1 - BATCH_LINES);
        }
    }
    if (b->n) encode_batch(tok, o, b, line_no + 1 - b->n);
    free(line);
    free(b);
    return ferror(stdin) ? yq_error(YQ_EIO, "stdin: read error") : YQ_OK;
}

int cmd_tokenize(int argc, char **argv) {
    tokenize_options o = {0};
    int rc = parse_options(argc, argv, &o);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    yq_tokenizer *tok = NULL;
    rc = yq_tokenizer_open(o.tokenizer, o.encoding, &tok);
    if (!rc && o.jsonl) {
        rc = run_jsonl(tok, &o);
    } else if (!rc) {
        char *text = NULL;
        size_t len = 0;
        rc = read_stdin(&text, &len);
        if (!rc) {
            rc = run_plain(tok, &o, text, len);
            free(text);
        }
    }
    yq_tokenizer_free(tok);
    if (!rc && (fflush(stdout) != 0 || ferror(stdout))) rc = yq_error(YQ_EIO, "stdout: write error");
    return rc ? cli_fail(rc) : EXIT_OK;
}
