/* URL resolution, canonical form and fingerprint for the crawler, over libcurl's URL API.
 * curl_url parses and removes dot segments; we rebuild the string from its parts, normalising
 * percent-encoding, the query order and the tracking parameters ourselves. */
#include <ctype.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crawl/url_internal.h"
#include "yuqing/error.h"
#include "yuqing/url.h"

const char *const yq_url_default_tracking[] = {
    "utm_*",        "spm",         "scm",       "from",           "share_source",
    "share_medium", "share_token", "vd_source", "isappinstalled", "wfr",
    "fbclid",       "gclid",       "gclsrc",    "dclid",          "msclkid",
    "yclid",        "igshid",      "twclid",    "ttclid",         "mc_cid",
    "mc_eid",       "_ga",         "_gl",       "_hsenc",         "_hsmi",
    "mkt_tok",      NULL,
};

/* A growable string. */
typedef struct {
    char *s;
    size_t len, cap;
} buf;

static int buf_add(buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *p = realloc(b->s, cap);
        if (!p) return YQ_ENOMEM;
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

static int buf_str(buf *b, const char *s) {
    return buf_add(b, s, strlen(s));
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int is_unreserved(int c) {
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Characters that may stand unencoded in a path or query (RFC 3986 pchar, '/', '?'). */
static int is_allowed(int c) {
    return is_unreserved(c) || strchr("!$&'()*+,;=:@/?", c) != NULL;
}

/* Appends `s[0..n)` with percent-encoding normalised: escapes upper-cased, escapes of unreserved
 * characters decoded (when `decode`), disallowed bytes encoded. */
static int add_normalised(buf *b, const char *s, size_t n, int decode) {
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char out[3];
        size_t k = 1;
        out[0] = (char)c;
        if (c == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
            hexval((unsigned char)s[i + 2]) >= 0) {
            int v = hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]);
            i += 2;
            if (decode && is_unreserved(v)) {
                out[0] = (char)v;
            } else {
                out[0] = '%', out[1] = hex[v >> 4], out[2] = hex[v & 15], k = 3;
            }
        } else if (!is_allowed(c)) {
            out[0] = '%', out[1] = hex[c >> 4], out[2] = hex[c & 15], k = 3;
        }
        if (buf_add(b, out, k)) return YQ_ENOMEM;
    }
    return 0;
}

