/* The scalar reference row kernel: one plain dot product per output element, k ascending, over
 * the weights widened (or dequantized) to f32 a chunk at a time. */
#include "matmul_kernels.h"

enum { CHUNK = 256 }; /* a multiple of every block size */

static float dot_row(const yq_tensor *w, int64_t r, const float *x) {
    const char *row = (const char *)w->data + (size_t)r * yq_tensor_row_bytes(w);
    const size_t chunk_bytes = CHUNK / (size_t)yq_dtype_block_size(w->dtype) * yq_dtype_block_bytes(w->dtype);
    float widened[CHUNK];
    float sum = 0.0f;
    for (int64_t k0 = 0; k0 < w->cols; k0 += CHUNK) {
        int64_t n = w->cols - k0 < CHUNK ? w->cols - k0 : CHUNK;
        yq_to_f32(widened, row + (size_t)(k0 / CHUNK) * chunk_bytes, w->dtype, (size_t)n);
        for (int64_t k = 0; k < n; k++) sum += widened[k] * x[k0 + k];
    }
    return sum;
}

void yq_matmul_rows_scalar(float *out, const yq_tensor *w, const float *x, int n_tokens,
                           int64_t row_begin, int64_t row_end) {
    for (int t = 0; t < n_tokens; t++) {
        const float *xt = x + (size_t)t * (size_t)w->cols;
        float *ot = out + (size_t)t * (size_t)w->rows;
        for (int64_t r = row_begin; r < row_end; r++) ot[r] = dot_row(w, r, xt);
    }
}
