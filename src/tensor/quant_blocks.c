/* The table of every dtype's traits: name, ggml type number, elements and bytes per block, and
 * the row sizes derived from them. */
#include <assert.h>

#include "quant_blocks.h"
#include "yuqing/error.h"
#include "yuqing/tensor.h"

static const struct {
    const char *name;
    uint32_t ggml_type;
    int block_size;
    size_t block_bytes;
} traits[YQ_DTYPE_COUNT] = {
    [YQ_DTYPE_F32] = {"F32", 0, 1, 4},
    [YQ_DTYPE_F16] = {"F16", 1, 1, 2},
    [YQ_DTYPE_BF16] = {"BF16", 30, 1, 2},
    [YQ_DTYPE_Q8_0] = {"Q8_0", 8, QK32, sizeof(block_q8_0)},
    [YQ_DTYPE_Q4_0] = {"Q4_0", 2, QK32, sizeof(block_q4_0)},
    [YQ_DTYPE_Q4_1] = {"Q4_1", 3, QK32, sizeof(block_q4_1)},
    [YQ_DTYPE_Q5_0] = {"Q5_0", 6, QK32, sizeof(block_q5_0)},
    [YQ_DTYPE_Q5_1] = {"Q5_1", 7, QK32, sizeof(block_q5_1)},
    [YQ_DTYPE_Q4_K] = {"Q4_K", 12, QK_K, sizeof(block_q4_K)},
    [YQ_DTYPE_Q5_K] = {"Q5_K", 13, QK_K, sizeof(block_q5_K)},
    [YQ_DTYPE_Q6_K] = {"Q6_K", 14, QK_K, sizeof(block_q6_K)},
};

static int valid(yq_dtype dtype) {
    return (unsigned)dtype < YQ_DTYPE_COUNT;
}

const char *yq_dtype_name(yq_dtype dtype) {
    return valid(dtype) ? traits[dtype].name : "?";
}

int yq_dtype_is_quantized(yq_dtype dtype) {
    return valid(dtype) && traits[dtype].block_size > 1;
}

size_t yq_dtype_size(yq_dtype dtype) {
    return valid(dtype) && traits[dtype].block_size == 1 ? traits[dtype].block_bytes : 0;
}

int yq_dtype_block_size(yq_dtype dtype) {
    assert(valid(dtype));
    return traits[dtype].block_size;
}

size_t yq_dtype_block_bytes(yq_dtype dtype) {
    assert(valid(dtype));
    return traits[dtype].block_bytes;
}

int yq_dtype_row_bytes(yq_dtype dtype, int64_t cols, size_t *bytes) {
    if (!valid(dtype)) return yq_error(YQ_EINVAL, "dtype %d: unknown", (int)dtype);
    int64_t block = traits[dtype].block_size;
    if (cols < 0 || cols % block)
        return yq_error(YQ_EINVAL, "%s: a row of %lld elements is not a whole number of %lld-element blocks",
                        traits[dtype].name, (long long)cols, (long long)block);
    *bytes = (size_t)(cols / block) * traits[dtype].block_bytes;
    return YQ_OK;
}

size_t yq_tensor_row_bytes(const yq_tensor *t) {
    assert(valid(t->dtype) && t->cols % traits[t->dtype].block_size == 0);
    return (size_t)(t->cols / traits[t->dtype].block_size) * traits[t->dtype].block_bytes;
}

int yq_dtype_from_ggml(uint32_t ggml_type, yq_dtype *dtype) {
    for (int d = 0; d < YQ_DTYPE_COUNT; d++)
        if (traits[d].ggml_type == ggml_type) {
            *dtype = (yq_dtype)d;
            return YQ_OK;
        }
    return yq_error(YQ_EUNSUPPORTED,
                    "ggml type %u: not supported (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, "
                    "Q5_1, Q4_K, Q5_K, Q6_K are)",
                    ggml_type);
}

uint32_t yq_dtype_to_ggml(yq_dtype dtype) {
    assert(valid(dtype));
    return traits[dtype].ggml_type;
}
