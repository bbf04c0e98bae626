/* Thread-safe counters and fixed-bucket histograms, rendered in Prometheus text format. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "yuqing/error.h"

static const double buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
enum { N_BUCKETS = sizeof buckets / sizeof buckets[0], MAX_STATUSES = 16 };
static const char *const hist_names[YQ_HIST_COUNT] = {"yuqing_time_to_first_token_seconds",
                                                      "yuqing_inter_token_latency_seconds",
                                                      "yuqing_e2e_request_latency_seconds"};

typedef struct {
    unsigned long long counts[N_BUCKETS + 1]; /* the last is +Inf */
    double sum;
    unsigned long long n;
} histogram;

struct yq_metrics {
    pthread_mutex_t lock;
    int statuses[MAX_STATUSES];
    unsigned long long status_counts[MAX_STATUSES];
    int n_statuses;
    histogram hist[YQ_HIST_COUNT];
};

int yq_metrics_new(yq_metrics **out) {
    yq_metrics *m = calloc(1, sizeof *m);
    if (!m) return yq_error(YQ_ENOMEM, "out of memory");
    pthread_mutex_init(&m->lock, NULL);
    *out = m;
    return YQ_OK;
}

void yq_metrics_free(yq_metrics *m) {
    if (!m) return;
    pthread_mutex_destroy(&m->lock);
    free(m);
}

void yq_metrics_count_request(yq_metrics *m, int status) {
    pthread_mutex_lock(&m->lock);
    int i = 0;
    while (i < m->n_statuses && m->statuses[i] != status) i++;
    if (i == m->n_statuses && i < MAX_STATUSES) m->statuses[m->n_statuses++] = status;
    if (i < MAX_STATUSES) m->status_counts[i]++;
    pthread_mutex_unlock(&m->lock);
}

void yq_metrics_observe(yq_metrics *m, yq_histogram h, double seconds) {
    pthread_mutex_lock(&m->lock);
    histogram *x = &m->hist[h];
    int b = 0;
    while (b < N_BUCKETS && seconds > buckets[b]) b++;
    x->counts[b]++;
    x->sum += seconds;
    x->n++;
    pthread_mutex_unlock(&m->lock);
}

static void render_histogram(FILE *f, const char *name, const histogram *h) {
    fprintf(f, "# TYPE %s histogram\n", name);
    unsigned long long cumulative = 0;
    for (int b = 0; b < N_BUCKETS; b++) {
        cumulative += h->counts[b];
        fprintf(f, "%s_bucket{le=\"%g\"} %llu\n", name, buckets[b], cumulative);
    }
    cumulative += h->counts[N_BUCKETS];
    fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n%s_count %llu\n", name, cumulative, name, h->sum, name, h->n);
}

static void render_engine(FILE *f, const yq_engine_stats *e) {
    fprintf(f,
            "# TYPE yuqing_prompt_tokens_total counter\nyuqing_prompt_tokens_total %llu\n"
            "# TYPE yuqing_prompt_tokens_cached_total counter\nyuqing_prompt_tokens_cached_total %llu\n"
            "# TYPE yuqing_generation_tokens_total counter\nyuqing_generation_tokens_total %llu\n"
            "# TYPE yuqing_preemptions_total counter\nyuqing_preemptions_total %llu\n"
            "# TYPE yuqing_sequences_running gauge\nyuqing_sequences_running %d\n"
            "# TYPE yuqing_sequences_waiting gauge\nyuqing_sequences_waiting %d\n"
            "# TYPE yuqing_kv_blocks gauge\nyuqing_kv_blocks{state=\"used\"} %d\nyuqing_kv_blocks{state=\"free\"} %d\n"
            "yuqing_kv_blocks{state=\"shared\"} %d\nyuqing_kv_blocks{state=\"cached\"} %d\n"
            "yuqing_kv_blocks{state=\"total\"} %d\n",
            (unsigned long long)e->prompt_tokens, (unsigned long long)e->cached_prompt_tokens,
            (unsigned long long)e->generated_tokens, (unsigned long long)e->preemptions, e->running, e->waiting,
            e->blocks_total - e->blocks_free - e->blocks_cached, e->blocks_free, e->blocks_shared, e->blocks_cached, e->blocks_total);
}

char *yq_metrics_render(yq_metrics *m, const yq_engine_stats *engine) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return NULL;
    pthread_mutex_lock(&m->lock);
    fprintf(f, "# TYPE yuqing_requests_total counter\n");
    for (int i = 0; i < m->n_statuses; i++)
        fprintf(f, "yuqing_requests_total{status=\"%d\"} %llu\n", m->statuses[i], m->status_counts[i]);
    for (int h = 0; h < YQ_HIST_COUNT; h++) render_histogram(f, hist_names[h], &m->hist[h]);
    pthread_mutex_unlock(&m->lock);
    if (engine) render_engine(f, engine);
    fclose(f);
    return text;
}
