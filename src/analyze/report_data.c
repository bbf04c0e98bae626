/* The report's data (docs/REPORT.md) read from the analysis store: per-entity sentiment counts,
 * a daily timeline per entity, the most negative articles, near-duplicate clusters, sources and
 * alerts, within [since, until], with days and times in the report's time zone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "yuqing/error.h"
#include "yuqing/report.h"

typedef struct {
    sqlite3 *db;
    const char *since, *until; /* UTC bounds "YYYY-MM-DD..." or NULL */
} query_ctx;

/* Prepares `sql` with ?1 = since and ?2 = until (NULL: unbounded). */
static int prepare(const query_ctx *q, const char *sql, sqlite3_stmt **stmt) {
    if (sqlite3_prepare_v2(q->db, sql, -1, stmt, NULL) != SQLITE_OK)
        return yq_error(YQ_EFORMAT, "report: %s (is this an analysis store?)", sqlite3_errmsg(q->db));
    sqlite3_bind_text(*stmt, 1, q->since ? q->since : "0000", -1, SQLITE_STATIC);
    sqlite3_bind_text(*stmt, 2, q->until ? q->until : "9999", -1, SQLITE_STATIC);
    return YQ_OK;
}

static cJSON *column_json(sqlite3_stmt *stmt, int col) {
    switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_INTEGER: return cJSON_CreateNumber((double)sqlite3_column_int64(stmt, col));
    case SQLITE_FLOAT: return cJSON_CreateNumber(sqlite3_column_double(stmt, col));
    case SQLITE_NULL: return cJSON_CreateNull();
    default: return cJSON_CreateString((const char *)sqlite3_column_text(stmt, col));
    }
}

/* Runs `sql` and returns its rows as an array of objects keyed by column name. */
static int rows_json(const query_ctx *q, const char *sql, cJSON **out) {
    sqlite3_stmt *stmt;
    int rc = prepare(q, sql, &stmt);
    if (rc) return rc;
    cJSON *rows = cJSON_CreateArray();
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        cJSON *row = cJSON_CreateObject();
        for (int c = 0; c < sqlite3_column_count(stmt); c++)
            cJSON_AddItemToObject(row, sqlite3_column_name(stmt, c), column_json(stmt, c));
        cJSON_AddItemToArray(rows, row);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(rows);
        return yq_error(YQ_EIO, "report: %s", sqlite3_errmsg(q->db));
    }
    *out = rows;
    return YQ_OK;
}

#define IN_WINDOW(col) " " col " >= ?1 AND " col " < ?2 "
#define LOCAL(col) "strftime('%Y-%m-%d %H:%M', " col ", 'localtime')"

static const char entities_sql[] =
    "SELECT e.name AS name, count(s.article) AS articles,"
    " coalesce(sum(s.sentiment = 'positive'), 0) AS positive,"
    " coalesce(sum(s.sentiment = 'neutral'), 0) AS neutral,"
    " coalesce(sum(s.sentiment = 'negative'), 0) AS negative,"
    " coalesce(round(avg(s.score), 3), 0) AS mean_score,"
    " (SELECT count(*) FROM alerts l WHERE l.entity = e.id AND" IN_WINDOW("l.raised_at") ") AS alerts"
    " FROM entities e LEFT JOIN (entity_sentiment s JOIN articles a ON a.seq = s.article AND"
    IN_WINDOW("a.time_utc") ") ON s.entity = e.id GROUP BY e.id ORDER BY articles DESC, e.name";

static const char negative_sql[] =
    "SELECT " LOCAL("a.time_utc") " AS published_at, e.name AS entity, round(s.score, 3) AS score,"
    " a.title AS title, a.url AS url, a.source AS source, coalesce(n.summary, '') AS summary"
    " FROM entity_sentiment s JOIN articles a ON a.seq = s.article JOIN entities e ON e.id = s.entity"
    " LEFT JOIN analyses n ON n.article = a.seq"
    " WHERE s.sentiment = 'negative' AND" IN_WINDOW("a.time_utc")
    " ORDER BY s.score, a.time_utc DESC LIMIT 20";

static const char clusters_sql[] =
    "SELECT " LOCAL("g.first_seen") " AS first_seen, f.title AS title, f.url AS first_url,"
    " f.source AS first_source, g.n_articles AS reach,"
    " (SELECT json_group_array(DISTINCT m.source) FROM articles m WHERE m.group_id = g.id) AS sources"
    " FROM near_dup_groups g JOIN articles f ON f.id = g.first_article"
    " WHERE g.n_articles > 1 AND" IN_WINDOW("g.first_seen")
    " ORDER BY g.n_articles DESC, g.first_seen LIMIT 20";

static const char sources_sql[] =
    "SELECT coalesce(a.source, '(unknown)') AS source, count(*) AS articles,"
    " coalesce(sum(n.sentiment = 'negative'), 0) AS negative"
    " FROM articles a LEFT JOIN analyses n ON n.article = a.seq WHERE" IN_WINDOW("a.time_utc")
    " GROUP BY a.source ORDER BY articles DESC, source";

static const char alerts_sql[] =
    "SELECT " LOCAL("l.raised_at") " AS triggered_at, e.name AS entity, l.rule AS rule, l.message AS message"
    " FROM alerts l JOIN entities e ON e.id = l.entity WHERE" IN_WINDOW("l.raised_at")
    " ORDER BY l.raised_at DESC";

