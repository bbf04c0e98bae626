/* Blocking one-shot requests over a private fetcher, for clients such as the LLM analyzer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yuqing/error.h"
#include "yuqing/fetch.h"

static void keep_response(void *user, yq_fetch_response *r) {
    *(yq_fetch_response **)user = r;
}

int yq_fetch_once(const yq_fetcher_config *config, const yq_fetch_request *request, yq_fetch_response **out) {
    yq_fetcher_config c = config ? *config : yq_fetcher_defaults();
    yq_fetcher *f;
    int rc = yq_fetcher_new(&c, &f);
    if (rc) return rc;
    *out = NULL;
    rc = yq_fetcher_submit(f, request, keep_response, out);
    while (!rc && !*out) {
        int n = yq_fetcher_poll(f, 1000);
        if (n < 0) rc = n;
    }
    yq_fetcher_free(f);
    return rc;
}

int yq_fetch_post_json(const char *url, const char *bearer_key, const char *json, long timeout_ms,
                       yq_fetch_response **out) {
    char *auth = NULL;
    if (bearer_key && asprintf(&auth, "Authorization: Bearer %s", bearer_key) < 0) return YQ_ENOMEM;
    const char *headers[] = {"Content-Type: application/json", "Accept: application/json", auth, NULL};
    yq_fetch_request rq = {
        .url = url,
        .method = "POST",
        .body = json,
        .body_len = strlen(json),
        .headers = headers,
        .timeout_ms = timeout_ms,
        .allow_private = 1,
    };
    int rc = yq_fetch_once(NULL, &rq, out);
    free(auth);
    return rc;
}
