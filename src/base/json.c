/* Whole-file JSON loading for configuration and metadata files. */
#include <stdlib.h>

#include "yuqing/error.h"
#include "yuqing/json.h"
#include "yuqing/mapfile.h"

int yq_json_load(const char *path, cJSON **out) {
    char *text;
    size_t len;
    int rc = yq_read_file(path, &text, &len);
    if (rc) return rc;
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return yq_error(YQ_EFORMAT, "%s: not a JSON object", path);
    }
    *out = root;
    return YQ_OK;
}
