/* The analysis store: opening, the watch list, and adding analysed articles (see store.h). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/store_internal.h"
#include "yuqing/db.h"
#include "yuqing/error.h"

static const char *const statements[ST_COUNT] = {
    [ST_HAS_ARTICLE] = "SELECT 1 FROM articles WHERE id = ?1",
    [ST_INSERT_ARTICLE] = "INSERT INTO articles(id, url, canonical_url, source, fetched_at, published_at, "
                          "time_utc, author, title,"
                          " body, lang, content_hash, simhash, group_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                          "?8, ?9, ?10, ?11, ?12,"
                          " ?13, ?14)",
    [ST_INSERT_ANALYSIS] =
        "INSERT INTO analyses(article, analyzer, status, error, sentiment, score, summary, keywords,"
        " event_type) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [ST_INSERT_MENTION] =
        "INSERT OR IGNORE INTO mentions(article, entity, field, start, end) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_INSERT_ENTITY_SENTIMENT] = "INSERT INTO entity_sentiment(article, entity, n_mentions, sentiment, "
                                   "score) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_INSERT_GROUP] =
        "INSERT INTO near_dup_groups(first_article, first_seen, simhash, n_articles, n_sources)"
        " VALUES (?1, ?2, ?3, 1, ?4)",
    [ST_UPDATE_GROUP] =
        "UPDATE near_dup_groups SET n_articles = n_articles + 1,"
        " n_sources = (SELECT COUNT(DISTINCT source) FROM articles WHERE group_id = ?1),"
        " first_article = CASE WHEN ?3 IS NOT NULL AND (first_seen IS NULL OR ?3 < first_seen) THEN ?2"
        " ELSE first_article END,"
        " first_seen = CASE WHEN ?3 IS NOT NULL AND (first_seen IS NULL OR ?3 < first_seen) THEN ?3"
        " ELSE first_seen END WHERE id = ?1",
};

int yq_store_open(const char *path, yq_store **out) {
    yq_store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        return yq_error(YQ_ENOMEM, "out of memory");
    }
    int rc = yq_db_open(path, "analysis store", yq_store_migrations, YQ_STORE_SCHEMA_VERSION, &s->db);
    for (int i = 0; !rc && i < ST_COUNT; i++)
        if (sqlite3_prepare_v3(s->db, statements[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL) !=
            SQLITE_OK)
            rc = yq_db_error(s->db, path);
    if (rc) {
        yq_store_close(s);
        return rc;
    }
    *out = s;
    return YQ_OK;
}

void yq_store_close(yq_store *s) {
    if (!s) return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

sqlite3 *yq_store_db(yq_store *s) {
    return s->db;
}

int yq_store_begin(yq_store *s) {
    return yq_db_exec(s->db, s->path, "BEGIN IMMEDIATE");
}

int yq_store_commit(yq_store *s) {
    return yq_db_exec(s->db, s->path, "COMMIT");
}

void yq_store_rollback(yq_store *s) {
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_run(yq_store *s, sqlite3_stmt *stmt) {
    int rc = sqlite3_step(stmt);
    int status = rc == SQLITE_DONE || rc == SQLITE_ROW ? YQ_OK : yq_db_error(s->db, s->path);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return status;
}

void store_bind_text(sqlite3_stmt *stmt, int i, const char *text) {
    if (text)
        sqlite3_bind_text(stmt, i, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(stmt, i);
}

static char *aliases_json(const yq_watch_entity *e) {
    cJSON *array = cJSON_CreateArray();
    for (int i = 0; array && i < e->n_aliases; i++)
        cJSON_AddItemToArray(array, cJSON_CreateString(e->aliases[i]));
    char *json = array ? cJSON_PrintUnformatted(array) : NULL;
    cJSON_Delete(array);
    return json;
}

static int sync_entity(yq_store *s, const yq_watch_entity *e, int64_t *id) {
    sqlite3_stmt *upsert = NULL;
    char *aliases = aliases_json(e);
    if (!aliases) return yq_error(YQ_ENOMEM, "out of memory");
    int rc =
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO entities(name, aliases) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE"
                           " SET aliases = excluded.aliases RETURNING id",
                           -1, &upsert, NULL) == SQLITE_OK
            ? YQ_OK
            : yq_db_error(s->db, s->path);
    if (!rc) {
        store_bind_text(upsert, 1, e->name);
        store_bind_text(upsert, 2, aliases);
        if (sqlite3_step(upsert) == SQLITE_ROW)
            *id = sqlite3_column_int64(upsert, 0);
        else
            rc = yq_db_error(s->db, s->path);
    }
    sqlite3_finalize(upsert);
    free(aliases);
    return rc;
}

static int set_setting(yq_store *s, const char *key, const char *value) {
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO settings(key, value) VALUES (?1, ?2)", -1, &stmt,
                           NULL))
        return yq_db_error(s->db, s->path);
    store_bind_text(stmt, 1, key);
    store_bind_text(stmt, 2, value);
    int rc = store_run(s, stmt);
    sqlite3_finalize(stmt);
    return rc;
}

int yq_store_sync_watch(yq_store *s, const yq_watch *w, int64_t *ids) {
    char hamming[16];
    snprintf(hamming, sizeof hamming, "%d", w->max_hamming);
    int rc = yq_store_begin(s);
    for (int i = 0; !rc && i < w->n_entities; i++)
        rc = sync_entity(s, &w->entities[i], &ids[i]);
    if (!rc) rc = set_setting(s, "timezone", w->timezone);
    if (!rc) rc = set_setting(s, "max_hamming", hamming);
    if (!rc) rc = yq_store_commit(s);
    if (rc) yq_store_rollback(s);
    return rc;
}

int yq_store_has_article(yq_store *s, const char *id, int *known) {
    sqlite3_stmt *stmt = s->stmt[ST_HAS_ARTICLE];
    store_bind_text(stmt, 1, id);
    int rc = sqlite3_step(stmt);
    *known = rc == SQLITE_ROW;
    int status = rc == SQLITE_ROW || rc == SQLITE_DONE ? YQ_OK : yq_db_error(s->db, s->path);
    sqlite3_reset(stmt);
    return status;
}

int yq_store_each_fingerprint(yq_store *s, void (*fn)(void *ctx, uint64_t simhash, int64_t group),
                              void *ctx) {
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT simhash, group_id FROM articles ORDER BY seq", -1, &stmt, NULL))
        return yq_db_error(s->db, s->path);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        fn(ctx, (uint64_t)sqlite3_column_int64(stmt, 0), sqlite3_column_int64(stmt, 1));
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? YQ_OK : yq_db_error(s->db, s->path);
}
