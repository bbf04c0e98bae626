/* JSON glue over cJSON: loading a whole JSON file with errors that name it. */
#ifndef YUQING_JSON_H
#define YUQING_JSON_H

#include <cjson/cJSON.h>

/* Parses the file at `path`, which must hold a JSON object, into *out (free with cJSON_Delete).
 * Errors: YQ_ENOENT (missing), YQ_EFORMAT ("PATH: not a JSON object"), YQ_EIO, YQ_ENOMEM. */
int yq_json_load(const char *path, cJSON **out);

#endif