static const char timeline_sql[] =
    "SELECT e.name, date(a.time_utc, 'localtime') AS day, count(*), round(avg(s.score), 3)"
    " FROM entity_sentiment s JOIN articles a ON a.seq = s.article JOIN entities e ON e.id = s.entity"
    " WHERE" IN_WINDOW("a.time_utc") " GROUP BY e.id, day ORDER BY day";

/* Index of `day` in the dates array, appending it when new (dates arrive in order). */
static int day_index(cJSON *dates, const char *day) {
    int n = cJSON_GetArraySize(dates);
    if (n && !strcmp(cJSON_GetArrayItem(dates, n - 1)->valuestring, day)) return n - 1;
    cJSON_AddItemToArray(dates, cJSON_CreateString(day));
    return n;
}

static cJSON *series_for(cJSON *series, const char *entity) {
    cJSON *s;
    cJSON_ArrayForEach(s, series) if (!strcmp(cJSON_GetObjectItem(s, "entity")->valuestring, entity)) return s;
    s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "entity", entity);
    cJSON_AddArrayToObject(s, "articles");
    cJSON_AddArrayToObject(s, "mean_score");
    cJSON_AddItemToArray(series, s);
    return s;
}

/* Pads every series to `n_days` entries (0 articles, null mean). */
static void pad_series(cJSON *series, int n_days) {
    cJSON *s;
    cJSON_ArrayForEach(s, series) {
        cJSON *articles = cJSON_GetObjectItem(s, "articles"), *mean = cJSON_GetObjectItem(s, "mean_score");
        while (cJSON_GetArraySize(articles) < n_days) cJSON_AddItemToArray(articles, cJSON_CreateNumber(0));
        while (cJSON_GetArraySize(mean) < n_days) cJSON_AddItemToArray(mean, cJSON_CreateNull());
    }
}

/* {"dates": [...], "series": [{"entity", "articles": [...], "mean_score": [...]}]} over the days
 * that have articles. */
static int timeline_json(const query_ctx *q, cJSON **out) {
    sqlite3_stmt *stmt;
    int rc = prepare(q, timeline_sql, &stmt);
    if (rc) return rc;
    cJSON *timeline = cJSON_CreateObject();
    cJSON *dates = cJSON_AddArrayToObject(timeline, "dates"), *series = cJSON_AddArrayToObject(timeline, "series");
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *day = (const char *)sqlite3_column_text(stmt, 1);
        int d = day_index(dates, day ? day : "unknown");
        pad_series(series, d);
        cJSON *s = series_for(series, (const char *)sqlite3_column_text(stmt, 0));
        pad_series(series, d);
        cJSON_AddItemToArray(cJSON_GetObjectItem(s, "articles"), cJSON_CreateNumber(sqlite3_column_int(stmt, 2)));
        cJSON_AddItemToArray(cJSON_GetObjectItem(s, "mean_score"), cJSON_CreateNumber(sqlite3_column_double(stmt, 3)));
    }
    sqlite3_finalize(stmt);
    pad_series(series, cJSON_GetArraySize(dates));
    if (rc != SQLITE_DONE) {
        cJSON_Delete(timeline);
        return yq_error(YQ_EIO, "report: %s", sqlite3_errmsg(q->db));
    }
    *out = timeline;
    return YQ_OK;
}

/* The clusters' "sources" come from SQLite as JSON text: parse them into arrays. */
static void parse_cluster_sources(cJSON *clusters) {
    cJSON *c;
    cJSON_ArrayForEach(c, clusters) {
        cJSON *text = cJSON_GetObjectItem(c, "sources");
        cJSON *list = cJSON_IsString(text) ? cJSON_Parse(text->valuestring) : NULL;
        cJSON_ReplaceItemInObject(c, "sources", list ? list : cJSON_CreateArray());
    }
}

static int add_rows(const query_ctx *q, cJSON *data, const char *name, const char *sql) {
    cJSON *rows;
    int rc = rows_json(q, sql, &rows);
    if (!rc) cJSON_AddItemToObject(data, name, rows);
    return rc;
}

static void add_now(cJSON *data) {
    char text[40];
    time_t now = time(NULL);
    struct tm local;
    localtime_r(&now, &local);
    strftime(text, sizeof text, "%Y-%m-%d %H:%M %z", &local);
    cJSON_AddStringToObject(data, "generated_at", text);
}

int yq_report_data(sqlite3 *db, const yq_report_range *range, cJSON **out) {
    query_ctx q = {db, range->since ? range->since_utc : NULL, range->until ? range->until_utc : NULL};
    cJSON *data = cJSON_CreateObject(), *timeline = NULL;
    add_now(data);
    cJSON_AddStringToObject(data, "timezone", range->timezone);
    cJSON_AddItemToObject(data, "since", range->since ? cJSON_CreateString(range->since) : cJSON_CreateNull());
    cJSON_AddItemToObject(data, "until", range->until ? cJSON_CreateString(range->until) : cJSON_CreateNull());
    int rc = add_rows(&q, data, "entities", entities_sql);
    if (!rc) rc = timeline_json(&q, &timeline);
    if (!rc) cJSON_AddItemToObject(data, "timeline", timeline);
    if (!rc) rc = add_rows(&q, data, "top_negative", negative_sql);
    if (!rc) rc = add_rows(&q, data, "clusters", clusters_sql);
    if (!rc) parse_cluster_sources(cJSON_GetObjectItem(data, "clusters"));
    if (!rc) rc = add_rows(&q, data, "sources", sources_sql);
    if (!rc) rc = add_rows(&q, data, "alerts", alerts_sql);
    if (rc) {
        cJSON_Delete(data);
        return rc;
    }
    *out = data;
    return YQ_OK;
}
