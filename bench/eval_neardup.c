/* Near-duplicate detection measured: reads the pairs made by tools/neardup_pairs.py, fingerprints
 * both sides as `yuqing analyze` does (clean, fold, SimHash) and prints, at the given Hamming
 * threshold (default 6, the watch file's default), recall per alteration, false positives per
 * kind of different-article pair, and precision/recall/F1 overall; then a sweep of thresholds.
 * Usage: eval_neardup PAIRS.jsonl [THRESHOLD] */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yuqing/textproc.h"

enum { MAX_KINDS = 8, MAX_BITS = 64, MAX_ORIGINALS = 100000 };

/* Fingerprints of the distinct original articles (side a of the altered pairs), for the
 * all-pairs false-positive count. */
static uint64_t originals[MAX_ORIGINALS];
static uint64_t original_text_hash[MAX_ORIGINALS];
static int n_originals;

static void add_original(const char *text, uint64_t fp) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) h = (h ^ *p) * 0x100000001b3ull;
    for (int i = n_originals - 1; i >= 0 && i >= n_originals - 8; i--)
        if (original_text_hash[i] == h) return; /* the altered copies of one article are consecutive */
    if (n_originals == MAX_ORIGINALS) return;
    original_text_hash[n_originals] = h;
    originals[n_originals++] = fp;
}

/* Pairs of distinct originals within each distance: a different-article false-positive count
 * over all pairs (near-identical originals, if the source has any, count here too). */
static void all_pairs(long by_distance[MAX_BITS + 1]) {
    for (int i = 0; i < n_originals; i++)
        for (int j = i + 1; j < n_originals; j++) by_distance[yq_hamming(originals[i], originals[j])]++;
}

typedef struct kind_counts {
    char name[32];
    int duplicate;
    long n, by_distance[MAX_BITS + 1];
} kind_counts;

static uint64_t fingerprint(const char *text) {
    size_t len, clean_len = 0;
    char *clean = yq_clean_text(text, strlen(text), &clean_len);
    char *folded = malloc(2 * clean_len + 1);
    len = yq_fold_text(clean, clean_len, folded, NULL);
    uint64_t h = yq_simhash(folded, len);
    free(folded);
    free(clean);
    return h;
}

static kind_counts *find_kind(kind_counts *kinds, int *n, const char *name, int duplicate) {
    for (int i = 0; i < *n; i++)
        if (!strcmp(kinds[i].name, name)) return &kinds[i];
    if (*n == MAX_KINDS) return NULL;
    kind_counts *k = &kinds[(*n)++];
    snprintf(k->name, sizeof k->name, "%s", name);
    k->duplicate = duplicate;
    return k;
}

static long at_most(const kind_counts *k, int threshold) {
    long n = 0;
    for (int d = 0; d <= threshold; d++) n += k->by_distance[d];
    return n;
}

static void report(const kind_counts *kinds, int n_kinds, int threshold) {
    long tp = 0, fn = 0, fp = 0;
    for (int i = 0; i < n_kinds; i++) {
        long hit = at_most(&kinds[i], threshold);
        if (kinds[i].duplicate) tp += hit, fn += kinds[i].n - hit;
        else fp += hit;
    }
    double p = tp + fp ? (double)tp / (double)(tp + fp) : 1.0, r = tp + fn ? (double)tp / (double)(tp + fn) : 0.0;
    printf("  threshold %2d: precision %.3f  recall %.3f  F1 %.3f  (tp %ld, fp %ld, fn %ld)\n", threshold, p, r,
           p + r > 0 ? 2 * p * r / (p + r) : 0.0, tp, fp, fn);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: eval_neardup PAIRS.jsonl [THRESHOLD]\n");
        return 2;
    }
    int threshold = argc > 2 ? atoi(argv[2]) : 6;
    FILE *f = fopen(argv[1], "r");
    if (!f || yq_fold_init()) {
        fprintf(stderr, "eval_neardup: cannot open %s or OpenCC's t2s table\n", argv[1]);
        return 1;
    }
    kind_counts kinds[MAX_KINDS] = {0};
    int n_kinds = 0;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        cJSON *pair = cJSON_Parse(line);
        const cJSON *a = cJSON_GetObjectItem(pair, "a"), *b = cJSON_GetObjectItem(pair, "b");
        const cJSON *kind = cJSON_GetObjectItem(pair, "kind");
        kind_counts *k = cJSON_IsString(a) && cJSON_IsString(b) && cJSON_IsString(kind)
                             ? find_kind(kinds, &n_kinds, kind->valuestring, cJSON_IsTrue(cJSON_GetObjectItem(pair, "duplicate")))
                             : NULL;
        if (k) {
            uint64_t fa = fingerprint(a->valuestring);
            k->n++;
            k->by_distance[yq_hamming(fa, fingerprint(b->valuestring))]++;
            if (k->duplicate) add_original(a->valuestring, fa);
        }
        cJSON_Delete(pair);
    }
    free(line);
    fclose(f);
    printf("near-duplicates by SimHash (2-unit shingles), Hamming threshold %d:\n", threshold);
    for (int i = 0; i < n_kinds; i++)
        printf("  %-12s %-9s %5ld pairs  %s %.3f\n", kinds[i].name, kinds[i].duplicate ? "same" : "different",
               kinds[i].n, kinds[i].duplicate ? "recall" : "false positives", (double)at_most(&kinds[i], threshold) / (double)kinds[i].n);
    report(kinds, n_kinds, threshold);
    long pairs[MAX_BITS + 1] = {0}, total = (long)n_originals * (n_originals - 1) / 2, within = 0;
    all_pairs(pairs);
    printf("sweep (and, over all %ld pairs of the %d distinct originals, how many fall within):\n", total, n_originals);
    for (int t = 0; t <= 16; t++) {
        within += pairs[t];
        if (t < 6 || t % 2 == 0) {
            report(kinds, n_kinds, t);
            printf("                all-pairs within: %ld (%.2e)\n", within, total ? (double)within / (double)total : 0.0);
        }
    }
    return 0;
}
