/* `yuqing generate`: streams a model's continuation of a prompt (text or ids) to stdout, with
 * prompt and generation speeds on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/session.h"
#include "yuqing/error.h"
#include "yuqing/generate.h"
#include "yuqing/log.h"

typedef struct {
    const char *model_path, *tokenizer_path, *prompt, *prompt_ids;
    cli_list stops;
    int print_ids;
} generate_options;

static void usage(FILE *out) {
    fprintf(out,
            "usage: yuqing generate --model PATH (--prompt TEXT | --prompt-ids \"1 2 3\") [options]\n"
            "  --model PATH        Hugging Face folder, .safetensors file, .gguf file or llama2.c .bin\n"
            "  --prompt TEXT       prompt text (a BOS is added where the tokenizer's config adds one)\n"
            "  --prompt-ids IDS    prompt as token ids, used verbatim\n"
            "  --tokenizer PATH    tokenizer file or folder, where the model has none\n"
            "  --print-ids         print the generated ids (space-separated, one line), not text\n"
            "  --stop STR          stop before this text (repeatable); it is not printed\n"
            "  --threads N --quiet --verbose --help\n");
    cli_print_sampling_help(out);
}

static int parse_options(int argc, char **argv, generate_options *o, yq_sampling_params *flags) {
    const cli_option options[] = {
        {"--model", CLI_STRING, &o->model_path},     {"--tokenizer", CLI_STRING, &o->tokenizer_path},
        {"--prompt", CLI_STRING, &o->prompt},        {"--prompt-ids", CLI_STRING, &o->prompt_ids},
        {"--stop", CLI_REPEATED, &o->stops},         {"--print-ids", CLI_SWITCH, &o->print_ids},
        {NULL, CLI_SWITCH, NULL}};
    int status = cli_parse_options("generate", argc, argv, options, flags, usage);
    if (status) return status;
    if (!o->model_path) return cli_usage_error("generate", "--model is required");
    if (!o->prompt == !o->prompt_ids) return cli_usage_error("generate", "give exactly one of --prompt and --prompt-ids");
    return 0;
}

typedef struct {
    cli_session *session;
    int print_ids;
    int32_t *ids;
    int n_ids, cap_ids;
} stream_state;

static int on_token(void *user, int32_t token) {
    stream_state *st = user;
    if (st->print_ids) {
        if (st->n_ids == st->cap_ids) {
            st->cap_ids = st->cap_ids ? st->cap_ids * 2 : 256;
            int32_t *ids = realloc(st->ids, (size_t)st->cap_ids * sizeof *ids);
            if (!ids) return 1;
            st->ids = ids;
        }
        st->ids[st->n_ids++] = token;
    }
    return cli_session_stream(st->session, token, st->print_ids ? NULL : stdout);
}

static void print_ids(const int32_t *ids, int n) {
    for (int i = 0; i < n; i++) printf(i ? " %d" : "%d", ids[i]);
    printf("\n");
}

static void print_stats(const yq_generate_stats *s) {
    static const char *const reasons[] = {"end of sequence", "max tokens", "context full", "stop string"};
    yq_info("prompt: %d tokens, %.1f tokens/s; generated: %d tokens, %.1f tokens/s (%s)", s->n_prompt,
            s->prefill_seconds > 0 ? s->n_prompt / s->prefill_seconds : 0.0, s->n_generated,
            s->decode_seconds > 0 ? s->n_generated / s->decode_seconds : 0.0, reasons[s->stop_reason]);
}

int cmd_generate(int argc, char **argv) {
    generate_options o = {0};
    yq_sampling_params flags;
    cli_sampling_unset(&flags);
    yq_log_set_level(YQ_LOG_INFO);
    int status = parse_options(argc, argv, &o, &flags);
    if (status) {
        free(o.stops.items);
        return status < 0 ? EXIT_OK : status;
    }
    cli_session session;
    int rc = cli_session_open(&session, o.model_path, o.tokenizer_path, !o.prompt_ids || !o.print_ids || o.stops.n);
    int32_t *prompt = NULL;
    int n_prompt = 0;
    if (!rc) rc = o.prompt ? cli_session_encode_prompt(&session, o.prompt, &prompt, &n_prompt)
                           : cli_parse_ids("--prompt-ids", o.prompt_ids, &prompt, &n_prompt);
    if (!rc) rc = cli_session_set_stops(&session, o.stops.items, o.stops.n);
    stream_state st = {&session, o.print_ids, NULL, 0, 0};
    if (!rc) {
        yq_generate_request req = {prompt, n_prompt, session.model->generation_defaults, on_token, &st};
        cli_sampling_apply(&req.params, &flags);
        yq_generate_stats stats;
        rc = yq_generate(session.model, &req, &stats);
        if (!rc) {
            if (o.print_ids) print_ids(st.ids, st.n_ids);
            else cli_session_finish_stream(&session, stdout);
            print_stats(&stats);
        }
    }
    status = rc ? cli_fail(rc) : EXIT_OK;
    free(st.ids);
    free(prompt);
    free(o.stops.items);
    cli_session_close(&session);
    return status;
}
