/* The static report folder: page with embedded data, script, style and Chart.js, no partial files. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "yuqing/mapfile.h"
#include "yuqing/report.h"

static char *read_back(const char *dir, const char *name) {
    char path[512], *text = NULL;
    size_t len;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return yq_read_file(path, &text, &len) == 0 ? text : NULL;
}

/* The JSON between <script id="report-data" ...> and </script>, parsed. */
static cJSON *embedded_data(const char *page) {
    const char *open = strstr(page, "id=\"report-data\"");
    open = open ? strchr(open, '>') : NULL;
    const char *close = open ? strstr(open, "</script>") : NULL;
    if (!close) return NULL;
    return cJSON_ParseWithLength(open + 1, (size_t)(close - open - 1));
}

int main(void) {
    char dir[] = "/tmp/yq-report-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    cJSON *data = cJSON_Parse("{\"entities\":[{\"name\":\"Acme </script><b>\",\"articles\":2}],"
                              "\"alerts\":[],\"timezone\":\"UTC\"}");
    CHECK(data != NULL);
    CHECK(yq_report_write_dir(data, dir) == 0);
    char *page = read_back(dir, "index.html");
    CHECK(page != NULL);
    if (page) {
        CHECK(strstr(page, "Acme </script>") == NULL); /* cannot close the data script early */
        cJSON *back = embedded_data(page);
        CHECK(back != NULL && cJSON_Compare(back, data, 1));
        cJSON_Delete(back);
    }
    char *chart = read_back(dir, "chart.min.js"), *script = read_back(dir, "report.js");
    CHECK(chart && strstr(chart, "Chart.js") != NULL);
    CHECK(script && strstr(script, "report-data") != NULL);
    DIR *d = opendir(dir);
    int files = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        files++;
        CHECKF(strstr(e->d_name, ".tmp") == NULL, "leftover %s", e->d_name);
        char path[600];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d) closedir(d);
    CHECK(files == 4);
    rmdir(dir);
    free(page), free(chart), free(script);
    cJSON_Delete(data);
    return test_summary("test_report");
}
