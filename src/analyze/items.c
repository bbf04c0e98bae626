/* Crawled items for analysis: JSONL lines (DESIGN §3's item record) or rows of the crawler's
 * SQLite table `items`, read in order into yq_item_record. */
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze_internal.h"
#include "yuqing/error.h"
#include "yuqing/log.h"

enum { LOGGED_MALFORMED = 20 };

struct item_reader {
    const char *path;
    FILE *jsonl;
    char *line;
    size_t line_cap;
    long long line_no, malformed, first_malformed;
    sqlite3 *db;
    sqlite3_stmt *rows;
    int done; /* the rows ran out (stepping again would restart the query) */
};

/* The record's text fields, by name, for both kinds of input. */
static const char *const field_names[] = {"id",         "url",   "canonical_url", "source",
                                          "fetched_at", "title", "published_at",  "author",
                                          "body",       "lang",  "content_hash"};
enum { N_FIELDS = sizeof field_names / sizeof field_names[0], FIELD_BODY = 8 };

static char **field_slot(yq_item_record *item, int i) {
    char **slots[N_FIELDS] = {&item->id,         &item->url,   &item->canonical_url, &item->source,
                              &item->fetched_at, &item->title, &item->published_at,  &item->author,
                              &item->body,       &item->lang,  &item->content_hash};
    return slots[i];
}

void item_record_clear(yq_item_record *item) {
    for (int i = 0; i < N_FIELDS; i++)
        free(*field_slot(item, i));
    memset(item, 0, sizeof *item);
}

/* Appends a transcript (speech in the item's media) to the body. */
static int append_transcript(yq_item_record *item, const char *transcript) {
    if (!transcript || !*transcript) return YQ_OK;
    size_t body = item->body ? strlen(item->body) : 0, extra = strlen(transcript);
    char *joined = realloc(item->body, body + extra + 3);
    if (!joined) return YQ_ENOMEM;
    memcpy(joined + body, body ? "\n\n" : "", body ? 2 : 0);
    memcpy(joined + body + (body ? 2 : 0), transcript, extra + 1);
    item->body = joined;
    return YQ_OK;
}

/* The item's id: its own, else its URL. */
static int take_id(yq_item_record *item) {
    if (item->id && *item->id) return YQ_OK;
    if (!item->url || !*item->url) return YQ_EINVAL;
    free(item->id);
    item->id = strdup(item->url);
    return item->id ? YQ_OK : YQ_ENOMEM;
}

/* Parses one JSONL line; returns 0, or a reason for skipping it in *why. */
static int parse_line(const char *line, size_t len, yq_item_record *item, const char **why) {
    cJSON *root = cJSON_ParseWithLength(line, len);
    *why = !root ? "not valid JSON" : !cJSON_IsObject(root) ? "not a JSON object" : NULL;
    for (int i = 0; !*why && i < N_FIELDS; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, field_names[i]);
        if (!v || cJSON_IsNull(v)) continue;
        if (!cJSON_IsString(v))
            *why = "a text field is not a string";
        else if (!(*field_slot(item, i) = strdup(v->valuestring)))
            *why = "out of memory";
    }
    const cJSON *transcript = cJSON_GetObjectItemCaseSensitive(root, "transcript");
    if (!*why && cJSON_IsString(transcript) && append_transcript(item, transcript->valuestring))
        *why = "out of memory";
    if (!*why && take_id(item)) *why = "no id and no url";
    cJSON_Delete(root);
    if (*why) item_record_clear(item);
    return *why ? YQ_EINVAL : YQ_OK;
}

