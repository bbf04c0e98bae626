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
    const char **stops;
    int n_stops, print_ids;
    yq_sampling_params params;
    int params_given; /* sampling flags seen, applied over the model's defaults */
    yq_sampling_params overrides;
} generate_options;

static void usage(FILE *out) {
    fprintf(out,
            "usage: yuqing generate --model PATH (--prompt TEXT | --prompt-ids \"1 2 3\") [options]\n"
            "  --model PATH        Hugging Face folder, .safetensors file or llama2.c .bin\n"
            "  --prompt TEXT       prompt text (a BOS is added where the tokenizer's config adds one)\n"
            "  --prompt-ids IDS    prompt as token ids, used verbatim\n"
            "  --tokenizer PATH    tokenizer file or folder, where the model has none\n"
            "  --print-ids         print the generated ids (space-separated, one line), not text\n"
            "  --stop STR          stop before this text (repeatable); it is not printed\n"
            "  --threads N --quiet --verbose --help\n");
    cli_print_sampling_help(out);
}

static int parse_options(int argc, char **argv, generate_options *o, yq_sampling_params *flags) {
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int rc = cli_common_flag(argc, argv, &i);
        if (rc == 0) rc = cli_sampling_flag(argc, argv, &i, flags);
        if (rc < 0) return cli_usage_error("generate", "%s", yq_last_error());
        if (rc > 0) continue;
        const char **slot = !strcmp(arg, "--model")        ? &o->model_path
                            : !strcmp(arg, "--tokenizer")  ? &o->tokenizer_path
                            : !strcmp(arg, "--prompt")     ? &o->prompt
                            : !strcmp(arg, "--prompt-ids") ? &o->prompt_ids
                            : !strcmp(arg, "--stop")       ? &o->stops[o->n_stops]
                                                           : NULL;
        if (!strcmp(arg, "--help")) {
            usage(stdout);
            return -1;
        } else if (!strcmp(arg, "--print-ids")) {
            o->print_ids = 1;
        } else if (slot) {
            if (!(*slot = cli_flag_value(argc, argv, &i))) return cli_usage_error("generate", "%s", yq_last_error());
            if (slot == &o->stops[o->n_stops]) o->n_stops++;
        } else {
            return cli_usage_error("generate", "unknown option '%s'", arg);
        }
    }
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
    o.stops = calloc((size_t)argc, sizeof *o.stops);
    yq_sampling_params flags;
    cli_sampling_unset(&flags);
    yq_log_set_level(YQ_LOG_INFO);
    int status = o.stops ? parse_options(argc, argv, &o, &flags) : EXIT_RUNTIME;
    if (status) {
        free(o.stops);
        return status < 0 ? EXIT_OK : status;
    }
    cli_session session;
    int rc = cli_session_open(&session, o.model_path, o.tokenizer_path, !o.prompt_ids || !o.print_ids || o.n_stops);
    int32_t *prompt = NULL;
    int n_prompt = 0;
    if (!rc) rc = o.prompt ? cli_session_encode_prompt(&session, o.prompt, &prompt, &n_prompt)
                           : cli_parse_ids("--prompt-ids", o.prompt_ids, &prompt, &n_prompt);
    if (!rc) rc = cli_session_set_stops(&session, o.stops, o.n_stops);
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
    free(o.stops);
    cli_session_close(&session);
    return status;
}
