/* The fixture site's article list at one moment: the built-in table, articles added through
 * POST /admin/article, and the *.json files of --content DIR (re-read on every call). */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site.h"
#include "yuqing/mapfile.h"

static pthread_mutex_t added_lock = PTHREAD_MUTEX_INITIALIZER;
static site_article **added; /* kept for the life of the process */
static int n_added;

static const char *json_str(const cJSON *o, const char *key, const char *fallback) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    const char *s = cJSON_IsString(v) ? v->valuestring : fallback;
    return s ? strdup(s) : NULL;
}

int site_article_from_json(const char *text, size_t len, site_article *a) {
    cJSON *o = cJSON_ParseWithLength(text, len);
    const cJSON *paragraphs = cJSON_GetObjectItemCaseSensitive(o, "paragraphs");
    if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "slug")) || !cJSON_IsArray(paragraphs)) {
        cJSON_Delete(o);
        return -1;
    }
    const char *slug = json_str(o, "slug", NULL);
    *a = (site_article){slug,
                        json_str(o, "lang", "en"),
                        json_str(o, "title", slug),
                        json_str(o, "author", ""),
                        json_str(o, "published", "2024-11-01T00:00:00+00:00"),
                        {0},
                        ARTICLE_HTML,
                        json_str(o, "media", NULL)};
    int i = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, paragraphs) {
        if (cJSON_IsString(p) && i < 7) a->paragraphs[i++] = strdup(p->valuestring);
    }
    cJSON_Delete(o);
    return 0;
}

int site_add_article(const site_article *a) {
    pthread_mutex_lock(&added_lock);
    site_article **grown = realloc(added, (size_t)(n_added + 1) * sizeof *added);
    site_article *copy = malloc(sizeof *copy);
    if (grown) added = grown;
    if (grown && copy) {
        *copy = *a;
        added[n_added++] = copy;
    }
    pthread_mutex_unlock(&added_lock);
    if (!grown || !copy) free(copy);
    return grown && copy ? 0 : -1;
}

static void read_dir(const char *dir, site_article **extra, int *n_extra) {
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0) continue;
        char path[4096], *text;
        size_t size;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (yq_read_file(path, &text, &size)) continue;
        site_article a;
        if (site_article_from_json(text, size, &a) == 0) {
            site_article *grown = realloc(*extra, (size_t)(*n_extra + 1) * sizeof **extra);
            if (grown) (*extra = grown)[(*n_extra)++] = a;
        }
        free(text);
    }
    if (d) closedir(d);
}

static int newest_first(const void *a, const void *b) {
    const site_article *x = *(const site_article *const *)a, *y = *(const site_article *const *)b;
    return strcmp(y->published, x->published); /* same offsets sort right; close enough here */
}

int site_list(const char *content_dir, site_snapshot *out) {
    memset(out, 0, sizeof *out);
    read_dir(content_dir, &out->owned, &out->n_owned);
    int n_table = 0;
    while (site_articles[n_table].slug)
        n_table++;
    pthread_mutex_lock(&added_lock);
    int n = n_table + n_added + out->n_owned;
    out->list = malloc((size_t)(n + 1) * sizeof *out->list);
    for (int i = 0; out->list && i < n; i++)
        out->list[i] = i < n_table             ? &site_articles[i]
                       : i < n_table + n_added ? added[i - n_table]
                                               : &out->owned[i - n_table - n_added];
    pthread_mutex_unlock(&added_lock);
    if (!out->list) return -1;
    qsort(out->list, (size_t)n, sizeof *out->list, newest_first);
    out->n = n;
    return 0;
}

void site_list_free(site_snapshot *s) {
    for (int i = 0; i < s->n_owned; i++) {
        site_article *a = &s->owned[i];
        free((char *)a->slug), free((char *)a->lang), free((char *)a->title);
        free((char *)a->author), free((char *)a->published), free((char *)a->media);
        for (int k = 0; a->paragraphs[k]; k++)
            free((char *)a->paragraphs[k]);
    }
    free(s->owned);
    free(s->list);
}
