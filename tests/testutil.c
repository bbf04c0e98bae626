/* Shared pieces of the unit tests: failure counting and test-data paths. */
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "yuqing/mapfile.h"

int test_failures;
int test_checks;

const char *test_data_path(const char *relative) {
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", YQ_TEST_DATA, relative);
    return path;
}

int test_summary(const char *name) {
    printf("%s: %d passed, %d failed\n", name, test_checks - test_failures, test_failures);
    return test_failures ? 1 : 0;
}

cJSON *test_load_json(const char *relative) {
    char *text;
    size_t len;
    if (yq_read_file(test_data_path(relative), &text, &len)) {
        fprintf(stderr, "cannot read %s\n", test_data_path(relative));
        return NULL;
    }
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    if (!root) fprintf(stderr, "%s: bad JSON\n", relative);
    return root;
}

int test_json_ids(const cJSON *array, int32_t **ids, int *n) {
    *n = cJSON_GetArraySize(array);
    *ids = malloc((size_t)(*n + 1) * sizeof **ids);
    if (!*ids) return -1;
    for (int i = 0; i < *n; i++) (*ids)[i] = (int32_t)cJSON_GetArrayItem(array, i)->valuedouble;
    return 0;
}

static char qwen3_dir[64];

static void remove_qwen3_dir(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", qwen3_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", qwen3_dir);
}

const char *test_qwen3_tokenizer_dir(void) {
    if (qwen3_dir[0]) return qwen3_dir;
    strcpy(qwen3_dir, "/tmp/yuqing-qwen3-XXXXXX");
    if (!mkdtemp(qwen3_dir)) {
        qwen3_dir[0] = '\0';
        return NULL;
    }
    atexit(remove_qwen3_dir);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "gzip -dc '%s/tokenizers/qwen3/tokenizer.json.gz' > '%s/tokenizer.json' && "
             "cp '%s/tokenizers/qwen3/tokenizer_config.json' '%s/'", YQ_TEST_DATA, qwen3_dir, YQ_TEST_DATA, qwen3_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot unpack the Qwen3 tokenizer into %s\n", qwen3_dir);
        return NULL;
    }
    return qwen3_dir;
}

int test_sql_int(sqlite3 *db, const char *sql) {
    sqlite3_stmt *st;
    int n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}
