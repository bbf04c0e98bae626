/* `yuqing extract FILE.html [--url URL] [--charset CS]`: one saved page to one JSON object
 * (url, title, published_at, author, body, lang, media, links) on stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "yuqing/error.h"
#include "yuqing/extract.h"
#include "yuqing/mapfile.h"

static void usage(FILE *out) {
    fprintf(out, "usage: yuqing extract FILE.html [--url URL] [--charset CS]\n"
                 "  FILE.html           the page's raw bytes\n"
                 "  --url URL           the page's address: resolves relative links, printed as url\n"
                 "  --charset CS        the page's encoding (default: BOM, <meta>, then detection)\n"
                 "  --quiet --verbose --help\n");
}

int cmd_extract(int argc, char **argv) {
    const char *file, *url = NULL, *charset = NULL;
    char **rest = malloc(((size_t)argc + 1) * sizeof *rest);
    if (!rest) return cli_fail(yq_error(YQ_ENOMEM, "out of memory"));
    static const char *const with_value[] = {"--url", "--charset", NULL};
    int n_rest, rc = cli_split_positional("extract", argc, argv, with_value, &file, rest, &n_rest);
    cli_option options[] = {{"--url", CLI_STRING, &url}, {"--charset", CLI_STRING, &charset}, {NULL, 0, NULL}};
    if (rc == 0) rc = cli_parse_options("extract", n_rest, rest, options, NULL, usage);
    free(rest);
    if (rc != 0) return rc < 0 ? EXIT_OK : rc;
    if (!file) return cli_usage_error("extract", "give FILE.html");
    char *bytes;
    size_t len;
    rc = yq_read_file(file, &bytes, &len);
    if (rc != 0) {
        fprintf(stderr, "yuqing: error: %s\n", yq_last_error());
        return EXIT_USAGE; /* a missing or unreadable page is bad input */
    }
    yq_article article;
    rc = yq_extract_html(bytes, len, url, charset, &article);
    free(bytes);
    if (rc != 0) return cli_fail(rc);
    char *json = yq_article_to_json(&article);
    yq_article_free(&article);
    if (!json) return cli_fail(yq_error(YQ_ENOMEM, "out of memory writing JSON"));
    puts(json);
    free(json);
    return EXIT_OK;
}
