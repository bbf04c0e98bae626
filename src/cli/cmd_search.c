/* `yuqing search --db DB QUERY [--entity E] [--sentiment S] [--since D] [--export csv|jsonl]`:
 * full-text search of the analysis store, as a table, CSV (RFC 4180 quoting) or JSON lines. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "yuqing/error.h"
#include "yuqing/store.h"

static void usage(FILE *out) {
    fprintf(out, "usage: yuqing search --db DB [QUERY] [--entity E] [--sentiment S] [--since D] [--limit N]\n"
                 "                     [--export csv|jsonl]\n"
                 "  QUERY               words that must all occur (Chinese in either script, English in any case)\n"
                 "  --entity E          only articles mentioning the watched entity E\n"
                 "  --sentiment S       positive, neutral or negative (toward E when --entity is given)\n"
                 "  --since D           articles from D on: a date/time (2024-05-01, UTC unless an offset\n"
                 "                      is given) or a span back from now (24h, 7d)\n"
                 "  --limit N           at most N results (default 20 for the table, all for --export)\n"
                 "  --export csv|jsonl  full rows: id, time, source, url, title, lang, sentiment, score,\n"
                 "                      event_type, summary, keywords, entities, group, group_articles\n"
                 "  --quiet --verbose --help\n");
}

/* Takes QUERY out of argv: the one argument that is neither an option nor an option's value. */
static int split_query(int argc, char **argv, const char **query, char **rest, int *n_rest) {
    static const char *const with_value[] = {"--db",    "--entity", "--sentiment", "--since",
                                             "--limit", "--export", "--threads",   NULL};
    *query = NULL;
    *n_rest = 1;
    rest[0] = argv[0];
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "--", 2)) {
            rest[(*n_rest)++] = argv[i];
            int has_value = 0;
            for (int k = 0; with_value[k]; k++)
                has_value |= !strcmp(argv[i], with_value[k]);
            if (has_value && i + 1 < argc) rest[(*n_rest)++] = argv[++i];
        } else if (!*query) {
            *query = argv[i];
        } else {
            return cli_usage_error("search", "unexpected argument '%s' (quote a query of several words)",
                                   argv[i]);
        }
    }
    return 0;
}

/* --since: an ISO date/time, or N followed by h or d meaning that long ago. */
static int parse_since(const char *value, char out[21]) {
    char *end;
    double n = strtod(value, &end);
    if (end != value && n >= 0 && (!strcmp(end, "h") || !strcmp(end, "d"))) {
        time_t t = time(NULL) - (time_t)(n * (*end == 'h' ? 3600 : 86400));
        struct tm utc;
        gmtime_r(&t, &utc);
        strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &utc);
        return YQ_OK;
    }
    return yq_iso_to_utc(value, out)
               ? yq_error(YQ_EINVAL, "--since: '%s' is not a date, time or span like 7d", value)
               : YQ_OK;
}

static void csv_field(const char *s, int last) {
    if (s && strpbrk(s, ",\"\r\n")) {
        putchar('"');
        for (; *s; s++) {
            if (*s == '"') putchar('"');
            putchar(*s);
        }
        putchar('"');
    } else if (s) {
        fputs(s, stdout);
    }
    putchar(last ? '\n' : ',');
}

static int print_csv(void *ctx, const yq_search_row *r) {
    char score[32], group[32], members[32];
    snprintf(score, sizeof score, "%.4f", r->score);
    snprintf(group, sizeof group, "%lld", r->group);
    snprintf(members, sizeof members, "%lld", r->group_articles);
    const char *fields[] = {r->id, r->time,       r->source,  r->url,      r->title,    r->lang, r->sentiment,
                            score, r->event_type, r->summary, r->keywords, r->entities, group,   members};
    int n = (int)(sizeof fields / sizeof fields[0]);
    for (int i = 0; i < n; i++)
        csv_field(fields[i], i == n - 1);
    return 0;
}

static void add_string(cJSON *o, const char *key, const char *value) {
    cJSON_AddItemToObject(o, key, value ? cJSON_CreateString(value) : cJSON_CreateNull());
}

