/* Option parsing shared by the subcommands: strict numbers, id lists, the common flags. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "yuqing/error.h"
#include "yuqing/log.h"
#include "yuqing/sampling.h"
#include "yuqing/threads.h"

int cli_fail(int code) {
    fprintf(stderr, "yuqing: error: %s\n", yq_last_error());
    return yq_error_is_bad_input(code) ? EXIT_USAGE : EXIT_RUNTIME;
}

int cli_usage_error(const char *command, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "yuqing %s: error: ", command);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see yuqing %s --help)\n", command);
    va_end(ap);
    return EXIT_USAGE;
}

int cli_parse_int(const char *flag, const char *value, long long min, long long max, long long *out) {
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (errno || end == value || *end != '\0' || v < min || v > max)
        return yq_error(YQ_EINVAL, "%s: '%s' is not an integer in [%lld, %lld]", flag, value, min, max);
    *out = v;
    return YQ_OK;
}

int cli_parse_float(const char *flag, const char *value, double min, double max, double *out) {
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (errno || end == value || *end != '\0' || !isfinite(v) || v < min || v > max)
        return yq_error(YQ_EINVAL, "%s: '%s' is not a number in [%g, %g]", flag, value, min, max);
    *out = v;
    return YQ_OK;
}

int cli_parse_ids(const char *flag, const char *value, int32_t **ids, int *n_ids) {
    size_t cap = strlen(value) / 2 + 1;
    int32_t *out = malloc(cap * sizeof *out);
    if (!out) return yq_error(YQ_ENOMEM, "out of memory");
    int n = 0;
    const char *p = value;
    for (;;) {
        while (*p == ' ' || *p == ',' || *p == '\t' || *p == '\n') p++;
        if (!*p) break;
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (errno || end == p || v < 0 || v > INT32_MAX ||
            (*end && *end != ' ' && *end != ',' && *end != '\t' && *end != '\n')) {
            free(out);
            return yq_error(YQ_EINVAL, "%s: '%s' is not a list of token ids", flag, value);
        }
        out[n++] = (int32_t)v;
        p = end;
    }
    *ids = out;
    *n_ids = n;
    return YQ_OK;
}

const char *cli_flag_value(int argc, char **argv, int *i) {
    if (*i + 1 >= argc) {
        yq_error(YQ_EINVAL, "%s needs a value", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

int cli_common_flag(int argc, char **argv, int *i) {
    const char *arg = argv[*i];
    if (!strcmp(arg, "--quiet")) {
        yq_log_set_level(YQ_LOG_ERROR);
        return 1;
    }
    if (!strcmp(arg, "--verbose")) {
        yq_log_set_level(YQ_LOG_DEBUG);
        return 1;
    }
    if (!strcmp(arg, "--threads")) {
        const char *value = cli_flag_value(argc, argv, i);
        long long n;
        if (!value) return YQ_EINVAL;
        int rc = cli_parse_int("--threads", value, 1, 1024, &n);
        if (rc) return rc;
        rc = yq_threads_init((int)n);
        return rc ? rc : 1;
    }
    return 0;
}

static int sampling_value(int argc, char **argv, int *i, const char **value) {
    *value = cli_flag_value(argc, argv, i);
    return *value ? YQ_OK : YQ_EINVAL;
}

int cli_sampling_flag(int argc, char **argv, int *i, struct yq_sampling_params *p) {
    const char *flag = argv[*i], *value;
    long long n;
    double x;
    int rc;
    if (strcmp(flag, "--max-tokens") && strcmp(flag, "--temperature") && strcmp(flag, "--top-k") &&
        strcmp(flag, "--top-p") && strcmp(flag, "--min-p") && strcmp(flag, "--repetition-penalty") &&
        strcmp(flag, "--seed"))
        return 0;
    if ((rc = sampling_value(argc, argv, i, &value))) return rc;
    if (!strcmp(flag, "--max-tokens")) {
        if ((rc = cli_parse_int(flag, value, 0, INT32_MAX, &n))) return rc;
        p->max_tokens = (int)n;
    } else if (!strcmp(flag, "--top-k")) {
        if ((rc = cli_parse_int(flag, value, 0, INT32_MAX, &n))) return rc;
        p->top_k = (int)n;
    } else if (!strcmp(flag, "--seed")) {
        if ((rc = cli_parse_int(flag, value, 0, INT64_MAX, &n))) return rc;
        p->seed = (uint64_t)n;
    } else {
        double max = !strcmp(flag, "--temperature") ? 100.0 : !strcmp(flag, "--repetition-penalty") ? 100.0 : 1.0;
        double min = !strcmp(flag, "--repetition-penalty") ? 1e-6 : 0.0;
        if ((rc = cli_parse_float(flag, value, min, max, &x))) return rc;
        if (!strcmp(flag, "--temperature")) p->temperature = (float)x;
        else if (!strcmp(flag, "--top-p")) p->top_p = (float)x;
        else if (!strcmp(flag, "--min-p")) p->min_p = (float)x;
        else p->repetition_penalty = (float)x;
    }
    return 1;
}

void cli_print_sampling_help(FILE *out) {
    fprintf(out,
            "sampling (defaults from the model's generation_config.json, else greedy):\n"
            "  --max-tokens N           tokens to generate at most\n"
            "  --temperature T          0 = greedy\n"
            "  --top-k K                keep the K most likely tokens (0 = off)\n"
            "  --top-p P                nucleus sampling mass (1 = off)\n"
            "  --min-p M                drop tokens below M x the top probability (0 = off)\n"
            "  --repetition-penalty R   Hugging Face repetition penalty (1 = off)\n"
            "  --seed S                 random seed (default: from the clock)\n");
}

void cli_sampling_unset(struct yq_sampling_params *f) {
    *f = (yq_sampling_params){.temperature = -1.0f, .top_k = -1, .top_p = -1.0f, .min_p = -1.0f,
                              .repetition_penalty = -1.0f, .presence_penalty = 0.0f,
                              .frequency_penalty = 0.0f, .seed = UINT64_MAX, .max_tokens = -1};
}

void cli_sampling_apply(struct yq_sampling_params *p, const struct yq_sampling_params *f) {
    if (f->temperature >= 0) p->temperature = f->temperature;
    if (f->top_k >= 0) p->top_k = f->top_k;
    if (f->top_p >= 0) p->top_p = f->top_p;
    if (f->min_p >= 0) p->min_p = f->min_p;
    if (f->repetition_penalty >= 0) p->repetition_penalty = f->repetition_penalty;
    if (f->max_tokens >= 0) p->max_tokens = f->max_tokens;
    if (f->seed != UINT64_MAX) {
        p->seed = f->seed;
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        p->seed = (uint64_t)ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec;
    }
}

static int take_option(int argc, char **argv, int *i, const cli_option *o) {
    if (o->kind == CLI_SWITCH) {
        *(int *)o->target = 1;
        return YQ_OK;
    }
    const char *value = cli_flag_value(argc, argv, i);
    if (!value) return YQ_EINVAL;
    if (o->kind == CLI_STRING) {
        *(const char **)o->target = value;
        return YQ_OK;
    }
    cli_list *list = o->target;
    const char **items = realloc(list->items, (size_t)(list->n + 1) * sizeof *items);
    if (!items) return yq_error(YQ_ENOMEM, "out of memory");
    list->items = items;
    list->items[list->n++] = value;
    return YQ_OK;
}

int cli_parse_options(const char *command, int argc, char **argv, const cli_option *options,
                      yq_sampling_params *sampling, void (*usage)(FILE *out)) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help")) {
            usage(stdout);
            return -1;
        }
        int rc = cli_common_flag(argc, argv, &i);
        if (rc == 0 && sampling) rc = cli_sampling_flag(argc, argv, &i, sampling);
        if (rc < 0) return cli_usage_error(command, "%s", yq_last_error());
        if (rc > 0) continue;
        const cli_option *o = options;
        while (o->name && strcmp(o->name, argv[i])) o++;
        if (!o->name) return cli_usage_error(command, "unknown option '%s'", argv[i]);
        if (take_option(argc, argv, &i, o)) return cli_usage_error(command, "%s", yq_last_error());
    }
    return 0;
}

int cli_split_positional(const char *command, int argc, char **argv, const char *const *with_value,
                         const char **positional, char **rest, int *n_rest) {
    *positional = NULL;
    *n_rest = 1;
    rest[0] = argv[0];
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "--", 2)) {
            rest[(*n_rest)++] = argv[i];
            int has_value = !strcmp(argv[i], "--threads");
            for (int k = 0; with_value[k] && !has_value; k++) has_value = !strcmp(argv[i], with_value[k]);
            if (has_value && i + 1 < argc) rest[(*n_rest)++] = argv[++i];
        } else if (!*positional) {
            *positional = argv[i];
        } else {
            return cli_usage_error(command, "unexpected argument '%s'", argv[i]);
        }
    }
    return 0;
}
