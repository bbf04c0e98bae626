/* The pipeline through the analyzer interface: a stand-in analyzer that fails on some articles
 * (they are stored as failed with the reason, not dropped), sees the prepared documents (cleaned
 * text, language, mentions), and a rerun that adds nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "yuqing/analyze.h"
#include "yuqing/error.h"
#include "yuqing/store.h"

static const char items[] =
    "{\"id\":\"1\",\"title\":\"ACME news\",\"body\":\"ACME &amp; friends grew.\"}\n"
    "{\"id\":\"2\",\"title\":\"FAIL this one\",\"body\":\"Nothing about the company.\"}\n"
    "{\"id\":\"3\",\"title\":\"艾克米\",\"body\":\"艾克米公司今天发布了新产品。\"}\n";

static const char watch_yaml[] = "entities:\n  - {name: ACME, aliases: [艾克米]}\n";

typedef struct stand_in {
    yq_analyzer base;
    int calls, docs_seen, mentions_seen, cleaned;
} stand_in;

static int stand_in_batch(yq_analyzer *self, const yq_doc *docs, int n, yq_analysis *out) {
    stand_in *s = (stand_in *)self;
    s->calls++;
    for (int i = 0; i < n; i++) {
        s->docs_seen++;
        s->mentions_seen += docs[i].n_mentions;
        s->cleaned += strstr(docs[i].body, "ACME & friends") != NULL;
        memset(&out[i], 0, sizeof out[i]);
        if (strstr(docs[i].title, "FAIL")) {
            out[i].failed = 1;
            out[i].error = strdup("the model's answer was not JSON");
            continue;
        }
        out[i].label = YQ_SENTIMENT_POSITIVE;
        out[i].score = 0.5f;
        out[i].summary = strdup(docs[i].body);
        out[i].event_type = "other";
    }
    return YQ_OK;
}

static void stand_in_free(yq_analyzer *self) {
    (void)self;
}

int main(void) {
    char dir[] = "/tmp/yq_test_pipeline_XXXXXX", items_path[128], db_path[128];
    if (!mkdtemp(dir)) return 1;
    snprintf(items_path, sizeof items_path, "%s/items.jsonl", dir);
    snprintf(db_path, sizeof db_path, "%s/a.db", dir);
    FILE *f = fopen(items_path, "w");
    fputs(items, f);
    fclose(f);
    yq_watch *watch = NULL;
    CHECK(yq_watch_parse("w", watch_yaml, strlen(watch_yaml), &watch) == 0);
    stand_in analyzer = {{"stand-in", stand_in_batch, stand_in_free}, 0, 0, 0, 0};
    yq_analyze_options o = {items_path, db_path, watch, &analyzer.base, 2, 0};
    yq_analyze_stats stats;
    CHECKF(yq_analyze_run(&o, &stats) == 0, "%s", yq_last_error());
    CHECK(stats.read == 3 && stats.analyzed == 3 && stats.failed == 1);
    CHECK(analyzer.calls == 2 && analyzer.docs_seen == 3 && analyzer.cleaned == 1);
    CHECKF(analyzer.mentions_seen == 4, "%d mentions", analyzer.mentions_seen); /* ACME x2, 艾克米 x2 */
    CHECK(yq_analyze_run(&o, &stats) == 0 && stats.analyzed == 0 && stats.skipped_known == 3);
    yq_store *store = NULL;
    CHECK(yq_store_open(db_path, &store) == 0);
    if (store) {
        sqlite3 *db = yq_store_db(store);
        CHECK(test_sql_int(db, "SELECT count(*) FROM articles") == 3);
        CHECK(test_sql_int(db,
                        "SELECT count(*) FROM analyses WHERE status = 'failed' AND analyzer = 'stand-in' AND"
                        " error = 'the model''s answer was not JSON' AND sentiment IS NULL") == 1);
        CHECK(test_sql_int(db, "SELECT count(*) FROM analyses WHERE status = 'ok' AND sentiment = 'positive'") ==
              2);
        yq_store_close(store);
    }
    yq_watch_free(watch);
    char command[300];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    CHECK(system(command) == 0);
    return test_summary("test_analyze_pipeline");
}
