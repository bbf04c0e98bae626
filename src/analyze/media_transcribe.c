/* Transcribing the media of crawled items (see include/yuqing/media_transcribe.h). */
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yuqing/asr.h"
#include "yuqing/audio.h"
#include "yuqing/error.h"
#include "yuqing/fetch.h"
#include "yuqing/log.h"
#include "yuqing/media_transcribe.h"

enum { MEDIA_PER_ITEM = 3 };
#define MEDIA_MAX_BYTES ((size_t)200 << 20)

struct yq_media_transcriber {
    yq_whisper_model *model;
    yq_tokenizer *tokenizer;
};

int yq_media_transcriber_open(const char *whisper_model, yq_media_transcriber **out) {
    yq_media_transcriber *t = calloc(1, sizeof *t);
    if (!t) return yq_error(YQ_ENOMEM, "out of memory");
    int rc = yq_whisper_open(whisper_model, &t->model);
    if (!rc) rc = yq_tokenizer_open(t->model->folder, NULL, &t->tokenizer);
    if (rc) {
        yq_media_transcriber_close(t);
        return rc;
    }
    *out = t;
    return YQ_OK;
}

void yq_media_transcriber_close(yq_media_transcriber *t) {
    if (!t) return;
    yq_tokenizer_free(t->tokenizer);
    yq_whisper_close(t->model);
    free(t);
}

/* The configured source named `name`, if it transcribes its media. */
static const yq_crawl_source *transcribing_source(const yq_crawl_config *crawl, const char *name) {
    for (size_t i = 0; name && i < crawl->n_sources; i++)
        if (!strcmp(crawl->sources[i].name, name)) return crawl->sources[i].transcribe ? &crawl->sources[i] : NULL;
    return NULL;
}

/* One media URL to text (appended to *text); 0, or a negative code with the reason recorded. */
static int transcribe_url(yq_media_transcriber *t, const char *url, int allow_private, char **text) {
    yq_fetcher_config fc = yq_fetcher_defaults();
    yq_fetch_request req = {.url = url, .max_size = MEDIA_MAX_BYTES, .timeout_ms = 600000,
                            .allow_private = allow_private};
    yq_fetch_response *r = NULL;
    int rc = yq_fetch_once(&fc, &req, &r);
    if (!rc && r->error != YQ_FETCH_OK) rc = yq_error(YQ_EIO, "%s: %s", url, r->reason);
    yq_audio audio = {0};
    if (!rc) rc = yq_audio_load_memory(r->body, r->body_len, url, 16000, &audio);
    yq_fetch_response_free(r);
    yq_transcript tr = {0};
    yq_transcribe_options o = yq_transcribe_defaults();
    if (!rc) rc = yq_transcribe(t->model, t->tokenizer, audio.samples, audio.n_samples, &o, &tr);
    for (int i = 0; !rc && i < tr.n_segments; i++) {
        size_t have = *text ? strlen(*text) : 0, add = strlen(tr.segments[i].text);
        char *grown = realloc(*text, have + add + 3);
        if (!grown) {
            rc = yq_error(YQ_ENOMEM, "out of memory");
            break;
        }
        *text = grown;
        snprintf(grown + have, add + 3, "%s%s", have && i == 0 ? "\n\n" : "", tr.segments[i].text);
    }
    yq_transcript_free(&tr);
    yq_audio_free(&audio);
    return rc;
}

/* The transcript of one item's media list (JSON text); "" when none could be transcribed. */
static char *transcribe_item(yq_media_transcriber *t, const char *id, const char *media_json, int allow_private) {
    cJSON *media = cJSON_Parse(media_json);
    char *text = NULL;
    int tried = 0;
    const cJSON *url;
    cJSON_ArrayForEach(url, media) {
        if (!cJSON_IsString(url) || tried++ == MEDIA_PER_ITEM) continue;
        if (transcribe_url(t, url->valuestring, allow_private, &text))
            yq_warn("item %s: media not transcribed: %s", id, yq_last_error());
    }
    cJSON_Delete(media);
    return text ? text : strdup("");
}

static int save_transcript(sqlite3 *db, const char *table, int64_t rowid, const char *text) {
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE \"%s\" SET transcript = ?1 WHERE rowid = ?2", table);
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return yq_error(YQ_EIO, "items: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(stmt, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, rowid);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? YQ_OK : yq_error(YQ_EIO, "items: %s", sqlite3_errmsg(db));
}

/* The last row id now (0 for an empty or not yet created table). */
static int last_rowid(sqlite3 *db, const char *table, int64_t *upto) {
    *upto = 0;
    if (sqlite3_table_column_metadata(db, NULL, table, "transcript", NULL, NULL, NULL, NULL, NULL) != SQLITE_OK)
        return YQ_OK; /* the crawler has not stored an item yet */
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT coalesce(max(rowid), 0) FROM \"%s\"", table);
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return yq_error(YQ_EIO, "items: %s", sqlite3_errmsg(db));
    int rc = sqlite3_step(stmt);
    *upto = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW ? YQ_OK : yq_error(YQ_EIO, "items: %s", sqlite3_errmsg(db));
}

static int transcribe_rows(yq_media_transcriber *t, sqlite3 *db, const char *table, const yq_crawl_config *crawl,
                           int64_t upto, int *n_done) {
    char sql[320];
    snprintf(sql, sizeof sql,
             "SELECT rowid, id, source, media FROM \"%s\" WHERE rowid <= ?1 AND transcript IS NULL"
             " AND media IS NOT NULL AND media != '[]' ORDER BY rowid", table);
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return yq_error(YQ_EIO, "items: %s", sqlite3_errmsg(db));
    sqlite3_bind_int64(stmt, 1, upto);
    int rc = YQ_OK;
    while (!rc && sqlite3_step(stmt) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(stmt, 1);
        const yq_crawl_source *source = transcribing_source(crawl, (const char *)sqlite3_column_text(stmt, 2));
        if (!source) continue;
        char *text = transcribe_item(t, id, (const char *)sqlite3_column_text(stmt, 3), source->allow_private);
        rc = text ? save_transcript(db, table, sqlite3_column_int64(stmt, 0), text) : yq_error(YQ_ENOMEM, "out of memory");
        if (!rc && *text) (*n_done)++;
        free(text);
    }
    sqlite3_finalize(stmt);
    return rc;
}

int yq_media_transcribe_pending(yq_media_transcriber *t, const char *items_db, const char *table,
                                const yq_crawl_config *crawl, int64_t *upto, int *n_done) {
    *n_done = 0;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(items_db, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        *upto = 0; /* no items yet */
        return YQ_OK;
    }
    sqlite3_busy_timeout(db, 10000);
    int rc = last_rowid(db, table, upto);
    if (!rc) rc = transcribe_rows(t, db, table, crawl, *upto, n_done);
    sqlite3_close(db);
    return rc;
}
