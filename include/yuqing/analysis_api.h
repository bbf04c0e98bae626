/* The analysis store over HTTP (`yuqing serve --db DB`): the live dashboard at / and a read-only
 * JSON API, mounted on the shared HTTP layer (routes separate from the OpenAI API's):
 *   GET /                   the dashboard page (docs/REPORT.md), with /report.js, /report.css,
 *                           /chart.min.js beside it
 *   GET /api/entities       {"entities": [{name, articles, positive, neutral, negative, mean_score, alerts}]}
 *   GET /api/articles       ?q=&entity=&sentiment=&since=&limit= -> {"articles": [...]} newest first
 *                           (times in the store's time zone, with their offset)
 *   GET /api/alerts         {"alerts": [{triggered_at, entity, rule, message}]} newest first */
#ifndef YUQING_ANALYSIS_API_H
#define YUQING_ANALYSIS_API_H

#include "yuqing/http.h"

typedef struct yq_analysis_api yq_analysis_api;

enum { YQ_ANALYSIS_ROUTES = 7 };

/* Opens the store at `db_path` (which must exist) and sets the process's time zone to the
 * store's. Errors as yq_store_open, or YQ_ENOENT. */
int yq_analysis_api_new(const char *db_path, yq_analysis_api **out);
void yq_analysis_api_free(yq_analysis_api *api);

/* Writes the API's YQ_ANALYSIS_ROUTES routes into `routes` and returns their number. */
int yq_analysis_api_routes(yq_analysis_api *api, yq_http_route *routes);

#endif
