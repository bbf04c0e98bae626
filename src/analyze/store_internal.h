/* The analysis store's internals shared by its files (store.c, store_search.c, store_schema.c). */
#ifndef YUQING_ANALYZE_STORE_INTERNAL_H
#define YUQING_ANALYZE_STORE_INTERNAL_H

#include "yuqing/store.h"

extern const char *const yq_store_migrations[YQ_STORE_SCHEMA_VERSION];

enum store_statement {
    ST_HAS_ARTICLE,
    ST_INSERT_ARTICLE,
    ST_INSERT_ANALYSIS,
    ST_INSERT_MENTION,
    ST_INSERT_ENTITY_SENTIMENT,
    ST_INSERT_GROUP,
    ST_UPDATE_GROUP,
    ST_COUNT
};

/* Runs a prepared statement to completion and resets it (store.c). */
int store_run(yq_store *store, sqlite3_stmt *stmt);
/* Binds text, or NULL when text is NULL. */
void store_bind_text(sqlite3_stmt *stmt, int i, const char *text);

struct yq_store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *stmt[ST_COUNT];
};

#endif
