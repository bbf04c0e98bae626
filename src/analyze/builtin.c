/* The built-in analyzer (no model): sentiment from the built-in scorer (sentiment.h), TextRank
 * summary and keywords, and the event rule table; the default behind the yq_analyzer interface. */
#include <stdlib.h>
#include <string.h>

#include "analyze/terms.h"
#include "yuqing/analyze.h"
#include "yuqing/error.h"
#include "yuqing/threads.h"

enum { SUMMARY_SENTENCES = 3, N_KEYWORDS = 8, MENTIONS_SCORED = 8 };

typedef struct builtin {
    yq_analyzer base;
    const yq_sentiment_model *model;
} builtin;

typedef struct batch_job {
    const builtin *self;
    const yq_doc *docs;
    yq_analysis *out;
} batch_job;

void yq_analysis_clear(yq_analysis *a) {
    free(a->error);
    free(a->summary);
    for (int i = 0; i < a->n_keywords; i++)
        free(a->keywords[i]);
    free(a->keywords);
    free(a->entities);
    memset(a, 0, sizeof *a);
}

/* Title and body as one text, the title ending its own sentence. malloc'd. */
static char *whole_text(const yq_doc *d, size_t *len) {
    char *text = malloc(d->title_len + d->body_len + 2);
    if (!text) return NULL;
    memcpy(text, d->title, d->title_len);
    size_t n = d->title_len;
    if (n) text[n++] = '\n';
    memcpy(text + n, d->body, d->body_len);
    n += d->body_len;
    text[n] = '\0';
    *len = n;
    return text;
}

/* Averages the class probabilities around up to MENTIONS_SCORED mentions of each entity, then
 * gives the whole article's probabilities equal weight: a mention's sentence alone often states
 * the facts ("X recalls 30,000 cars") while the article around it says how bad they are. The
 * label is the most probable class, the score P(positive) - P(negative). */
static int entity_sentiments(const builtin *self, const yq_doc *d, const float article[3], yq_analysis *a) {
    a->entities = calloc((size_t)d->n_mentions + 1, sizeof *a->entities);
    float(*prob)[3] = calloc((size_t)d->n_mentions + 1, sizeof *prob);
    int rc = a->entities && prob ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
    for (int i = 0; !rc && i < d->n_mentions; i++) {
        const yq_mention *m = &d->mentions[i];
        int k = 0;
        while (k < a->n_entities && a->entities[k].entity != m->entity)
            k++;
        if (k == a->n_entities) a->entities[a->n_entities++] = (yq_entity_sentiment){.entity = m->entity};
        if (a->entities[k].n_mentions++ >= MENTIONS_SCORED) continue;
        yq_sentiment_result r;
        const char *text = m->in_title ? d->title : d->body;
        size_t len = m->in_title ? d->title_len : d->body_len;
        rc =
            yq_sentiment_score_mention(self->model, text, len, d->lang, (size_t)m->start, (size_t)m->end, &r);
        for (int c = 0; c < 3; c++)
            prob[k][c] += r.prob[c];
    }
    for (int k = 0; !rc && k < a->n_entities; k++) {
        yq_entity_sentiment *e = &a->entities[k];
        int scored = e->n_mentions < MENTIONS_SCORED ? e->n_mentions : MENTIONS_SCORED;
        for (int c = 0; c < 3; c++)
            prob[k][c] += (float)scored * article[c];
        int best = prob[k][1] >= prob[k][0] && prob[k][1] >= prob[k][2] ? 1
                   : prob[k][0] >= prob[k][2]                           ? 0
                                                                        : 2;
        float total = prob[k][0] + prob[k][1] + prob[k][2];
        e->label = (yq_sentiment_label)(best - 1);
        e->score = total > 0 ? (prob[k][2] - prob[k][0]) / total : 0.0f;
    }
    free(prob);
    return rc;
}

/* Keywords over the whole text and the summary over the body (else the title), from one pass of
 * term collection over the whole text (title, a line break, body). */
static int summary_and_keywords(const yq_doc *d, const char *text, size_t len, yq_analysis *a) {
    term *terms;
    int n_terms, rc = terms_collect(text, len, &terms, &n_terms);
    if (rc) return rc;
    rc = keywords_from_terms(text, terms, n_terms, N_KEYWORDS, &a->keywords, &a->n_keywords);
    int32_t body_at = d->title_len ? (int32_t)d->title_len + 1 : 0;
    int first_body_term = 0;
    while (first_body_term < n_terms && terms[first_body_term].start < body_at)
        first_body_term++;
    if (!rc && d->body_len)
        a->summary = summary_from_terms(d->body, d->body_len, terms + first_body_term,
                                        n_terms - first_body_term, body_at, SUMMARY_SENTENCES);
    else if (!rc)
        a->summary = summary_from_terms(d->title, d->title_len, terms, n_terms, 0, SUMMARY_SENTENCES);
    if (!rc && !a->summary) rc = yq_error(YQ_ENOMEM, "out of memory");
    free(terms);
    return rc;
}

static int analyze_one(const builtin *self, const yq_doc *d, yq_analysis *a) {
    memset(a, 0, sizeof *a);
    size_t len;
    char *text = whole_text(d, &len);
    if (!text) return yq_error(YQ_ENOMEM, "out of memory");
    yq_sentiment_result r;
    int rc = yq_sentiment_score(self->model, text, len, d->lang, &r);
    if (!rc) {
        a->label = r.label;
        a->score = r.score;
        rc = summary_and_keywords(d, text, len, a);
    }
    if (!rc) rc = entity_sentiments(self, d, r.prob, a);
    if (!rc)
        a->event_type =
            yq_event_type(d->folded_title, d->folded_title_len, d->folded_body, d->folded_body_len);
    free(text);
    return rc;
}

static void analyze_range(void *ctx, int64_t begin, int64_t end, int thread) {
    batch_job *job = ctx;
    for (int64_t i = begin; i < end; i++) {
        if (analyze_one(job->self, &job->docs[i], &job->out[i]) == 0) continue;
        yq_analysis_clear(&job->out[i]);
        job->out[i].failed = 1;
        job->out[i].error = strdup(yq_last_error());
        job->out[i].event_type = "other";
    }
}

static int builtin_batch(yq_analyzer *base, const yq_doc *docs, int n, yq_analysis *out) {
    batch_job job = {(const builtin *)base, docs, out};
    yq_parallel_for(n, analyze_range, &job);
    return YQ_OK;
}

static void builtin_free(yq_analyzer *base) {
    free(base);
}

int yq_builtin_analyzer_new(const yq_sentiment_model *sentiment, yq_analyzer **out) {
    builtin *b = calloc(1, sizeof *b);
    if (!b) return yq_error(YQ_ENOMEM, "out of memory");
    b->base = (yq_analyzer){"builtin", builtin_batch, builtin_free};
    b->model = sentiment;
    *out = &b->base;
    return YQ_OK;
}
