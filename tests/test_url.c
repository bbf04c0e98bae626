/* URL resolution against RFC 3986 §5.4's published examples, canonical forms worked by hand from
 * RFC 3986 §6 (case, percent-encoding, dot segments, default ports) and our documented rules
 * (query order, tracking parameters), and fingerprints from tools/make_fingerprint_vectors.py. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/url.h"

/* RFC 3986 §5.4.1 (normal) and §5.4.2 (abnormal), base "http://a/b/c/d;p?q". "//g" gives
 * "http://g/": an empty path and "/" are the same for http (RFC 3986 §6.2.3). */
static const char *const rfc3986[][2] = {
    {"g", "http://a/b/c/g"},
    {"./g", "http://a/b/c/g"},
    {"g/", "http://a/b/c/g/"},
    {"/g", "http://a/g"},
    {"//g", "http://g/"},
    {"?y", "http://a/b/c/d;p?y"},
    {"g?y", "http://a/b/c/g?y"},
    {"#s", "http://a/b/c/d;p?q#s"},
    {"g#s", "http://a/b/c/g#s"},
    {"g?y#s", "http://a/b/c/g?y#s"},
    {";x", "http://a/b/c/;x"},
    {"g;x", "http://a/b/c/g;x"},
    {"g;x?y#s", "http://a/b/c/g;x?y#s"},
    {"", "http://a/b/c/d;p?q"},
    {".", "http://a/b/c/"},
    {"./", "http://a/b/c/"},
    {"..", "http://a/b/"},
    {"../", "http://a/b/"},
    {"../g", "http://a/b/g"},
    {"../..", "http://a/"},
    {"../../", "http://a/"},
    {"../../g", "http://a/g"},
    {"../../../g", "http://a/g"},
    {"../../../../g", "http://a/g"},
    {"/./g", "http://a/g"},
    {"/../g", "http://a/g"},
    {"g.", "http://a/b/c/g."},
    {".g", "http://a/b/c/.g"},
    {"g..", "http://a/b/c/g.."},
    {"..g", "http://a/b/c/..g"},
    {"./../g", "http://a/b/g"},
    {"./g/.", "http://a/b/c/g/"},
    {"g/./h", "http://a/b/c/g/h"},
    {"g/../h", "http://a/b/c/h"},
    {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
    {"g;x=1/../y", "http://a/b/c/y"},
    {"g?y/./x", "http://a/b/c/g?y/./x"},
    {"g?y/../x", "http://a/b/c/g?y/../x"},
    {"g#s/./x", "http://a/b/c/g#s/./x"},
    {"g#s/../x", "http://a/b/c/g#s/../x"},
};

static void test_resolve(void) {
    for (size_t i = 0; i < sizeof rfc3986 / sizeof *rfc3986; i++) {
        char *out = NULL;
        int rc = yq_url_resolve("http://a/b/c/d;p?q", rfc3986[i][0], &out);
        CHECKF(rc == 0 && strcmp(out, rfc3986[i][1]) == 0, "resolve '%s': got %s, want %s", rfc3986[i][0],
               rc ? yq_last_error() : out, rfc3986[i][1]);
        free(out);
    }
    char *out = NULL;
    CHECK(yq_url_resolve("http://a/b/", "  /x y  ", &out) == 0 && strcmp(out, "http://a/x%20y") == 0);
    free(out);
    CHECK(yq_url_resolve("http://a/b/", "mailto:x@example.com", &out) == YQ_EINVAL);
    CHECK(yq_url_resolve("http://a/b/", "javascript:void(0)", &out) == YQ_EINVAL);
    CHECK(yq_url_resolve(NULL, "relative/path", &out) == YQ_EINVAL);
}

/* Hand-worked canonical forms. */
static const char *const canonical[][2] = {
    /* RFC 3986 §6.2.2.1, §6.2.2.2, §6.2.3 examples */
    {"HTTP://www.EXAMPLE.com/", "http://www.example.com/"},
    {"http://example.com/%7Esmith/home.html", "http://example.com/~smith/home.html"},
    {"http://example.com:80/~smith/home.html", "http://example.com/~smith/home.html"},
    {"http://example.com", "http://example.com/"},
    {"http://example.com/a%c2%b1b", "http://example.com/a%C2%B1b"},
    {"http://example.com/a/./b/../c", "http://example.com/a/c"},
    /* our rules */
    {"HTTP://News.Example.COM:80/a/./b/../c%7e?b=2&utm_source=x&a=1#top",
     "http://news.example.com/a/c~?a=1&b=2"},
    {"https://example.com:443/x", "https://example.com/x"},
    {"https://example.com:8443/x", "https://example.com:8443/x"},
    {"http://example.com:443/x", "http://example.com:443/x"},
    {"http://example.com/x?utm_medium=a&UTM_Campaign=b&spm=1.2&from=timeline", "http://example.com/x"},
    {"http://example.com/x?z=1&a=2&a=1&m", "http://example.com/x?a=1&a=2&m&z=1"},
    {"http://example.com/x?&&a=1&", "http://example.com/x?a=1"},
    {"http://example.com/x?", "http://example.com/x"},
    {"http://example.com/a%2fb", "http://example.com/a%2Fb"},
    {"http://user:pw@example.com/", "http://example.com/"},
    {"http://example.com/新闻/一.html", "http://example.com/%E6%96%B0%E9%97%BB/%E4%B8%80.html"},
    {"http://[::1]:80/x", "http://[::1]/x"},
    {"http://example.com/x?fromage=1&fbclid=abc", "http://example.com/x?fromage=1"},
};

static void test_canonical(void) {
    for (size_t i = 0; i < sizeof canonical / sizeof *canonical; i++) {
        char *out = NULL;
        int rc = yq_url_canonical(canonical[i][0], NULL, &out);
        CHECKF(rc == 0 && strcmp(out, canonical[i][1]) == 0, "canonical '%s': got %s, want %s",
               canonical[i][0], rc ? yq_last_error() : out, canonical[i][1]);
        free(out);
    }
    const char *const none[] = {NULL}, *const custom[] = {"ref", "x_*", NULL};
    char *out = NULL;
    CHECK(yq_url_canonical("http://e.com/?utm_source=a&b=1", none, &out) == 0 &&
          strcmp(out, "http://e.com/?b=1&utm_source=a") == 0);
    free(out);
    CHECK(yq_url_canonical("http://e.com/?ref=a&x_y=2&utm_source=1", custom, &out) == 0 &&
          strcmp(out, "http://e.com/?utm_source=1") == 0);
    free(out);
    CHECK(yq_url_canonical("ftp://e.com/", NULL, &out) == YQ_EINVAL);
    CHECK(yq_url_canonical("not a url", NULL, &out) == YQ_EINVAL);
}

static void test_fingerprint(void) {
    static const char *const vectors[][2] = {
        {"", "efd01f60ba992926"},
        {"a", "82a2a958a9bece5b"},
        {"foobar", "2c22194922d1672b"},
        {"http://news.example.com/a/c~?a=1&b=2", "5315775492a63730"},
    };
    for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++) {
        char hex[17];
        yq_url_fingerprint_hex(vectors[i][0], hex);
        CHECKF(strcmp(hex, vectors[i][1]) == 0, "fingerprint '%s': %s", vectors[i][0], hex);
    }
    /* tracking variants of one URL share the id */
    char *a, *b, ha[17], hb[17];
    CHECK(yq_url_canonical("http://h.com/news/a1.html?utm_source=x&spm=1", NULL, &a) == 0);
    CHECK(yq_url_canonical("http://H.com:80/news/./a1.html#c", NULL, &b) == 0);
    yq_url_fingerprint_hex(a, ha);
    yq_url_fingerprint_hex(b, hb);
    CHECK(strcmp(ha, hb) == 0);
    free(a);
    free(b);
}

static void test_host_origin(void) {
    char *s = NULL;
    CHECK(yq_url_host("https://News.Example.com:8443/a?b", &s) == 0 && strcmp(s, "news.example.com") == 0);
    free(s);
    CHECK(yq_url_origin("https://News.Example.com:443/a?b", &s) == 0 &&
          strcmp(s, "https://news.example.com") == 0);
    free(s);
    CHECK(yq_url_origin("http://127.0.0.1:8080/a", &s) == 0 && strcmp(s, "http://127.0.0.1:8080") == 0);
    free(s);
}

int main(void) {
    test_resolve();
    test_canonical();
    test_fingerprint();
    test_host_origin();
    return test_summary("test_url");
}
