/* The crawl state database: schema, prepared statements, and the seen set with its Bloom filter
 * (sized at twice the stored count, rebuilt from the tables at open and when it fills). New
 * fingerprints go to a small table that stays in cache and is merged into the big one in
 * fingerprint order every `merge_at` rows: random keys inserted one by one would each dirty a page
 * of the big B-tree (a 4 KiB WAL write per URL at 10 million URLs). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crawl/store.h"
#include "yuqing/db.h"
#include "yuqing/error.h"
#include "yuqing/log.h"

static const char *const migrations[] = {
    "CREATE TABLE seen (fp INTEGER PRIMARY KEY);"
    "CREATE TABLE seen_recent (fp INTEGER PRIMARY KEY);"
    "CREATE TABLE frontier (fp INTEGER PRIMARY KEY, url TEXT NOT NULL, source TEXT NOT NULL,"
    "  depth INTEGER NOT NULL, kind INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
    "  not_before REAL NOT NULL DEFAULT 0, state INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX frontier_due ON frontier(state, not_before);"
    "CREATE INDEX frontier_source ON frontier(source);"
    "CREATE TABLE revisits (fp INTEGER PRIMARY KEY, tick INTEGER NOT NULL);"
    "CREATE TABLE contents (source TEXT NOT NULL, hash INTEGER NOT NULL, id TEXT NOT NULL,"
    " PRIMARY KEY (source, hash));"
    "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, json TEXT NOT "
    "NULL);"
    "CREATE TABLE sinks (name TEXT PRIMARY KEY, seq INTEGER NOT NULL, offset INTEGER NOT NULL);"
    "CREATE TABLE sources (name TEXT PRIMARY KEY, tick INTEGER NOT NULL, done INTEGER NOT NULL);",
    /* 2: seen.bloom holds the seen set's Bloom filter as of the last clean close when this is 1 */
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "INSERT INTO meta VALUES ('bloom_saved', 0);",
};

/* The smallest capacity a Bloom filter is built for (8 KiB at 1% false positives): a filter is
 * rebuilt at twice the count when it fills, so small crawls keep small filters and a large seen
 * set pays for a rebuild scan only at each doubling. */
enum { BLOOM_LEAST = 1 << 12 };

/* SQLite's page cache for the state grows with the seen set: 512 KiB, plus 2 bytes per URL seen
 * (room for the small table of recent fingerprints and the interior pages of the big one, about
 * 1% of it), at most 64 MiB. Leaf pages of the big table come from the operating system's file
 * cache, which costs the crawl no resident memory of its own. */
enum { CACHE_LEAST_KIB = 512, CACHE_MOST_KIB = 65536 };

/* Frontier states: pending in the table only, queued in the crawler's memory, sent. */
enum { PENDING = 0, QUEUED = 1, IN_FLIGHT = 2 };

static const char seen_count[] = "SELECT (SELECT count(*) FROM seen) + (SELECT count(*) FROM seen_recent)";
static const char seen_all[] = "SELECT fp FROM seen UNION ALL SELECT fp FROM seen_recent";

enum {
    SEEN_HAS,
    SEEN_ADD,
    REVISIT_GET,
    REVISIT_SET,
    PUSH,
    TAKE,
    MARK,
    REQUEUE,
    DONE,
    CONTENT_ADD,
    ITEM_ADD,
    SOURCE_GET,
    SOURCE_SET,
    N_STMT
};

static const char *const sql[N_STMT] = {
    [SEEN_HAS] = "SELECT 1 FROM seen_recent WHERE fp = ?1 UNION ALL SELECT 1 FROM seen WHERE fp = ?1",
    [SEEN_ADD] = "INSERT OR IGNORE INTO seen_recent(fp) VALUES (?)",
    [REVISIT_GET] = "SELECT tick FROM revisits WHERE fp = ?",
    [REVISIT_SET] = "INSERT OR REPLACE INTO revisits(fp, tick) VALUES (?, ?)",
    [PUSH] = "INSERT OR IGNORE INTO frontier(fp, url, source, depth, kind, attempts, not_before, state)"
             " VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
    [TAKE] = "SELECT fp, url, source, depth, kind, attempts, not_before FROM frontier"
             " WHERE state = 0 AND not_before <= ? AND source NOT IN (SELECT name FROM temp.paused)"
             " ORDER BY not_before LIMIT ?",
    [MARK] = "UPDATE frontier SET state = ? WHERE fp = ?",
    [REQUEUE] = "UPDATE frontier SET state = 0, attempts = ?, not_before = ? WHERE fp = ?",
    [DONE] = "DELETE FROM frontier WHERE fp = ?",
    [CONTENT_ADD] = "INSERT OR IGNORE INTO contents(source, hash, id) VALUES (?, ?, ?)",
    [ITEM_ADD] = "INSERT OR IGNORE INTO outbox(id, json) VALUES (?, ?)",
    [SOURCE_GET] = "SELECT tick, done FROM sources WHERE name = ?",
    [SOURCE_SET] = "INSERT OR REPLACE INTO sources(name, tick, done) VALUES (?, ?, ?)",
};

