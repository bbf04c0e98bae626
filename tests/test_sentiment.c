/* Tests of the built-in sentiment analyzer: feature and probability parity with the Python
 * reference (tests/data/sentiment/parity.jsonl, written by tools/train_sentiment.py), the
 * negation / degree / contrast rules and the concept counts on hand-worked cases, labels of unambiguous sentences, the
 * mention window, and bad model files. */
#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/sentiment_internal.h"
#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/mapfile.h"
#include "yuqing/sentiment.h"

#define MODEL_PATH YQ_TEST_DATA "/../../data/sentiment/model.bin"

static int by_row(const void *a, const void *b) {
    uint32_t x = ((const senti_feature *)a)->row, y = ((const senti_feature *)b)->row;
    return x < y ? -1 : x > y;
}

/* Sorts and merges repeated rows (their values add up), as the fixture lists them. */
static void merge_rows(senti_feature_list *f) {
    qsort(f->items, f->n, sizeof *f->items, by_row);
    size_t k = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (k && f->items[k - 1].row == f->items[i].row) f->items[k - 1].value += f->items[i].value;
        else f->items[k++] = f->items[i];
    }
    f->n = k;
}

static void check_parity_line(const yq_sentiment_model *m, const cJSON *item) {
    const char *text = cJSON_GetObjectItem(item, "text")->valuestring;
    const cJSON *lang = cJSON_GetObjectItem(item, "lang");
    const cJSON *want = cJSON_GetObjectItem(item, "features");
    int code = cJSON_IsString(lang) ? (!strcmp(lang->valuestring, "zh") ? SENTI_LANG_ZH : SENTI_LANG_EN) : -1;
    senti_feature_list got = {0};
    double z[3];
    CHECK(senti_logits(m, text, strlen(text), code, z, &got) == 0);
    merge_rows(&got);
    CHECKF(got.n == (size_t)cJSON_GetArraySize(want), "'%s': %zu feature rows, want %d", text, got.n,
           cJSON_GetArraySize(want));
    size_t i = 0, bad = 0;
    for (const cJSON *pair = want->child; pair && i < got.n; pair = pair->next, i++) {
        uint32_t row = (uint32_t)cJSON_GetArrayItem(pair, 0)->valuedouble;
        double value = cJSON_GetArrayItem(pair, 1)->valuedouble;
        if (got.items[i].row == row && fabs(got.items[i].value - value) <= 1e-9) continue;
        if (!bad++) fprintf(stderr, "  first difference: row %u value %.9f, Python row %u value %.9f\n",
                            got.items[i].row, got.items[i].value, row, value);
    }
    CHECKF(bad == 0, "'%s': %zu feature rows differ from the Python reference", text, bad);
    free(got.items);

    yq_sentiment_result r;
    CHECK(yq_sentiment_score(m, text, strlen(text), cJSON_IsString(lang) ? lang->valuestring : NULL, &r) == 0);
    const cJSON *prob = cJSON_GetObjectItem(item, "prob");
    for (int c = 0; c < 3; c++) {
        double p = cJSON_GetArrayItem(prob, c)->valuedouble;
        CHECKF(fabs(r.prob[c] - p) < 1e-5, "'%s': P[%d] = %.7f, Python %.7f", text, c, r.prob[c], p);
    }
}

static void test_parity(const yq_sentiment_model *m) {
    char *bytes;
    size_t len;
    CHECK(yq_read_file(test_data_path("sentiment/parity.jsonl"), &bytes, &len) == 0);
    int n = 0;
    for (char *line = strtok(bytes, "\n"); line; line = strtok(NULL, "\n"), n++) {
        cJSON *item = cJSON_Parse(line);
        CHECK(item != NULL);
        if (item) check_parity_line(m, item);
        cJSON_Delete(item);
    }
    CHECK(n >= 10);
    free(bytes);
}

