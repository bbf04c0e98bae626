/* `yuqing analyze --in ITEMS --watch WATCH.yaml --db DB`: crawled items through the built-in
 * analyzer (or the LLM analyzer with --model / --llm-url) into the analysis store; a summary of
 * counts as one JSON line on stdout. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "cli/llm_flags.h"
#include "yuqing/analyze.h"
#include "yuqing/error.h"
#include "yuqing/log.h"
#include "yuqing/pipeline.h"

static void usage(FILE *out) {
    fprintf(out, "usage: yuqing analyze --in ITEMS --watch WATCH.yaml --db DB [--alert-cmd CMD] [--batch N]\n"
                 "                      [--model PATH | --llm-url URL [--llm-model NAME] [--llm-key KEY]]\n"
                 "  --in ITEMS          crawled items: a JSONL file or the crawler's SQLite store (table items)\n"
                 "  --watch WATCH.yaml  watched entities, aliases, alert rules (docs/ANALYZE.md)\n"
                 "  --db DB             the analysis store (SQLite; created when missing)\n"
                 "  --alert-cmd CMD     run CMD (through /bin/sh) for each new alert, its JSON on stdin\n"
                 "  --batch N           articles per transaction (default 256)\n"
                 "  --threads N --quiet --verbose --help\n"
                 "Items already in DB are skipped, so reruns and resumed runs add nothing twice.\n");
    cli_llm_usage(out);
}

static int print_stats(const yq_analyze_stats *s, int n_alerts) {
    if (s->malformed)
        yq_warn("skipped %lld malformed item line(s), the first at line %lld", s->malformed, s->first_malformed_line);
    printf("{\"read\": %lld, \"analyzed\": %lld, \"already_stored\": %lld, \"malformed\": %lld, \"empty\": %lld,"
           " \"failed\": %lld, \"new_groups\": %lld, \"new_alerts\": %d}\n",
           s->read, s->analyzed, s->skipped_known, s->malformed, s->empty, s->failed, s->groups_new, n_alerts);
    return EXIT_OK;
}

int cmd_analyze(int argc, char **argv) {
    const char *in = NULL, *watch_path = NULL, *db = NULL, *batch = NULL, *alert_cmd = NULL;
    cli_option options[] = {{"--in", CLI_STRING, &in},
                            {"--watch", CLI_STRING, &watch_path},
                            {"--db", CLI_STRING, &db},
                            {"--batch", CLI_STRING, &batch},
                            {"--alert-cmd", CLI_STRING, &alert_cmd},
                            [5 + CLI_LLM_N_OPTIONS] = {NULL, 0, NULL}};
    cli_llm_flags llm;
    cli_llm_options(&llm, options + 5);
    int rc = cli_parse_options("analyze", argc, argv, options, NULL, usage);
    if (rc != 0) return rc < 0 ? EXIT_OK : rc;
    if (!in || !watch_path || !db) return cli_usage_error("analyze", "give --in, --watch and --db");
    long long batch_size = 256;
    if (batch && cli_parse_int("--batch", batch, 1, 100000, &batch_size))
        return cli_usage_error("analyze", "%s", yq_last_error());
    yq_watch *watch = NULL;
    yq_sentiment_model *sentiment = NULL;
    yq_analyzer *analyzer = NULL;
    rc = yq_watch_load(watch_path, &watch);
    if (!rc && cli_llm_wanted(&llm)) rc = cli_llm_open(&llm, watch, &analyzer);
    if (!rc && !analyzer) rc = yq_sentiment_open(NULL, &sentiment);
    if (!rc && !analyzer) rc = yq_builtin_analyzer_new(sentiment, &analyzer);
    yq_pass_result result;
    if (!rc) {
        yq_pass_options o = {in, db, watch, analyzer, NULL, alert_cmd, (int)batch_size, NULL, NULL};
        rc = yq_pipeline_pass(&o, &result);
    }
    if (analyzer) analyzer->free(analyzer);
    yq_sentiment_close(sentiment);
    yq_watch_free(watch);
    return rc ? cli_fail(rc) : print_stats(&result.analyze, result.new_alerts);
}
