/* The static HTML report: the report's data as one JSON object (schema in docs/REPORT.md) and
 * the page written from it into a folder that opens from disk with no server. */
#ifndef YUQING_REPORT_H
#define YUQING_REPORT_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

/* The period and time zone of a report. */
typedef struct yq_report_range {
    char timezone[64];          /* IANA name, or the machine's zone abbreviation */
    const char *since, *until;  /* local dates "YYYY-MM-DD" as given, or NULL (borrowed) */
    char since_utc[21], until_utc[21]; /* the same bounds in UTC: [since 00:00, until 24:00) */
} yq_report_range;

/* Sets the process's time zone to `timezone` (an IANA name such as "Asia/Shanghai"; NULL keeps
 * the machine's) and converts the local dates `since` / `until` (either may be NULL) to UTC
 * bounds. Errors: YQ_EINVAL naming a bad date or an unknown time zone. */
int yq_report_range_init(yq_report_range *range, const char *timezone, const char *since, const char *until);

/* A UTC time "YYYY-MM-DDTHH:MM:SSZ" as ISO 8601 in the process's time zone with its offset
 * ("2024-05-01T16:30:00+08:00"), written into out; `utc` itself when it does not parse. */
const char *yq_utc_to_local(const char *utc, char out[32]);

/* Reads the report's data (docs/REPORT.md) from an analysis store's connection. */
int yq_report_data(sqlite3 *db, const yq_report_range *range, cJSON **out);

/* The analysis store's `timezone` setting (malloc'd), or NULL for the machine's. */
char *yq_report_store_timezone(sqlite3 *db);

/* Opens the analysis store at `db_path` (which must exist), sets the process's time zone to the
 * store's (else the machine's) and reads the report's data for the local dates [since, until]
 * (either NULL: unbounded). */
int yq_report_from_store(const char *db_path, const char *since, const char *until, cJSON **out);

/* Writes DIR/index.html (the page template with `data` embedded), report.js, report.css and
 * Chart.js (copied from Debian's libjs-chart.js) into `dir`, creating it if needed. Each file is
 * written to a temporary name and renamed, so a reader never sees a partial page. Errors:
 * YQ_ENOENT (template or Chart.js missing, naming it), YQ_EIO. */
int yq_report_write_dir(const cJSON *data, const char *dir);

/* The files the page loads beside itself, and their bytes (malloc'd) for serving them. */
extern const char *const yq_report_assets[3];
int yq_report_asset(const char *name, char **bytes, size_t *len);

/* The page as one string (template + embedded data), malloc'd; for `serve --db`. */
int yq_report_render_page(const cJSON *data, char **out);

#endif