/* The lexicon sums of a text: positive and negative, read back from its dense feature rows. */
static void lexicon_sums(const yq_sentiment_model *m, const char *text, double *pos, double *neg) {
    senti_feature_list f = {0};
    double z[3];
    CHECK(senti_logits(m, text, strlen(text), -1, z, &f) == 0);
    *pos = *neg = 0;
    for (size_t i = 0; i < f.n; i++) {
        uint32_t k = f.items[i].row - (1u << m->hash_bits);
        if (f.items[i].row < (1u << m->hash_bits)) continue;
        if (k % m->dense_per_lang == 1) *pos = expm1(f.items[i].value);
        if (k % m->dense_per_lang == 2) *neg = expm1(f.items[i].value);
    }
    free(f.items);
}

#define NEAR(a, b) (fabs((a) - (b)) < 1e-6)

/* The rules, worked by hand from the lexicon values of single words. Each case gives the
 * expected positive and negative sums as multiples of those base values. */
static void test_rules(const yq_sentiment_model *m) {
    double p, n, good_zh, bad_zh, good_en, bad_en;
    lexicon_sums(m, "满意", &good_zh, &n);
    CHECK(good_zh > 0 && n == 0);
    lexicon_sums(m, "失望", &p, &bad_zh);
    CHECK(bad_zh > 0 && p == 0);
    lexicon_sums(m, "good", &good_en, &n);
    CHECK(good_en > 0 && n == 0);
    lexicon_sums(m, "bad", &p, &bad_en);
    CHECK(bad_en > 0 && p == 0);
    const double nf = m->negation_factor, before = m->contrast_before, after = m->contrast_after;
    const struct {
        const char *text;
        double pos, neg; /* expected sums */
    } cases[] = {
        /* negation flips and damps: value * negation_factor */
        {"没有满意", 0, -nf * good_zh},
        {"the service is not good", 0, -nf * good_en},
        {"never not good", nf * nf * good_en, 0},
        {"not the service of the hotel is good", good_en, 0}, /* beyond mod_window tokens */
        {"没有，满意", good_zh, 0},                           /* a clause break ends the scope */
        {"good. not", good_en, 0},                            /* a negator after the word */
        /* degree adverbs multiply: 非常 2.0, 有点 0.6, very 1.5, slightly 0.6 */
        {"非常满意", 2.0 * good_zh, 0},
        {"有点失望", 0, 0.6 * bad_zh},
        {"very good", 1.5 * good_en, 0},
        {"slightly bad", 0, 0.6 * bad_en},
        {"not very good", 0, -nf * 1.5 * good_en},
        /* contrast: before 但是/but weighs contrast_before, after it contrast_after */
        {"失望，但是满意", after * good_zh, before * bad_zh},
        {"good but bad", before * good_en, after * bad_en},
        {"失望。但是满意", after * good_zh, bad_zh}, /* not across sentences */
        /* a concession weighs down the rest of its own clause */
        {"虽然失望，满意", good_zh, before * bad_zh},
        {"although bad, good", good_en, before * bad_en},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lexicon_sums(m, cases[i].text, &p, &n);
        CHECKF(NEAR(p, cases[i].pos) && NEAR(n, cases[i].neg), "'%s': positive %.6f negative %.6f, want %.6f %.6f",
               cases[i].text, p, n, cases[i].pos, cases[i].neg);
    }
}

/* The concept rows of a text: clause counts per concept combination, read back from its dense
 * feature rows (in the order of CONCEPT_ROWS: up, down, good, bad, up+good, up+bad, down+good,
 * down+bad). */
static void concept_counts(const yq_sentiment_model *m, const char *text, double counts[SENTI_N_CONCEPT_ROWS]) {
    senti_feature_list f = {0};
    double z[3];
    CHECK(senti_logits(m, text, strlen(text), -1, z, &f) == 0);
    for (size_t i = 0; i < f.n; i++) {
        if (f.items[i].row < (1u << m->hash_bits)) continue;
        uint32_t k = (f.items[i].row - (1u << m->hash_bits)) % m->dense_per_lang;
        if (k >= 4) counts[k - 4] = expm1(f.items[i].value);
    }
    free(f.items);
}

