/* Loader of Hugging Face tokenizer.json files with a byte-level BPE model (Qwen2/2.5/3,
 * Llama-3, GPT-2 families): model, pipeline, added tokens, then tokenizer_config.json. */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/hf.h"
#include "yuqing/error.h"
#include "yuqing/mapfile.h"

/* An id field: an integer in [0, INT32_MAX). */
static int read_id(const cJSON *v, int32_t *id) {
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble >= INT32_MAX ||
        v->valuedouble != (double)(int32_t)v->valuedouble)
        return -1;
    *id = (int32_t)v->valuedouble;
    return 0;
}

/* One more than the largest id of the vocabulary and the added tokens. */
static int count_ids(const cJSON *vocab, const cJSON *added, int32_t *n_ids, const char *path) {
    int32_t max = -1, id;
    for (const cJSON *it = cJSON_IsObject(vocab) ? vocab->child : NULL; it; it = it->next) {
        if (read_id(it, &id)) return yq_error(YQ_EFORMAT, "%s: vocab[\"%s\"] is not an id", path, it->string);
        max = id > max ? id : max;
    }
    const cJSON *t;
    cJSON_ArrayForEach(t, added) {
        if (read_id(cJSON_GetObjectItemCaseSensitive(t, "id"), &id))
            return yq_error(YQ_EFORMAT, "%s: an added token has no valid id", path);
        max = id > max ? id : max;
    }
    *n_ids = max + 1;
    return YQ_OK;
}

static int read_added_token(yq_tokenizer *tok, const cJSON *t, const char *path) {
    int32_t id = -1;
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(t, "content");
    read_id(cJSON_GetObjectItemCaseSensitive(t, "id"), &id);
    if (!cJSON_IsString(content) || !content->valuestring[0])
        return yq_error(YQ_EFORMAT, "%s: added token %d has no content", path, (int)id);
    static const char *const unsupported[] = {"single_word", "lstrip", "rstrip"};
    for (int i = 0; i < 3; i++)
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, unsupported[i])))
            return yq_error(YQ_EUNSUPPORTED, "%s: added token \"%s\" uses %s, which is not supported", path,
                            content->valuestring, unsupported[i]);
    const uint8_t *text = (const uint8_t *)content->valuestring;
    size_t len = strlen(content->valuestring);
    int normalized = tok->nfc && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "normalized"));
    int rc = vocab_has(&tok->vocab, id) ? YQ_OK : vocab_set(&tok->vocab, id, text, len, 0, path);
    if (!rc)
        rc = specials_add(&tok->specials, text, len, id,
                          cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "special")), normalized);
    return rc;
}

/* BOS from a TemplateProcessing post-processor whose single-sequence template starts with a
 * special token (Llama-3's <|begin_of_text|>). */
static void read_post_processor(yq_tokenizer *tok, const cJSON *pp) {
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(pp, "type");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "TemplateProcessing")) return;
    const cJSON *single = cJSON_GetObjectItemCaseSensitive(pp, "single");
    const cJSON *first = cJSON_IsArray(single) ? single->child : NULL;
    const cJSON *special = cJSON_GetObjectItemCaseSensitive(first, "SpecialToken");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(special, "id");
    if (!cJSON_IsString(name)) return;
    tok->bos = tokenizer_lookup(tok, name->valuestring);
    tok->adds_bos = tok->bos >= 0;
}

static int load(yq_tokenizer *tok, const cJSON *root, const char *path) {
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
    const cJSON *added = cJSON_GetObjectItemCaseSensitive(root, "added_tokens"), *t;
    int32_t n_ids = 0;
    int rc = hf_read_pipeline(tok, root, path);
    if (!rc) rc = count_ids(cJSON_GetObjectItemCaseSensitive(model, "vocab"), added, &n_ids, path);
    if (!rc) rc = hf_read_bpe(tok, model, n_ids, path);
    cJSON_ArrayForEach(t, added) {
        if (!rc) rc = read_added_token(tok, t, path);
    }
    if (rc) return rc;
    specials_finish(&tok->specials);
    read_post_processor(tok, cJSON_GetObjectItemCaseSensitive(root, "post_processor"));
    return hf_read_config(tok, path);
}

int hf_load(yq_tokenizer *tok, const char *path) {
    yq_mapped_file f;
    int rc = yq_map_file(path, &f);
    if (rc) return rc;
    cJSON *root = f.data ? cJSON_ParseWithLength((const char *)f.data, f.size) : NULL;
    yq_unmap_file(&f);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return yq_error(YQ_EFORMAT, "%s: not a JSON object (truncated or corrupt?)", path);
    }
    rc = load(tok, root, path);
    cJSON_Delete(root);
    return rc;
}
