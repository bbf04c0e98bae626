/* The text pipeline of a tokenizer.json around its BPE model: the normalizer (none or NFC), the
 * pre-tokenizer (ByteLevel and Split steps, possibly in a Sequence) and the decoder
 * (ByteLevel). Anything else is refused by name rather than approximated. */
#include <string.h>

#include "tokenizer/hf.h"
#include "yuqing/error.h"

static const char *type_of(const cJSON *obj) {
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, "type");
    return cJSON_IsString(t) ? t->valuestring : "(no type)";
}

static int unsupported(const char *path, const char *what, const cJSON *obj) {
    return yq_error(YQ_EUNSUPPORTED, "%s: %s type %s is not supported", path, what, type_of(obj));
}

static int read_normalizer(yq_tokenizer *tok, const cJSON *n, const char *path) {
    if (!n || cJSON_IsNull(n)) return YQ_OK;
    if (!strcmp(type_of(n), "NFC")) {
        tok->nfc = 1;
        return YQ_OK;
    }
    if (strcmp(type_of(n), "Sequence")) return unsupported(path, "normalizer", n);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(n, "normalizers"), *it;
    cJSON_ArrayForEach(it, list) {
        int rc = read_normalizer(tok, it, path);
        if (rc) return rc;
    }
    return YQ_OK;
}

/* A boolean option with HF's default when absent. */
static int flag(const cJSON *obj, const char *name, int default_value) {
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsBool(f) ? cJSON_IsTrue(f) : default_value;
}

static int read_split(yq_tokenizer *tok, const cJSON *p, const char *path) {
    const cJSON *pattern = cJSON_GetObjectItemCaseSensitive(p, "pattern");
    const cJSON *regex = cJSON_GetObjectItemCaseSensitive(pattern, "Regex");
    const cJSON *behavior = cJSON_GetObjectItemCaseSensitive(p, "behavior");
    if (!cJSON_IsString(regex))
        return yq_error(YQ_EUNSUPPORTED, "%s: Split pre-tokenizer without a Regex pattern", path);
    if (!cJSON_IsString(behavior) || strcmp(behavior->valuestring, "Isolated") || flag(p, "invert", 0))
        return yq_error(YQ_EUNSUPPORTED, "%s: Split behavior other than Isolated (not inverted)", path);
    return pretok_add_split(&tok->pretok, regex->valuestring, 1, path);
}

/* Reads one pre-tokenizer; *byte_level is set when a ByteLevel step is among them. */
static int read_pretok(yq_tokenizer *tok, const cJSON *p, int *byte_level, const char *path) {
    const char *type = type_of(p);
    if (!strcmp(type, "ByteLevel")) {
        *byte_level = 1;
        return pretok_add_byte_level(&tok->pretok, flag(p, "add_prefix_space", 1), flag(p, "use_regex", 1),
                                     path);
    }
    if (!strcmp(type, "Split")) return read_split(tok, p, path);
    if (strcmp(type, "Sequence")) return unsupported(path, "pre_tokenizer", p);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(p, "pretokenizers"), *it;
    cJSON_ArrayForEach(it, list) {
        int rc = read_pretok(tok, it, byte_level, path);
        if (rc) return rc;
    }
    return YQ_OK;
}

int hf_read_pipeline(yq_tokenizer *tok, const cJSON *root, const char *path) {
    int rc = read_normalizer(tok, cJSON_GetObjectItemCaseSensitive(root, "normalizer"), path);
    const cJSON *pre = cJSON_GetObjectItemCaseSensitive(root, "pre_tokenizer");
    const cJSON *dec = cJSON_GetObjectItemCaseSensitive(root, "decoder");
    int byte_level = 0;
    if (!rc && pre && !cJSON_IsNull(pre)) rc = read_pretok(tok, pre, &byte_level, path);
    if (!rc && !byte_level)
        rc = yq_error(YQ_EUNSUPPORTED,
                      "%s: no ByteLevel pre-tokenizer (only byte-level BPE is "
                      "supported)",
                      path);
    if (!rc && strcmp(type_of(dec), "ByteLevel")) rc = unsupported(path, "decoder", dec);
    return rc;
}
