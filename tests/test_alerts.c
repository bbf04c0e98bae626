/* Alert rules over a hand-built store: windows, one alert per episode, idempotent reruns;
 * expected alerts worked out by hand from the rule semantics in include/yuqing/alerts.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "yuqing/alerts.h"
#include "yuqing/error.h"

static const char watch_yaml[] = "entities:\n"
                                 "  - name: Acme\n"
                                 "alerts:\n"
                                 "  - entity: Acme\n"
                                 "    negative_count: 3\n"
                                 "    window: 1h\n"
                                 "  - entity: Acme\n"
                                 "    negative_share_above: 0.5\n"
                                 "    min_articles: 3\n"
                                 "    window: 1d\n";

static int seq;

/* One article about entity 1 at `time` ("HH:MM" on 2026-11-24, UTC). */
static void add_article(sqlite3 *db, const char *time, int negative) {
    char sql[1024];
    seq++;
    snprintf(sql, sizeof sql,
             "INSERT INTO near_dup_groups(id, first_article, first_seen, simhash, n_articles, n_sources)"
             " VALUES (%d, 'a%d', '2026-11-24T%s:00Z', %d, 1, 1);"
             "INSERT INTO articles(seq, id, title, body, simhash, group_id, time_utc)"
             " VALUES (%d, 'a%d', 't', 'b', %d, %d, '2026-11-24T%s:00Z');"
             "INSERT INTO entity_sentiment(article, entity, n_mentions, sentiment, score)"
             " VALUES (%d, 1, 1, '%s', %s);",
             seq, seq, time, seq, seq, seq, seq, seq, time, seq, negative ? "negative" : "positive",
             negative ? "-0.8" : "0.6");
    CHECKF(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(db));
}

typedef struct {
    char raised[8][32], start[8][32];
    int n;
} seen;

static int collect(void *ctx, const cJSON *alert) {
    seen *s = ctx;
    if (s->n < 8) {
        snprintf(s->raised[s->n], 32, "%s", cJSON_GetObjectItem(alert, "raised_at")->valuestring);
        snprintf(s->start[s->n++], 32, "%s", cJSON_GetObjectItem(alert, "window_start")->valuestring);
    }
    return 0;
}

int main(void) {
    char path[] = "/tmp/yq-alerts-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    yq_watch *watch = NULL;
    yq_store *store = NULL;
    CHECKF(yq_watch_parse("watch.yaml", watch_yaml, strlen(watch_yaml), &watch) == 0, "%s", yq_last_error());
    CHECK(yq_store_open(path, &store) == 0);
    if (!watch || !store) return test_summary("test_alerts");
    int64_t ids[1];
    CHECK(yq_store_sync_watch(store, watch, ids) == 0 && ids[0] == 1);
    sqlite3 *db = yq_store_db(store);
    const char *times[] = {"10:00", "10:20", "10:50", "11:10", "11:15", "11:30", "11:40", "13:00"};
    const int negative[] = {1, 1, 0, 1, 1, 1, 1, 1};
    for (int i = 0; i < 8; i++) add_article(db, times[i], negative[i]);

    seen s = {0};
    int n_new = -1;
    CHECKF(yq_alerts_evaluate(store, watch, ids, collect, &s, &n_new) == 0, "%s", yq_last_error());
    /* count rule: fires at 11:15 over 10:20..11:15; share rule: at 10:50 (2/3) and 11:30 (3/3) */
    CHECKF(n_new == 3 && s.n == 3, "%d new alerts", n_new);
    CHECK(!strcmp(s.raised[0], "2026-11-24T11:15:00Z") && !strcmp(s.start[0], "2026-11-24T10:20:00Z"));
    CHECK(!strcmp(s.raised[1], "2026-11-24T10:50:00Z") && !strcmp(s.start[1], "2026-11-24T10:00:00Z"));
    CHECK(!strcmp(s.raised[2], "2026-11-24T11:30:00Z") && !strcmp(s.start[2], "2026-11-24T11:10:00Z"));

    s.n = 0;
    CHECK(yq_alerts_evaluate(store, watch, ids, collect, &s, &n_new) == 0 && n_new == 0 && s.n == 0);

    add_article(db, "13:10", 1); /* share rule: 11:40, 13:00, 13:10 all negative; count rule: 2 in 1h */
    CHECK(yq_alerts_evaluate(store, watch, ids, collect, &s, &n_new) == 0 && n_new == 1);
    CHECK(s.n == 1 && !strcmp(s.raised[0], "2026-11-24T13:10:00Z") && !strcmp(s.start[0], "2026-11-24T11:40:00Z"));

    yq_store_close(store);
    yq_watch_free(watch);
    char aux[64];
    snprintf(aux, sizeof aux, "%s-wal", path), unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", path), unlink(aux);
    unlink(path);
    return test_summary("test_alerts");
}
