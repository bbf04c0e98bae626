/* A string-keyed hash map (open addressing, no removal) for the crawler's per-host and
 * per-origin tables. Internal to src/crawl. */
#ifndef YUQING_CRAWL_STRMAP_H
#define YUQING_CRAWL_STRMAP_H

typedef struct yq_strmap yq_strmap;

/* NULL on out-of-memory. */
yq_strmap *yq_strmap_new(void);
/* Frees the map and its keys; `free_value` (may be NULL) is called on each value. */
void yq_strmap_free(yq_strmap *m, void (*free_value)(void *));
/* The value stored under `key`, or NULL. */
void *yq_strmap_get(const yq_strmap *m, const char *key);
/* Stores `value` under `key` (copied), replacing (not freeing) an earlier value. YQ_ENOMEM. */
int yq_strmap_put(yq_strmap *m, const char *key, void *value);

#endif
