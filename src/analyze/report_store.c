/* A report straight from an analysis store: its time-zone setting, the period, the data. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "yuqing/error.h"
#include "yuqing/report.h"
#include "yuqing/store.h"

char *yq_report_store_timezone(sqlite3 *db) {
    sqlite3_stmt *stmt;
    char *tz = NULL;
    if (sqlite3_prepare_v2(db, "SELECT value FROM settings WHERE key = 'timezone'", -1, &stmt, NULL) != SQLITE_OK)
        return NULL;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
        tz = strdup((const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return tz;
}

int yq_report_from_store(const char *db_path, const char *since, const char *until, cJSON **out) {
    if (access(db_path, R_OK) != 0) return yq_error(YQ_ENOENT, "%s: no such analysis store", db_path);
    yq_store *store;
    int rc = yq_store_open(db_path, &store);
    if (rc) return rc;
    char *tz = yq_report_store_timezone(yq_store_db(store));
    yq_report_range range;
    rc = yq_report_range_init(&range, tz, since, until);
    if (!rc) rc = yq_report_data(yq_store_db(store), &range, out);
    free(tz);
    yq_store_close(store);
    return rc;
}