static int print_jsonl(void *ctx, const yq_search_row *r) {
    cJSON *o = cJSON_CreateObject();
    const char *keys[] = {"id", "time", "source", "url", "title", "lang", "sentiment"};
    const char *values[] = {r->id, r->time, r->source, r->url, r->title, r->lang, r->sentiment};
    for (int i = 0; i < 7; i++)
        add_string(o, keys[i], values[i]);
    cJSON_AddNumberToObject(o, "score", (double)(float)r->score);
    add_string(o, "event_type", r->event_type);
    add_string(o, "summary", r->summary);
    cJSON_AddItemToObject(o, "keywords", r->keywords ? cJSON_Parse(r->keywords) : cJSON_CreateArray());
    cJSON_AddItemToObject(o, "entities", r->entities ? cJSON_Parse(r->entities) : cJSON_CreateArray());
    cJSON_AddNumberToObject(o, "group", (double)r->group);
    cJSON_AddNumberToObject(o, "group_articles", (double)r->group_articles);
    char *line = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!line) return yq_error(YQ_ENOMEM, "out of memory");
    puts(line);
    free(line);
    return 0;
}

static int print_table(void *ctx, const yq_search_row *r) {
    printf("%-20s  %-8s  %s  %s\n", r->time ? r->time : "-", r->sentiment ? r->sentiment : "-", r->title,
           r->url ? r->url : r->id);
    return 0;
}

int cmd_search(int argc, char **argv) {
    const char *db = NULL, *entity = NULL, *sentiment = NULL, *since = NULL, *limit = NULL, *export = NULL,
               *text;
    char **rest = malloc(((size_t)argc + 1) * sizeof *rest);
    if (!rest) return cli_fail(yq_error(YQ_ENOMEM, "out of memory"));
    int n_rest, rc = split_query(argc, argv, &text, rest, &n_rest);
    cli_option options[] = {{"--db", CLI_STRING, &db},
                            {"--entity", CLI_STRING, &entity},
                            {"--sentiment", CLI_STRING, &sentiment},
                            {"--since", CLI_STRING, &since},
                            {"--limit", CLI_STRING, &limit},
                            {"--export", CLI_STRING, &export},
                            {NULL, 0, NULL}};
    if (rc == 0) rc = cli_parse_options("search", n_rest, rest, options, NULL, usage);
    free(rest);
    if (rc != 0) return rc < 0 ? EXIT_OK : rc;
    if (!db) return cli_usage_error("search", "give --db");
    if (export && strcmp(export, "csv") && strcmp(export, "jsonl"))
        return cli_usage_error("search", "--export: '%s' is not csv or jsonl", export);
    if (sentiment && strcmp(sentiment, "positive") && strcmp(sentiment, "neutral") &&
        strcmp(sentiment, "negative"))
        return cli_usage_error("search", "--sentiment: '%s' is not positive, neutral or negative", sentiment);
    yq_search_query q = {text, entity, sentiment, NULL, export ? 0 : 20};
    char since_utc[21];
    if (since && parse_since(since, since_utc)) return cli_usage_error("search", "%s", yq_last_error());
    if (since) q.since = since_utc;
    if (limit && cli_parse_int("--limit", limit, 0, INT64_MAX, &q.limit))
        return cli_usage_error("search", "%s", yq_last_error());
    if (access(db, F_OK) != 0) return cli_fail(yq_error(YQ_ENOENT, "%s: no such analysis store", db));
    yq_store *store = NULL;
    rc = yq_store_open(db, &store);
    if (!rc && export && !strcmp(export, "csv"))
        printf("id,time,source,url,title,lang,sentiment,score,event_type,summary,keywords,entities,group,"
               "group_articles\n");
    if (!rc)
        rc = yq_store_search(store, &q,
                             !export                  ? print_table
                             : !strcmp(export, "csv") ? print_csv
                                                      : print_jsonl,
                             NULL);
    yq_store_close(store);
    return rc ? cli_fail(rc) : EXIT_OK;
}
