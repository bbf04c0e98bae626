/* A fixed pool of worker threads that spin briefly, then sleep, between parallel_for calls.
 * Each thread (the caller among them) owns one contiguous share of the items and works through
 * it front to back, claiming a few items at a time: one forward stream per thread, which is
 * what memory-bound kernels want. A thread that finishes its share steals the back half of the
 * largest share left, so a thread slowed by the host, or given costlier items, does not hold
 * the others at the end. A share is one 64-bit word (next item, end), changed by compare-and-
 * swap; completion is an atomic countdown, so the hot path takes no lock other than the wake-up
 * broadcast. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "yuqing/error.h"
#include "yuqing/threads.h"

enum { SPIN_ROUNDS = 20000 };

typedef struct {
    _Alignas(64) _Atomic uint64_t range; /* low 32 bits: next unclaimed item; high: end */
} share;

static struct {
    int n_threads;
    pthread_t *workers;
    share *shares;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    atomic_uint generation;
    atomic_int pending;
    atomic_bool quit;
    yq_range_fn fn;
    void *ctx;
    uint32_t tail;  /* the last items of a share, claimed a few at a time (stealable) */
    uint32_t claim; /* items an owner claims at a time from the tail */
} pool = {.n_threads = 1, .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static inline uint64_t pack_range(uint32_t next, uint32_t end) { return (uint64_t)end << 32 | next; }
static inline uint32_t range_next(uint64_t r) { return (uint32_t)r; }
static inline uint32_t range_end(uint64_t r) { return (uint32_t)(r >> 32); }

/* Takes items from the front of share `s`: all but the tail at once (one long call, which
 * decode kernels split into several streams), then pool.claim at a time. Returns how many
 * (0: none left). */
static uint32_t claim_front(share *s, uint32_t *first) {
    uint64_t r = atomic_load_explicit(&s->range, memory_order_relaxed);
    for (;;) {
        uint32_t next = range_next(r), end = range_end(r);
        if (next >= end) return 0;
        uint32_t left = end - next;
        uint32_t n = left > pool.tail ? left - pool.tail : left < pool.claim ? left : pool.claim;
        if (atomic_compare_exchange_weak_explicit(&s->range, &r, pack_range(next + n, end), memory_order_relaxed,
                                                  memory_order_relaxed)) {
            *first = next;
            return n;
        }
    }
}

/* Moves the back half of the largest other share into the thief's own (empty) share; 0 when
 * no share has items left. */
static int steal(int thief) {
    for (;;) {
        int victim = -1;
        uint32_t most = 0;
        uint64_t seen = 0;
        for (int t = 0; t < pool.n_threads; t++) {
            uint64_t r = atomic_load_explicit(&pool.shares[t].range, memory_order_relaxed);
            uint32_t left = range_next(r) < range_end(r) ? range_end(r) - range_next(r) : 0;
            if (t != thief && left > most) victim = t, most = left, seen = r;
        }
        if (victim < 0) return 0;
        uint32_t next = range_next(seen), end = range_end(seen), take = (most + 1) / 2;
        if (atomic_compare_exchange_strong_explicit(&pool.shares[victim].range, &seen,
                                                    pack_range(next, end - take), memory_order_relaxed,
                                                    memory_order_relaxed)) {
            atomic_store_explicit(&pool.shares[thief].range, pack_range(end - take, end), memory_order_relaxed);
            return 1;
        }
    }
}

static void run_share(int thread) {
    share *own = &pool.shares[thread];
    do {
        uint32_t first, n;
        while ((n = claim_front(own, &first)) > 0) pool.fn(pool.ctx, first, (int64_t)first + n, thread);
    } while (steal(thread));
}

static void wait_for_generation_change(unsigned seen) {
    for (int i = 0; i < SPIN_ROUNDS; i++) {
        if (atomic_load_explicit(&pool.generation, memory_order_acquire) != seen) return;
        cpu_relax();
    }
    pthread_mutex_lock(&pool.lock);
    while (atomic_load(&pool.generation) == seen && !atomic_load(&pool.quit))
        pthread_cond_wait(&pool.wake, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
}

static void *worker_main(void *arg) {
    int thread = (int)(intptr_t)arg;
    unsigned seen = 0;
    for (;;) {
        wait_for_generation_change(seen);
        if (atomic_load(&pool.quit)) break;
        seen = atomic_load_explicit(&pool.generation, memory_order_acquire);
        run_share(thread);
        atomic_fetch_sub_explicit(&pool.pending, 1, memory_order_release);
    }
    return NULL;
}

void yq_threads_shutdown(void) {
    if (!pool.workers) return;
    pthread_mutex_lock(&pool.lock);
    atomic_store(&pool.quit, true);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    for (int i = 1; i < pool.n_threads; i++) pthread_join(pool.workers[i], NULL);
    free(pool.workers);
    free(pool.shares);
    pool.workers = NULL;
    pool.shares = NULL;
    pool.n_threads = 1;
    atomic_store(&pool.quit, false);
}

int yq_threads_init(int n_threads) {
    if (n_threads <= 0) n_threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (n_threads <= 0) n_threads = 1;
    yq_threads_shutdown();
    pool.n_threads = n_threads;
    if (n_threads == 1) return YQ_OK;
    pool.workers = calloc((size_t)n_threads, sizeof *pool.workers);
    pool.shares = aligned_alloc(_Alignof(share), (size_t)n_threads * sizeof *pool.shares);
    if (!pool.workers || !pool.shares) {
        free(pool.workers);
        free(pool.shares);
        pool.workers = NULL;
        pool.shares = NULL;
        pool.n_threads = 1;
        return yq_error(YQ_ENOMEM, "thread pool: out of memory");
    }
    atomic_store(&pool.generation, 0);
    sigset_t all, caller;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &caller); /* workers inherit it: signals go to the caller's threads */
    int rc = YQ_OK;
    for (int i = 1; i < n_threads && !rc; i++) {
        if (pthread_create(&pool.workers[i], NULL, worker_main, (void *)(intptr_t)i) != 0) {
            pool.n_threads = i;
            rc = YQ_EIO;
        }
    }
    pthread_sigmask(SIG_SETMASK, &caller, NULL);
    if (rc) {
        int started = pool.n_threads;
        yq_threads_shutdown();
        return yq_error(YQ_EIO, "thread pool: cannot start thread %d", started);
    }
    return YQ_OK;
}

int yq_threads_count(void) { return pool.n_threads; }

void yq_parallel_for(int64_t n, yq_range_fn fn, void *ctx) {
    if (n <= 0) return;
    if (pool.n_threads == 1 || n > UINT32_MAX) { /* shares hold 32-bit item numbers */
        fn(ctx, 0, n, 0);
        return;
    }
    pool.fn = fn;
    pool.ctx = ctx;
    int64_t per_share = n / pool.n_threads;
    pool.tail = (uint32_t)(per_share / 4);
    pool.claim = pool.tail / 4 > 1 ? pool.tail / 4 : 1;
    for (int t = 0; t < pool.n_threads; t++)
        atomic_store_explicit(&pool.shares[t].range,
                              pack_range((uint32_t)(n * t / pool.n_threads), (uint32_t)(n * (t + 1) / pool.n_threads)),
                              memory_order_relaxed);
    atomic_store_explicit(&pool.pending, pool.n_threads - 1, memory_order_relaxed);
    pthread_mutex_lock(&pool.lock);
    atomic_fetch_add_explicit(&pool.generation, 1, memory_order_release);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    run_share(0);
    while (atomic_load_explicit(&pool.pending, memory_order_acquire) > 0) cpu_relax();
}
