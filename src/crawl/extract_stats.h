/* Per-element statistics of the content extractor, kept in each libxml2 node's _private. */
#ifndef YUQING_CRAWL_EXTRACT_STATS_H
#define YUQING_CRAWL_EXTRACT_STATS_H

#include "crawl/extract_internal.h"

typedef struct nstat {
    double chars;      /* weighted length of the text below (CJK ideographs weigh 3) */
    double link_chars; /* the part of `chars` inside <a> */
    int punct;         /* sentence punctuation, Latin and Chinese */
    int words;         /* words: space-separated runs, each CJK ideograph one */
    double own_chars;  /* the part of `chars` outside child blocks and links: loose text */
    int own_punct;
    int paras, images, items, inputs; /* <p> (or <div> of text), <img>, <li>, form controls below */
    int breaks;        /* <br>s below that end a line of text (not a leading one, not the 2nd of two) */
    int weight;        /* class/id hint: +25 content-like, -25 boilerplate-like, both or neither 0 */
    double score;      /* content score gathered from paragraphs below */
    int candidate;     /* 1 once it received a paragraph's score */
} nstat;

/* Owns the statistics hung on the nodes. */
typedef struct nstat_pool {
    nstat **items;
    size_t n, cap;
} nstat_pool;

/* Computes statistics for `n` and every element below it (post-order). -1 when out of memory. */
int stats_compute(xmlNode *n, nstat_pool *pool);
/* Frees the statistics; the nodes' _private pointers must not be used afterwards. */
void stats_release(nstat_pool *pool);
/* The statistics of an element, or NULL. */
nstat *stats_of(const xmlNode *n);
/* Share of an element's text that is link text (0 when it has none). */
double link_density(const nstat *s);
/* The class/id hint weight of an element (see nstat.weight). */
int class_weight(const xmlNode *n);
/* 1 when class/id/role say navigation, comments, sharing, ... and nothing says content. */
int unlikely_candidate(const xmlNode *n);

/* Removes boilerplate elements below `n` (not `n` itself), using the statistics. */
void clean_content(xmlNode *n);
/* Cuts copyright and reprint notices off the end of a rendered text (at most three paragraphs). */
void drop_footer(char *text);

#endif
