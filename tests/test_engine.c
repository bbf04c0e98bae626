/* The serving engine against single-sequence generation: 32 concurrent mixed requests give
 * token-identical outputs, also with a pool so small that sequences are preempted; prefix
 * caching shares blocks without changing outputs; cancellation frees blocks; n > 1; errors. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "yuqing/engine.h"
#include "yuqing/error.h"
#include "yuqing/generate.h"
#include "yuqing/threads.h"

enum { MAX_OUT = 64, MAX_CHOICES = 4 };

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t done_cond;
    int32_t out[MAX_CHOICES][MAX_OUT];
    int n_out[MAX_CHOICES];
    int ended, n_cached;
    yq_finish_reason finish[MAX_CHOICES];
    int stop_after; /* callback asks to stop after this many tokens (0: never) */
    int hold;       /* the first token's callback waits until release() */
    int released;
} collector;

static void collector_init(collector *c) {
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->done_cond, NULL);
}

static int on_event(void *user, const yq_token_event *ev) {
    collector *c = user;
    pthread_mutex_lock(&c->lock);
    while (c->hold && !c->released && !ev->finish) pthread_cond_wait(&c->done_cond, &c->lock);
    int stop = 0;
    if (ev->finish) {
        c->finish[ev->choice] = ev->finish;
        c->n_cached = ev->n_cached;
        c->ended++;
        pthread_cond_broadcast(&c->done_cond);
    } else if (c->n_out[ev->choice] < MAX_OUT) {
        c->out[ev->choice][c->n_out[ev->choice]++] = ev->token;
        stop = c->stop_after && c->n_out[ev->choice] >= c->stop_after;
    }
    pthread_mutex_unlock(&c->lock);
    return stop;
}

static void release(collector *c) {
    pthread_mutex_lock(&c->lock);
    c->released = 1;
    pthread_cond_broadcast(&c->done_cond);
    pthread_mutex_unlock(&c->lock);
}

static void wait_ended(collector *c, int n) {
    pthread_mutex_lock(&c->lock);
    while (c->ended < n) pthread_cond_wait(&c->done_cond, &c->lock);
    pthread_mutex_unlock(&c->lock);
}

/* Stats are published at the end of each step, after the events: poll until the engine is
 * idle (or give up after about two seconds). */
