/* A folder of files served as a web site on the shared HTTP layer: one GET route per file
 * (folders' index.html also at "DIR/"), Content-Type by extension. Serves the bundled demo
 * news site; not meant for large trees. */
#ifndef YUQING_STATIC_SITE_H
#define YUQING_STATIC_SITE_H

#include "yuqing/http.h"

typedef struct yq_static_site yq_static_site;

/* Lists the files under `root` (recursively, up to 4096). Errors: YQ_ENOENT, YQ_ERANGE. */
int yq_static_site_open(const char *root, yq_static_site **out);
void yq_static_site_free(yq_static_site *site);

/* Number of routes the site needs (for sizing the route array). */
int yq_static_site_n_routes(const yq_static_site *site);
/* Writes the routes into `routes` and returns their number. */
int yq_static_site_routes(yq_static_site *site, yq_http_route *routes);

#endif
