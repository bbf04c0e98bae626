/* Alert rules of the watch file evaluated over the analysis store: sliding windows over each
 * entity's articles in time order; each episode raises one alert, recorded once (reruns add
 * nothing) and handed to a callback (`--alert-cmd`). */
#ifndef YUQING_ALERTS_H
#define YUQING_ALERTS_H

#include <cjson/cJSON.h>

#include "yuqing/analyze.h"
#include "yuqing/store.h"

/* Called once per newly raised alert with its JSON: {"id", "entity", "rule", "kind", "value",
 * "n_articles", "window_start", "window_end", "raised_at", "message"} (times UTC ISO 8601) and
 * "raised_at_local" (the same time in the watch file's time zone, with its offset). A
 * non-zero return is reported as a warning; evaluation goes on. */
typedef int (*yq_alert_fn)(void *ctx, const cJSON *alert);

/* Evaluates every rule of `watch` (entity ids from yq_store_sync_watch) over the store and
 * records new alerts. A rule fires at the first article where, over the window ending at that
 * article's time, the entity has >= `negative_count` negative articles, or (negative_share_above)
 * at least min_articles articles of which a share above the threshold is negative; after firing,
 * the next alert of the same rule counts only articles after the one that fired it. The alert's
 * time is that article's, so a rerun or a resumed run computes the same alerts. *n_new receives
 * how many were added. */
int yq_alerts_evaluate(yq_store *store, const yq_watch *watch, const int64_t *entity_ids, yq_alert_fn fn,
                       void *ctx, int *n_new);

/* Opens the store at `db_path`, records the watch list and evaluates its rules (as above), with
 * the process's time zone set to the watch file's. */
int yq_alerts_run(const char *db_path, const yq_watch *watch, yq_alert_fn fn, void *ctx, int *n_new);

/* Runs `command` through /bin/sh with the alert's JSON on stdin; 0 when it exits 0. */
int yq_alert_run_command(const char *command, const cJSON *alert);

#endif
