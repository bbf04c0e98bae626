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
    free(p->mentions);
    memset(p, 0, sizeof *p);
}

/* Finds the entity mentions in one cleaned field; appends them to p->mentions. */
static int find_mentions(const yq_matcher *entities, prepared *p, const char *text, size_t len, int in_title,
                         char *folded, int32_t *map) {
    size_t folded_len = yq_fold_text(text, len, folded, map);
    yq_match *matches = NULL;
    int n = 0, rc = yq_matcher_find(entities, folded, folded_len, &matches, &n);
    yq_mention *grown = n ? realloc(p->mentions, (size_t)(p->n_mentions + n) * sizeof *grown) : p->mentions;
    if (!rc && n && !grown) rc = yq_error(YQ_ENOMEM, "out of memory");
    if (grown) p->mentions = grown;
    for (int i = 0; !rc && i < n; i++)
        p->mentions[p->n_mentions++] = (yq_mention){matches[i].tag, in_title, map[matches[i].start], map[matches[i].end]};
    free(matches);
    return rc;
}

static int fingerprint(prepared *p, char *folded) {
    const char *text = p->body_len ? p->body : p->title;
    size_t len = p->body_len ? p->body_len : p->title_len;
    p->simhash = yq_simhash(folded, yq_fold_text(text, len, folded, NULL));
    return YQ_OK;
}

int prepare_item(const yq_matcher *entities, prepared *p) {
    const yq_item_record *it = &p->item;
    p->title = yq_clean_text(it->title ? it->title : "", it->title ? strlen(it->title) : 0, &p->title_len);
    p->body = yq_clean_text(it->body ? it->body : "", it->body ? strlen(it->body) : 0, &p->body_len);
    size_t longest = p->title_len > p->body_len ? p->title_len : p->body_len;
    char *folded = malloc(2 * longest + 1);
    int32_t *map = malloc((2 * longest + 1) * sizeof *map);
    int rc = p->title && p->body && folded && map ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
    if (!rc) {
        p->empty = p->title_len == 0 && p->body_len == 0;
        p->lang = yq_detect_lang(p->body_len ? p->body : p->title, p->body_len ? p->body_len : p->title_len);
        p->has_time = (it->published_at && yq_iso_to_utc(it->published_at, p->time_utc) == 0) ||
                      (it->fetched_at && yq_iso_to_utc(it->fetched_at, p->time_utc) == 0);
        rc = fingerprint(p, folded);
    }
    if (!rc) rc = find_mentions(entities, p, p->title, p->title_len, 1, folded, map);
    if (!rc) rc = find_mentions(entities, p, p->body, p->body_len, 0, folded, map);
    free(folded);
    free(map);
    return rc;
}
