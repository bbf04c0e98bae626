/* One step of the serving engine: end cancelled sequences, admit waiting ones as blocks allow
 * (reusing cached prefixes), plan decode tokens and prefill chunks, make room by preempting the
 * most recently admitted sequences, run one batched forward pass, then sample and deliver. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "yuqing/error.h"

static void deliver_end(yq_sequence *s) {
    yq_token_event ev = {.choice = s->choice, .token = -1, .finish = s->finish, .n_prompt = s->n_prompt,
                         .n_cached = s->n_cached};
    s->on_token(s->user, &ev);
}

void yq_sequence_finish(yq_engine *e, yq_sequence *s) {
    if (e) {
        deliver_end(s);
        yq_kv_seq_release(e->kv, &s->kv);
    }
    yq_sampler_free(s->sampler);
    free(s->allowed);
    free(s->logits);
    free(s->tokens);
    free(s);
}

static int blocks_for(const yq_engine *e, int positions) {
    return (positions + e->config.block_size - 1) / e->config.block_size;
}

/* Free blocks, counting those the prefix cache alone holds (evictable on demand). */
static int available_blocks(const yq_engine *e) {
    int held, evictable;
    yq_prefix_cache_counts(e->prefix, &held, &evictable);
    return yq_kv_cache_free_blocks(e->kv) + evictable;
}

static int take_free_blocks(yq_engine *e, int n) {
    while (yq_kv_cache_free_blocks(e->kv) < n)
        if (!yq_prefix_cache_evict(e->prefix)) return 0;
    return 1;
}

/* Blocks `s` still needs to hold positions [0, end), including a private copy of a shared block
 * it would write into. */
static int blocks_needed(const yq_engine *e, const yq_sequence *s, int end) {
    int need = blocks_for(e, end) - s->kv.n_blocks;
    int first = s->kv.n_tokens / e->config.block_size;
    if (first < s->kv.n_blocks && yq_kv_block_refcount(e->kv, s->kv.blocks[first]) > 1) need++;
    return need > 0 ? need : 0;
}

/* Gives `s` blocks for positions [0, end): copy on write of a shared block, then new blocks. */
static int grow_sequence(yq_engine *e, yq_sequence *s, int end) {
    if (!take_free_blocks(e, blocks_needed(e, s, end))) return YQ_ENOMEM;
    int first = s->kv.n_tokens / e->config.block_size;
    if (first < s->kv.n_blocks && yq_kv_block_refcount(e->kv, s->kv.blocks[first]) > 1) {
        int32_t copy = yq_kv_block_alloc(e->kv);
        yq_kv_block_copy(e->kv, copy, s->kv.blocks[first]);
        yq_kv_block_release(e->kv, s->kv.blocks[first]);
        s->kv.blocks[first] = copy;
    }
    return yq_kv_seq_reserve(e->kv, &s->kv, end);
}

static void remove_running(yq_engine *e, int i) {
    memmove(e->running + i, e->running + i + 1, (size_t)(e->n_running - i - 1) * sizeof *e->running);
    e->n_running--;
}

/* Sends the most recently admitted running sequence back to the front of the queue; its
 * computed full blocks stay in the prefix cache, so recomputing may be cheap. */
static void preempt_latest(yq_engine *e) {
    int victim = 0;
    for (int i = 1; i < e->n_running; i++)
        if (e->running[i]->admit_order > e->running[victim]->admit_order) victim = i;
    yq_sequence *s = e->running[victim];
    remove_running(e, victim);
    yq_prefix_cache_insert(e->prefix, s->tokens, s->kv.n_tokens, &s->kv);
    yq_kv_seq_release(e->kv, &s->kv);
    memmove(e->waiting + 1, e->waiting, (size_t)e->n_waiting * sizeof *e->waiting);
    e->waiting[0] = s;
    e->n_waiting++;
    e->stats.preemptions++;
}

static int start_sequence(yq_engine *e, yq_sequence *s) {
    if (!s->sampler) {
        int rc = yq_sampler_new(&s->sampling, e->model->config.vocab_size, &s->sampler);
        if (rc) return rc;
        for (int i = 0; i < s->n_tokens; i++)
            if (i < s->n_prompt) yq_sampler_observe(s->sampler, s->tokens[i]);
            else yq_sampler_observe_output(s->sampler, s->tokens[i]);
    }
    if (!s->logits && !(s->logits = malloc((size_t)e->model->config.vocab_size * sizeof(float))))
        return yq_error(YQ_ENOMEM, "out of memory");
    return YQ_OK;
}

/* Admits waiting sequences in order while there are batch slots and blocks for their tokens. */
static int admit(yq_engine *e) {
    int admitted = 0;
    while (e->n_waiting > 0 && e->n_running < e->config.max_batch) {
        yq_sequence *s = e->waiting[0];
        int cached = yq_prefix_cache_match(e->prefix, s->tokens, s->n_tokens, &s->kv);
        s->kv.n_tokens = cached < s->n_tokens ? cached : s->n_tokens - 1;
        if (blocks_needed(e, s, s->n_tokens + 1) > available_blocks(e) || start_sequence(e, s) != YQ_OK) {
            yq_kv_seq_release(e->kv, &s->kv);
            break;
        }
        if (!s->admitted_once) {
            s->n_cached = s->kv.n_tokens;
            s->admitted_once = true;
            admitted++;
        }
        s->admit_order = ++e->admit_counter;
        memmove(e->waiting, e->waiting + 1, (size_t)(e->n_waiting - 1) * sizeof *e->waiting);
        e->n_waiting--;
        e->running[e->n_running++] = s;
    }
    return admitted;
}