/* Concepts count per clause, worked by hand from the word lists of tools/train_sentiment.py. */
static void test_concepts(const yq_sentiment_model *m) {
    const struct {
        const char *text;
        double counts[SENTI_N_CONCEPT_ROWS];
    } cases[] = {
        {"Profit rose.", {1, 0, 1, 0, 1, 0, 0, 0}},
        {"PROFIT ROSE", {1, 0, 1, 0, 1, 0, 0, 0}},          /* folded like every word */
        {"Profit, rose", {1, 0, 1, 0, 0, 0, 0, 0}},         /* a clause break parts them */
        {"The loss fell; sales fell.", {0, 2, 1, 1, 0, 0, 1, 1}},
        {"Costs rose and profits decreased", {1, 1, 1, 1, 1, 1, 1, 1}},
        {"The weather was fine", {0}},
        {"利润增长", {0}},                                   /* Latin words only */
        {"pre-tax profit up", {1, 0, 1, 0, 1, 0, 0, 0}},    /* "pre" and "tax" are no concept words */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double got[SENTI_N_CONCEPT_ROWS] = {0};
        concept_counts(m, cases[i].text, got);
        for (int k = 0; k < SENTI_N_CONCEPT_ROWS; k++)
            CHECKF(NEAR(got[k], cases[i].counts[k]), "'%s': concept row %d counts %.3f, want %.0f", cases[i].text, k,
                   got[k], cases[i].counts[k]);
    }
}

static yq_sentiment_result score(const yq_sentiment_model *m, const char *text) {
    yq_sentiment_result r;
    memset(&r, 0, sizeof r);
    CHECK(yq_sentiment_score(m, text, strlen(text), NULL, &r) == 0);
    return r;
}

#define CHECK_LABEL(m, text, want) \
    CHECKF(score(m, text).label == (want), "'%s' -> %s", text, yq_sentiment_label_name(score(m, text).label))

static void test_labels(const yq_sentiment_model *m) {
    CHECK_LABEL(m, "酒店环境非常好，服务热情周到，下次还会再来。", YQ_SENTIMENT_POSITIVE);
    CHECK_LABEL(m, "房间又脏又小，服务态度极差，再也不会入住了。", YQ_SENTIMENT_NEGATIVE);
    CHECK_LABEL(m, "公司涉嫌非法集资，多名高管被警方立案调查。", YQ_SENTIMENT_NEGATIVE);
    CHECK_LABEL(m, "Operating profit rose sharply and the company raised its full-year outlook.",
                YQ_SENTIMENT_POSITIVE);
    CHECK_LABEL(m, "Net sales fell 30 percent and the company swung to a heavy loss.", YQ_SENTIMENT_NEGATIVE);
    CHECK_LABEL(m, "服务不是很好", YQ_SENTIMENT_NEGATIVE); /* "很好" inside a negation scope */
    CHECK_LABEL(m, "Operating profit decreased to EUR 5.1 mn from EUR 7.2 mn.", YQ_SENTIMENT_NEGATIVE);
    /* negation and contrast move the whole score the expected way */
    CHECK(score(m, "服务很好").score > score(m, "服务不好").score);
    CHECK(score(m, "The results were good.").score > score(m, "The results were not good.").score);
    CHECK(score(m, "虽然房间有点小，但是服务很好，很满意").score > score(m, "虽然服务很好，但是房间太小，很失望").score);
    yq_sentiment_result r = score(m, "");
    CHECK(r.score >= -1 && r.score <= 1 && NEAR(r.prob[0] + r.prob[1] + r.prob[2], 1.0));
    CHECK(r.confidence == r.prob[r.label + 1]);
}

