/* Alert evaluation: per rule and entity, a two-pointer sliding window over the entity's
 * articles in time order (see include/yuqing/alerts.h for the semantics). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "yuqing/alerts.h"
#include "yuqing/error.h"
#include "yuqing/report.h"

typedef struct {
    time_t t;
    char time_utc[21];
    int negative;
} point;

static time_t parse_utc(const char *s) {
    struct tm tm = {0};
    return strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) ? timegm(&tm) : (time_t)-1;
}

/* The entity's articles after `after` (UTC text, "" for all), oldest first. */
static int load_points(sqlite3 *db, int64_t entity, const char *after, point **out, int *n) {
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(db,
                           "SELECT a.time_utc, s.sentiment = 'negative' FROM entity_sentiment s"
                           " JOIN articles a ON a.seq = s.article WHERE s.entity = ?1 AND a.time_utc > ?2"
                           " ORDER BY a.time_utc, a.seq", -1, &stmt, NULL) != SQLITE_OK)
        return yq_error(YQ_EIO, "alerts: %s", sqlite3_errmsg(db));
    sqlite3_bind_int64(stmt, 1, entity);
    sqlite3_bind_text(stmt, 2, after, -1, SQLITE_STATIC);
    point *points = NULL;
    int count = 0, cap = 0, rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(stmt, 0);
        if (!t || parse_utc(t) == (time_t)-1) continue;
        if (count == cap) {
            point *grown = realloc(points, (size_t)(cap = cap ? 2 * cap : 64) * sizeof *points);
            if (!grown) break;
            points = grown;
        }
        points[count].t = parse_utc(t);
        snprintf(points[count].time_utc, sizeof points[count].time_utc, "%s", t);
        points[count++].negative = sqlite3_column_int(stmt, 1);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) {
        free(points);
        return rc == SQLITE_ROW ? yq_error(YQ_ENOMEM, "alerts: out of memory")
                                : yq_error(YQ_EIO, "alerts: %s", sqlite3_errmsg(db));
    }
    *out = points;
    *n = count;
    return YQ_OK;
}

