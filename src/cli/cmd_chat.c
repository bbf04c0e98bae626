/* `yuqing chat`: multi-turn chat on stdin/stdout. Each line of stdin is a user turn; the whole
 * conversation is rendered in the model's own chat format, the oldest turns dropped when it
 * would not fit the context, and the reply streamed to stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/session.h"
#include "yuqing/chat.h"
#include "yuqing/error.h"
#include "yuqing/log.h"

typedef struct {
    const char *model_path, *tokenizer_path, *system;
    cli_list stops;
    int no_think;
} chat_options;

typedef struct {
    yq_chat_message *items;
    int n, cap;
} history;

static void usage(FILE *out) {
    fprintf(out,
            "usage: yuqing chat --model PATH [--system TEXT] [options] < turns\n"
            "  each line of standard input is a user turn; replies go to standard output\n"
            "  --system TEXT       system message (default: the chat template's own, if any)\n"
            "  --tokenizer PATH    tokenizer file or folder, where the model has none\n"
            "  --stop STR          end a reply before this text (repeatable)\n"
            "  --no-think          Qwen3: answer without a thinking block (enable_thinking=false)\n"
            "  --threads N --quiet --verbose --help\n");
    cli_print_sampling_help(out);
}

static int parse_options(int argc, char **argv, chat_options *o, yq_sampling_params *flags) {
    const cli_option options[] = {
        {"--model", CLI_STRING, &o->model_path}, {"--tokenizer", CLI_STRING, &o->tokenizer_path},
        {"--system", CLI_STRING, &o->system},    {"--stop", CLI_REPEATED, &o->stops},
        {"--no-think", CLI_SWITCH, &o->no_think}, {NULL, CLI_SWITCH, NULL}};
    int status = cli_parse_options("chat", argc, argv, options, flags, usage);
    if (status) return status;
    if (!o->model_path) return cli_usage_error("chat", "--model is required");
    return 0;
}

static int history_push(history *h, const char *role, const char *content) {
    if (h->n == h->cap) {
        int cap = h->cap ? h->cap * 2 : 16;
        yq_chat_message *items = realloc(h->items, (size_t)cap * sizeof *items);
        if (!items) return yq_error(YQ_ENOMEM, "out of memory");
        h->items = items;
        h->cap = cap;
    }
    char *copy = strdup(content);
    if (!copy) return yq_error(YQ_ENOMEM, "out of memory");
    h->items[h->n++] = (yq_chat_message){role, copy};
    return YQ_OK;
}

/* Drops the oldest turn after the system message (a user message and its reply). */
static int history_trim(history *h, int first) {
    if (h->n - first <= 1) return 0;
    int drop = h->n - first >= 3 ? 2 : 1;
    for (int i = first; i < first + drop; i++) free((char *)h->items[i].content);
    memmove(h->items + first, h->items + first + drop, (size_t)(h->n - first - drop) * sizeof *h->items);
    h->n -= drop;
    return 1;
}

typedef struct {
    cli_session *session;
    int32_t end_of_turn;
} reply_state;

static int on_token(void *user, int32_t token) {
    reply_state *r = user;
    if (token == r->end_of_turn) return 1;
    return cli_session_stream(r->session, token, stdout);
}

/* Renders the conversation, trimming old turns until prompt + reply budget fit the context. */
static int render_prompt(cli_session *s, yq_chat_format format, history *h, int first,
                         const yq_chat_options *opts, int budget, int32_t **ids, int *n_ids) {
    for (;;) {
        char *text;
        int rc = yq_chat_render(format, h->items, (size_t)h->n, opts, &text);
        if (rc) return rc;
        size_t n;
        rc = yq_tokenizer_encode(s->tokenizer, text, strlen(text), 1, ids, &n);
        free(text);
        if (rc) return rc;
        *n_ids = (int)n;
        if (*n_ids + budget <= s->model->config.max_context) return YQ_OK;
        free(*ids);
        *ids = NULL;
        if (!history_trim(h, first))
            return yq_error(YQ_ERANGE, "the message has %d tokens; with --max-tokens %d it does not fit the context of %d",
                            *n_ids, budget, s->model->config.max_context);
        yq_info("chat: dropped the oldest turn to fit the context");
    }
}

/* Templates that call strftime_now (Llama 3.2) print today's date, as transformers does. */
static const char *template_date(const char *template_text, char *buf, size_t size) {
    if (!template_text || !strstr(template_text, "strftime_now")) return NULL;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(buf, size, "%d %b %Y", &tm);
    return buf;
}

static int chat_turn(cli_session *s, yq_chat_format format, history *h, int first, const chat_options *o,
                     const yq_sampling_params *params) {
    char date[32];
    yq_chat_options opts = {.add_generation_prompt = 1, .disable_thinking = o->no_think,
                            .date_string = template_date(yq_tokenizer_chat_template(s->tokenizer), date, sizeof date)};
    int32_t *ids = NULL;
    int n_ids = 0, budget = params->max_tokens < s->model->config.max_context / 2 ? params->max_tokens : s->model->config.max_context / 2;
    int rc = render_prompt(s, format, h, first, &opts, budget, &ids, &n_ids);
    if (!rc) rc = cli_session_set_stops(s, o->stops.items, o->stops.n);
    if (rc) {
        free(ids);
        return rc;
    }
    reply_state r = {s, yq_tokenizer_special_id(s->tokenizer, yq_chat_end_of_turn(format))};
    yq_generate_request req = {ids, n_ids, *params, on_token, &r};
    yq_generate_stats stats;
    rc = yq_generate(s->model, &req, &stats);
    free(ids);
    if (rc) return rc;
    cli_session_finish_stream(s, stdout);
    printf("\n");
    fflush(stdout);
    return history_push(h, "assistant", s->captured ? s->captured : "");
}

static int chat_loop(cli_session *s, const chat_options *o, const yq_sampling_params *params) {
    yq_chat_format format;
    if (!yq_chat_format_detect(yq_tokenizer_chat_template(s->tokenizer), &format))
        yq_warn("%s: no recognised chat template; using ChatML", o->model_path);
    history h = {0};
    int rc = o->system ? history_push(&h, "system", o->system) : YQ_OK;
    int first = h.n;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while (!rc && (len = getline(&line, &cap, stdin)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (len == 0) continue;
        rc = history_push(&h, "user", line);
        if (!rc) rc = chat_turn(s, format, &h, first, o, params);
        if (rc && yq_error_is_bad_input(rc)) { /* one bad turn does not end the chat */
            fprintf(stderr, "yuqing: error: %s\n", yq_last_error());
            free((char *)h.items[--h.n].content);
            rc = YQ_OK;
        }
    }
    free(line);
    for (int i = 0; i < h.n; i++) free((char *)h.items[i].content);
    free(h.items);
    return rc;
}

int cmd_chat(int argc, char **argv) {
    chat_options o = {0};
    yq_sampling_params flags;
    cli_sampling_unset(&flags);
    int status = parse_options(argc, argv, &o, &flags);
    if (status) {
        free(o.stops.items);
        return status < 0 ? EXIT_OK : status;
    }
    cli_session session;
    int rc = cli_session_open(&session, o.model_path, o.tokenizer_path, 1);
    if (!rc) {
        yq_sampling_params params = session.model->generation_defaults;
        cli_sampling_apply(&params, &flags);
        rc = chat_loop(&session, &o, &params);
    }
    status = rc ? cli_fail(rc) : EXIT_OK;
    free(o.stops.items);
    cli_session_close(&session);
    return status;
}
