/* `yuqing sentiment --model/--llm-url`: the input lines go to the LLM analyzer in chunks (so the
 * engine decodes a chunk together, or a server gets them concurrently); the output keeps the
 * input's order, one line each. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/llm_flags.h"
#include "yuqing/json.h"
#include "yuqing/sentiment.h"

enum { CHUNK = 64 };

typedef struct chunk {
    cJSON *in[CHUNK];
    long line_no[CHUNK];
    int n;
} chunk;

/* The error line for input i, or NULL when it holds text to analyse. */
static char *input_error(const chunk *c, int i) {
    char msg[128];
    if (!cJSON_IsObject(c->in[i])) snprintf(msg, sizeof msg, "line %ld: not a JSON object", c->line_no[i]);
    else if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(c->in[i], "text")))
        snprintf(msg, sizeof msg, "line %ld: no string field \"text\"", c->line_no[i]);
    else return NULL;
    return strdup(msg);
}

static void print_line(cJSON *o, FILE *out) {
    char *json = cJSON_PrintUnformatted(o);
    if (json) fprintf(out, "%s\n", json);
    free(json);
    cJSON_Delete(o);
}

/* Analyses and prints one chunk; returns its error lines, or -1 when out of memory. */
static long flush_chunk(yq_analyzer *analyzer, chunk *c, FILE *out) {
    yq_doc docs[CHUNK] = {{0}};
    yq_analysis results[CHUNK] = {{0}};
    int index[CHUNK], n_docs = 0;
    long bad = 0;
    for (int i = 0; i < c->n; i++) {
        index[i] = -1;
        if (cJSON_IsObject(c->in[i]) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(c->in[i], "text"))) {
            const char *text = cJSON_GetObjectItemCaseSensitive(c->in[i], "text")->valuestring;
            docs[n_docs] = (yq_doc){.id = "", .title = "", .body = text, .body_len = strlen(text), .folded_title = "",
                                    .folded_body = text, .folded_body_len = strlen(text), .lang = ""};
            index[i] = n_docs++;
        }
    }
    int rc = n_docs ? analyzer->analyze_batch(analyzer, docs, n_docs, results) : 0;
    for (int i = 0; !rc && i < c->n; i++) {
        cJSON *o = cJSON_CreateObject();
        const yq_analysis *a = index[i] >= 0 ? &results[index[i]] : NULL;
        char *error = a ? NULL : input_error(c, i), msg[700];
        if (a && a->failed) snprintf(msg, sizeof msg, "line %ld: %s", c->line_no[i], a->error);
        if (error || (a && a->failed)) {
            cJSON_AddStringToObject(o, "error", error ? error : msg);
            bad++;
        } else {
            cJSON_AddStringToObject(o, "text", cJSON_GetObjectItemCaseSensitive(c->in[i], "text")->valuestring);
            cJSON_AddStringToObject(o, "label", yq_sentiment_label_name(a->label));
            cJSON_AddNumberToObject(o, "score", round(a->score * 1e4) / 1e4);
        }
        free(error);
        print_line(o, out);
    }
    for (int i = 0; i < n_docs; i++)
        yq_analysis_clear(&results[i]);
    for (int i = 0; i < c->n; i++)
        cJSON_Delete(c->in[i]);
    c->n = 0;
    return rc ? -1 : bad;
}

long cli_sentiment_llm(yq_analyzer *analyzer, FILE *in, FILE *out) {
    chunk c = {.n = 0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long line_no = 0, bad = 0;
    while (bad >= 0 && (n = getline(&line, &cap, in)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        c.line_no[c.n] = ++line_no;
        c.in[c.n++] = cJSON_ParseWithLength(line, (size_t)n);
        if (c.n == CHUNK) {
            long b = flush_chunk(analyzer, &c, out);
            bad = b < 0 ? -1 : bad + b;
        }
    }
    free(line);
    if (bad >= 0 && c.n) {
        long b = flush_chunk(analyzer, &c, out);
        bad = b < 0 ? -1 : bad + b;
    }
    for (int i = 0; i < c.n; i++)
        cJSON_Delete(c.in[i]);
    return bad;
}
