/* `yuqing crawl CONFIG.yaml [--once | --daemon] [--state DIR] [--out ITEMS.jsonl]`: crawls the
 * configured sources into item records (docs/CRAWL.md); SIGTERM/SIGINT stop it cleanly. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "yuqing/crawl.h"
#include "yuqing/error.h"

static volatile int stop_requested;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: yuqing crawl CONFIG.yaml [--once | --daemon] [--state DIR] [--out ITEMS.jsonl]\n"
            "  CONFIG.yaml         sources and settings (see docs/CRAWL.md)\n"
            "  --once              crawl each source until its frontier is empty, then exit (default)\n"
            "  --daemon            crawl every source on its schedule until SIGTERM/SIGINT\n"
            "  --state DIR         seen URLs, frontier and outbox (default: CONFIG without .yaml + .state)\n"
            "  --out ITEMS.jsonl   item records, one JSON object a line (overrides output.jsonl; '-' and\n"
            "                      the default without any output: stdout, the items stored by this run)\n"
            "  --quiet --verbose --help\n");
}

/* CONFIG.yaml -> CONFIG.state (malloc'd). */
static char *default_state_dir(const char *config) {
    size_t len = strlen(config);
    char *dir = malloc(len + sizeof ".state");
    if (!dir) return NULL;
    memcpy(dir, config, len + 1);
    char *dot = strrchr(dir, '.'), *slash = strrchr(dir, '/');
    if (dot && (!slash || dot > slash) && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml"))) *dot = '\0';
    strcat(dir, ".state");
    return dir;
}

static int run(const char *config_path, const char *state, const char *out, int daemon) {
    yq_crawl_config *config = NULL;
    int rc = yq_crawl_config_load(config_path, &config);
    if (rc) return cli_fail(rc == YQ_ENOENT ? YQ_EINVAL : rc);
    char *state_dir = state ? NULL : default_state_dir(config_path);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    yq_crawl_options options = {.mode = daemon ? YQ_CRAWL_DAEMON : YQ_CRAWL_ONCE,
                                .state_dir = state ? state : state_dir,
                                .out_jsonl = out,
                                .stop = &stop_requested};
    rc = options.state_dir ? yq_crawl_run(config, &options) : yq_error(YQ_ENOMEM, "out of memory");
    free(state_dir);
    yq_crawl_config_free(config);
    return rc ? cli_fail(rc) : EXIT_OK;
}

int cmd_crawl(int argc, char **argv) {
    const char *config, *state = NULL, *out = NULL;
    int once = 0, daemon = 0;
    char **rest = malloc(((size_t)argc + 1) * sizeof *rest);
    if (!rest) return cli_fail(yq_error(YQ_ENOMEM, "out of memory"));
    static const char *const with_value[] = {"--state", "--out", NULL};
    int n_rest, rc = cli_split_positional("crawl", argc, argv, with_value, &config, rest, &n_rest);
    cli_option options[] = {{"--once", CLI_SWITCH, &once},
                            {"--daemon", CLI_SWITCH, &daemon},
                            {"--state", CLI_STRING, &state},
                            {"--out", CLI_STRING, &out},
                            {NULL, 0, NULL}};
    if (rc == 0) rc = cli_parse_options("crawl", n_rest, rest, options, NULL, usage);
    free(rest);
    if (rc != 0) return rc < 0 ? EXIT_OK : rc;
    if (!config) return cli_usage_error("crawl", "give CONFIG.yaml");
    if (once && daemon) return cli_usage_error("crawl", "--once and --daemon exclude each other");
    return run(config, state, out, daemon);
}
