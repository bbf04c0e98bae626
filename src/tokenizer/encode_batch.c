/* Batch encoding over the thread pool: each thread takes chunks of texts from a shared counter
 * (so texts of uneven length balance) and encodes them with its own pooled encoder. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/encoder.h"
#include "yuqing/error.h"
#include "yuqing/threads.h"

typedef struct batch_job {
    const yq_tokenizer *tok;
    yq_token_batch *batch;
    int allow_special;
    atomic_size_t next; /* the next unclaimed text: threads take chunks, so uneven texts balance */
} batch_job;

enum { BATCH_CHUNK = 16 };

static void encode_one(encoder *e, yq_token_batch *b, size_t i) {
    size_t n;
    b->status[i] = encoder_run(e, b->texts[i], b->lens[i]);
    const int32_t *ids = encoder_ids(e, &n);
    b->n_ids[i] = b->status[i] ? 0 : n;
    if (b->ids && !b->status[i]) {
        b->ids[i] = malloc((n ? n : 1) * sizeof *ids);
        if (!b->ids[i])
            b->status[i] = YQ_ENOMEM;
        else if (n)
            memcpy(b->ids[i], ids, n * sizeof *ids);
    }
}

static void encode_worker(void *ctx, int64_t begin, int64_t end, int thread) {
    batch_job *job = ctx;
    yq_token_batch *b = job->batch;
    encoder *e = encoder_get(job->tok, job->allow_special);
    for (;;) {
        size_t first = atomic_fetch_add(&job->next, BATCH_CHUNK);
        if (first >= b->n) break;
        size_t last = first + BATCH_CHUNK < b->n ? first + BATCH_CHUNK : b->n;
        for (size_t i = first; i < last; i++) {
            if (e)
                encode_one(e, b, i);
            else
                b->status[i] = YQ_ENOMEM;
        }
    }
    if (e) encoder_put(e);
}

int yq_tokenizer_encode_batch(const yq_tokenizer *tok, yq_token_batch *batch, int allow_special) {
    batch_job job = {tok, batch, allow_special, 0};
    if (batch->ids) memset(batch->ids, 0, batch->n * sizeof *batch->ids);
    yq_parallel_for(yq_threads_count(), encode_worker, &job);
    for (size_t i = 0; i < batch->n; i++)
        if (batch->status[i]) return batch->status[i];
    return YQ_OK;
}
