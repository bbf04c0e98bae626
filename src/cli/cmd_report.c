/* `yuqing report --db DB --out DIR [--since DATE] [--until DATE]`: the static HTML dashboard
 * of an analysis store, written into DIR (docs/REPORT.md). */
#include <stdio.h>

#include "cli/commands.h"
#include "yuqing/error.h"
#include "yuqing/report.h"

static void usage(FILE *out) {
    fprintf(out, "usage: yuqing report --db DB --out DIR [--since DATE] [--until DATE]\n"
                 "  --db DB             the analysis store written by yuqing analyze\n"
                 "  --out DIR           folder for index.html and its files (created if needed)\n"
                 "  --since DATE        first day (YYYY-MM-DD, in the store's time zone)\n"
                 "  --until DATE        last day, included\n"
                 "  --quiet --verbose --help\n");
}

int cmd_report(int argc, char **argv) {
    const char *db = NULL, *out = NULL, *since = NULL, *until = NULL;
    cli_option options[] = {{"--db", CLI_STRING, &db},       {"--out", CLI_STRING, &out},
                            {"--since", CLI_STRING, &since}, {"--until", CLI_STRING, &until},
                            {NULL, 0, NULL}};
    int rc = cli_parse_options("report", argc, argv, options, NULL, usage);
    if (rc != 0) return rc < 0 ? EXIT_OK : rc;
    if (!db || !out) return cli_usage_error("report", "give --db DB and --out DIR");
    cJSON *data = NULL;
    rc = yq_report_from_store(db, since, until, &data);
    if (!rc) rc = yq_report_write_dir(data, out);
    cJSON_Delete(data);
    if (rc) return cli_fail(rc);
    fprintf(stderr, "report written: %s/index.html\n", out);
    return EXIT_OK;
}
