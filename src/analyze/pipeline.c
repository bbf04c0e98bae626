/* `yuqing analyze` as a library call: items in, batches prepared and analysed over the thread
 * pool, then grouped and stored in one transaction per batch (see yq_analyze_run). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/prepare.h"
#include "yuqing/error.h"
#include "yuqing/log.h"
#include "yuqing/threads.h"

enum { DEFAULT_BATCH = 256 };

typedef struct pipeline {
    const yq_analyze_options *opt;
    yq_analyze_stats *stats;
    yq_store *store;
    item_reader *items;
    yq_matcher *entities;
    yq_neardup *index;
    int64_t *entity_ids;
    prepared *batch;
    yq_doc *docs;
    yq_analysis *results;
    int batch_size;
    double started, last_progress;
    int index_status; /* failure while rebuilding the near-duplicate index */
} pipeline;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int build_entity_matcher(const yq_watch *w, yq_matcher **out) {
    yq_matcher *m = yq_matcher_new();
    int rc = m ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
    for (int i = 0; !rc && i < w->n_entities; i++) {
        rc = yq_matcher_add(m, w->entities[i].name, i);
        for (int j = 0; !rc && j < w->entities[i].n_aliases; j++)
            rc = yq_matcher_add(m, w->entities[i].aliases[j], i);
    }
    if (!rc) rc = yq_matcher_build(m);
    if (rc) {
        yq_matcher_free(m);
        return rc;
    }
    *out = m;
    return YQ_OK;
}

static void index_fingerprint(void *ctx, uint64_t simhash, int64_t group) {
    pipeline *p = ctx;
    if (simhash && !p->index_status) p->index_status = yq_neardup_add(p->index, simhash, group);
}

/* Reads up to batch_size items the store does not hold yet (nor the batch itself). */
static int read_batch(pipeline *p, int *n) {
    *n = 0;
    while (*n < p->batch_size) {
        prepared *slot = &p->batch[*n];
        memset(slot, 0, sizeof *slot);
        int rc = item_reader_next(p->items, &slot->item);
        if (rc <= 0) return rc;
        p->stats->read++;
        int known = 0;
        rc = yq_store_has_article(p->store, slot->item.id, &known);
        for (int i = 0; !rc && !known && i < *n; i++)
            known = !strcmp(p->batch[i].item.id, slot->item.id);
        if (rc || known) {
            p->stats->skipped_known += known;
            item_record_clear(&slot->item);
            if (rc) return rc;
            continue;
        }
        (*n)++;
    }
    return YQ_OK;
}

typedef struct prepare_job {
    pipeline *p;
    int failed;
} prepare_job;

static void prepare_range(void *ctx, int64_t begin, int64_t end, int thread) {
    prepare_job *job = ctx;
    for (int64_t i = begin; i < end; i++)
        if (prepare_item(job->p->entities, &job->p->batch[i])) job->failed = 1;
}

static void make_docs(pipeline *p, int n) {
    for (int i = 0; i < n; i++) {
        const prepared *b = &p->batch[i];
        p->docs[i] = (yq_doc){b->item.id,         b->title,        b->body,        b->title_len,
                              b->body_len,        b->folded_title, b->folded_body, b->folded_title_len,
                              b->folded_body_len, b->lang,         b->mentions,    b->n_mentions};
    }
}

/* Groups and stores the batch in one transaction. */
static int store_batch(pipeline *p, int n) {
    int rc = yq_store_begin(p->store);
    for (int i = 0; !rc && i < n; i++) {
        prepared *b = &p->batch[i];
        int64_t group = b->simhash ? yq_neardup_find(p->index, b->simhash) : 0;
        yq_store_article a = {&b->item,
                              b->title,
                              b->body,
                              b->lang,
                              b->has_time ? b->time_utc : NULL,
                              b->simhash,
                              group,
                              b->empty,
                              b->mentions,
                              b->n_mentions,
                              p->entity_ids,
                              &p->results[i],
                              p->opt->analyzer->name};
        rc = yq_store_add(p->store, &a, &group);
        if (!rc && b->simhash) rc = yq_neardup_add(p->index, b->simhash, group);
        if (!rc && !a.group) p->stats->groups_new++;
        p->stats->analyzed += !b->empty;
        p->stats->empty += b->empty;
        p->stats->failed += !b->empty && p->results[i].failed;
    }
    if (!rc) rc = yq_store_commit(p->store);
    if (rc) yq_store_rollback(p->store);
    return rc;
}