void crawl_request_free(crawl_request *r) {
    free(r->url);
    free(r->source);
    memset(r, 0, sizeof *r);
}

/* Runs a prepared statement to completion: 0, or 1 when it gave a row (left for the caller to
 * read until the next reset), or YQ_EIO. */
static int run(crawl_store *s, int which) {
    sqlite3_stmt *st = s->stmt[which];
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) return 1;
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return yq_db_error(s->db, "crawl state");
    return 0;
}

static sqlite3_stmt *bind(crawl_store *s, int which) {
    sqlite3_stmt *st = s->stmt[which];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

/* The single number a one-row query gives (0 when it gives none). */
static double query_number(crawl_store *s, const char *q, const char *text) {
    sqlite3_stmt *st;
    double v = 0;
    if (sqlite3_prepare_v2(s->db, q, -1, &st, NULL) != SQLITE_OK) return 0;
    if (text) sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Fills a Bloom filter from the fingerprints `select` gives, sized for twice what `count`
 * says (at least `least`). */
static int build_bloom(crawl_store *s, crawl_bloom *b, const char *count, const char *select,
                       long long least) {
    long long n = (long long)query_number(s, count, NULL);
    crawl_bloom_free(b);
    int rc = crawl_bloom_init(b, (uint64_t)(n * 2 > least ? n * 2 : least), 0.01);
    if (rc) return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, select, -1, &st, NULL) != SQLITE_OK)
        return yq_db_error(s->db, "crawl state");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        crawl_bloom_add(b, (uint64_t)sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? YQ_OK : yq_db_error(s->db, "crawl state: reading fingerprints");
}

static int reset_frontier(crawl_store *s) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM frontier WHERE state = 2", -1, &st, NULL) !=
        SQLITE_OK)
        return yq_db_error(s->db, "crawl state");
    if (sqlite3_step(st) == SQLITE_ROW) s->resumed_in_flight = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return yq_db_exec(s->db, "crawl state", "UPDATE frontier SET state = 0 WHERE state != 0");
}

/* The seen set's Bloom filter: the one saved by the last clean close when there is one (and it
 * is marked as no longer current before anything changes), else rebuilt from the tables. */
static int load_bloom(crawl_store *s, const char *dir) {
    snprintf(s->bloom_path, sizeof s->bloom_path, "%s/seen.bloom", dir);
    int saved = query_number(s, "SELECT value FROM meta WHERE key = 'bloom_saved'", NULL) == 1;
    if (saved && crawl_bloom_load(&s->bloom, s->bloom_path) == 0)
        return yq_db_exec(s->db, "crawl state", "UPDATE meta SET value = 0 WHERE key = 'bloom_saved'");
    if (saved) yq_warn("%s; rebuilding it", yq_last_error());
    return build_bloom(s, &s->bloom, seen_count, seen_all, BLOOM_LEAST);
}

/* Sets SQLite's page cache for the size of the seen set (see CACHE_LEAST_KIB). */
static int size_cache(crawl_store *s) {
    long long kib = CACHE_LEAST_KIB + (long long)(s->bloom.count * 2 / 1024);
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA cache_size = -%lld", kib < CACHE_MOST_KIB ? kib : CACHE_MOST_KIB);
    return yq_db_exec(s->db, "crawl state", pragma);
}

int crawl_store_open(const char *dir, crawl_store *s) {
    memset(s, 0, sizeof *s);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return yq_error(YQ_EIO, "%s: cannot create the state folder: %s", dir, strerror(errno));
    char path[4096];
    snprintf(path, sizeof path, "%s/state.db", dir);
    int rc = yq_db_open(path, "crawl state", migrations, 2, &s->db);
    if (rc) return rc;
    rc = yq_db_exec(s->db, path,
                    "PRAGMA temp_store = MEMORY; CREATE TEMP TABLE paused (name TEXT PRIMARY KEY)");
    for (int i = 0; !rc && i < N_STMT; i++)
        if (sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL) != SQLITE_OK)
            rc = yq_db_error(s->db, path);
    if (!rc) rc = reset_frontier(s);
    if (!rc) rc = load_bloom(s, dir);
    if (!rc) rc = size_cache(s);
    if (!rc)
        rc = build_bloom(s, &s->revisit_bloom, "SELECT count(*) FROM revisits", "SELECT fp FROM revisits",
                         BLOOM_LEAST);
    s->recent = (long long)query_number(s, "SELECT count(*) FROM seen_recent", NULL);
    s->merge_at = 1 << 18;
    if (rc) crawl_store_close(s);
    return rc;
}

