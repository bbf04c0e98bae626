/* The LLM analyzer's prompt template: loaded from YAML (system, user, max_tokens,
 * max_article_bytes) and filled in per article. */
#include <stdlib.h>
#include <string.h>

#include "analyze/llm_internal.h"
#include "yuqing/datadir.h"
#include "yuqing/error.h"
#include "yuqing/tokenizer.h"
#include "yuqing/yaml.h"

static const char *const prompt_keys[] = {"system", "user", "max_tokens", "max_article_bytes", NULL};

static int read_template(const yq_yaml_doc *doc, llm_prompt *out) {
    const char *system = NULL, *user = NULL;
    long long max_tokens = 512, max_article = 6000;
    int rc = yq_yaml_check_keys(doc, doc->root, "the prompt template", prompt_keys);
    if (!rc) rc = yq_yaml_string(doc, doc->root, "system", &system);
    if (!rc) rc = yq_yaml_string(doc, doc->root, "user", &user);
    if (!rc) rc = yq_yaml_int(doc, doc->root, "max_tokens", 16, 1 << 20, &max_tokens);
    if (!rc) rc = yq_yaml_int(doc, doc->root, "max_article_bytes", 64, 1 << 24, &max_article);
    if (rc) return rc;
    if (!user || !strstr(user, "{article}"))
        return yq_yaml_error(doc, doc->root, "the prompt template needs a 'user' text holding {article}");
    out->system = strdup(system ? system : "");
    out->user = strdup(user);
    out->max_tokens = (int)max_tokens;
    out->max_article_bytes = (int)max_article;
    if (!out->system || !out->user) return yq_error(YQ_ENOMEM, "out of memory");
    return YQ_OK;
}

int llm_prompt_load(const char *path, llm_prompt *out) {
    memset(out, 0, sizeof *out);
    char found[4096];
    if (!path) {
        int rc = yq_data_path("analyze/llm_prompt.yaml", found, sizeof found);
        if (rc) return rc;
        path = found;
    }
    yq_yaml_doc *doc;
    int rc = yq_yaml_load(path, &doc);
    if (rc) return rc;
    rc = read_template(doc, out);
    yq_yaml_free(doc);
    if (rc) llm_prompt_free(out);
    return rc;
}

void llm_prompt_free(llm_prompt *p) {
    free(p->system);
    free(p->user);
    memset(p, 0, sizeof *p);
}

/* A growing string; `failed` once out of memory. */
typedef struct text {
    char *s;
    size_t len, cap;
    int failed;
} text;

static void put(text *t, const char *s, size_t n) {
    if (t->failed) return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->len + n + 1) * 2;
        char *p = realloc(t->s, cap);
        if (!p) {
            t->failed = 1;
            return;
        }
        t->s = p;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static void put_str(text *t, const char *s) { put(t, s, strlen(s)); }

/* The longest prefix of s[0..n) of at most max bytes that ends at a character boundary. */
static size_t cut_utf8(const char *s, size_t n, size_t max) {
    size_t at = 0;
    while (at < n) {
        int step = yq_utf8_char_len(s + at, n - at);
        if (step <= 0) step = 1;
        if (at + (size_t)step > max) break;
        at += (size_t)step;
    }
    return at;
}

static void put_article(text *t, const llm_prompt *p, const yq_doc *d) {
    size_t max = (size_t)p->max_article_bytes;
    size_t title = cut_utf8(d->title, d->title_len, max);
    put(t, d->title, title);
    if (title && d->body_len && title + 1 < max) put(t, "\n", 1);
    size_t used = title ? title + 1 : 0;
    if (used < max) put(t, d->body, cut_utf8(d->body, d->body_len, max - used));
}

static void put_entities(text *t, const yq_watch *w, const yq_doc *d) {
    int listed = 0;
    for (int i = 0; w && i < d->n_mentions; i++) {
        int e = d->mentions[i].entity, seen = 0;
        for (int j = 0; j < i; j++)
            seen |= d->mentions[j].entity == e;
        if (seen || e < 0 || e >= w->n_entities) continue;
        const yq_watch_entity *we = &w->entities[e];
        put_str(t, listed++ ? "; " : "");
        put_str(t, we->name);
        for (int k = 0; k < we->n_aliases; k++) {
            put_str(t, k ? ", " : " (also called ");
            put_str(t, we->aliases[k]);
        }
        if (we->n_aliases) put_str(t, ")");
    }
    if (!listed) put_str(t, "none");
}

char *llm_prompt_user(const llm_prompt *p, const yq_watch *watch, const yq_doc *doc) {
    text t = {0};
    const char *s = p->user;
    while (*s) {
        if (!strncmp(s, "{article}", 9)) {
            put_article(&t, p, doc);
            s += 9;
        } else if (!strncmp(s, "{entities}", 10)) {
            put_entities(&t, watch, doc);
            s += 10;
        } else {
            put(&t, s++, 1);
        }
    }
    if (t.failed) {
        free(t.s);
        return NULL;
    }
    return t.s ? t.s : strdup("");
}
