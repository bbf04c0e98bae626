/* Entity matching by hand-worked cases: aliases, Latin word boundaries, case, Traditional
 * characters, full-width forms (through cleaning), leftmost-longest choice, byte positions. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "yuqing/textproc.h"

typedef struct expected {
    int start, end, tag;
} expected;

static yq_matcher *matcher;

static void build(void) {
    static const struct {
        const char *pattern;
        int tag;
    } patterns[] = {{"阿里巴巴", 0}, {"阿里", 0},  {"Alibaba", 0}, {"BABA", 0},   {"Tencent", 1},
                    {"腾讯", 1},     {"AT&T", 2}, {"阿里云", 3},  {"Spring Boot", 4}};
    matcher = yq_matcher_new();
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
        CHECK(yq_matcher_add(matcher, patterns[i].pattern, patterns[i].tag) == 0);
    CHECK(yq_matcher_add(matcher, "", 9) != 0);
    CHECK(yq_matcher_build(matcher) == 0);
}

/* Folds `text`, finds the matches and compares them with `want` (positions in the folded text,
 * which keeps the byte lengths of these texts). */
static void expect(const char *text, const expected *want, int n_want) {
    size_t len = strlen(text);
    char *folded = malloc(2 * len + 1);
    yq_match *got = NULL;
    int n = 0;
    CHECK(yq_matcher_find(matcher, folded, yq_fold_text(text, len, folded, NULL), &got, &n) == 0);
    CHECKF(n == n_want, "'%s': %d matches, expected %d", text, n, n_want);
    for (int i = 0; i < n && i < n_want; i++)
        CHECKF(got[i].start == want[i].start && got[i].end == want[i].end && got[i].tag == want[i].tag,
               "'%s' match %d: [%d,%d) tag %d, expected [%d,%d) tag %d", text, i, got[i].start, got[i].end, got[i].tag,
               want[i].start, want[i].end, want[i].tag);
    free(got);
    free(folded);
}

static void test_cases(void) {
    expect("阿里巴巴和阿里都很大", (expected[]){{0, 12, 0}, {15, 21, 0}}, 2);
    expect("alibaba's BABA stock; Alibabas and xBABA no", (expected[]){{0, 7, 0}, {10, 14, 0}}, 2);
    expect("騰訊控股", (expected[]){{0, 6, 1}}, 1);
    expect("TENCENT tencent123 Tencent", (expected[]){{0, 7, 1}, {19, 26, 1}}, 2);
    expect("阿里巴巴巴", (expected[]){{0, 12, 0}}, 1);
    expect("AT&T's network", (expected[]){{0, 4, 2}}, 1);
    expect("阿里云和阿里", (expected[]){{0, 9, 3}, {12, 18, 0}}, 2);
    expect("spring boot 3 and SpringBoot", (expected[]){{0, 11, 4}}, 1);
    expect("", NULL, 0);
    expect("nothing here", NULL, 0);
}

/* Full-width letters match once cleaned; a position maps back to the original bytes. */
static void test_fullwidth_and_map(void) {
    size_t len;
    char *clean = yq_clean_text("ＢＡＢＡ涨了", strlen("ＢＡＢＡ涨了"), &len);
    CHECK(clean && !strcmp(clean, "BABA涨了"));
    expect(clean, (expected[]){{0, 4, 0}}, 1);
    free(clean);
    const char *text = "Ä TENCENT";
    char folded[64];
    int32_t map[64];
    size_t n = yq_fold_text(text, strlen(text), folded, map);
    CHECK(n == strlen(text) && !strcmp(folded, "Ä tencent") && map[3] == 3 && map[n] == (int32_t)strlen(text));
}

int main(void) {
    if (yq_fold_init()) return 1;
    build();
    test_cases();
    test_fullwidth_and_map();
    yq_matcher_free(matcher);
    return test_summary("test_entities");
}
