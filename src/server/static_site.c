/* Static files over HTTP (see include/yuqing/static_site.h). Each route's context is one file;
 * the file is read at each request, so edits show without a restart. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "yuqing/error.h"
#include "yuqing/mapfile.h"
#include "yuqing/static_site.h"

enum { MAX_FILES = 4096 };

typedef struct {
    char *url_path;  /* "/caijing/index.html" or "/caijing/" */
    char *file;      /* on disk */
} site_file;

struct yq_static_site {
    site_file files[MAX_FILES];
    int n;
};

static const char *content_type(const char *file) {
    static const struct { const char *ext, *type; } types[] = {
        {".html", "text/html"}, {".htm", "text/html"}, {".xml", "application/xml"},
        {".rss", "application/rss+xml"}, {".gz", "application/gzip"}, {".txt", "text/plain"},
        {".json", "application/json"}, {".js", "text/javascript"}, {".css", "text/css"},
        {".png", "image/png"}, {".jpg", "image/jpeg"}, {".mp3", "audio/mpeg"}, {".mp4", "video/mp4"}};
    const char *dot = strrchr(file, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(dot, types[i].ext)) return types[i].type;
    return "application/octet-stream";
}

static yq_http_response *serve_file(void *ctx, const yq_http_request *req) {
    const site_file *f = ctx;
    char *bytes;
    size_t len;
    if (yq_read_file(f->file, &bytes, &len)) return yq_http_error(404, "not_found", NULL, "%s", yq_last_error());
    yq_http_response *r = yq_http_text(200, content_type(f->file), bytes, len);
    free(bytes);
    return r;
}

static int add_file(yq_static_site *site, const char *url_path, const char *file) {
    if (site->n == MAX_FILES) return yq_error(YQ_ERANGE, "static site: more than %d files", MAX_FILES);
    site_file *f = &site->files[site->n];
    f->url_path = strdup(url_path);
    f->file = strdup(file);
    if (!f->url_path || !f->file) return yq_error(YQ_ENOMEM, "out of memory");
    site->n++;
    return YQ_OK;
}

/* Adds the files of `dir` (URL prefix `prefix`, ending in '/'), sorted, recursing into folders. */
static int scan(yq_static_site *site, const char *dir, const char *prefix) {
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort), rc = n < 0 ? yq_error(YQ_ENOENT, "%s: cannot list", dir) : YQ_OK;
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX], url[PATH_MAX];
        const char *name = names[i]->d_name;
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, name);
        if (!rc && name[0] != '.' && stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                snprintf(url, sizeof url, "%s%s/", prefix, name);
                rc = scan(site, path, url);
            } else {
                snprintf(url, sizeof url, "%s%s", prefix, name);
                rc = add_file(site, url, path);
                if (!rc && !strcmp(name, "index.html")) rc = add_file(site, prefix, path);
            }
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int yq_static_site_open(const char *root, yq_static_site **out) {
    yq_static_site *site = calloc(1, sizeof *site);
    if (!site) return yq_error(YQ_ENOMEM, "out of memory");
    int rc = scan(site, root, "/");
    if (rc) {
        yq_static_site_free(site);
        return rc;
    }
    *out = site;
    return YQ_OK;
}

void yq_static_site_free(yq_static_site *site) {
    if (!site) return;
    for (int i = 0; i < site->n; i++) free(site->files[i].url_path), free(site->files[i].file);
    free(site);
}

int yq_static_site_n_routes(const yq_static_site *site) {
    return site->n;
}

int yq_static_site_routes(yq_static_site *site, yq_http_route *routes) {
    for (int i = 0; i < site->n; i++)
        routes[i] = (yq_http_route){"GET", site->files[i].url_path, serve_file, &site->files[i]};
    return site->n;
}
