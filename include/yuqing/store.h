/* The analysis store: one SQLite file (WAL, versioned schema; docs/ANALYZE.md lists the tables)
 * holding articles, their analyses, entity mentions and sentiments, near-duplicate groups, the
 * watched entities and alerts, with a trigram full-text index for Chinese and English search. */
#ifndef YUQING_STORE_H
#define YUQING_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "yuqing/analyze.h"

/* The analysis store's schema version (PRAGMA user_version) this yuqing writes. */
#define YQ_STORE_SCHEMA_VERSION 1

typedef struct yq_store yq_store;

/* Opens or creates the store at `path`, migrating it to the current schema. Errors: YQ_EIO,
 * YQ_EFORMAT (not a database), YQ_EUNSUPPORTED (made by a newer yuqing: "PATH: analysis store
 * schema version V is newer than this yuqing supports (N)"). Close with yq_store_close. */
int yq_store_open(const char *path, yq_store **out);
void yq_store_close(yq_store *store);
/* The connection, for read-only queries by other modules (report, serve). Borrowed. */
sqlite3 *yq_store_db(yq_store *store);

/* Records the watch list: entities (by name, aliases refreshed) and settings (time zone,
 * threshold). ids[i] gets the store id of watch->entities[i] (caller allocates n_entities). */
int yq_store_sync_watch(yq_store *store, const yq_watch *watch, int64_t *ids);

/* 1 in *known when an article with this item id is stored. */
int yq_store_has_article(yq_store *store, const char *id, int *known);

/* Calls fn(ctx, simhash, group_id) for every stored article in insertion order (to rebuild the
 * near-duplicate index after a restart). */
int yq_store_each_fingerprint(yq_store *store, void (*fn)(void *ctx, uint64_t simhash, int64_t group),
                              void *ctx);

int yq_store_begin(yq_store *store);
int yq_store_commit(yq_store *store);
void yq_store_rollback(yq_store *store);

/* The raw item fields kept with an article (all borrowed; NULL when unknown). */
typedef struct yq_item_record {
    char *id, *url, *canonical_url, *source, *fetched_at, *title, *published_at, *author, *body, *lang,
        *content_hash;
} yq_item_record;

/* One analysed article to store (all borrowed). */
typedef struct yq_store_article {
    const yq_item_record *item;
    const char *title, *body; /* cleaned */
    const char *lang;
    const char *time_utc; /* "YYYY-MM-DDTHH:MM:SSZ" from published_at, else fetched_at; or NULL */
    uint64_t simhash;
    int64_t group; /* near-duplicate group to join, or 0 to start a new one */
    int empty;     /* no text: stored, not analysed */
    const yq_mention *mentions;
    int n_mentions;
    const int64_t *entity_ids; /* store id of each watch entity (yq_store_sync_watch) */
    const yq_analysis *analysis;
    const char *analyzer;
} yq_store_article;

/* Inserts the article with its analysis, mentions and entity sentiments, and updates its group
 * (reach, first-seen article). Call inside yq_store_begin/commit. *group gets the article's
 * group id. */
int yq_store_add(yq_store *store, const yq_store_article *article, int64_t *group);

/* ISO 8601 ("2024-05-01", "2024-05-01T08:30:00+08:00", "2024-05-01 08:30", ...) to UTC
 * "YYYY-MM-DDTHH:MM:SSZ" in out[21]; a time without offset is taken as UTC. 0 or YQ_EINVAL. */
int yq_iso_to_utc(const char *text, char out[21]);

/* ---- search ---- */

typedef struct yq_search_query {
    const char *text;      /* words, all required; shorter than 3 characters: substring scan */
    const char *entity;    /* entity name, or NULL */
    const char *sentiment; /* "positive", "neutral", "negative" (of the entity when given), or NULL */
    const char *since;     /* lower bound on the article time (UTC, ISO 8601 prefix), or NULL */
    long long limit;       /* 0: no limit */
} yq_search_query;

/* One result row (borrowed, valid during the callback). */
typedef struct yq_search_row {
    const char *id, *time, *source, *url, *title, *lang, *sentiment, *summary, *keywords, *event_type,
        *entities; /* keywords and entities: JSON arrays */
    double score;
    long long group, group_articles;
} yq_search_row;

/* Runs a search, newest first; calls fn per row (a non-zero return stops it and is returned). */
int yq_store_search(yq_store *store, const yq_search_query *query,
                    int (*fn)(void *ctx, const yq_search_row *row), void *ctx);

#endif
