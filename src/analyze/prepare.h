/* One crawled item made ready for the analyzer and the store (internal to the pipeline). */
#ifndef YUQING_ANALYZE_PREPARE_H
#define YUQING_ANALYZE_PREPARE_H

#include "analyze/analyze_internal.h"
#include "yuqing/textproc.h"

typedef struct prepared {
    yq_item_record item; /* as read (owned) */
    char *title, *body;  /* cleaned (owned) */
    size_t title_len, body_len;
    char *folded_title, *folded_body; /* yq_fold_text of the cleaned fields (owned) */
    size_t folded_title_len, folded_body_len;
    const char *lang;
    uint64_t simhash;
    char time_utc[21];
    int has_time;
    int empty; /* neither title nor body has text */
    yq_mention *mentions;
    int n_mentions;
} prepared;

/* Fills the fields after `item` from p->item. Thread-safe (the matcher is read-only). */
int prepare_item(const yq_matcher *entities, prepared *p);
void prepared_clear(prepared *p);

#endif
