/* Fetch responses: error-kind names, header look-up, freeing. */
#include <stdlib.h>
#include <strings.h>

#include "yuqing/fetch.h"

const char *yq_fetch_error_name(enum yq_fetch_error error) {
    static const char *const names[] = {
        "ok", "http", "timeout", "too_large", "redirect_loop", "refused_private", "network"};
    return (unsigned)error < sizeof names / sizeof *names ? names[error] : "unknown";
}

const char *yq_fetch_header(const yq_fetch_response *r, const char *name) {
    for (int i = 0; i < r->n_headers; i++)
        if (strcasecmp(r->header_names[i], name) == 0) return r->header_values[i];
    return NULL;
}

void yq_fetch_response_free(yq_fetch_response *r) {
    if (!r) return;
    for (int i = 0; i < r->n_headers; i++) {
        free(r->header_names[i]);
        free(r->header_values[i]);
    }
    free(r->header_names);
    free(r->header_values);
    free(r->url);
    free(r->final_url);
    free(r->content_type);
    free(r->location);
    free(r->body);
    free(r);
}
