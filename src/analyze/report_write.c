/* Writing the static report folder: the page template with the report JSON embedded, its script
 * and style sheet, and Chart.js copied from Debian's package (no CDN). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "yuqing/datadir.h"
#include "yuqing/error.h"
#include "yuqing/mapfile.h"
#include "yuqing/report.h"

#define DATA_PLACEHOLDER "@@REPORT_DATA@@"
static const char *const chartjs_paths[] = {"/usr/share/javascript/chart.js/chart.min.js",
                                            "/usr/share/nodejs/chart.js/dist/chart.min.js", NULL};

/* JSON text safe inside <script>: "</" becomes "<\/" (same string for the JSON parser). */
static char *json_for_script(const cJSON *data) {
    char *json = cJSON_PrintUnformatted(data);
    if (!json) return NULL;
    size_t n = strlen(json), extra = 0;
    for (size_t i = 0; i + 1 < n; i++) extra += json[i] == '<' && json[i + 1] == '/';
    char *out = malloc(n + extra + 1), *w = out;
    for (size_t i = 0; out && i < n; i++) {
        *w++ = json[i];
        if (json[i] == '<' && json[i + 1] == '/') *w++ = '\\';
    }
    if (out) *w = 0;
    cJSON_free(json);
    return out;
}

static int read_data_file(const char *relative, char **text, size_t *len) {
    char path[PATH_MAX];
    int rc = yq_data_path(relative, path, sizeof path);
    return rc ? rc : yq_read_file(path, text, len);
}

const char *const yq_report_assets[3] = {"chart.min.js", "report.js", "report.css"};

int yq_report_render_page(const cJSON *data, char **out) {
    char *template, *json;
    size_t len;
    int rc = read_data_file("report/index.html", &template, &len);
    if (rc) return rc;
    char *at = strstr(template, DATA_PLACEHOLDER);
    json = json_for_script(data);
    if (!at || !json) {
        free(template);
        free(json);
        return at ? yq_error(YQ_ENOMEM, "out of memory rendering the report")
                  : yq_error(YQ_EFORMAT, "report/index.html: no " DATA_PLACEHOLDER " placeholder");
    }
    size_t head = (size_t)(at - template), json_len = strlen(json);
    const char *tail = at + strlen(DATA_PLACEHOLDER);
    char *page = malloc(head + json_len + strlen(tail) + 1);
    if (page) {
        memcpy(page, template, head);
        memcpy(page + head, json, json_len);
        strcpy(page + head + json_len, tail);
    }
    free(template);
    free(json);
    if (!page) return yq_error(YQ_ENOMEM, "out of memory rendering the report");
    *out = page;
    return YQ_OK;
}

/* Writes `len` bytes to DIR/NAME through a temporary file and a rename. */
static int write_atomically(const char *dir, const char *name, const char *bytes, size_t len) {
    char path[PATH_MAX], tmp[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) return yq_error(YQ_EIO, "%s: %s", tmp, strerror(errno));
    size_t written = fwrite(bytes, 1, len, f);
    int closed = fclose(f);
    if (written != len || closed != 0 || rename(tmp, path) != 0) {
        int rc = yq_error(YQ_EIO, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return rc;
    }
    return YQ_OK;
}

/* Where a page asset lives: Chart.js from Debian's package, the rest from our data folder. */
static int asset_path(const char *name, char *out, size_t size) {
    if (strcmp(name, "chart.min.js") != 0) {
        char relative[128];
        snprintf(relative, sizeof relative, "report/%s", name);
        return yq_data_path(relative, out, size);
    }
    for (int i = 0; chartjs_paths[i]; i++)
        if (access(chartjs_paths[i], R_OK) == 0) return snprintf(out, size, "%s", chartjs_paths[i]), YQ_OK;
    return yq_error(YQ_ENOENT, "Chart.js not found at %s (install Debian's libjs-chart.js)", chartjs_paths[0]);
}

int yq_report_asset(const char *name, char **bytes, size_t *len) {
    char path[PATH_MAX];
    int rc = asset_path(name, path, sizeof path);
    return rc ? rc : yq_read_file(path, bytes, len);
}

static int copy_asset(const char *dir, const char *name) {
    char *bytes;
    size_t len;
    int rc = yq_report_asset(name, &bytes, &len);
    if (rc) return rc;
    rc = write_atomically(dir, name, bytes, len);
    free(bytes);
    return rc;
}

int yq_report_write_dir(const cJSON *data, const char *dir) {
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) return yq_error(YQ_EIO, "%s: %s", dir, strerror(errno));
    int rc = YQ_OK;
    for (size_t i = 0; !rc && i < sizeof yq_report_assets / sizeof yq_report_assets[0]; i++)
        rc = copy_asset(dir, yq_report_assets[i]);
    char *page = NULL;
    if (!rc) rc = yq_report_render_page(data, &page);
    if (!rc) rc = write_atomically(dir, "index.html", page, strlen(page)); /* last: the page appears complete */
    free(page);
    return rc;
}
