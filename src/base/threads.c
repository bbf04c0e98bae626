/* A fixed pool of worker threads that spin briefly, then sleep, between parallel_for calls.
 * The caller runs range 0 itself; completion is an atomic countdown, so the hot path takes no
 * lock other than the wake-up broadcast. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "yuqing/error.h"
#include "yuqing/threads.h"

enum { SPIN_ROUNDS = 20000 };

static struct {
    int n_threads;
    pthread_t *workers;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    atomic_uint generation;
    atomic_int pending;
    atomic_bool quit;
    yq_range_fn fn;
    void *ctx;
    int64_t n_items;
} pool = {.n_threads = 1, .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static void run_range(int thread) {
    int64_t begin = pool.n_items * thread / pool.n_threads;
    int64_t end = pool.n_items * (thread + 1) / pool.n_threads;
    if (begin < end) pool.fn(pool.ctx, begin, end, thread);
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
        run_range(thread);
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
    pool.workers = NULL;
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
    if (!pool.workers) return yq_error(YQ_ENOMEM, "thread pool: out of memory");
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
    if (pool.n_threads == 1) {
        fn(ctx, 0, n, 0);
        return;
    }
    pool.fn = fn;
    pool.ctx = ctx;
    pool.n_items = n;
    atomic_store_explicit(&pool.pending, pool.n_threads - 1, memory_order_relaxed);
    pthread_mutex_lock(&pool.lock);
    atomic_fetch_add_explicit(&pool.generation, 1, memory_order_release);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    run_range(0);
    while (atomic_load_explicit(&pool.pending, memory_order_acquire) > 0) cpu_relax();
}
