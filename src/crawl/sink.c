/* Output sinks for item records: a JSONL file and a SQLite table, each fed from the state's
 * outbox and recording in the state how far it got. A JSONL file is cut back at start to the
 * length recorded after its last complete batch, and rows go into SQLite with INSERT OR IGNORE,
 * so after a kill each item ends up in every sink exactly once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "crawl/crawl_internal.h"
#include "crawl/sink.h"
#include "yuqing/db.h"
#include "yuqing/error.h"
#include "yuqing/log.h"

static int progress_get(crawl_store *store, const char *name, long long *seq, long long *offset) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store->db, "SELECT seq, offset FROM sinks WHERE name = ?", -1, &st, NULL) != SQLITE_OK)
        return yq_db_error(store->db, "crawl state");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    *seq = *offset = 0;
    if (sqlite3_step(st) == SQLITE_ROW) *seq = sqlite3_column_int64(st, 0), *offset = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    return YQ_OK;
}

static int progress_set(crawl_store *store, const char *name, long long seq, long long offset) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store->db, "INSERT OR REPLACE INTO sinks(name, seq, offset) VALUES (?, ?, ?)", -1, &st,
                           NULL) != SQLITE_OK)
        return yq_db_error(store->db, "crawl state");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, seq);
    sqlite3_bind_int64(st, 3, offset);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? YQ_OK : yq_db_error(store->db, "crawl state");
}

/* Opens the JSONL file for appending after its last complete batch. */
static int open_jsonl(crawl_sinks *k, crawl_store *store, const char *path) {
    snprintf(k->jsonl_name, sizeof k->jsonl_name, "jsonl:%s", path);
    long long seq, offset;
    int rc = progress_get(store, k->jsonl_name, &seq, &offset);
    if (rc) return rc;
    k->jsonl = fopen(path, "a");
    if (!k->jsonl) return yq_error(YQ_EIO, "%s: cannot open for writing: %s", path, strerror(errno));
    struct stat st;
    fstat(fileno(k->jsonl), &st);
    if (st.st_size > offset) {
        yq_warn("%s: dropping %lld bytes written after the last complete batch", path, (long long)st.st_size - offset);
        if (ftruncate(fileno(k->jsonl), offset) != 0) return yq_error(YQ_EIO, "%s: %s", path, strerror(errno));
    } else if (st.st_size < offset) {
        yq_warn("%s: shorter than recorded (%lld < %lld bytes); appending new items only", path,
                (long long)st.st_size, offset);
    }
    k->jsonl_seq = seq;
    return YQ_OK;
}

/* The item columns of the SQLite sink, in the order of DESIGN §3. */
static const char *const columns[] = {"id", "url", "canonical_url", "source", "fetched_at", "http_status",
                                      "charset", "title", "published_at", "author", "body", "lang",
                                      "content_hash", "media", "links", "transcript"};
enum { N_COLUMNS = sizeof columns / sizeof columns[0] };

/* The sink database belongs to its user (an analysis store, say), so its schema version is not
 * ours to manage: the table is created when missing and rows are keyed by id. */
static int open_sqlite(crawl_sinks *k, crawl_store *store, const char *path, const char *table) {
    snprintf(k->sqlite_name, sizeof k->sqlite_name, "sqlite:%s:%s", path, table);
    long long offset;
    int rc = progress_get(store, k->sqlite_name, &k->sqlite_seq, &offset);
    if (rc) return rc;
    if (sqlite3_open(path, &k->sqlite) != SQLITE_OK)
        return yq_error(YQ_EIO, "%s: cannot open: %s", path, sqlite3_errmsg(k->sqlite));
    sqlite3_busy_timeout(k->sqlite, 10000);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS %s (id TEXT PRIMARY KEY, url TEXT,"
             " canonical_url TEXT, source TEXT, fetched_at TEXT, http_status INTEGER, charset TEXT, title TEXT,"
             " published_at TEXT, author TEXT, body TEXT, lang TEXT, content_hash TEXT, media TEXT, links TEXT,"
             " transcript TEXT)", table);
    if ((rc = yq_db_exec(k->sqlite, path, sql)) != 0) return rc;
    snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO %s VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", table);
    if (sqlite3_prepare_v2(k->sqlite, sql, -1, &k->insert, NULL) != SQLITE_OK) return yq_db_error(k->sqlite, path);
    return YQ_OK;
}

