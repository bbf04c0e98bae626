/* The public encoding calls: one text to ids, or to a count, through a pooled encoder. */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/encoder.h"
#include "yuqing/error.h"

int yq_tokenizer_encode(const yq_tokenizer *tok, const char *text, size_t len, int allow_special,
                        int32_t **ids, size_t *n_ids) {
    encoder *e = encoder_get(tok, allow_special);
    if (!e) return YQ_ENOMEM;
    int rc = encoder_run(e, text, len);
    size_t n;
    const int32_t *got = encoder_ids(e, &n);
    if (!rc && !(*ids = malloc((n ? n : 1) * sizeof **ids)))
        rc = yq_error(YQ_ENOMEM, "tokenizer: out of memory");
    if (!rc) {
        if (n) memcpy(*ids, got, n * sizeof **ids);
        *n_ids = n;
    }
    encoder_put(e);
    return rc;
}

int yq_tokenizer_count(const yq_tokenizer *tok, const char *text, size_t len, int allow_special,
                       size_t *n_tokens) {
    encoder *e = encoder_get(tok, allow_special);
    if (!e) return YQ_ENOMEM;
    int rc = encoder_run(e, text, len);
    encoder_ids(e, n_tokens);
    if (rc) *n_tokens = 0;
    encoder_put(e);
    return rc;
}