/* 1 when parameter name `name[0..n)` matches a tracking pattern. */
static int is_tracking(const char *name, size_t n, const char *const *patterns) {
    for (; *patterns; patterns++) {
        size_t len = strlen(*patterns);
        if (len && (*patterns)[len - 1] == '*') {
            if (n >= len - 1 && strncasecmp(name, *patterns, len - 1) == 0) return 1;
        } else if (n == len && strncasecmp(name, *patterns, n) == 0) {
            return 1;
        }
    }
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends "?" + the query's parameters, normalised, tracking ones dropped, sorted; nothing when
 * none is left. */
static int add_canonical_query(buf *b, const char *query, const char *const *tracking) {
    size_t cap = 1;
    for (const char *p = query; *p; p++)
        cap += *p == '&';
    char **params = calloc(cap, sizeof *params);
    if (!params) return YQ_ENOMEM;
    size_t n = 0;
    int rc = 0;
    for (const char *p = query; *p && !rc;) {
        size_t len = strcspn(p, "&");
        size_t name_len = strcspn(p, "=&");
        if (len && !is_tracking(p, name_len, tracking)) {
            buf param = {0};
            rc = add_normalised(&param, p, len, 1);
            params[n++] = param.s;
        }
        p += len + (p[len] == '&');
    }
    if (!rc) qsort(params, n, sizeof *params, cmp_str);
    for (size_t i = 0; i < n && !rc; i++)
        rc = buf_str(b, i ? "&" : "?") || buf_str(b, params[i]);
    for (size_t i = 0; i < n; i++)
        free(params[i]);
    free(params);
    return rc ? YQ_ENOMEM : 0;
}

/* Parses `ref` against `base` (NULL: ref must be absolute) into *out; http/https only. */
static int url_parse(const char *base, const char *ref, CURLU **out) {
    while (isspace((unsigned char)*ref))
        ref++;
    size_t len = strlen(ref);
    while (len && isspace((unsigned char)ref[len - 1]))
        len--;
    char *trimmed = strndup(ref, len);
    CURLU *u = curl_url();
    if (!trimmed || !u) {
        free(trimmed);
        curl_url_cleanup(u);
        return YQ_ENOMEM;
    }
    CURLUcode cu = CURLUE_OK;
    if (base) cu = curl_url_set(u, CURLUPART_URL, base, 0);
    /* libcurl 7.88 resolves "" and "#frag" like "."; RFC 3986 keeps the base's path and query */
    if (!cu && base && (!*trimmed || *trimmed == '#'))
        cu = curl_url_set(u, CURLUPART_FRAGMENT, *trimmed ? trimmed + 1 : NULL, 0);
    else if (!cu)
        cu = curl_url_set(u, CURLUPART_URL, trimmed, CURLU_ALLOW_SPACE);
    char *scheme = NULL;
    if (!cu) cu = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    int ok = !cu && (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0);
    curl_free(scheme);
    if (!ok) {
        curl_url_cleanup(u);
        int rc = yq_error(YQ_EINVAL, "not an http(s) URL: %s", trimmed);
        free(trimmed);
        return rc;
    }
    free(trimmed);
    *out = u;
    return 0;
}

/* The part `what` of u (malloc'd copy, NULL when absent). */
static char *url_part(CURLU *u, CURLUPart what) {
    char *part = NULL;
    if (curl_url_get(u, what, &part, 0) != CURLUE_OK) return NULL;
    char *copy = strdup(part);
    curl_free(part);
    return copy;
}

/* Appends "scheme://host[:port]" with scheme and host lower-cased and a default port dropped. */
static int add_origin(buf *b, CURLU *u) {
    char *scheme = url_part(u, CURLUPART_SCHEME), *host = url_part(u, CURLUPART_HOST);
    char *port = url_part(u, CURLUPART_PORT);
    int rc = scheme && host ? 0 : yq_error(YQ_EINVAL, "URL without a host");
    if (!rc) {
        for (char *p = host; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        int dflt = port && ((strcmp(scheme, "http") == 0 && strcmp(port, "80") == 0) ||
                            (strcmp(scheme, "https") == 0 && strcmp(port, "443") == 0));
        rc = buf_str(b, scheme) || buf_str(b, "://") || buf_str(b, host) ? YQ_ENOMEM : 0;
        if (!rc && port && !dflt) rc = buf_str(b, ":") || buf_str(b, port) ? YQ_ENOMEM : 0;
    }
    free(scheme);
    free(host);
    free(port);
    return rc;
}

/* Builds the string of u: origin, normalised path, query (canonical or as is) and, unless
 * canonical, the fragment. */
static int url_build(CURLU *u, const char *const *tracking, int canonical, char **out) {
    buf b = {0};
    char *path = url_part(u, CURLUPART_PATH), *query = url_part(u, CURLUPART_QUERY);
    char *fragment = canonical ? NULL : url_part(u, CURLUPART_FRAGMENT);
    int rc = add_origin(&b, u);
    if (!rc) rc = add_normalised(&b, path && *path ? path : "/", path && *path ? strlen(path) : 1, canonical);
    if (!rc && query && canonical) rc = add_canonical_query(&b, query, tracking);
    if (!rc && query && !canonical) rc = buf_str(&b, "?") || add_normalised(&b, query, strlen(query), 0);
    if (!rc && fragment) rc = buf_str(&b, "#") || add_normalised(&b, fragment, strlen(fragment), 0);
    free(path);
    free(query);
    free(fragment);
    if (rc) {
        free(b.s);
        return rc < 0 ? rc : YQ_ENOMEM;
    }
    *out = b.s;
    return 0;
}

int yq_url_resolve(const char *base, const char *ref, char **out) {
    CURLU *u;
    int rc = url_parse(base, ref, &u);
    if (rc) return rc;
    rc = url_build(u, NULL, 0, out);
    curl_url_cleanup(u);
    return rc;
}

int yq_url_canonical(const char *url, const char *const *tracking, char **out) {
    CURLU *u;
    int rc = url_parse(NULL, url, &u);
    if (rc) return rc;
    rc = url_build(u, tracking ? tracking : yq_url_default_tracking, 1, out);
    curl_url_cleanup(u);
    return rc;
}

uint64_t yq_fingerprint64(const void *data, size_t len) {
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 */
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    h ^= h >> 33; /* MurmurHash3 fmix64 */
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

void yq_url_fingerprint_hex(const char *canonical_url, char out[17]) {
    static const char hex[] = "0123456789abcdef";
    uint64_t h = yq_fingerprint64(canonical_url, strlen(canonical_url));
    for (int i = 15; i >= 0; i--, h >>= 4)
        out[i] = hex[h & 15];
    out[16] = '\0';
}

int yq_url_host(const char *url, char **out) {
    CURLU *u;
    int rc = url_parse(NULL, url, &u);
    if (rc) return rc;
    *out = url_part(u, CURLUPART_HOST);
    curl_url_cleanup(u);
    if (!*out) return yq_error(YQ_EINVAL, "URL without a host: %s", url);
    for (char *p = *out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return 0;
}

int yq_url_origin(const char *url, char **out) {
    CURLU *u;
    int rc = url_parse(NULL, url, &u);
    if (rc) return rc;
    buf b = {0};
    rc = add_origin(&b, u);
    curl_url_cleanup(u);
    if (rc) {
        free(b.s);
        return rc < 0 ? rc : YQ_ENOMEM;
    }
    *out = b.s;
    return 0;
}

char *yq_url_normalise_escapes(const char *s, size_t n) {
    buf b = {0};
    if (buf_add(&b, "", 0) || add_normalised(&b, s, n, 1)) {
        free(b.s);
        return NULL;
    }
    return b.s;
}