void crawl_store_close(crawl_store *s) {
    /* The filter is a superset of the committed seen set (uncommitted additions only add false
     * positives), so it is saved even after a rollback. */
    if (s->db && s->bloom.bits && sqlite3_get_autocommit(s->db) &&
        crawl_bloom_save(&s->bloom, s->bloom_path) == 0)
        yq_db_exec(s->db, "crawl state", "UPDATE meta SET value = 1 WHERE key = 'bloom_saved'");
    for (int i = 0; i < N_STMT; i++)
        sqlite3_finalize(s->stmt[i]);
    sqlite3_close(s->db);
    crawl_bloom_free(&s->bloom);
    crawl_bloom_free(&s->revisit_bloom);
    memset(s, 0, sizeof *s);
}

int crawl_store_begin(crawl_store *s) {
    return yq_db_exec(s->db, "crawl state", "BEGIN IMMEDIATE");
}
int crawl_store_commit(crawl_store *s) {
    return yq_db_exec(s->db, "crawl state", "COMMIT");
}

int crawl_store_seen_has(crawl_store *s, uint64_t fp) {
    if (!crawl_bloom_maybe(&s->bloom, fp)) return 0;
    sqlite3_bind_int64(bind(s, SEEN_HAS), 1, (sqlite3_int64)fp);
    int rc = run(s, SEEN_HAS);
    sqlite3_reset(s->stmt[SEEN_HAS]);
    return rc;
}

int crawl_store_seen_add(crawl_store *s, uint64_t fp) {
    int rc = crawl_store_seen_has(s, fp);
    if (rc != 0) return rc < 0 ? rc : 0;
    sqlite3_bind_int64(bind(s, SEEN_ADD), 1, (sqlite3_int64)fp);
    if ((rc = run(s, SEEN_ADD)) < 0) return rc;
    crawl_bloom_add(&s->bloom, fp);
    if (s->bloom.count > s->bloom.capacity &&
        ((rc = build_bloom(s, &s->bloom, seen_count, seen_all, BLOOM_LEAST)) < 0 || (rc = size_cache(s)) < 0))
        return rc;
    if (++s->recent >= s->merge_at) {
        rc = yq_db_exec(
            s->db, "crawl state: merging the seen set",
            "INSERT OR IGNORE INTO seen SELECT fp FROM seen_recent ORDER BY fp; DELETE FROM seen_recent");
        if (rc) return rc;
        s->recent = 0;
    }
    return 1;
}

/* *tick = the tick an index page was last polled in, -1 when never. */
static int revisit_tick(crawl_store *s, uint64_t fp, long long *tick) {
    *tick = -1;
    if (!crawl_bloom_maybe(&s->revisit_bloom, fp)) return YQ_OK;
    sqlite3_bind_int64(bind(s, REVISIT_GET), 1, (sqlite3_int64)fp);
    int rc = run(s, REVISIT_GET);
    if (rc == 1) *tick = sqlite3_column_int64(s->stmt[REVISIT_GET], 0);
    sqlite3_reset(s->stmt[REVISIT_GET]);
    return rc < 0 ? rc : YQ_OK;
}

int crawl_store_revisit_known(crawl_store *s, uint64_t fp) {
    long long tick;
    int rc = revisit_tick(s, fp, &tick);
    return rc < 0 ? rc : tick >= 0;
}

int crawl_store_revisit_add(crawl_store *s, uint64_t fp, long long tick) {
    long long last;
    int rc = revisit_tick(s, fp, &last);
    if (rc < 0 || last >= tick) return rc;
    sqlite3_stmt *st = bind(s, REVISIT_SET);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)fp);
    sqlite3_bind_int64(st, 2, tick);
    if ((rc = run(s, REVISIT_SET)) < 0) return rc;
    crawl_bloom_add(&s->revisit_bloom, fp);
    if (s->revisit_bloom.count > s->revisit_bloom.capacity)
        return (rc = build_bloom(s, &s->revisit_bloom, "SELECT count(*) FROM revisits",
                                 "SELECT fp FROM revisits", BLOOM_LEAST)) < 0
                   ? rc
                   : 1;
    return 1;
}

int crawl_store_push(crawl_store *s, const crawl_request *r) {
    sqlite3_stmt *st = bind(s, PUSH);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)r->fp);
    sqlite3_bind_text(st, 2, r->url, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->source, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, r->depth);
    sqlite3_bind_int(st, 5, r->kind);
    sqlite3_bind_int(st, 6, r->attempts);
    sqlite3_bind_double(st, 7, r->not_before);
    return run(s, PUSH);
}

