/* The analysis store's schema: created at the current version with every table, and a file from
 * a newer yuqing refused with a clear message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/store.h"

int main(void) {
    char path[] = "/tmp/yq_test_store_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 1;
    close(fd);
    unlink(path);
    yq_store *store = NULL;
    CHECKF(yq_store_open(path, &store) == 0, "%s", yq_last_error());
    if (store) {
        sqlite3 *db = yq_store_db(store);
        CHECK(test_sql_int(db, "PRAGMA user_version") == YQ_STORE_SCHEMA_VERSION);
        CHECK(test_sql_int(
                  db, "SELECT count(*) FROM sqlite_master WHERE name IN ('articles', 'analyses', 'mentions',"
                      " 'entity_sentiment', 'near_dup_groups', 'entities', 'alerts', 'settings', "
                      "'articles_fts')") == 9);
        CHECK(test_sql_int(db, "SELECT count(*) FROM alerts") == 0);
        CHECK(sqlite3_exec(db, "PRAGMA user_version = 7", NULL, NULL, NULL) == SQLITE_OK);
        yq_store_close(store);
    }
    store = NULL;
    CHECK(yq_store_open(path, &store) == YQ_EUNSUPPORTED && store == NULL);
    char want[512];
    snprintf(want, sizeof want, "%s: analysis store schema version 7 is newer than this yuqing supports (%d)",
             path, YQ_STORE_SCHEMA_VERSION);
    CHECKF(!strcmp(yq_last_error(), want), "'%s'", yq_last_error());
    char wal[600];
    unlink(path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    return test_summary("test_store");
}
