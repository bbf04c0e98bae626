/* The analysis pipeline: the watch list (entities, aliases, alert rules), the analyzer interface
 * with the built-in analyzer as its default, and `yuqing analyze` as a library call that reads
 * crawled items and writes the analysis store (store.h). */
#ifndef YUQING_ANALYZE_H
#define YUQING_ANALYZE_H

#include <stddef.h>
#include <stdint.h>

#include "yuqing/sentiment.h"

/* ---- the watch file (docs/ANALYZE.md) ---- */

typedef struct yq_watch_entity {
    char *name;
    char **aliases; /* the name itself is matched too, without being listed here */
    int n_aliases;
} yq_watch_entity;

typedef enum { YQ_ALERT_NEGATIVE_SHARE, YQ_ALERT_NEGATIVE_COUNT } yq_alert_kind;

/* An alert rule, stored now and evaluated by the alerting stage. */
typedef struct yq_alert_rule {
    int entity; /* index into yq_watch.entities */
    yq_alert_kind kind;
    double threshold; /* NEGATIVE_SHARE: a share in [0, 1]; NEGATIVE_COUNT: an article count */
    double window_s;  /* the sliding window, seconds */
    int min_articles; /* NEGATIVE_SHARE only: articles needed in the window before it can fire */
} yq_alert_rule;

typedef struct yq_watch {
    yq_watch_entity *entities;
    int n_entities;
    yq_alert_rule *alerts;
    int n_alerts;
    int max_hamming; /* near-duplicates: fingerprints at most this many bits apart (default 6) */
    char *timezone;  /* IANA name for display, or NULL for the machine's */
} yq_watch;

/* Loads and checks a watch file. Errors (YQ_EINVAL/YQ_EFORMAT/YQ_ENOENT) say "PATH:LINE: ...".
 * Free with yq_watch_free. */
int yq_watch_load(const char *path, yq_watch **out);
int yq_watch_parse(const char *name, const char *text, size_t len, yq_watch **out);
void yq_watch_free(yq_watch *watch);

/* ---- what the analyzer sees and returns ---- */

/* A mention of a watched entity: a byte range of the article's cleaned title or body. */
typedef struct yq_mention {
    int entity;         /* index into yq_watch.entities */
    int in_title;       /* 1: title, 0: body */
    int32_t start, end; /* bytes in the cleaned field */
} yq_mention;

/* One article, cleaned and prepared by the pipeline (all borrowed). */
typedef struct yq_doc {
    const char *id;
    const char *title, *body; /* cleaned, NUL-terminated */
    size_t title_len, body_len;
    const char *folded_title, *folded_body; /* the same folded by yq_fold_text (for matching) */
    size_t folded_title_len, folded_body_len;
    const char *lang; /* "zh", "en", ... (yq_detect_lang) */
    const yq_mention *mentions;
    int n_mentions;
} yq_doc;

typedef struct yq_entity_sentiment {
    int entity;
    int n_mentions;
    yq_sentiment_label label;
    float score;
} yq_entity_sentiment;

/* The analyzer's result for one article; every pointer is malloc'd (yq_analysis_clear frees). */
typedef struct yq_analysis {
    int failed; /* 1: the analyzer could not analyse it; `error` says why */
    char *error;
    yq_sentiment_label label;
    float score; /* polarity in [-1, 1] */
    char *summary;
    char **keywords;
    int n_keywords;
    const char *event_type;        /* static: one of yq_event_types */
    yq_entity_sentiment *entities; /* one per entity mentioned, in order of first mention */
    int n_entities;
} yq_analysis;

void yq_analysis_clear(yq_analysis *a);

/* Event types, in rule order: "earnings", "legal_regulatory", "product", "personnel",
 * "mergers_acquisitions", "accident_recall", then "other". NULL-terminated. */
extern const char *const yq_event_types[];

/* The analyzer interface: the built-in analyzer is the default; an LLM analyzer provides the same
 * calls. analyze_batch fills out[i] for docs[i] (a failed article sets failed and error; the
 * return value is for failures of the whole batch). */
typedef struct yq_analyzer yq_analyzer;
struct yq_analyzer {
    const char *name; /* recorded with every analysis ("builtin", ...) */
    int (*analyze_batch)(yq_analyzer *self, const yq_doc *docs, int n, yq_analysis *out);
    void (*free)(yq_analyzer *self);
};

/* The built-in analyzer: sentiment from `sentiment` (borrowed; per article over title and body,
 * per entity over the sentences around its mentions), a TextRank summary, TextRank keywords and
 * the event rule table. Runs the batch over the thread pool. */
int yq_builtin_analyzer_new(const yq_sentiment_model *sentiment, yq_analyzer **out);

/* Pieces of the built-in analyzer, public for tests and benchmarks. */
/* Up to `max_sentences` sentences of the text by TextRank, in text order, joined by a space
 * (Latin text) or nothing (CJK). malloc'd. */
char *yq_summarize(const char *text, size_t len, int max_sentences);
/* Up to `max` keywords by TextRank over content terms (Latin words that are not stopwords, CJK
 * character bigrams without function characters). *out is a malloc'd array of malloc'd strings. */
int yq_keywords(const char *text, size_t len, int max, char ***out, int *n);
/* The event type of an article by the rule table in events.c (static string), from its title and
 * body folded by yq_fold_text. */
const char *yq_event_type(const char *folded_title, size_t title_len, const char *folded_body,
                          size_t body_len);

/* ---- the pipeline ---- */

typedef struct yq_analyze_options {
    const char *items_path; /* JSONL file, or SQLite database with table `items` */
    const char *db_path;    /* the analysis store */
    const yq_watch *watch;
    yq_analyzer *analyzer; /* borrowed */
    int batch_size;        /* articles per transaction (default 256) */
    int64_t items_upto;    /* SQLite items: only rows up to this row id (0: all), e.g. those whose
                              media is transcribed (media_transcribe.h) */
} yq_analyze_options;

typedef struct yq_analyze_stats {
    long long read, analyzed, skipped_known, malformed, empty, failed, groups_new;
    long long first_malformed_line; /* 0 when none */
} yq_analyze_stats;

/* Runs the pipeline: each item not yet in the store is cleaned, language-detected, fingerprinted,
 * grouped with its near-duplicates, matched against the watch list, analysed, and stored; one
 * transaction per batch, so a run killed at any moment resumes where it stopped, and a rerun adds
 * nothing. Malformed JSONL lines are skipped and counted (their line numbers logged). Progress
 * goes to stderr. */
int yq_analyze_run(const yq_analyze_options *options, yq_analyze_stats *stats);

#endif
