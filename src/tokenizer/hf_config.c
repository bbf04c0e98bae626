/* tokenizer_config.json beside a tokenizer.json: BOS/EOS tokens, whether a BOS is added, and the
 * chat template (a string, or a list of named templates of which "default" is taken). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tokenizer/hf.h"
#include "yuqing/error.h"
#include "yuqing/json.h"
#include "yuqing/mapfile.h"

const char *hf_token_text(const cJSON *item) {
    if (cJSON_IsString(item)) return item->valuestring;
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(item, "content");
    return cJSON_IsString(content) ? content->valuestring : NULL;
}

/* The id of the token named by config field `field`, -1 when the field is null or absent. */
static int token_field(const yq_tokenizer *tok, const cJSON *cfg, const char *field, int32_t *id,
                       const char *path) {
    const char *text = hf_token_text(cJSON_GetObjectItemCaseSensitive(cfg, field));
    if (!text) return YQ_OK;
    *id = tokenizer_lookup(tok, text);
    if (*id < 0) return yq_error(YQ_EFORMAT, "%s: %s \"%s\" is not a token", path, field, text);
    return YQ_OK;
}

static const char *chat_template(const cJSON *cfg) {
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(cfg, "chat_template"), *it;
    if (cJSON_IsString(t)) return t->valuestring;
    const char *first = NULL;
    cJSON_ArrayForEach(it, t) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(it, "template");
        if (!cJSON_IsString(text)) continue;
        if (cJSON_IsString(name) && !strcmp(name->valuestring, "default")) return text->valuestring;
        if (!first) first = text->valuestring;
    }
    return first;
}

static int read_config(yq_tokenizer *tok, const cJSON *cfg, const char *path) {
    int rc = token_field(tok, cfg, "bos_token", &tok->bos, path);
    if (!rc) rc = token_field(tok, cfg, "eos_token", &tok->eos, path);
    const cJSON *add_bos = cJSON_GetObjectItemCaseSensitive(cfg, "add_bos_token");
    if (cJSON_IsBool(add_bos)) tok->adds_bos = cJSON_IsTrue(add_bos) && tok->bos >= 0;
    const char *tmpl = chat_template(cfg);
    if (!rc && tmpl && !(tok->chat_template = strdup(tmpl)))
        rc = yq_error(YQ_ENOMEM, "%s: out of memory", path);
    return rc;
}

int hf_read_config(yq_tokenizer *tok, const char *tokenizer_json_path) {
    char path[4096];
    const char *slash = strrchr(tokenizer_json_path, '/');
    int dir_len = slash ? (int)(slash - tokenizer_json_path) : 1;
    snprintf(path, sizeof path, "%.*s/tokenizer_config.json", dir_len, slash ? tokenizer_json_path : ".");
    struct stat st;
    if (stat(path, &st) != 0) return YQ_OK;
    cJSON *cfg;
    int rc = yq_json_load(path, &cfg);
    if (rc) return rc;
    rc = read_config(tok, cfg, path);
    cJSON_Delete(cfg);
    return rc;
}