int crawl_sinks_open(crawl_sinks *k, crawl_store *store, const char *jsonl, const char *sqlite, const char *table) {
    memset(k, 0, sizeof *k);
    int rc = jsonl ? open_jsonl(k, store, jsonl) : YQ_OK;
    if (!rc && sqlite) rc = open_sqlite(k, store, sqlite, table);
    if (rc) crawl_sinks_close(k);
    return rc;
}

void crawl_sinks_close(crawl_sinks *k) {
    if (k->jsonl) fclose(k->jsonl);
    sqlite3_finalize(k->insert);
    sqlite3_close(k->sqlite);
    memset(k, 0, sizeof *k);
}

/* Binds one JSON field to column i: strings and numbers as themselves, arrays as JSON text. */
static void bind_field(sqlite3_stmt *st, int i, const cJSON *v) {
    if (!v || cJSON_IsNull(v)) sqlite3_bind_null(st, i + 1);
    else if (cJSON_IsString(v)) sqlite3_bind_text(st, i + 1, v->valuestring, -1, SQLITE_TRANSIENT);
    else if (cJSON_IsNumber(v)) sqlite3_bind_int64(st, i + 1, (sqlite3_int64)v->valuedouble);
    else {
        char *text = cJSON_PrintUnformatted(v);
        sqlite3_bind_text(st, i + 1, text ? text : "null", -1, SQLITE_TRANSIENT);
        free(text);
    }
}

static int sqlite_row(crawl_sinks *k, const char *json) {
    cJSON *item = cJSON_Parse(json);
    if (!item) return yq_error(YQ_EFORMAT, "crawl state: a stored item is not JSON");
    sqlite3_reset(k->insert);
    for (int i = 0; i < N_COLUMNS; i++) bind_field(k->insert, i, cJSON_GetObjectItemCaseSensitive(item, columns[i]));
    cJSON_Delete(item);
    int rc = sqlite3_step(k->insert);
    return rc == SQLITE_DONE ? YQ_OK : yq_db_error(k->sqlite, "item sink");
}

/* Writes outbox rows after `*seq` to one sink; `write` gets each JSON line. */
static int drain(crawl_sinks *k, crawl_store *store, long long *seq, int (*write)(crawl_sinks *, const char *)) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(store->db, "SELECT seq, json FROM outbox WHERE seq > ? ORDER BY seq", -1, &st, NULL) !=
        SQLITE_OK)
        return yq_db_error(store->db, "crawl state");
    sqlite3_bind_int64(st, 1, *seq);
    int rc = YQ_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        rc = write(k, (const char *)sqlite3_column_text(st, 1));
        if (!rc) *seq = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return rc;
}

static int jsonl_line(crawl_sinks *k, const char *json) {
    return fputs(json, k->jsonl) < 0 || fputc('\n', k->jsonl) == EOF ? yq_error(YQ_EIO, "writing items: %s", strerror(errno))
                                                                        : YQ_OK;
}

int crawl_sinks_drain(crawl_sinks *k, crawl_store *store) {
    long long seq;
    int rc = YQ_OK;
    if (k->jsonl) {
        seq = k->jsonl_seq;
        rc = drain(k, store, &seq, jsonl_line);
        if (!rc && seq != k->jsonl_seq) {
            if (fflush(k->jsonl) != 0 || fdatasync(fileno(k->jsonl)) != 0)
                return yq_error(YQ_EIO, "writing items: %s", strerror(errno));
            rc = progress_set(store, k->jsonl_name, seq, ftell(k->jsonl));
            if (!rc) k->jsonl_seq = seq;
        }
    }
    if (!rc && k->sqlite) {
        seq = k->sqlite_seq;
        rc = yq_db_exec(k->sqlite, "item sink", "BEGIN IMMEDIATE");
        if (!rc) rc = drain(k, store, &seq, sqlite_row);
        if (!rc) rc = yq_db_exec(k->sqlite, "item sink", "COMMIT");
        else sqlite3_exec(k->sqlite, "ROLLBACK", NULL, NULL, NULL);
        if (!rc && seq != k->sqlite_seq) rc = progress_set(store, k->sqlite_name, seq, 0);
        if (!rc) k->sqlite_seq = seq;
    }
    return rc;
}