static void test_mention(const yq_sentiment_model *m) {
    const char *t = "甲公司业绩大涨，前景非常好，投资者十分满意。公司今天召开了会议。会议在北京举行。"
                    "乙公司涉嫌财务造假被立案调查，股价暴跌，损失惨重。";
    size_t a = (size_t)(strstr(t, "甲公司") - t), b = (size_t)(strstr(t, "乙公司") - t);
    yq_sentiment_result ra, rb, r;
    /* each window is the mention's sentence and its neighbours, so the two differ */
    CHECK(yq_sentiment_score_mention(m, t, strlen(t), "zh", a, a + 9, &ra) == 0);
    CHECK(yq_sentiment_score_mention(m, t, strlen(t), "zh", b, b + 9, &rb) == 0);
    CHECKF(ra.label == YQ_SENTIMENT_POSITIVE && rb.label == YQ_SENTIMENT_NEGATIVE, "甲 %s, 乙 %s",
           yq_sentiment_label_name(ra.label), yq_sentiment_label_name(rb.label));
    CHECK(yq_sentiment_score_mention(m, t, strlen(t), "zh", 5, strlen(t) + 1, &r) == YQ_EINVAL);
    CHECK(yq_sentiment_score_mention(m, t, strlen(t), "zh", 9, 3, &r) == YQ_EINVAL);
}

/* Concurrent callers of one model get exactly the results of serial calls. */
static const char *const THREAD_TEXTS[] = {"酒店环境非常好", "服务不是很好", "Profit fell sharply.", "虽然贵，但是值得", ""};
enum { N_THREAD_TEXTS = sizeof THREAD_TEXTS / sizeof THREAD_TEXTS[0], N_THREADS = 4 };

typedef struct thread_job {
    const yq_sentiment_model *m;
    float scores[N_THREAD_TEXTS];
    int failures;
} thread_job;

static void *score_repeatedly(void *arg) {
    thread_job *job = arg;
    for (int round = 0; round < 200; round++)
        for (int i = 0; i < N_THREAD_TEXTS; i++) {
            yq_sentiment_result r;
            job->failures += yq_sentiment_score(job->m, THREAD_TEXTS[i], strlen(THREAD_TEXTS[i]), NULL, &r) != 0;
            if (round == 0) job->scores[i] = r.score;
            else job->failures += r.score != job->scores[i];
        }
    return NULL;
}

static void test_threads(const yq_sentiment_model *m) {
    thread_job jobs[N_THREADS];
    pthread_t threads[N_THREADS];
    for (int t = 0; t < N_THREADS; t++) {
        jobs[t] = (thread_job){.m = m};
        CHECK(pthread_create(&threads[t], NULL, score_repeatedly, &jobs[t]) == 0);
    }
    for (int t = 0; t < N_THREADS; t++) pthread_join(threads[t], NULL);
    for (int t = 0; t < N_THREADS; t++) {
        CHECK(jobs[t].failures == 0);
        for (int i = 0; i < N_THREAD_TEXTS; i++) CHECK(jobs[t].scores[i] == score(m, THREAD_TEXTS[i]).score);
    }
}

static void test_bad_files(void) {
    yq_sentiment_model *m = (yq_sentiment_model *)1;
    CHECK(yq_sentiment_open("/nonexistent/model.bin", &m) == YQ_ENOENT && m == NULL);
    CHECK(yq_sentiment_open(test_data_path("sentiment/parity.jsonl"), &m) == YQ_EFORMAT);
    /* a truncated copy of the real model */
    yq_mapped_file f;
    CHECK(yq_map_file(MODEL_PATH, &f) == 0);
    char path[] = "/tmp/yq_senti_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *out = fdopen(fd, "wb");
    fwrite(f.data, 1, f.size - 100, out);
    fclose(out);
    yq_unmap_file(&f);
    CHECK(yq_sentiment_open(path, &m) == YQ_EFORMAT);
    CHECK(strstr(yq_last_error(), "bytes") != NULL);
    remove(path);
}

int main(void) {
    yq_sentiment_model *m;
    int rc = yq_sentiment_open(MODEL_PATH, &m);
    CHECKF(rc == 0, "open %s: %s", MODEL_PATH, yq_last_error());
    if (rc) return test_summary("test_sentiment");
    test_parity(m);
    test_rules(m);
    test_concepts(m);
    test_labels(m);
    test_mention(m);
    test_threads(m);
    test_bad_files();
    yq_sentiment_close(m);
    return test_summary("test_sentiment");
}