static void progress(pipeline *p, int last) {
    double t = now();
    if (yq_log_get_level() < YQ_LOG_WARN || (!last && t - p->last_progress < 1.0)) return;
    p->last_progress = t;
    fprintf(stderr, "%sanalyze: %lld read, %lld analysed, %lld already stored, %lld malformed (%.0f/s)%s",
            isatty(2) ? "\r" : "", p->stats->read, p->stats->analyzed, p->stats->skipped_known,
            p->stats->malformed, (double)p->stats->analyzed / (t - p->started > 1e-3 ? t - p->started : 1e-3),
            isatty(2) && !last ? "" : "\n");
}

static int run_batches(pipeline *p) {
    int n, rc;
    while ((rc = read_batch(p, &n)) == 0 && n > 0) {
        prepare_job job = {p, 0};
        yq_parallel_for(n, prepare_range, &job);
        if (job.failed) rc = yq_error(YQ_ENOMEM, "out of memory preparing articles");
        make_docs(p, n);
        memset(p->results, 0, (size_t)n * sizeof *p->results);
        if (!rc) rc = p->opt->analyzer->analyze_batch(p->opt->analyzer, p->docs, n, p->results);
        if (!rc) rc = store_batch(p, n);
        for (int i = 0; i < n; i++) {
            prepared_clear(&p->batch[i]);
            yq_analysis_clear(&p->results[i]);
        }
        p->stats->malformed = item_reader_malformed(p->items, &p->stats->first_malformed_line);
        progress(p, 0);
        if (rc) return rc;
    }
    p->stats->malformed = item_reader_malformed(p->items, &p->stats->first_malformed_line);
    progress(p, 1);
    return rc;
}

static int open_all(pipeline *p) {
    const yq_analyze_options *o = p->opt;
    p->batch_size = o->batch_size > 0 ? o->batch_size : DEFAULT_BATCH;
    p->entity_ids = calloc((size_t)o->watch->n_entities + 1, sizeof *p->entity_ids);
    p->batch = calloc((size_t)p->batch_size, sizeof *p->batch);
    p->docs = calloc((size_t)p->batch_size, sizeof *p->docs);
    p->results = calloc((size_t)p->batch_size, sizeof *p->results);
    p->index = yq_neardup_new(o->watch->max_hamming);
    if (!p->entity_ids || !p->batch || !p->docs || !p->results || !p->index)
        return yq_error(YQ_ENOMEM, "out of memory");
    int rc = yq_fold_init();
    if (!rc) rc = build_entity_matcher(o->watch, &p->entities);
    if (!rc) rc = item_reader_open(o->items_path, o->items_upto, &p->items);
    if (!rc) rc = yq_store_open(o->db_path, &p->store);
    if (!rc) rc = yq_store_sync_watch(p->store, o->watch, p->entity_ids);
    if (!rc) rc = yq_store_each_fingerprint(p->store, index_fingerprint, p);
    return rc ? rc : p->index_status;
}

int yq_analyze_run(const yq_analyze_options *options, yq_analyze_stats *stats) {
    pipeline p = {.opt = options, .stats = stats};
    memset(stats, 0, sizeof *stats);
    p.started = p.last_progress = now();
    int rc = open_all(&p);
    if (!rc) rc = run_batches(&p);
    yq_store_close(p.store);
    item_reader_close(p.items);
    yq_matcher_free(p.entities);
    yq_neardup_free(p.index);
    free(p.entity_ids);
    free(p.batch);
    free(p.docs);
    free(p.results);
    return rc;
}