/* Ends sequences that were cancelled or finished, wherever they are. */
static int reap(yq_engine *e, yq_sequence **list, int *n) {
    int first_time_waiting = 0;
    for (int i = 0; i < *n;) {
        yq_sequence *s = list[i];
        if (s->cancelled && !s->finish) s->finish = YQ_FINISH_CANCELLED;
        if (!s->finish) {
            i++;
            continue;
        }
        if (!s->admitted_once) first_time_waiting++;
        memmove(list + i, list + i + 1, (size_t)(*n - i - 1) * sizeof *list);
        (*n)--;
        yq_sequence_finish(e, s);
    }
    return first_time_waiting;
}

/* Plans this step's tokens per running sequence: every decode token, then prefill chunks
 * within the step budget. chunk[i] = 0 means the sequence waits this step. */
static void plan(const yq_engine *e, int *chunk) {
    int budget = e->config.step_tokens;
    for (int i = 0; i < e->n_running; i++) {
        const yq_sequence *s = e->running[i];
        chunk[i] = s->n_tokens - s->kv.n_tokens == 1 ? 1 : 0;
    }
    for (int i = 0; i < e->n_running; i++) {
        const yq_sequence *s = e->running[i];
        int pending = s->n_tokens - s->kv.n_tokens;
        if (pending <= 1 || budget <= 0) continue;
        chunk[i] = pending < budget ? pending : budget;
        budget -= chunk[i];
    }
}

/* Reserves blocks for the plan, preempting the latest admitted sequences until it fits.
 * Returns the number of sequences still planned. */
static int reserve(yq_engine *e, int *chunk) {
    for (;;) {
        int need = 0;
        for (int i = 0; i < e->n_running; i++)
            if (chunk[i]) need += blocks_needed(e, e->running[i], e->running[i]->kv.n_tokens + chunk[i]);
        if (need <= available_blocks(e)) break;
        if (e->n_running == 1) { /* alone and still too long for the pool */
            e->running[0]->finish = YQ_FINISH_LENGTH;
            chunk[0] = 0;
            return 0;
        }
        preempt_latest(e);
        plan(e, chunk);
    }
    int planned = 0;
    for (int i = 0; i < e->n_running; i++)
        if (chunk[i]) {
            grow_sequence(e, e->running[i], e->running[i]->kv.n_tokens + chunk[i]);
            planned++;
        }
    return planned;
}

static void publish_stats(yq_engine *e, int admitted, int reaped_waiting) {
    int held, evictable;
    yq_prefix_cache_counts(e->prefix, &held, &evictable);
    (void)held;
    pthread_mutex_lock(&e->lock);
    e->queued -= admitted + reaped_waiting;
    e->stats.running = e->n_running;
    e->stats.waiting = e->n_waiting;
    e->stats.blocks_total = yq_kv_cache_total_blocks(e->kv);
    e->stats.blocks_free = yq_kv_cache_free_blocks(e->kv);
    e->stats.blocks_shared = yq_kv_cache_shared_blocks(e->kv);
    e->stats.blocks_cached = evictable;
    pthread_mutex_unlock(&e->lock);
}

int yq_engine_step(yq_engine *e) {
    int reaped = reap(e, e->waiting, &e->n_waiting);
    reap(e, e->running, &e->n_running);
    int admitted = admit(e);
    int chunk[e->config.max_batch > 0 ? e->config.max_batch : 1];
    plan(e, chunk);
    int planned = reserve(e, chunk);
    yq_seq_step steps[e->config.max_batch > 0 ? e->config.max_batch : 1];
    yq_sequence *order[e->config.max_batch > 0 ? e->config.max_batch : 1];
    int n = 0;
    for (int i = 0; i < e->n_running && planned; i++) {
        yq_sequence *s = e->running[i];
        if (!chunk[i]) continue;
        int last = s->kv.n_tokens + chunk[i] == s->n_tokens;
        steps[n] = (yq_seq_step){s->tokens + s->kv.n_tokens, chunk[i], &s->kv, last ? YQ_LOGITS_LAST : YQ_LOGITS_NONE,
                                 s->logits};
        order[n++] = s;
    }
    if (n > 0 && yq_forward(e->model, e->kv, steps, n, e->forward) != YQ_OK)
        for (int i = 0; i < n; i++) order[i]->finish = YQ_FINISH_LENGTH;
    for (int i = 0; i < n; i++) {
        yq_sequence *s = order[i];
        if (s->finish) continue;
        yq_prefix_cache_insert(e->prefix, s->tokens, s->kv.n_tokens, &s->kv);
        if (steps[i].logits_mode == YQ_LOGITS_LAST) yq_engine_sample_and_deliver(e, s);
    }
    publish_stats(e, admitted, reaped);
    return n > 0 || reaped > 0;
}
