/* Search over the analysis store: trigram full-text matching (FTS5) for words of 3 or more
 * characters, a substring scan for shorter ones, filters on entity, sentiment and time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/store_internal.h"
#include "yuqing/db.h"
#include "yuqing/error.h"

enum { MAX_TERMS = 16 };

static const char select_rows[] =
    "SELECT a.id, a.time_utc, a.source, a.url, a.title, a.lang, an.sentiment, an.summary, an.keywords,"
    " an.event_type, (SELECT json_group_array(json(x)) FROM (SELECT json_object('entity', e.name, 'sentiment',"
    " es.sentiment, 'score', es.score, 'mentions', es.n_mentions) AS x FROM entity_sentiment es JOIN entities e"
    " ON e.id = es.entity WHERE es.article = a.seq ORDER BY e.id)), an.score, a.group_id, g.n_articles"
    " FROM articles a JOIN analyses an ON an.article = a.seq JOIN near_dup_groups g ON g.id = a.group_id WHERE 1";

typedef struct query_text {
    char sql[4096];
    const char *binds[MAX_TERMS * 2 + 4]; /* bound in order; malloc'd ones are listed in owned */
    char *owned[MAX_TERMS + 1];
    int n_binds, n_owned;
} query_text;

static size_t chars(const char *s, size_t n) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++) count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}

/* "%term%" with LIKE's wildcards escaped by a backslash. */
static char *like_pattern(const char *term, size_t n) {
    char *out = malloc(2 * n + 3), *o = out;
    if (!out) return NULL;
    *o++ = '%';
    for (size_t i = 0; i < n; i++) {
        if (term[i] == '%' || term[i] == '_' || term[i] == '\\') *o++ = '\\';
        *o++ = term[i];
    }
    *o++ = '%';
    *o = '\0';
    return out;
}

/* Appends the FTS5 string literal "term" (quotes doubled) to the MATCH expression. */
static int append_fts_term(char **match, const char *term, size_t n) {
    size_t old = *match ? strlen(*match) : 0;
    char *grown = realloc(*match, old + 2 * n + 4);
    if (!grown) return YQ_ENOMEM;
    char *o = grown + old;
    if (old) *o++ = ' ';
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        if (term[i] == '"') *o++ = '"';
        *o++ = term[i];
    }
    *o++ = '"';
    *o = '\0';
    *match = grown;
    return YQ_OK;
}

static void add_clause(query_text *q, const char *clause) {
    strncat(q->sql, clause, sizeof q->sql - strlen(q->sql) - 1);
}

static int own(query_text *q, char *s) {
    if (!s) return yq_error(YQ_ENOMEM, "out of memory");
    q->owned[q->n_owned++] = s;
    q->binds[q->n_binds++] = s;
    return YQ_OK;
}

static int text_clauses(query_text *q, const char *text) {
    char *match = NULL;
    int n_terms = 0, rc = YQ_OK;
    for (const char *p = text; p && *p && !rc;) {
        p += strspn(p, " \t\n");
        size_t n = strcspn(p, " \t\n");
        if (n == 0) break;
        if (++n_terms > MAX_TERMS) rc = yq_error(YQ_EINVAL, "search: more than %d words", MAX_TERMS);
        else if (chars(p, n) >= 3) rc = append_fts_term(&match, p, n) ? yq_error(YQ_ENOMEM, "out of memory") : 0;
        else if (!(rc = own(q, like_pattern(p, n)))) {
            q->binds[q->n_binds++] = q->owned[q->n_owned - 1];
            add_clause(q, " AND (a.title LIKE ? ESCAPE '\\' OR a.body LIKE ? ESCAPE '\\')");
        }
        p += n;
    }
    if (!rc && match) {
        rc = own(q, match);
        add_clause(q, " AND a.seq IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)");
    } else {
        free(match);
    }
    return rc;
}

static int build_query(const yq_search_query *query, query_text *q) {
    memset(q, 0, sizeof *q);
    add_clause(q, select_rows);
    int rc = text_clauses(q, query->text);
    if (!rc && query->entity) {
        add_clause(q, " AND EXISTS (SELECT 1 FROM entity_sentiment es JOIN entities e ON e.id = es.entity"
                      " WHERE es.article = a.seq AND e.name = ? COLLATE NOCASE");
        q->binds[q->n_binds++] = query->entity;
        if (query->sentiment) {
            add_clause(q, " AND es.sentiment = ?");
            q->binds[q->n_binds++] = query->sentiment;
        }
        add_clause(q, ")");
    } else if (!rc && query->sentiment) {
        add_clause(q, " AND an.sentiment = ?");
        q->binds[q->n_binds++] = query->sentiment;
    }
    if (!rc && query->since) {
        add_clause(q, " AND a.time_utc >= ?");
        q->binds[q->n_binds++] = query->since;
    }
    add_clause(q, " ORDER BY a.time_utc IS NULL, a.time_utc DESC, a.seq DESC");
    if (query->limit > 0) add_clause(q, " LIMIT ?");
    return rc;
}

static void read_row(sqlite3_stmt *st, yq_search_row *row) {
    const char **text[] = {&row->id, &row->time, &row->source, &row->url, &row->title, &row->lang, &row->sentiment,
                           &row->summary, &row->keywords, &row->event_type, &row->entities};
    for (int i = 0; i < 11; i++) *text[i] = (const char *)sqlite3_column_text(st, i);
    row->score = sqlite3_column_double(st, 11);
    row->group = sqlite3_column_int64(st, 12);
    row->group_articles = sqlite3_column_int64(st, 13);
}

int yq_store_search(yq_store *s, const yq_search_query *query, int (*fn)(void *ctx, const yq_search_row *row),
                    void *ctx) {
    query_text q;
    sqlite3_stmt *st = NULL;
    int rc = build_query(query, &q);
    if (!rc && sqlite3_prepare_v2(s->db, q.sql, -1, &st, NULL) != SQLITE_OK) rc = yq_db_error(s->db, s->path);
    for (int i = 0; !rc && i < q.n_binds; i++) store_bind_text(st, i + 1, q.binds[i]);
    if (!rc && query->limit > 0) sqlite3_bind_int64(st, q.n_binds + 1, query->limit);
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        yq_search_row row;
        read_row(st, &row);
        rc = fn(ctx, &row);
    }
    if (!rc && step != SQLITE_DONE) rc = yq_db_error(s->db, s->path);
    sqlite3_finalize(st);
    for (int i = 0; i < q.n_owned; i++) free(q.owned[i]);
    return rc;
}
