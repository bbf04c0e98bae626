/* Versioned SQLite databases: WAL mode, forward migrations by PRAGMA user_version. */
#include <stdio.h>

#include "yuqing/db.h"
#include "yuqing/error.h"

int yq_db_error(sqlite3 *db, const char *context) {
    return yq_error(YQ_EIO, "%s: %s", context, sqlite3_errmsg(db));
}

int yq_db_exec(sqlite3 *db, const char *context, const char *sql) {
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) == SQLITE_OK) return YQ_OK;
    int rc = yq_error(YQ_EIO, "%s: %s", context, message ? message : sqlite3_errmsg(db));
    sqlite3_free(message);
    return rc;
}

static int read_version(sqlite3 *db, const char *path, int *version) {
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
        return yq_error(YQ_EFORMAT, "%s: not a SQLite database (%s)", path, sqlite3_errmsg(db));
    int rc = sqlite3_step(stmt);
    *version = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW ? YQ_OK : yq_error(YQ_EFORMAT, "%s: cannot read schema version", path);
}

static int migrate(sqlite3 *db, const char *path, const char *what, const char *sql, int to) {
    char context[512], set_version[64];
    snprintf(context, sizeof context, "%s: %s migration to schema version %d", path, what, to);
    snprintf(set_version, sizeof set_version, "PRAGMA user_version = %d", to);
    int rc = yq_db_exec(db, context, "BEGIN IMMEDIATE");
    if (!rc) rc = yq_db_exec(db, context, sql);
    if (!rc) rc = yq_db_exec(db, context, set_version);
    if (!rc) rc = yq_db_exec(db, context, "COMMIT");
    if (rc) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return yq_error(YQ_EFORMAT, "%s", yq_last_error());
    }
    return YQ_OK;
}

int yq_db_open(const char *path, const char *what, const char *const *migrations, int n_migrations,
               sqlite3 **out) {
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK) {
        int rc = yq_error(YQ_EIO, "%s: cannot open %s: %s", path, what,
                          db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db, 10000);
    int version = 0;
    int rc = read_version(db, path, &version);
    if (!rc && version > n_migrations)
        rc = yq_error(YQ_EUNSUPPORTED, "%s: %s schema version %d is newer than this yuqing supports (%d)",
                      path, what, version, n_migrations);
    if (!rc) rc = yq_db_exec(db, path, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                                       " PRAGMA foreign_keys = ON");
    for (int v = version; !rc && v < n_migrations; v++) rc = migrate(db, path, what, migrations[v], v + 1);
    if (rc) {
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return YQ_OK;
}
