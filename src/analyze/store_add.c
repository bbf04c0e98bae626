/* Adding one analysed article to the store: the article row, its near-duplicate group, the
 * analysis, mentions and per-entity sentiments (one caller transaction per batch). */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "analyze/store_internal.h"
#include "yuqing/error.h"

static int64_t last_id(yq_store *s) {
    return sqlite3_last_insert_rowid(s->db);
}

/* Starts a group for the article, or updates the reach and first-seen article of its group. */
static int join_group(yq_store *s, const yq_store_article *a, int64_t *group) {
    sqlite3_stmt *insert = s->stmt[ST_INSERT_GROUP];
    if (a->group) {
        *group = a->group;
        return YQ_OK;
    }
    store_bind_text(insert, 1, a->item->id);
    store_bind_text(insert, 2, a->time_utc);
    sqlite3_bind_int64(insert, 3, (sqlite3_int64)a->simhash);
    sqlite3_bind_int(insert, 4, a->item->source != NULL);
    int rc = store_run(s, insert);
    *group = last_id(s);
    return rc;
}

static int update_group(yq_store *s, const yq_store_article *a, int64_t group) {
    sqlite3_stmt *update = s->stmt[ST_UPDATE_GROUP];
    sqlite3_bind_int64(update, 1, group);
    store_bind_text(update, 2, a->item->id);
    store_bind_text(update, 3, a->time_utc);
    return store_run(s, update);
}

static int insert_article(yq_store *s, const yq_store_article *a, int64_t group, int64_t *seq) {
    sqlite3_stmt *st = s->stmt[ST_INSERT_ARTICLE];
    const yq_item_record *it = a->item;
    const char *text[] = {it->id,         it->url,          it->canonical_url, it->source,
                          it->fetched_at, it->published_at, a->time_utc,       it->author,
                          a->title,       a->body,          a->lang,           it->content_hash};
    for (int i = 0; i < 12; i++)
        store_bind_text(st, i + 1, text[i]);
    sqlite3_bind_int64(st, 13, (sqlite3_int64)a->simhash);
    sqlite3_bind_int64(st, 14, group);
    int rc = store_run(s, st);
    *seq = last_id(s);
    return rc;
}

static char *keywords_json(const yq_analysis *an) {
    cJSON *array = cJSON_CreateArray();
    for (int i = 0; array && i < an->n_keywords; i++)
        cJSON_AddItemToArray(array, cJSON_CreateString(an->keywords[i]));
    char *json = array ? cJSON_PrintUnformatted(array) : NULL;
    cJSON_Delete(array);
    return json;
}

static int insert_analysis(yq_store *s, const yq_store_article *a, int64_t seq) {
    sqlite3_stmt *st = s->stmt[ST_INSERT_ANALYSIS];
    const yq_analysis *an = a->analysis;
    const char *status = a->empty ? "empty" : an->failed ? "failed" : "ok";
    char *keywords = NULL;
    sqlite3_bind_int64(st, 1, seq);
    store_bind_text(st, 2, a->analyzer);
    store_bind_text(st, 3, status);
    if (!a->empty && !an->failed) {
        if (!(keywords = keywords_json(an))) return yq_error(YQ_ENOMEM, "out of memory");
        store_bind_text(st, 5, yq_sentiment_label_name(an->label));
        sqlite3_bind_double(st, 6, an->score);
        store_bind_text(st, 7, an->summary);
        store_bind_text(st, 8, keywords);
        store_bind_text(st, 9, an->event_type);
    } else if (!a->empty) {
        store_bind_text(st, 4, an->error);
    }
    int rc = store_run(s, st);
    free(keywords);
    return rc;
}

static int insert_mentions(yq_store *s, const yq_store_article *a, int64_t seq) {
    sqlite3_stmt *st = s->stmt[ST_INSERT_MENTION];
    int rc = YQ_OK;
    for (int i = 0; i < a->n_mentions && !rc; i++) {
        const yq_mention *m = &a->mentions[i];
        sqlite3_bind_int64(st, 1, seq);
        sqlite3_bind_int64(st, 2, a->entity_ids[m->entity]);
        store_bind_text(st, 3, m->in_title ? "title" : "body");
        sqlite3_bind_int(st, 4, m->start);
        sqlite3_bind_int(st, 5, m->end);
        rc = store_run(s, st);
    }
    return rc;
}

static int insert_entity_sentiments(yq_store *s, const yq_store_article *a, int64_t seq) {
    sqlite3_stmt *st = s->stmt[ST_INSERT_ENTITY_SENTIMENT];
    const yq_analysis *an = a->analysis;
    int rc = YQ_OK;
    for (int i = 0; !a->empty && !an->failed && i < an->n_entities && !rc; i++) {
        const yq_entity_sentiment *e = &an->entities[i];
        sqlite3_bind_int64(st, 1, seq);
        sqlite3_bind_int64(st, 2, a->entity_ids[e->entity]);
        sqlite3_bind_int(st, 3, e->n_mentions);
        store_bind_text(st, 4, yq_sentiment_label_name(e->label));
        sqlite3_bind_double(st, 5, e->score);
        rc = store_run(s, st);
    }
    return rc;
}

int yq_store_add(yq_store *s, const yq_store_article *a, int64_t *group) {
    int64_t seq = 0;
    int rc = join_group(s, a, group);
    if (!rc) rc = insert_article(s, a, *group, &seq);
    if (!rc && a->group) rc = update_group(s, a, *group);
    if (!rc) rc = insert_analysis(s, a, seq);
    if (!rc) rc = insert_mentions(s, a, seq);
    if (!rc) rc = insert_entity_sentiments(s, a, seq);
    return rc;
}
