/* Scores yq_extract_html on the extraction benchmark (../shared/data/extraction/pages.jsonl, see
 * its SCORING.md): body shingle P/R/F1 or snippet P/R/F, title exact match, date accuracy.
 * "exact" is the share of pages matching token for token (shingle) or the snippet accuracy.
 * With -v, stderr gets a line per page and a "MISS" line (gold beside ours) per wrong title or
 * date. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yuqing/extract.h"
#include "yuqing/mapfile.h"
#include "yuqing/utf8.h"

enum { MAX_GROUPS = 16 };

typedef struct group {
    char name[96];
    int pages, body_pages, p_pages, r_pages, exact, titles, title_ok, dates, date_ok, times, time_ok;
    double p_sum, r_sum;
    long tp, fp, fn, tn; /* snippet counts (trafilatura pages) */
} group;

/* NFKC's effect on the text these pages hold: full-width ASCII and ideographic space. */
static unsigned fold(unsigned c) {
    if (c >= 0xFF01 && c <= 0xFF5E) return c - 0xFEE0;
    return c == 0x3000 || c == 0xA0 ? ' ' : c;
}

static int is_cjk(unsigned c) { return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF); }

/* \w as Python's re: letters, digits, underscore; non-ASCII punctuation blocks excluded. */
static int is_word(unsigned c) {
    if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (c < 0xC0) return c == 0xAA || c == 0xB5 || c == 0xBA || c == 0xB2 || c == 0xB3 || c == 0xB9;
    if (c == 0xD7 || c == 0xF7) return 0;
    return !((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) || (c >= 0xFE30 && c <= 0xFE4F) ||
             (c >= 0xFF00 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
             (c >= 0xFF5B && c <= 0xFF65) || (c >= 0x1F000));
}

/* Token hashes of a text (SCORING.md §1.1), malloc'd. */
static uint64_t *tokens(const char *text, int zh, size_t *n) {
    size_t cap = strlen(text) + 1;
    uint64_t *t = malloc(cap * sizeof *t);
    *n = 0;
    uint64_t h = 0;
    int in_word = 0;
    for (const char *s = text; *s;) {
        unsigned c = fold(yq_utf8_next(&s));
        int single = zh && is_cjk(c), word = !single && is_word(c);
        if (in_word && !word) t[(*n)++] = h, in_word = 0;
        if (single) t[(*n)++] = 1469598103934665603ULL ^ ((uint64_t)c * 1099511628211ULL);
        if (word) {
            if (!in_word) h = 1469598103934665603ULL, in_word = 1;
            h = (h ^ c) * 1099511628211ULL;
        }
    }
    if (in_word) t[(*n)++] = h;
    return t;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorted 4-shingle hashes of a token sequence (one shingle of all tokens when fewer than 4). */
static uint64_t *shingles(const uint64_t *t, size_t n, size_t *m) {
    *m = n == 0 ? 0 : n < 4 ? 1 : n - 3;
    uint64_t *s = malloc((*m + 1) * sizeof *s);
    for (size_t i = 0; i < *m; i++) {
        uint64_t h = 0;
        for (size_t j = i; j < i + 4 && j < n; j++) h = (h ^ t[j]) * 0x9E3779B97F4A7C15ULL + j - i;
        s[i] = h;
    }
    qsort(s, *m, sizeof *s, cmp_u64);
    return s;
}

static void score_body(group *g, const char *gold, const char *pred, int zh) {
    size_t ng, np, mg, mp;
    uint64_t *tg = tokens(gold, zh, &ng), *tp = tokens(pred ? pred : "", zh, &np);
    uint64_t *sg = shingles(tg, ng, &mg), *sp = shingles(tp, np, &mp);
    size_t i = 0, j = 0, tp_n = 0;
    while (i < mg && j < mp) {
        if (sg[i] == sp[j]) tp_n++, i++, j++;
        else if (sg[i] < sp[j]) i++;
        else j++;
    }
    double fp = (double)(mp - tp_n), fn = (double)(mg - tp_n), tpd = (double)tp_n;
    g->body_pages++;
    if (tpd + fp > 0) g->p_pages++, g->p_sum += tp_n ? tpd / (tpd + fp) : 0;
    if (tpd + fn > 0) g->r_pages++, g->r_sum += tp_n ? tpd / (tpd + fn) : 0;
    g->exact += ng == np && !memcmp(tg, tp, ng * sizeof *tg);
    free(tg), free(tp), free(sg), free(sp);
}

/* Whitespace collapsed and full-width folded, malloc'd. */
static char *normalise(const char *s) {
    char *out = malloc(strlen(s) * 2 + 1), *o = out;
    int space = 1;
    while (*s) {
        unsigned c = fold(yq_utf8_next(&s));
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            if (!space) *o++ = ' ';
            space = 1;
            continue;
        }
        space = 0;
        if (c < 0x80) *o++ = (char)c;
        else if (c < 0x800) *o++ = (char)(0xC0 | c >> 6), *o++ = (char)(0x80 | (c & 63));
        else if (c < 0x10000) *o++ = (char)(0xE0 | c >> 12), *o++ = (char)(0x80 | (c >> 6 & 63)), *o++ = (char)(0x80 | (c & 63));
        else *o++ = (char)(0xF0 | c >> 18), *o++ = (char)(0x80 | (c >> 12 & 63)), *o++ = (char)(0x80 | (c >> 6 & 63)), *o++ = (char)(0x80 | (c & 63));
    }
    if (o > out && o[-1] == ' ') o--;
    *o = 0;
    return out;
}

static void score_snippets(group *g, const cJSON *page, const char *pred) {
    char *out = normalise(pred ? pred : "");
    const char *keys[] = {"must_include", "must_exclude"};
    for (int k = 0; k < 2; k++) {
        const cJSON *item;
        cJSON_ArrayForEach(item, cJSON_GetObjectItem(page, keys[k])) {
            if (!cJSON_IsString(item)) continue;
            char *snip = normalise(item->valuestring);
            int found = strstr(out, snip) != NULL;
            if (k == 0) found ? g->tp++ : g->fn++;
            else found ? g->fp++ : g->tn++;
            free(snip);
        }
    }
    free(out);
}

/* The first numbers of a date string: year, month, day, hour, minute (-1 when absent). */
static int date_parts(const char *s, int *v) {
    int n = 0;
    for (int i = 0; i < 5; i++) v[i] = -1;
    while (*s && n < 5) {
        if (*s >= '0' && *s <= '9') v[n++] = (int)strtol(s, (char **)&s, 10);
        else s++;
    }
    return n >= 3 && v[0] > 1900;
}

static void score_meta(group *g, const cJSON *page, const yq_article *a) {
    const cJSON *title = cJSON_GetObjectItem(page, "title"), *when = cJSON_GetObjectItem(page, "publish_time");
    if (cJSON_IsString(title) && *title->valuestring) {
        char *gold = normalise(title->valuestring), *pred = normalise(a->title ? a->title : "");
        g->titles++, g->title_ok += !strcmp(gold, pred);
        free(gold), free(pred);
    }
    int gv[5], pv[5];
    if (!cJSON_IsString(when) || !date_parts(when->valuestring, gv)) return;
    int have = a->published_at && date_parts(a->published_at, pv);
    int same_day = have && gv[0] == pv[0] && gv[1] == pv[1] && gv[2] == pv[2];
    g->dates++, g->date_ok += same_day;
    if (gv[3] >= 0) g->times++, g->time_ok += same_day && gv[3] == pv[3] && gv[4] == pv[4];
}

static group *group_for(group *groups, int *n, const cJSON *page) {
    const cJSON *src = cJSON_GetObjectItem(page, "source"), *lang = cJSON_GetObjectItem(page, "lang");
    char name[96];
    snprintf(name, sizeof name, "%s %s", cJSON_IsString(src) ? src->valuestring : "?",
             cJSON_IsString(lang) ? lang->valuestring : "?");
    for (int i = 0; i < *n; i++)
        if (!strcmp(groups[i].name, name)) return &groups[i];
    if (*n == MAX_GROUPS) return &groups[MAX_GROUPS - 1];
    snprintf(groups[*n].name, sizeof groups[*n].name, "%s", name);
    return &groups[(*n)++];
}

/* "MISS" lines (gold beside ours) for a title or date that score_meta counted as wrong. */
static void print_misses(const char *id, const cJSON *page, const group *before, const group *after,
                         const yq_article *a) {
    const cJSON *title = cJSON_GetObjectItem(page, "title");
    const cJSON *when = cJSON_GetObjectItem(page, "publish_time");
    if (after->titles > before->titles && after->title_ok == before->title_ok)
        fprintf(stderr, "MISS title\t%s\tgold=%s\tours=%s\n", id, title->valuestring,
                a->title ? a->title : "-");
    if (after->dates > before->dates && after->date_ok == before->date_ok)
        fprintf(stderr, "MISS date\t%s\tgold=%s\tours=%s\n", id, when->valuestring,
                a->published_at ? a->published_at : "-");
}

static void eval_page(const cJSON *page, const char *dir, group *g, int verbose) {
    const cJSON *file = cJSON_GetObjectItem(page, "html_file"), *url = cJSON_GetObjectItem(page, "url");
    const cJSON *body = cJSON_GetObjectItem(page, "body"), *lang = cJSON_GetObjectItem(page, "lang");
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", dir, cJSON_IsString(file) ? file->valuestring : "");
    char *bytes = NULL;
    size_t len = 0;
    yq_article a = {0};
    if (n > 0 && (size_t)n < sizeof path && yq_read_file(path, &bytes, &len) == 0)
        yq_extract_html(bytes, len, cJSON_IsString(url) ? url->valuestring : NULL, NULL, &a);
    free(bytes);
    g->pages++;
    double before = g->p_sum + g->r_sum;
    if (cJSON_IsString(body)) score_body(g, body->valuestring, a.body, cJSON_IsString(lang) && !strcmp(lang->valuestring, "zh"));
    else score_snippets(g, page, a.body);
    group meta_before = *g;
    score_meta(g, page, &a);
    if (verbose) {
        const char *id = cJSON_GetObjectItem(page, "id")->valuestring;
        fprintf(stderr, "%s\tP+R=%.2f\ttitle=%s\tdate=%s\n", id, g->p_sum + g->r_sum - before,
                a.title ? a.title : "-", a.published_at ? a.published_at : "-");
        print_misses(id, page, &meta_before, g, &a);
    }
    yq_article_free(&a);
}

static double ratio(double a, double b) { return b > 0 ? a / b : 0; }

/* "0.923 (n)" or "-" when the group has no labels of that kind. */
static void print_rate(int ok, int n) {
    if (n) printf("  %.3f (%2d)", ratio(ok, n), n);
    else printf("  %-10s", "-");
}

static void print_group(const group *g) {
    double p, r, extra;
    if (g->body_pages) {
        p = ratio(g->p_sum, g->p_pages), r = ratio(g->r_sum, g->r_pages), extra = ratio(g->exact, g->body_pages);
    } else {
        p = ratio((double)g->tp, (double)(g->tp + g->fp)), r = ratio((double)g->tp, (double)(g->tp + g->fn));
        extra = ratio((double)(g->tp + g->tn), (double)(g->tp + g->tn + g->fp + g->fn));
    }
    printf("%-58s %5d  %-8s %.3f  %.3f  %.3f  %.3f", g->name, g->pages, g->body_pages ? "shingle" : "snippet", p, r,
           ratio(2 * p * r, p + r), extra);
    print_rate(g->title_ok, g->titles);
    print_rate(g->date_ok, g->dates);
    print_rate(g->time_ok, g->times);
    printf("\n");
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "../shared/data/extraction/pages.jsonl";
    int verbose = argc > 2 && !strcmp(argv[2], "-v");
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "eval_extract: cannot open %s (usage: eval_extract [pages.jsonl] [-v])\n", path);
        return 2;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    else strcpy(dir, ".");
    group groups[MAX_GROUPS] = {0};
    int n_groups = 0;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        cJSON *page = cJSON_Parse(line);
        if (page) eval_page(page, dir, group_for(groups, &n_groups, page), verbose);
        cJSON_Delete(page);
    }
    free(line);
    fclose(f);
    printf("%-58s %5s  %-8s %-5s  %-5s  %-5s  %-5s  %-10s  %-10s  %-10s\n", "source lang", "pages", "body", "P", "R",
           "F1", "exact", "title", "date", "minute");
    for (int i = 0; i < n_groups; i++) print_group(&groups[i]);
    group gold = {0}; /* silver (GNE) labels are reported apart */
    for (int i = 0; i < n_groups; i++) {
        if (strstr(groups[i].name, "GeneralNewsExtractor")) continue;
        gold.titles += groups[i].titles, gold.title_ok += groups[i].title_ok;
        gold.dates += groups[i].dates, gold.date_ok += groups[i].date_ok;
    }
    printf("all gold pages: title %.3f (%d), date %.3f (%d)\n", ratio(gold.title_ok, gold.titles), gold.titles,
           ratio(gold.date_ok, gold.dates), gold.dates);
    printf("bars: AEB F1 >= 0.93, trafilatura F >= 0.90, Chinese gold F1 >= 0.90, title >= 90%%, date >= 90%%\n");
    return 0;
}
