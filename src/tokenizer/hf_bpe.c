/* The BPE model of a tokenizer.json: the vocabulary (byte-level strings to ids) and the ranked
 * merges ("a b" strings or [a, b] pairs), each merge's rank being its position in the list. */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/bytelevel.h"
#include "tokenizer/hf.h"
#include "yuqing/error.h"

/* The id of the vocabulary token spelled by byte-level string s[0..n), or -1. */
static int32_t token_id(const yq_tokenizer *tok, const char *s, size_t n, yq_buf *scratch) {
    scratch->len = 0;
    if (bytelevel_decode(s, n, scratch)) return -1;
    return vocab_find(&tok->vocab, scratch->data, scratch->len);
}

static int read_vocab(yq_tokenizer *tok, const cJSON *vocab, int32_t n_ids, const char *path) {
    if (!cJSON_IsObject(vocab)) return yq_error(YQ_EFORMAT, "%s: model.vocab is not an object", path);
    int rc = vocab_init(&tok->vocab, n_ids, (size_t)cJSON_GetArraySize(vocab));
    yq_buf bytes = {0};
    for (const cJSON *it = vocab->child; !rc && it; it = it->next) {
        bytes.len = 0;
        rc = bytelevel_decode(it->string, strlen(it->string), &bytes);
        if (rc == YQ_EFORMAT || (!rc && bytes.len == 0))
            rc = yq_error(YQ_EFORMAT, "%s: vocab token \"%s\" is not a byte-level string", path, it->string);
        if (!rc) rc = vocab_set(&tok->vocab, (int32_t)it->valuedouble, bytes.data, bytes.len, 1, path);
    }
    free(bytes.data);
    return rc;
}

/* The two halves of merge `m`: "a b" or ["a", "b"]. */
static int merge_halves(const cJSON *m, const char **a, size_t *na, const char **b, size_t *nb) {
    if (cJSON_IsString(m)) {
        const char *sp = strchr(m->valuestring, ' ');
        if (!sp || strchr(sp + 1, ' ')) return -1;
        *a = m->valuestring;
        *na = (size_t)(sp - m->valuestring);
        *b = sp + 1;
        *nb = strlen(sp + 1);
        return 0;
    }
    if (cJSON_GetArraySize(m) != 2 || !cJSON_IsString(m->child) || !cJSON_IsString(m->child->next)) return -1;
    *a = m->child->valuestring;
    *na = strlen(*a);
    *b = m->child->next->valuestring;
    *nb = strlen(*b);
    return 0;
}

static int resolve_merges(yq_tokenizer *tok, const cJSON *merges, merge_ids *out, const char *path) {
    yq_buf scratch = {0}, joined = {0};
    int rc = YQ_OK;
    uint32_t rank = 0;
    for (const cJSON *m = merges->child; !rc && m; m = m->next, rank++) {
        const char *a, *b;
        size_t na, nb;
        merge_ids *r = &out[rank];
        *r = (merge_ids){-1, -1, -1};
        if (merge_halves(m, &a, &na, &b, &nb) == 0) {
            joined.len = 0;
            rc = yq_buf_append(&joined, a, na);
            if (!rc) rc = yq_buf_append(&joined, b, nb);
            r->left = token_id(tok, a, na, &scratch);
            r->right = token_id(tok, b, nb, &scratch);
            r->merged = token_id(tok, (const char *)joined.data, joined.len, &scratch);
        }
        if (!rc && (r->left < 0 || r->right < 0 || r->merged < 0))
            rc = yq_error(YQ_EFORMAT,
                          "%s: merge %u is not a pair of vocabulary tokens whose "
                          "concatenation is one",
                          path, rank);
    }
    free(scratch.data);
    free(joined.data);
    return rc;
}

static int read_merges(yq_tokenizer *tok, const cJSON *merges, const char *path) {
    if (!cJSON_IsArray(merges)) return yq_error(YQ_EFORMAT, "%s: model.merges is not an array", path);
    uint32_t n = (uint32_t)cJSON_GetArraySize(merges);
    merge_ids *list = malloc(((size_t)n + 1) * sizeof *list);
    if (!list) return yq_error(YQ_ENOMEM, "%s: out of memory", path);
    int rc = resolve_merges(tok, merges, list, path);
    if (!rc) rc = tokenizer_set_merges(tok, list, n);
    free(list);
    return rc;
}

static int check_options(const cJSON *model, const char *path) {
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(model, "type");
    const cJSON *dropout = cJSON_GetObjectItemCaseSensitive(model, "dropout");
    if (type && (!cJSON_IsString(type) || strcmp(type->valuestring, "BPE")))
        return yq_error(YQ_EUNSUPPORTED, "%s: model type %s is not supported (only BPE)", path,
                        cJSON_IsString(type) ? type->valuestring : "?");
    if (cJSON_IsNumber(dropout) && dropout->valuedouble > 0)
        return yq_error(YQ_EUNSUPPORTED, "%s: BPE dropout is not supported", path);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(model, "byte_fallback")))
        return yq_error(YQ_EUNSUPPORTED, "%s: BPE byte_fallback is not supported", path);
    static const char *const affixes[] = {"continuing_subword_prefix", "end_of_word_suffix"};
    for (int i = 0; i < 2; i++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(model, affixes[i]);
        if (cJSON_IsString(a) && a->valuestring[0])
            return yq_error(YQ_EUNSUPPORTED, "%s: BPE %s is not supported", path, affixes[i]);
    }
    return YQ_OK;
}

int hf_read_bpe(yq_tokenizer *tok, const cJSON *model, int32_t n_ids, const char *path) {
    if (!cJSON_IsObject(model)) return yq_error(YQ_EFORMAT, "%s: no model object", path);
    int rc = check_options(model, path);
    if (!rc) rc = read_vocab(tok, cJSON_GetObjectItemCaseSensitive(model, "vocab"), n_ids, path);
    if (!rc) rc = read_merges(tok, cJSON_GetObjectItemCaseSensitive(model, "merges"), path);
    if (!rc) rc = tokenizer_prepare_bpe(tok, path);
    tok->whole_piece_first = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(model, "ignore_merges"));
    return rc;
}