static int next_jsonl(item_reader *r, yq_item_record *item) {
    ssize_t len;
    while ((len = getline(&r->line, &r->line_cap, r->jsonl)) >= 0) {
        r->line_no++;
        while (len > 0 && (r->line[len - 1] == '\n' || r->line[len - 1] == '\r' || r->line[len - 1] == ' '))
            len--;
        if (len == 0) continue;
        const char *why;
        if (parse_line(r->line, (size_t)len, item, &why) == 0) return 1;
        if (!strcmp(why, "out of memory")) return yq_error(YQ_ENOMEM, "out of memory");
        if (r->malformed++ == 0) r->first_malformed = r->line_no;
        if (r->malformed <= LOGGED_MALFORMED) yq_warn("%s:%lld: skipped: %s", r->path, r->line_no, why);
    }
    return ferror(r->jsonl) ? yq_error(YQ_EIO, "%s: read error", r->path) : 0;
}

/* Copies one row's columns into *item by name. */
static int take_row(item_reader *r, yq_item_record *item) {
    const char *transcript = NULL;
    for (int c = 0; c < sqlite3_column_count(r->rows); c++) {
        const char *name = sqlite3_column_name(r->rows, c),
                   *value = (const char *)sqlite3_column_text(r->rows, c);
        if (!value) continue;
        if (!strcmp(name, "transcript")) transcript = value;
        for (int i = 0; i < N_FIELDS; i++)
            if (!strcmp(name, field_names[i]) && !(*field_slot(item, i) = strdup(value)))
                return yq_error(YQ_ENOMEM, "out of memory");
    }
    return append_transcript(item, transcript) ? yq_error(YQ_ENOMEM, "out of memory") : YQ_OK;
}

static int next_row(item_reader *r, yq_item_record *item) {
    while (!r->done) {
        int rc = sqlite3_step(r->rows);
        if (rc == SQLITE_DONE) {
            r->done = 1;
            return 0;
        }
        if (rc != SQLITE_ROW) return yq_error(YQ_EIO, "%s: %s", r->path, sqlite3_errmsg(r->db));
        r->line_no++;
        rc = take_row(r, item);
        if (!rc && take_id(item) == 0) return 1;
        item_record_clear(item);
        if (rc) return rc;
        if (r->malformed++ == 0) r->first_malformed = r->line_no;
    }
    return 0;
}

int item_reader_next(item_reader *r, yq_item_record *item) {
    memset(item, 0, sizeof *item);
    return r->jsonl ? next_jsonl(r, item) : next_row(r, item);
}

static int open_sqlite(item_reader *r, int64_t upto) {
    if (sqlite3_open_v2(r->path, &r->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(r->db, "SELECT * FROM items WHERE ?1 = 0 OR rowid <= ?1 ORDER BY rowid", -1, &r->rows,
                           NULL) != SQLITE_OK)
        return yq_error(YQ_EFORMAT, "%s: not a crawl store with table items (%s)", r->path,
                        r->db ? sqlite3_errmsg(r->db) : "cannot open");
    sqlite3_bind_int64(r->rows, 1, upto);
    sqlite3_busy_timeout(r->db, 10000);
    return YQ_OK;
}

int item_reader_open(const char *path, int64_t upto, item_reader **out) {
    item_reader *r = calloc(1, sizeof *r);
    if (!r) return yq_error(YQ_ENOMEM, "out of memory");
    r->path = path;
    FILE *f = fopen(path, "rb");
    if (!f) {
        free(r);
        return yq_error(YQ_ENOENT, "%s: cannot open items", path);
    }
    char magic[16] = {0};
    size_t got = fread(magic, 1, sizeof magic, f);
    int rc = YQ_OK;
    if (got == sizeof magic && !memcmp(magic, "SQLite format 3", 16)) {
        fclose(f);
        rc = open_sqlite(r, upto);
    } else {
        rewind(f);
        r->jsonl = f;
    }
    if (rc) {
        item_reader_close(r);
        return rc;
    }
    *out = r;
    return YQ_OK;
}

long long item_reader_malformed(const item_reader *r, long long *first_line) {
    *first_line = r->first_malformed;
    return r->malformed;
}

void item_reader_close(item_reader *r) {
    if (!r) return;
    if (r->jsonl) fclose(r->jsonl);
    free(r->line);
    sqlite3_finalize(r->rows);
    sqlite3_close(r->db);
    free(r);
}
