/* The subcommands of `yuqing`, one file each (cmd_NAME.c), and the option parsing they share. */
#ifndef YUQING_CLI_COMMANDS_H
#define YUQING_CLI_COMMANDS_H

#include <stdint.h>
#include <stdio.h>

#include "yuqing/sampling.h"

/* Exit statuses of the command-line contract. */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* Each command gets argv with argv[0] = its own name; it returns the process exit status. */
int cmd_generate(int argc, char **argv);
int cmd_chat(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_quantize(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_crawl(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_sentiment(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_transcribe(int argc, char **argv);

/* Prints "yuqing: error: MESSAGE" to stderr and returns the exit status for `code`
 * (2 for bad input, 1 for run-time failures). */
int cli_fail(int code);

/* Marks every sampling field as not given (before parsing flags). */
void cli_sampling_unset(struct yq_sampling_params *flags);
/* Copies the fields the flags gave over `params`; picks a clock seed when none was given. */
void cli_sampling_apply(struct yq_sampling_params *params, const struct yq_sampling_params *flags);

/* Help text for the sampling flags, printed by each command's --help. */
void cli_print_sampling_help(FILE *out);

/* Prints a usage error naming the command and returns EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Strict number parsing for flag values: the whole string must be a number in [min, max].
 * On failure a message naming `flag` is recorded and YQ_EINVAL returned. */
int cli_parse_int(const char *flag, const char *value, long long min, long long max, long long *out);
int cli_parse_float(const char *flag, const char *value, double min, double max, double *out);

/* Parses a space/comma separated id list ("1 300 301"). *ids is malloc'd. */
int cli_parse_ids(const char *flag, const char *value, int32_t **ids, int *n_ids);

/* Handles the flags every command shares: --threads N, --quiet, --verbose. Returns 1 when
 * argv[*i] was one of them (advancing *i past its value), 0 when not, or a negative YQ_E* code
 * for a bad value. */
int cli_common_flag(int argc, char **argv, int *i);

/* Sampling flags shared by generate, chat and serve: --max-tokens --temperature --top-k --top-p
 * --min-p --repetition-penalty --seed. Same return convention as cli_common_flag. */
int cli_sampling_flag(int argc, char **argv, int *i, struct yq_sampling_params *params);

/* A command's own options, for cli_parse_options. The table ends with a NULL name. */
typedef struct cli_list {
    const char **items; /* malloc'd by the parser; free with free() */
    int n;
} cli_list;

typedef enum { CLI_STRING, CLI_REPEATED, CLI_SWITCH } cli_option_kind;

typedef struct cli_option {
    const char *name;
    cli_option_kind kind;
    void *target; /* const char ** for STRING, cli_list * for REPEATED, int * for SWITCH */
} cli_option;

/* Parses argv[1..] against `options`, the common flags, and the sampling flags when `sampling`
 * is not NULL. Returns 0, EXIT_USAGE after printing a usage error, or -1 after printing the
 * help (--help) with `usage`. */
int cli_parse_options(const char *command, int argc, char **argv, const cli_option *options,
                      yq_sampling_params *sampling, void (*usage)(FILE *out));

/* Takes a command's one positional argument (FILE, CONFIG, QUERY) out of argv: *positional gets
 * the argument that is neither an option nor the value of one of `with_value` (NULL-terminated;
 * --threads is added); rest[0..*n_rest) gets argv without it (rest holds argc + 1 entries).
 * Returns 0 or EXIT_USAGE after a usage error for a second positional argument. */
int cli_split_positional(const char *command, int argc, char **argv, const char *const *with_value,
                         const char **positional, char **rest, int *n_rest);

/* The value of the flag at argv[*i] (advancing *i), or NULL with a recorded error if missing. */
const char *cli_flag_value(int argc, char **argv, int *i);

#endif
