/* Where item records go: a JSONL file and/or a SQLite table, fed from the state's outbox so that
 * each item reaches each sink exactly once across kills and restarts. */
#ifndef YUQING_CRAWL_SINK_H
#define YUQING_CRAWL_SINK_H

#include <sqlite3.h>
#include <stdio.h>

#include "crawl/store.h"

typedef struct crawl_sinks {
    FILE *jsonl;
    char jsonl_name[4200]; /* "jsonl:PATH": its progress row in the state */
    long long jsonl_seq;   /* last outbox row written and recorded */
    sqlite3 *sqlite;
    sqlite3_stmt *insert;
    char sqlite_name[4300]; /* "sqlite:PATH:TABLE" */
    long long sqlite_seq;
} crawl_sinks;

/* Opens the sinks given (each may be NULL): a JSONL file is cut back to its last recorded
 * length (dropping a batch a kill interrupted); the SQLite table is created when missing.
 * Errors: YQ_EIO. */
int crawl_sinks_open(crawl_sinks *k, crawl_store *store, const char *jsonl, const char *sqlite, const char *table);
void crawl_sinks_close(crawl_sinks *k);

/* Writes the outbox items each sink has not had yet (flushed to disk), then records the new
 * positions in the state. Call outside a state transaction. Errors: YQ_EIO. */
int crawl_sinks_drain(crawl_sinks *k, crawl_store *store);

#endif
