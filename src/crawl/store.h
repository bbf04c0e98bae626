/* The crawler's persistent state in STATE_DIR/state.db (SQLite, WAL): the seen-URL set (with a
 * Bloom filter in front), the frontier of pending requests, the per-tick marks of revisited
 * pages, content hashes, the outbox of item records and the sinks' progress through it, and the
 * sources' tick counters. One thread uses a store. Every change the crawl loop makes for one
 * batch of finished requests goes in one transaction (crawl_store_begin/commit), so a kill at any
 * moment leaves either all or none of a request's consequences. */
#ifndef YUQING_CRAWL_STORE_H
#define YUQING_CRAWL_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "crawl/bloom.h"

typedef enum {
    CRAWL_KIND_INDEX = 0,   /* start URL or revisit page: polled at every tick, never "seen" */
    CRAWL_KIND_PAGE = 1,    /* a followed link: fetched once; an item unless article rules say not */
    CRAWL_KIND_ARTICLE = 2, /* a feed or sitemap entry, or a link matching `article`: an item */
} crawl_kind;

typedef struct crawl_request {
    uint64_t fp;       /* fingerprint of the canonical URL */
    char *url;         /* absolute URL to request */
    char *source;      /* source name */
    int depth;         /* links away from a start URL */
    int kind;          /* crawl_kind */
    int attempts;      /* attempts made so far */
    double not_before; /* wall-clock seconds: not requested before */
} crawl_request;

void crawl_request_free(crawl_request *r);

typedef struct crawl_store {
    sqlite3 *db;
    crawl_bloom bloom;         /* in front of the seen set */
    crawl_bloom revisit_bloom; /* in front of the revisits table */
    sqlite3_stmt *stmt[16];
    int resumed_in_flight; /* requests in flight when the previous run stopped */
} crawl_store;

/* Opens (creating) DIR and DIR/state.db, resets requests left queued or in flight by a previous
 * run to pending, and builds the Bloom filter from the seen set. Errors: YQ_EIO, YQ_EFORMAT,
 * YQ_EUNSUPPORTED (state from a newer yuqing), YQ_ENOMEM. */
int crawl_store_open(const char *dir, crawl_store *out);
void crawl_store_close(crawl_store *s);

int crawl_store_begin(crawl_store *s);
int crawl_store_commit(crawl_store *s);

/* Adds `fp` to the seen set: 1 when it was new, 0 when already seen, or a negative error. */
int crawl_store_seen_add(crawl_store *s, uint64_t fp);
/* 1 when `fp` is in the seen set, 0 when not, or a negative error. */
int crawl_store_seen_has(crawl_store *s, uint64_t fp);

/* Marks an index page as polled in `tick`: 1 when it was not yet polled in that tick, else 0. */
int crawl_store_revisit_add(crawl_store *s, uint64_t fp, long long tick);

/* 1 when `fp` was ever polled as an index page, 0 when not, or a negative error. */
int crawl_store_revisit_known(crawl_store *s, uint64_t fp);

/* Adds a pending request (ignored when one with the same fp is pending already). */
int crawl_store_push(crawl_store *s, const crawl_request *r);

/* Up to `max` pending requests due at `now` (wall clock), oldest first, marked queued; *out is
 * a malloc'd array of *n requests (free each with crawl_request_free, then the array). */
int crawl_store_take(crawl_store *s, double now, int max, crawl_request **out, int *n);
/* Marks a queued request as sent to the server. */
int crawl_store_mark_in_flight(crawl_store *s, uint64_t fp);
/* Returns a request to pending with its new attempt count and not-before time. */
int crawl_store_requeue(crawl_store *s, uint64_t fp, int attempts, double not_before);
/* Removes a finished (or abandoned) request. */
int crawl_store_done(crawl_store *s, uint64_t fp);
/* Pending requests of `source` (all states), or of every source when NULL. */
long long crawl_store_pending(crawl_store *s, const char *source);
/* The earliest not-before time of a pending request, or 0 when there is none. */
double crawl_store_next_due(crawl_store *s);

/* Records a body's content hash: 1 when new, 0 when an item with the same content exists. */
int crawl_store_content_add(crawl_store *s, uint64_t hash, const char *id);

/* Appends an item record (JSON) to the outbox: 1 when added, 0 when `id` is there already. */
int crawl_store_item_add(crawl_store *s, const char *id, const char *json);

/* A source's tick counter and whether that tick is finished; a new source has tick 0, done. */
int crawl_store_source_get(crawl_store *s, const char *name, long long *tick, int *done);
int crawl_store_source_set(crawl_store *s, const char *name, long long tick, int done);

#endif
