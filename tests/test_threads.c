/* The thread pool: every item of yq_parallel_for is run exactly once for any item count and
 * thread count, ranges stay inside [0, n), a slow thread's share is taken over by the others
 * (stealing), and the pool can be resized and shut down between calls. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "testutil.h"
#include "yuqing/threads.h"

typedef struct {
    int64_t n;
    atomic_int *visits;     /* per item */
    atomic_int bad_ranges;  /* begin >= end, or outside [0, n) */
    int *runner;            /* per item: the thread that ran it */
    int slow_thread;        /* -1: none; else this thread stalls in its first call */
    int64_t stall_until;    /* the slow thread stalls until the others have run this many items */
    atomic_int others_done; /* items run by threads other than the slow one */
    atomic_bool stalled;    /* the slow thread has had its stall */
} count_job;

static void sleep_us(long us) {
    struct timespec t = {0, us * 1000};
    nanosleep(&t, NULL);
}

/* The slow thread's first call waits (at most 5 s) until the others have run stall_until items:
 * a stall that ends only because they took over its work, whatever the host's timing. */
static void stall_slow_thread(count_job *job) {
    if (atomic_exchange(&job->stalled, true)) return;
    for (int waited_ms = 0; waited_ms < 5000 && atomic_load(&job->others_done) < job->stall_until; waited_ms++)
        sleep_us(1000);
}

static void count_items(void *ctx, int64_t begin, int64_t end, int thread) {
    count_job *job = ctx;
    if (begin < 0 || end > job->n || begin >= end) atomic_fetch_add(&job->bad_ranges, 1);
    if (thread == job->slow_thread) stall_slow_thread(job);
    for (int64_t i = begin; i < end && i >= 0 && i < job->n; i++) {
        atomic_fetch_add(&job->visits[i], 1);
        job->runner[i] = thread;
        if (thread != job->slow_thread) atomic_fetch_add(&job->others_done, 1);
    }
}

/* Runs n items on `threads` threads; returns how many items ran on a thread other than the one
 * whose equal share held them (-1 when an item ran zero or several times). */
static int64_t run_counted(int threads, int64_t n, int slow_thread, int64_t stall_until) {
    CHECK(yq_threads_init(threads) == 0);
    count_job job = {n, calloc((size_t)n + 1, sizeof(atomic_int)), 0, calloc((size_t)n + 1, sizeof(int)),
                     slow_thread, stall_until, 0, false};
    yq_parallel_for(n, count_items, &job);
    int64_t moved = 0, wrong = 0;
    for (int64_t i = 0; i < n; i++) {
        if (atomic_load(&job.visits[i]) != 1) wrong++;
        if (job.runner[i] != (int)(i * threads / n)) moved++;
    }
    CHECKF(wrong == 0, "%d threads, %lld items: %lld items not run exactly once", threads, (long long)n,
           (long long)wrong);
    CHECK(atomic_load(&job.bad_ranges) == 0);
    free(job.visits);
    free(job.runner);
    return wrong ? -1 : moved;
}

static void test_every_item_once(void) {
    static const int64_t counts[] = {1, 2, 3, 7, 16, 63, 64, 65, 1000, 4097};
    for (int threads = 1; threads <= 4; threads++)
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++)
            for (int repeat = 0; repeat < 20; repeat++) run_counted(threads, counts[c], -1, 0);
}

/* Thread 1 stalls in its first call: the caller (thread 0) must finish its share and take over
 * what thread 1 has not claimed, instead of waiting for it. An owner claims all but the last
 * quarter of its share at once, so at least that quarter (n / 8 items) must move. */
static void test_slow_thread_is_relieved(void) {
    int64_t n = 400, stealable = n / 8;
    int64_t moved = run_counted(2, n, 1, n / 2 + stealable);
    CHECKF(moved >= stealable, "only %lld of thread 1's last %lld items were taken over", (long long)moved,
           (long long)stealable);
}

static void test_zero_items_and_resizing(void) {
    CHECK(yq_threads_init(3) == 0);
    CHECK(yq_threads_count() == 3);
    count_job job = {0, NULL, 0, NULL, -1, 0, 0, false};
    yq_parallel_for(0, count_items, &job); /* no call at all */
    CHECK(atomic_load(&job.bad_ranges) == 0);
    CHECK(yq_threads_init(2) == 0);
    CHECK(yq_threads_count() == 2);
    run_counted(2, 100, -1, 0);
    yq_threads_shutdown();
    CHECK(yq_threads_count() == 1);
    run_counted(1, 100, -1, 0);
}

int main(void) {
    test_every_item_once();
    test_slow_thread_is_relieved();
    test_zero_items_and_resizing();
    yq_threads_shutdown();
    return test_summary("threads");
}
