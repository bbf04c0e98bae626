/* Speed of the built-in analyzer on one core: the corpus (default ../shared/data/corpus/
 * zh_en_mixed.txt) cut into ~2 KB articles at line breaks, each prepared (cleaning, language,
 * folding, SimHash, entity mentions) and analysed (sentiment, summary, keywords, event type), in
 * batches as `yuqing analyze` does but without the store. Prints articles per second per core and
 * per stage (by this thread's CPU time, as the machine may be shared), beside the bar of
 * 5,000 articles/s.
 * Usage: bench_analyze [CORPUS] [N_ARTICLES] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/prepare.h"
#include "yuqing/analyze.h"
#include "yuqing/error.h"
#include "yuqing/mapfile.h"
#include "yuqing/threads.h"

enum { ARTICLE_BYTES = 2048, BATCH = 256 };

static const char watch_yaml[] = "entities:\n"
                                 "  - {name: 阿里巴巴, aliases: [阿里, Alibaba, BABA]}\n"
                                 "  - {name: Oracle, aliases: [甲骨文, ORCL]}\n"
                                 "  - {name: Redis}\n"
                                 "  - {name: MySQL}\n"
                                 "  - {name: Spring, aliases: [Spring Boot, SpringBoot]}\n"
                                 "  - {name: 腾讯, aliases: [Tencent, 微信, WeChat]}\n"
                                 "  - {name: Google, aliases: [谷歌, Alphabet, GOOGL]}\n"
                                 "  - {name: Microsoft, aliases: [微软, MSFT]}\n";

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Cuts [text, text+len) into articles of about ARTICLE_BYTES ending at line breaks. */
static int cut_articles(const char *text, size_t len, int max, prepared *out) {
    int n = 0;
    for (size_t at = 0; at < len && n < max; n++) {
        size_t end = at + ARTICLE_BYTES < len ? at + ARTICLE_BYTES : len;
        while (end < len && text[end] != '\n')
            end++;
        memset(&out[n], 0, sizeof out[n]);
        out[n].item.id = strdup("bench");
        out[n].item.title = strndup(text + at, 60 < end - at ? 60 : end - at);
        while (out[n].item.title[0] &&
               ((unsigned char)out[n].item.title[strlen(out[n].item.title) - 1] & 0xC0) == 0x80)
            out[n].item.title[strlen(out[n].item.title) - 1] = '\0'; /* no cut character at the end */
        out[n].item.body = strndup(text + at, end - at);
        at = end + 1;
    }
    return n;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "../shared/data/corpus/zh_en_mixed.txt";
    int max = argc > 2 ? atoi(argv[2]) : 5000;
    yq_mapped_file corpus;
    yq_watch *watch = NULL;
    yq_sentiment_model *model = NULL;
    yq_analyzer *analyzer = NULL;
    yq_matcher *entities = yq_matcher_new();
    if (yq_map_file(path, &corpus) || yq_watch_parse("bench", watch_yaml, strlen(watch_yaml), &watch) ||
        yq_sentiment_open(NULL, &model) || yq_builtin_analyzer_new(model, &analyzer) || yq_fold_init()) {
        fprintf(stderr, "bench_analyze: %s\n", yq_last_error());
        return 1;
    }
    for (int i = 0; i < watch->n_entities; i++) {
        yq_matcher_add(entities, watch->entities[i].name, i);
        for (int j = 0; j < watch->entities[i].n_aliases; j++)
            yq_matcher_add(entities, watch->entities[i].aliases[j], i);
    }
    yq_matcher_build(entities);
    yq_threads_init(1);
    prepared *items = calloc((size_t)max, sizeof *items);
    yq_doc *docs = calloc(BATCH, sizeof *docs);
    yq_analysis *results = calloc(BATCH, sizeof *results);
    int n = cut_articles((const char *)corpus.data, corpus.size, max, items);
    double t_prepare = 0, t_analyze = 0, bytes = 0;
    long mentions = 0;
    for (int b = 0; b < n; b += BATCH) {
        int m = n - b < BATCH ? n - b : BATCH;
        double t0 = now();
        for (int i = 0; i < m; i++)
            prepare_item(entities, &items[b + i]);
        double t1 = now();
        for (int i = 0; i < m; i++) {
            prepared *p = &items[b + i];
            docs[i] = (yq_doc){p->item.id,         p->title,        p->body,        p->title_len,
                               p->body_len,        p->folded_title, p->folded_body, p->folded_title_len,
                               p->folded_body_len, p->lang,         p->mentions,    p->n_mentions};
            bytes += (double)(p->title_len + p->body_len);
            mentions += p->n_mentions;
        }
        analyzer->analyze_batch(analyzer, docs, m, results);
        t_analyze += now() - t1;
        t_prepare += t1 - t0;
        for (int i = 0; i < m; i++)
            yq_analysis_clear(&results[i]);
    }
    printf("bench_analyze: %d articles, %.0f bytes on average, %ld mentions, 1 thread\n", n, bytes / n,
           mentions);
    printf("  prepare (clean, language, fold, SimHash, entities): %8.0f articles/s\n", n / t_prepare);
    printf("  analyze (sentiment, summary, keywords, event):      %8.0f articles/s\n", n / t_analyze);
    printf("  built-in analyzer, whole:                           %8.0f articles/s per core  (bar: 5000)\n",
           n / (t_prepare + t_analyze));
    for (int i = 0; i < n; i++)
        prepared_clear(&items[i]);
    free(items);
    free(docs);
    free(results);
    analyzer->free(analyzer);
    yq_sentiment_close(model);
    yq_matcher_free(entities);
    yq_watch_free(watch);
    yq_unmap_file(&corpus);
    yq_threads_shutdown();
    return 0;
}
