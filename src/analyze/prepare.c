/* Preparing one crawled item for analysis: cleaned title and body, language, SimHash of the
 * folded text, mentions of the watched entities (byte ranges mapped back to the cleaned text). */
#include <stdlib.h>
#include <string.h>

#include "analyze/prepare.h"
#include "yuqing/error.h"

void prepared_clear(prepared *p) {
    item_record_clear(&p->item);
    free(p->title);
    free(p->body);
    free(p->folded_title);
    free(p->folded_body);
    free(p->mentions);
    memset(p, 0, sizeof *p);
}

/* Folds one cleaned field into a kept copy (p->folded_title or p->folded_body), finds the entity
 * mentions in it (appended to p->mentions), and takes its SimHash when `fingerprint` is set. */
static int fold_field(const yq_matcher *entities, prepared *p, int in_title, int fingerprint, int32_t *map) {
    const char *text = in_title ? p->title : p->body;
    size_t len = in_title ? p->title_len : p->body_len;
    char *folded = malloc(2 * len + 1);
    if (!folded) return yq_error(YQ_ENOMEM, "out of memory");
    size_t folded_len = yq_fold_text(text, len, folded, map);
    *(in_title ? &p->folded_title : &p->folded_body) = folded;
    *(in_title ? &p->folded_title_len : &p->folded_body_len) = folded_len;
    if (fingerprint) p->simhash = yq_simhash(folded, folded_len);
    yq_match *matches = NULL;
    int n = 0, rc = yq_matcher_find(entities, folded, folded_len, &matches, &n);
    yq_mention *grown = n ? realloc(p->mentions, (size_t)(p->n_mentions + n) * sizeof *grown) : p->mentions;
    if (!rc && n && !grown) rc = yq_error(YQ_ENOMEM, "out of memory");
    if (grown) p->mentions = grown;
    for (int i = 0; !rc && i < n; i++)
        p->mentions[p->n_mentions++] =
            (yq_mention){matches[i].tag, in_title, map[matches[i].start], map[matches[i].end]};
    free(matches);
    return rc;
}

int prepare_item(const yq_matcher *entities, prepared *p) {
    const yq_item_record *it = &p->item;
    p->title = yq_clean_text(it->title ? it->title : "", it->title ? strlen(it->title) : 0, &p->title_len);
    p->body = yq_clean_text(it->body ? it->body : "", it->body ? strlen(it->body) : 0, &p->body_len);
    size_t longest = p->title && p->body ? (p->title_len > p->body_len ? p->title_len : p->body_len) : 0;
    int32_t *map = malloc((2 * longest + 1) * sizeof *map);
    int rc = p->title && p->body && map ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
    if (!rc) {
        p->empty = p->title_len == 0 && p->body_len == 0;
        p->lang = yq_detect_lang(p->body_len ? p->body : p->title, p->body_len ? p->body_len : p->title_len);
        p->has_time = (it->published_at && yq_iso_to_utc(it->published_at, p->time_utc) == 0) ||
                      (it->fetched_at && yq_iso_to_utc(it->fetched_at, p->time_utc) == 0);
        rc = fold_field(entities, p, 1, p->body_len == 0, map); /* the body's SimHash, else the title's */
    }
    if (!rc) rc = fold_field(entities, p, 0, p->body_len > 0, map);
    free(map);
    return rc;
}
