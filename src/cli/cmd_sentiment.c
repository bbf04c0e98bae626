/* `yuqing sentiment`: JSONL {"text"} on stdin to {"text","label","score"} on stdout, one line out
 * per line in, in order, with the built-in analyzer (or the LLM analyzer, lines sent in chunks so
 * they are decoded together); a bad line gives {"error"} in its place. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/llm_flags.h"
#include "yuqing/error.h"
#include "yuqing/json.h"
#include "yuqing/sentiment.h"

static void usage(FILE *out) {
    fprintf(out, "usage: yuqing sentiment [--model PATH | --llm-url URL] < IN.jsonl > OUT.jsonl\n"
                 "  reads one JSON object {\"text\": ..., \"lang\": \"zh\"|\"en\" (optional)} per line and\n"
                 "  writes {\"text\", \"label\", \"score\"} per line: label positive|neutral|negative, score the\n"
                 "  polarity in [-1, 1]; a bad line gives {\"error\": \"line N: ...\"} in its place.\n"
                 "  Without --model/--llm-url the built-in analyzer is used; its model file is found\n"
                 "  next to the program, in $YUQING_DATA_DIR/sentiment/ or the install prefix.\n"
                 "  With the LLM analyzer the label is the answer's \"sentiment\" and the score -1, 0 or 1;\n"
                 "  an answer that fails gives {\"error\"} for its line.\n"
                 "  --quiet --verbose --help\n");
    cli_llm_usage(out);
}

/* The output line for one input line, as a cJSON object (NULL when out of memory). */
static cJSON *analyse_line(const yq_sentiment_model *model, const char *line, size_t len, long line_no) {
    char msg[128];
    cJSON *in = cJSON_ParseWithLength(line, len), *out = cJSON_CreateObject();
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(in, "text");
    const cJSON *lang = cJSON_GetObjectItemCaseSensitive(in, "lang");
    yq_sentiment_result r;
    if (!cJSON_IsObject(in)) {
        snprintf(msg, sizeof msg, "line %ld: not a JSON object", line_no);
        cJSON_AddStringToObject(out, "error", msg);
    } else if (!cJSON_IsString(text)) {
        snprintf(msg, sizeof msg, "line %ld: no string field \"text\"", line_no);
        cJSON_AddStringToObject(out, "error", msg);
    } else if (yq_sentiment_score(model, text->valuestring, strlen(text->valuestring),
                                  cJSON_IsString(lang) ? lang->valuestring : NULL, &r) != 0) {
        snprintf(msg, sizeof msg, "line %ld: %s", line_no, yq_last_error());
        cJSON_AddStringToObject(out, "error", msg);
    } else {
        cJSON_AddStringToObject(out, "text", text->valuestring);
        cJSON_AddStringToObject(out, "label", yq_sentiment_label_name(r.label));
        cJSON_AddNumberToObject(out, "score", round(r.score * 1e4) / 1e4);
    }
    cJSON_Delete(in);
    return out;
}

/* Streams stdin to stdout with the built-in model; returns the number of bad lines, or -1 when
 * out of memory. */
static long run(const yq_sentiment_model *model, FILE *in, FILE *out) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long line_no = 0, bad = 0;
    while ((n = getline(&line, &cap, in)) >= 0) {
        line_no++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
        cJSON *result = analyse_line(model, line, (size_t)n, line_no);
        char *json = result ? cJSON_PrintUnformatted(result) : NULL;
        if (!json) {
            cJSON_Delete(result);
            free(line);
            return -1;
        }
        bad += cJSON_HasObjectItem(result, "error");
        fputs(json, out);
        fputc('\n', out);
        free(json);
        cJSON_Delete(result);
    }
    free(line);
    return bad;
}

int cmd_sentiment(int argc, char **argv) {
    cli_option options[CLI_LLM_N_OPTIONS + 1] = {[CLI_LLM_N_OPTIONS] = {NULL, 0, NULL}};
    cli_llm_flags llm;
    cli_llm_options(&llm, options);
    int rc = cli_parse_options("sentiment", argc, argv, options, NULL, usage);
    if (rc != 0) return rc < 0 ? EXIT_OK : rc;
    long bad;
    if (cli_llm_wanted(&llm)) {
        yq_analyzer *analyzer;
        rc = cli_llm_open(&llm, NULL, &analyzer);
        if (rc != 0) return cli_fail(rc);
        bad = cli_sentiment_llm(analyzer, stdin, stdout);
        analyzer->free(analyzer);
    } else {
        yq_sentiment_model *model;
        rc = yq_sentiment_open(NULL, &model);
        if (rc != 0) return cli_fail(rc);
        bad = run(model, stdin, stdout);
        yq_sentiment_close(model);
    }
    if (bad < 0) return cli_fail(yq_error(YQ_ENOMEM, "out of memory"));
    if (bad > 0) fprintf(stderr, "yuqing sentiment: %ld bad line%s (see the \"error\" lines)\n", bad, bad > 1 ? "s" : "");
    if (fflush(stdout) != 0) return cli_fail(yq_error(YQ_EIO, "writing stdout failed"));
    return EXIT_OK;
}
