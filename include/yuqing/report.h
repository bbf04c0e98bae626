/* The static HTML report: the report's data as one JSON object (schema in docs/REPORT.md) and
 * the page written from it into a folder that opens from disk with no server. */
#ifndef YUQING_REPORT_H
#define YUQING_REPORT_H

#include <cjson/cJSON.h>

/* Writes DIR/index.html (the page template with `data` embedded), report.js, report.css and
 * Chart.js (copied from Debian's libjs-chart.js) into `dir`, creating it if needed. Each file is
 * written to a temporary name and renamed, so a reader never sees a partial page. Errors:
 * YQ_ENOENT (template or Chart.js missing, naming it), YQ_EIO. */
int yq_report_write_dir(const cJSON *data, const char *dir);

/* The page as one string (template + embedded data), malloc'd; for `serve --db`. */
int yq_report_render_page(const cJSON *data, char **out);

#endif