/* The time of the article that fired the rule's latest alert ("" when none). */
static void last_fired(sqlite3 *db, int rule, int64_t entity, char out[21]) {
    sqlite3_stmt *stmt;
    out[0] = 0;
    if (sqlite3_prepare_v2(db, "SELECT max(raised_at) FROM alerts WHERE rule = ?1 AND entity = ?2", -1, &stmt,
                           NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int(stmt, 1, rule);
    sqlite3_bind_int64(stmt, 2, entity);
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
        snprintf(out, 21, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
}

/* Does the window points[lo..hi] satisfy the rule? *value gets the count or the share. */
static int fires(const yq_alert_rule *r, int n, int negative, double *value) {
    if (r->kind == YQ_ALERT_NEGATIVE_COUNT) {
        *value = negative;
        return negative >= r->threshold;
    }
    *value = n ? (double)negative / n : 0;
    return n >= r->min_articles && *value > r->threshold;
}

static void window_text(double seconds, char *out, size_t size) {
    if (seconds >= 86400 && (long long)seconds % 86400 == 0) snprintf(out, size, "%lldd", (long long)seconds / 86400);
    else if (seconds >= 3600 && (long long)seconds % 3600 == 0) snprintf(out, size, "%lldh", (long long)seconds / 3600);
    else if (seconds >= 60 && (long long)seconds % 60 == 0) snprintf(out, size, "%lldm", (long long)seconds / 60);
    else snprintf(out, size, "%gs", seconds);
}

static void describe(const yq_alert_rule *r, const char *entity, int n, int negative, char *out, size_t size) {
    char window[32];
    window_text(r->window_s, window, sizeof window);
    if (r->kind == YQ_ALERT_NEGATIVE_COUNT)
        snprintf(out, size, "%d negative articles about %s within %s (rule: at least %g)", negative, entity,
                 window, r->threshold);
    else
        snprintf(out, size, "%.0f%% of %d articles about %s were negative within %s (rule: above %.0f%%)",
                 100.0 * negative / n, n, entity, window, 100.0 * r->threshold);
}

typedef struct {
    yq_store *store;
    int rule_index;
    const yq_alert_rule *rule;
    const char *entity;
    int64_t entity_id;
    yq_alert_fn fn;
    void *ctx;
} rule_ctx;

/* Records one alert; calls back when it is new. */
static int record(const rule_ctx *c, const point *first, const point *last, double value, int n, int negative,
                  int *n_new) {
    char message[512];
    describe(c->rule, c->entity, n, negative, message, sizeof message);
    sqlite3 *db = yq_store_db(c->store);
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(db,
                           "INSERT OR IGNORE INTO alerts(rule, entity, window_start, window_end, value, n_articles,"
                           " message, raised_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?4)", -1, &stmt, NULL) != SQLITE_OK)
        return yq_error(YQ_EIO, "alerts: %s", sqlite3_errmsg(db));
    sqlite3_bind_int(stmt, 1, c->rule_index);
    sqlite3_bind_int64(stmt, 2, c->entity_id);
    sqlite3_bind_text(stmt, 3, first->time_utc, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, last->time_utc, -1, SQLITE_STATIC);
    sqlite3_bind_double(stmt, 5, value);
    sqlite3_bind_int(stmt, 6, n);
    sqlite3_bind_text(stmt, 7, message, -1, SQLITE_STATIC);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return yq_error(YQ_EIO, "alerts: %s", sqlite3_errmsg(db));
    if (sqlite3_changes(db) == 0) return YQ_OK;
    (*n_new)++;
    if (!c->fn) return YQ_OK;
    cJSON *alert = cJSON_CreateObject();
    cJSON_AddNumberToObject(alert, "id", (double)sqlite3_last_insert_rowid(db));
    cJSON_AddStringToObject(alert, "entity", c->entity);
    cJSON_AddNumberToObject(alert, "rule", c->rule_index);
    cJSON_AddStringToObject(alert, "kind", c->rule->kind == YQ_ALERT_NEGATIVE_COUNT ? "negative_count" : "negative_share");
    cJSON_AddNumberToObject(alert, "value", value);
    cJSON_AddNumberToObject(alert, "n_articles", n);
    cJSON_AddStringToObject(alert, "window_start", first->time_utc);
    cJSON_AddStringToObject(alert, "window_end", last->time_utc);
    cJSON_AddStringToObject(alert, "raised_at", last->time_utc);
    char local[32];
    cJSON_AddStringToObject(alert, "raised_at_local", yq_utc_to_local(last->time_utc, local));
    cJSON_AddStringToObject(alert, "message", message);
    c->fn(c->ctx, alert);
    cJSON_Delete(alert);
    return YQ_OK;
}

static int evaluate_rule(const rule_ctx *c, int *n_new) {
    char after[21];
    last_fired(yq_store_db(c->store), c->rule_index, c->entity_id, after);
    point *p = NULL;
    int n = 0, rc = load_points(yq_store_db(c->store), c->entity_id, after, &p, &n);
    int lo = 0, negative = 0;
    for (int hi = 0; !rc && hi < n; hi++) {
        negative += p[hi].negative;
        while (difftime(p[hi].t, p[lo].t) >= c->rule->window_s) negative -= p[lo++].negative;
        double value;
        if (!fires(c->rule, hi - lo + 1, negative, &value)) continue;
        rc = record(c, &p[lo], &p[hi], value, hi - lo + 1, negative, n_new);
        lo = hi + 1; /* the next alert counts only later articles */
        negative = 0;
    }
    free(p);
    return rc;
}

int yq_alerts_evaluate(yq_store *store, const yq_watch *watch, const int64_t *entity_ids, yq_alert_fn fn,
                       void *ctx, int *n_new) {
    *n_new = 0;
    int rc = yq_store_begin(store);
    for (int i = 0; !rc && i < watch->n_alerts; i++) {
        const yq_alert_rule *r = &watch->alerts[i];
        rule_ctx c = {store, i, r, watch->entities[r->entity].name, entity_ids[r->entity], fn, ctx};
        rc = evaluate_rule(&c, n_new);
    }
    if (rc) {
        yq_store_rollback(store);
        return rc;
    }
    return yq_store_commit(store);
}

int yq_alerts_run(const char *db_path, const yq_watch *watch, yq_alert_fn fn, void *ctx, int *n_new) {
    *n_new = 0;
    if (watch->n_alerts == 0) return YQ_OK;
    yq_report_range zone; /* alerts show their time in the watch file's time zone */
    int rc = yq_report_range_init(&zone, watch->timezone, NULL, NULL);
    if (rc) return rc;
    yq_store *store;
    rc = yq_store_open(db_path, &store);
    if (rc) return rc;
    int64_t *ids = calloc((size_t)watch->n_entities, sizeof *ids);
    rc = ids ? yq_store_sync_watch(store, watch, ids) : yq_error(YQ_ENOMEM, "out of memory");
    if (!rc) rc = yq_alerts_evaluate(store, watch, ids, fn, ctx, n_new);
    free(ids);
    yq_store_close(store);
    return rc;
}
