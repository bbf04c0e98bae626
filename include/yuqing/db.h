/* SQLite databases with versioned schemas: opened in WAL mode, migrated forward one step at a
 * time inside transactions, and refused when they come from a newer yuqing. */
#ifndef YUQING_DB_H
#define YUQING_DB_H

#include <sqlite3.h>

/* Opens (creating) the database at `path` and brings its schema to version `n_migrations`:
 * migrations[i] is the SQL that takes version i to i+1, applied in one transaction with the
 * version (PRAGMA user_version) so a kill never leaves a half-migrated file. `what` names the
 * kind of database in messages ("crawl state", "analysis store"). Errors: YQ_EIO (cannot open),
 * YQ_EUNSUPPORTED ("PATH: WHAT schema version V is newer than this yuqing supports (N)"),
 * YQ_EFORMAT (not a database, or a migration failed). Close with sqlite3_close. */
int yq_db_open(const char *path, const char *what, const char *const *migrations, int n_migrations,
               sqlite3 **out);

/* Runs SQL without results; on failure records "CONTEXT: sqlite message" and returns YQ_EIO. */
int yq_db_exec(sqlite3 *db, const char *context, const char *sql);

/* Records the connection's last error as "CONTEXT: sqlite message" and returns YQ_EIO. */
int yq_db_error(sqlite3 *db, const char *context);

#endif