static int read_request(sqlite3_stmt *st, crawl_request *r) {
    r->fp = (uint64_t)sqlite3_column_int64(st, 0);
    r->url = strdup((const char *)sqlite3_column_text(st, 1));
    r->source = strdup((const char *)sqlite3_column_text(st, 2));
    r->depth = sqlite3_column_int(st, 3);
    r->kind = sqlite3_column_int(st, 4);
    r->attempts = sqlite3_column_int(st, 5);
    r->not_before = sqlite3_column_double(st, 6);
    return r->url && r->source ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
}

static int mark(crawl_store *s, uint64_t fp, int state) {
    sqlite3_stmt *st = bind(s, MARK);
    sqlite3_bind_int(st, 1, state);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)fp);
    return run(s, MARK);
}

int crawl_store_take(crawl_store *s, double now, int max, crawl_request **out, int *n) {
    crawl_request *list = calloc(max > 0 ? (size_t)max : 1, sizeof *list);
    if (!list) return yq_error(YQ_ENOMEM, "out of memory");
    sqlite3_stmt *st = bind(s, TAKE);
    sqlite3_bind_double(st, 1, now);
    sqlite3_bind_int(st, 2, max);
    int count = 0, rc = 0;
    while (count < max && (rc = run(s, TAKE)) == 1)
        if ((rc = read_request(st, &list[count++])) != 0) break;
    sqlite3_reset(st);
    for (int i = 0; rc >= 0 && i < count; i++)
        rc = mark(s, list[i].fp, QUEUED);
    if (rc < 0) {
        for (int i = 0; i < count; i++)
            crawl_request_free(&list[i]);
        free(list);
        return rc;
    }
    *out = list;
    *n = count;
    return YQ_OK;
}

int crawl_store_mark_in_flight(crawl_store *s, uint64_t fp) {
    return mark(s, fp, IN_FLIGHT);
}

int crawl_store_requeue(crawl_store *s, uint64_t fp, int attempts, double not_before) {
    sqlite3_stmt *st = bind(s, REQUEUE);
    sqlite3_bind_int(st, 1, attempts);
    sqlite3_bind_double(st, 2, not_before);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)fp);
    return run(s, REQUEUE);
}

int crawl_store_done(crawl_store *s, uint64_t fp) {
    sqlite3_bind_int64(bind(s, DONE), 1, (sqlite3_int64)fp);
    return run(s, DONE);
}

int crawl_store_pause(crawl_store *s, const char *source, int paused) {
    const char *q = paused ? "INSERT OR IGNORE INTO temp.paused(name) VALUES (?1);"
                           : "DELETE FROM temp.paused WHERE name = ?1;";
    sqlite3_stmt *st;
    int rc = YQ_OK;
    for (int i = 0; i < 1 + paused && !rc; i++) {
        const char *sql = i ? "UPDATE frontier SET state = 0 WHERE source = ?1 AND state = 1" : q;
        if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
            return yq_db_error(s->db, "crawl state");
        sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? YQ_OK : yq_db_error(s->db, "crawl state");
        sqlite3_finalize(st);
    }
    return rc;
}

long long crawl_store_pending(crawl_store *s, const char *source) {
    if (!source) return (long long)query_number(s, "SELECT count(*) FROM frontier", NULL);
    return (long long)query_number(s, "SELECT count(*) FROM frontier WHERE source = ?", source);
}

double crawl_store_next_due(crawl_store *s) {
    return query_number(s, "SELECT min(not_before) FROM frontier WHERE state = 0", NULL);
}

int crawl_store_content_add(crawl_store *s, const char *source, uint64_t hash, const char *id) {
    sqlite3_stmt *st = bind(s, CONTENT_ADD);
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)hash);
    sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    int rc = run(s, CONTENT_ADD);
    return rc < 0 ? rc : sqlite3_changes(s->db) > 0;
}

int crawl_store_item_add(crawl_store *s, const char *id, const char *json) {
    sqlite3_stmt *st = bind(s, ITEM_ADD);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, json, -1, SQLITE_STATIC);
    int rc = run(s, ITEM_ADD);
    return rc < 0 ? rc : sqlite3_changes(s->db) > 0;
}

int crawl_store_source_get(crawl_store *s, const char *name, long long *tick, int *done) {
    sqlite3_bind_text(bind(s, SOURCE_GET), 1, name, -1, SQLITE_STATIC);
    int rc = run(s, SOURCE_GET);
    *tick = rc == 1 ? sqlite3_column_int64(s->stmt[SOURCE_GET], 0) : 0;
    *done = rc == 1 ? sqlite3_column_int(s->stmt[SOURCE_GET], 1) : 1;
    sqlite3_reset(s->stmt[SOURCE_GET]);
    return rc < 0 ? rc : YQ_OK;
}

int crawl_store_source_set(crawl_store *s, const char *name, long long tick, int done) {
    sqlite3_stmt *st = bind(s, SOURCE_SET);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, tick);
    sqlite3_bind_int(st, 3, done);
    return run(s, SOURCE_SET);
}