static void idle_stats(yq_engine *e, yq_engine_stats *st) {
    for (int i = 0; i < 2000; i++) {
        yq_engine_get_stats(e, st);
        if (st->running == 0 && st->waiting == 0 && st->blocks_free + st->blocks_cached == st->blocks_total) return;
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
}

typedef struct {
    int32_t ids[MAX_OUT];
    int n;
} alone_out;

static int collect_alone(void *user, int32_t token) {
    alone_out *a = user;
    if (a->n < MAX_OUT) a->ids[a->n++] = token;
    return 0;
}

static alone_out run_alone(const yq_model *m, const int32_t *prompt, int n_prompt, yq_sampling_params p) {
    alone_out a = {.n = 0};
    yq_generate_request req = {prompt, n_prompt, p, collect_alone, &a};
    yq_generate_stats stats;
    CHECK(yq_generate(m, &req, &stats) == 0);
    return a;
}

static yq_sampling_params greedy(int max_tokens) {
    yq_sampling_params p = yq_sampling_defaults();
    p.max_tokens = max_tokens;
    return p;
}

static void make_prompt(int32_t *prompt, int n, int salt) {
    for (int i = 0; i < n; i++) prompt[i] = 4 + (i * 37 + salt * 101) % 2000;
}

/* n_req mixed requests at once against the engine; each must equal its alone run. */
static void check_concurrent(const yq_model *m, int n_req, int n_blocks, int block_size, int expect_preemption) {
    yq_engine_config cfg = {.max_batch = 16, .n_blocks = n_blocks, .block_size = block_size, .max_queue = 64, .step_tokens = 24};
    yq_engine *e;
    CHECK(yq_engine_start(m, &cfg, &e) == 0);
    collector *c = calloc((size_t)n_req, sizeof *c);
    int32_t prompts[64][48];
    int lens[64], outs[64];
    uint64_t id;
    for (int r = 0; r < n_req; r++) {
        collector_init(&c[r]);
        lens[r] = 1 + (r * 7) % 40;
        outs[r] = 1 + (r * 5) % 24;
        make_prompt(prompts[r], lens[r], r % 5); /* shared prefixes among requests */
        yq_request_params p = {.prompt = prompts[r], .n_prompt = lens[r], .sampling = greedy(outs[r]), .n = 1};
        CHECKF(yq_engine_submit(e, &p, on_event, &c[r], &id) == 0, "submit %d: %s", r, yq_last_error());
    }
    for (int r = 0; r < n_req; r++) wait_ended(&c[r], 1);
    yq_engine_stats st;
    idle_stats(e, &st);
    if (expect_preemption) CHECKF(st.preemptions > 0, "no preemption with %d blocks", n_blocks);
    CHECKF(st.blocks_free + st.blocks_cached == st.blocks_total, "blocks leaked: %d free + %d cached of %d",
           st.blocks_free, st.blocks_cached, st.blocks_total);
    yq_engine_stop(e);
    for (int r = 0; r < n_req; r++) {
        alone_out a = run_alone(m, prompts[r], lens[r], greedy(outs[r]));
        CHECKF(a.n == c[r].n_out[0] && !memcmp(a.ids, c[r].out[0], (size_t)a.n * sizeof(int32_t)),
               "request %d (prompt %d, max %d, blocks %d): batched output differs from alone (%d vs %d tokens)", r,
               lens[r], outs[r], n_blocks, c[r].n_out[0], a.n);
    }
    free(c);
}

static void check_prefix_cache(const yq_model *m) {
    yq_engine_config cfg = {.max_batch = 4, .n_blocks = 64, .block_size = 8, .max_queue = 8, .step_tokens = 64};
    yq_engine *e;
    CHECK(yq_engine_start(m, &cfg, &e) == 0);
    int32_t a[40], b[40];
    make_prompt(a, 40, 3);
    memcpy(b, a, sizeof b);
    b[37] = 5; /* same first 37 tokens: 4 full blocks of 8 shared */
    collector ca, cb;
    collector_init(&ca);
    collector_init(&cb);
    uint64_t id;
    yq_request_params pa = {.prompt = a, .n_prompt = 40, .sampling = greedy(8), .n = 1}, pb = {.prompt = b, .n_prompt = 40, .sampling = greedy(8), .n = 1};
    CHECK(yq_engine_submit(e, &pa, on_event, &ca, &id) == 0);
    wait_ended(&ca, 1);
    CHECK(yq_engine_submit(e, &pb, on_event, &cb, &id) == 0);
    wait_ended(&cb, 1);
    CHECKF(ca.n_cached == 0 && cb.n_cached == 32, "cached prompt tokens: %d then %d", ca.n_cached, cb.n_cached);
    yq_engine_stats st;
    yq_engine_get_stats(e, &st);
    CHECK(st.cached_prompt_tokens == 32 && st.blocks_cached > 0);
    yq_engine_stop(e);
    alone_out alone = run_alone(m, b, 40, greedy(8));
    CHECK(alone.n == cb.n_out[0] && !memcmp(alone.ids, cb.out[0], (size_t)alone.n * sizeof(int32_t)));
}

/* The pool's O(1) shared / cache-only counts agree with a recount after random reference changes. */
static void check_block_counts(void) {
    yq_kv_cache *kv;
    CHECK(yq_kv_cache_new(1, 1, 4, 4, 16, &kv) == 0);
    int cached[16] = {0};
    unsigned rng = 12345;
    int mismatches = 0;
    for (int op = 0; op < 4000; op++) {
        rng = rng * 1103515245u + 12345u;
        int32_t b = (int32_t)((rng >> 8) % 16);
        int rc = yq_kv_block_refcount(kv, b), kind = (int)((rng >> 20) % 4);
        if (rc == 0) {
            if (kind == 0) yq_kv_block_alloc(kv);
        } else if (kind == 0) {
            yq_kv_block_retain(kv, b);
        } else if (kind == 1 && !(cached[b] && rc == 1)) {
            yq_kv_block_release(kv, b);
        } else if (kind == 2 && !cached[b]) {
            yq_kv_block_retain(kv, b), yq_kv_block_set_cached(kv, b, 1), cached[b] = 1;
        } else if (kind == 3 && cached[b]) {
            yq_kv_block_set_cached(kv, b, 0), yq_kv_block_release(kv, b), cached[b] = 0;
        }
        int shared = 0, cached_only = 0;
        for (int i = 0; i < 16; i++) {
            shared += yq_kv_block_refcount(kv, i) > 1;
            cached_only += cached[i] && yq_kv_block_refcount(kv, i) == 1;
        }
        mismatches += shared != yq_kv_cache_shared_blocks(kv) || cached_only != yq_kv_cache_cached_only_blocks(kv);
    }
    CHECKF(mismatches == 0, "%d block-count mismatches", mismatches);
    yq_kv_cache_free(kv);
}

static void check_cancel_and_stop(const yq_model *m) {
    yq_engine_config cfg = {.max_batch = 4, .n_blocks = 32, .block_size = 8, .max_queue = 2, .step_tokens = 64};
    yq_engine *e;
    CHECK(yq_engine_start(m, &cfg, &e) == 0);
    int32_t prompt[10];
    make_prompt(prompt, 10, 1);
    collector c, s;
    collector_init(&c);
    collector_init(&s);
    s.stop_after = 3;
    c.hold = 1; /* so that it cannot end before the cancellation, however late this thread runs */
    uint64_t id, id2;
    yq_request_params p = {.prompt = prompt, .n_prompt = 10, .sampling = greedy(200), .n = 1};
    CHECK(yq_engine_submit(e, &p, on_event, &c, &id) == 0);
    CHECK(yq_engine_submit(e, &p, on_event, &s, &id2) == 0);
    yq_engine_cancel(e, id);
    release(&c);
    wait_ended(&c, 1);
    wait_ended(&s, 1);
    CHECK(c.finish[0] == YQ_FINISH_CANCELLED);
    CHECK(s.finish[0] == YQ_FINISH_STOP && s.n_out[0] == 3);
    yq_engine_stats st;
    idle_stats(e, &st);
    CHECK(st.running == 0 && st.blocks_free + st.blocks_cached == st.blocks_total);
    yq_engine_stop(e);
}

static void check_choices_and_errors(const yq_model *m) {
    yq_engine_config cfg = {.max_batch = 4, .n_blocks = 8, .block_size = 8, .max_queue = 2, .step_tokens = 64};
    yq_engine *e;
    CHECK(yq_engine_start(m, &cfg, &e) == 0);
    int32_t prompt[12];
    make_prompt(prompt, 12, 2);
    yq_sampling_params sampled = yq_sampling_defaults();
    sampled.temperature = 1.0f;
    sampled.top_k = 0;
    sampled.seed = 77;
    sampled.max_tokens = 10;
    collector c;
    collector_init(&c);
    uint64_t id;
    yq_request_params p = {.prompt = prompt, .n_prompt = 12, .sampling = sampled, .n = 2};
    CHECK(yq_engine_submit(e, &p, on_event, &c, &id) == 0);
    wait_ended(&c, 2);
    for (int choice = 0; choice < 2; choice++) {
        yq_sampling_params q = sampled;
        q.seed = 77 + (uint64_t)choice;
        alone_out a = run_alone(m, prompt, 12, q);
        CHECKF(a.n == c.n_out[choice] && !memcmp(a.ids, c.out[choice], (size_t)a.n * sizeof(int32_t)),
               "choice %d differs from its seeded single run", choice);
    }
    int32_t bad[2] = {1, 5000}, long_prompt[80] = {0};
    yq_request_params pb = {.prompt = bad, .n_prompt = 2, .sampling = greedy(4), .n = 1};
    CHECK(yq_engine_submit(e, &pb, on_event, &c, &id) == YQ_EINVAL);
    yq_request_params pl = {.prompt = long_prompt, .n_prompt = 80, .sampling = greedy(4), .n = 1};
    CHECK(yq_engine_submit(e, &pl, on_event, &c, &id) == YQ_ERANGE); /* 8 blocks of 8 */
    yq_request_params pn = {.prompt = prompt, .n_prompt = 12, .sampling = greedy(4), .n = 3};
    CHECK(yq_engine_submit(e, &pn, on_event, &c, &id) == YQ_EBUSY); /* 3 > queue of 2 */
    yq_engine_stop(e);
}

int main(void) {
    yq_model *m = NULL;
    CHECKF(yq_model_open(test_data_path("hf/llama"), &m) == 0, "%s", yq_last_error());
    if (!m) return test_summary("engine");
    yq_threads_init(2);
    check_concurrent(m, 32, 256, 16, 0);
    check_concurrent(m, 32, 20, 4, 1);
    check_prefix_cache(m);
    check_block_counts();
    check_cancel_and_stop(m);
    check_choices_and_errors(m);
    yq_threads_shutdown();
    yq_model_close(m);
    return test_summary("engine");
}
