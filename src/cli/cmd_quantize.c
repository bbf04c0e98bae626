/* `yuqing quantize IN OUT --type TYPE`: a Hugging Face folder or GGUF file to a GGUF file with
 * llama.cpp's type mixes; a progress bar on a terminal, a line per tenth otherwise. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "yuqing/error.h"
#include "yuqing/log.h"
#include "yuqing/quantize.h"

static void usage(FILE *out) {
    fprintf(out, "usage: yuqing quantize IN OUT --type TYPE\n"
                 "  IN                  Hugging Face folder (Llama, Qwen2, Qwen3) or .gguf file\n"
                 "  OUT                 the .gguf file to write (written whole, then renamed into place)\n"
                 "  --type TYPE         f16, bf16, q8_0, q4_0, q4_k_m or q5_k_m (llama.cpp's mixes)\n"
                 "  --threads N --quiet --verbose --help\n");
}

/* Splits IN and OUT from the options: options (and their values) stay in `rest`. */
static int split_positionals(int argc, char **argv, const char **positional, int *n_positional, char **rest,
                             int *n_rest) {
    *n_positional = 0;
    *n_rest = 1;
    rest[0] = argv[0];
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "--", 2)) {
            rest[(*n_rest)++] = argv[i];
            int has_value = !strcmp(argv[i], "--type") || !strcmp(argv[i], "--threads");
            if (has_value && i + 1 < argc) rest[(*n_rest)++] = argv[++i];
        } else if (*n_positional < 2) {
            positional[(*n_positional)++] = argv[i];
        } else {
            return cli_usage_error("quantize", "unexpected argument '%s'", argv[i]);
        }
    }
    return *n_positional == 2 ? 0 : cli_usage_error("quantize", "give IN and OUT");
}

typedef struct bar {
    int tty, last; /* last: permille drawn on a terminal, else the tenth printed */
} bar;

static void on_progress(void *user, int64_t done, int64_t total, const char *tensor) {
    bar *b = user;
    int permille = total > 0 ? (int)(done * 1000 / total) : 1000;
    if (b->tty) {
        if (permille == b->last && done < total) return;
        int filled = permille * 30 / 1000;
        fprintf(stderr, "\r[%.*s%*s] %3d%% %-40.40s", filled, "##############################", 30 - filled,
                "", permille / 10, tensor);
        if (done == total) fputc('\n', stderr);
    } else {
        if (permille / 100 == b->last / 100 && done < total) return;
        fprintf(stderr, "quantize: %3d%% %s\n", permille / 10, tensor);
    }
    b->last = permille;
    fflush(stderr);
}

int cmd_quantize(int argc, char **argv) {
    const char *positional[2], *type_name = NULL;
    char *rest[argc + 1];
    int n_positional, n_rest;
    int status = split_positionals(argc, argv, positional, &n_positional, rest, &n_rest);
    const cli_option options[] = {{"--type", CLI_STRING, &type_name}, {NULL, CLI_SWITCH, NULL}};
    if (!status) status = cli_parse_options("quantize", n_rest, rest, options, NULL, usage);
    if (status) return status < 0 ? EXIT_OK : status;
    if (!type_name) return cli_usage_error("quantize", "--type is required");
    yq_quant_type type;
    if (yq_quant_type_parse(type_name, &type)) return cli_usage_error("quantize", "%s", yq_last_error());
    bar b = {isatty(STDERR_FILENO), -1};
    int show = yq_log_get_level() >= YQ_LOG_WARN; /* progress unless --quiet */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = yq_quantize_model(positional[0], positional[1], type, show ? on_progress : NULL, &b);
    if (rc) {
        if (b.tty && b.last >= 0) fputc('\n', stderr);
        return cli_fail(rc);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct stat st;
    double mib = stat(positional[1], &st) == 0 ? (double)st.st_size / (1 << 20) : 0;
    if (show)
        fprintf(stderr, "quantize: wrote %s (%s, %.1f MiB) in %.1f s\n", positional[1], type_name, mib,
                (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    return EXIT_OK;
}
