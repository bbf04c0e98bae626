/* The order in which the SIMD row kernels visit (rows x tokens) tiles; results never depend on
 * it (each output element has its own accumulator), only memory traffic does. */
#include "matmul_kernels.h"

enum { TILE_ROWS = 4, TOKEN_BLOCK = 32 };

/* One token (decode): 4 rows a quarter of the range apart per tile, i.e. 4 sequential streams
 * in different pages, which the hardware prefetchers follow at memory speed (4 interleaved
 * streams within the same pages run at a third of it); the leftover rows one by one. */
static void decode_tiles(yq_tile_fn tile, const void *ctx, int64_t r0, int64_t r1) {
    int64_t quarter = (r1 - r0) / TILE_ROWS;
    for (int64_t r = r0; r < r0 + quarter; r++) {
        int64_t ids[TILE_ROWS] = {r, r + quarter, r + 2 * quarter, r + 3 * quarter};
        tile(ctx, ids, TILE_ROWS, 0, 1);
    }
    for (int64_t r = r0 + TILE_ROWS * quarter; r < r1; r++)
        tile(ctx, &r, 1, 0, 1);
}

/* Rows row_ids[0..nr) against tokens [tb, te), `step` at a time, then the rest in one tile. */
static void token_tiles(yq_tile_fn tile, const void *ctx, const int64_t *row_ids, int nr, int tb, int te,
                        int step) {
    int t = tb;
    for (; t + step <= te; t += step)
        tile(ctx, row_ids, nr, t, step);
    if (t < te) tile(ctx, row_ids, nr, t, te - t);
}

/* Batches: tiles of 4 rows (a quarter of the range apart, as for decode: small batches are
 * memory-bound too) x `step` tokens, within blocks of 32 tokens that stay in cache while the rows
 * stream past; the leftover rows one by one. */
static void batch_tiles(yq_tile_fn tile, const void *ctx, int n_tokens, int64_t r0, int64_t r1, int step) {
    int64_t quarter = (r1 - r0) / TILE_ROWS;
    for (int tb = 0; tb < n_tokens; tb += TOKEN_BLOCK) {
        int te = tb + TOKEN_BLOCK < n_tokens ? tb + TOKEN_BLOCK : n_tokens;
        for (int64_t r = r0; r < r0 + quarter; r++) {
            int64_t ids[TILE_ROWS] = {r, r + quarter, r + 2 * quarter, r + 3 * quarter};
            token_tiles(tile, ctx, ids, TILE_ROWS, tb, te, step);
        }
        for (int64_t r = r0 + TILE_ROWS * quarter; r < r1; r++)
            token_tiles(tile, ctx, &r, 1, tb, te, step);
    }
}

void yq_for_each_tile(yq_tile_fn tile, const void *ctx, int n_tokens, int64_t row_begin, int64_t row_end,
                      int tile_tokens) {
    if (n_tokens == 1)
        decode_tiles(tile, ctx, row_begin, row_end);
    else
        batch_tiles(tile, ctx, n_tokens, row_begin, row_end, tile_tokens);
}
