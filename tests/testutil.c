/* Shared pieces of the unit tests: failure counting and test-data paths. */
#include <cjson/cJSON.h>
#include <stdlib.h>

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
