/* The analysis text steps by hand-worked cases: cleaning, language detection, sentence splitting,
 * ISO times to UTC, event rules, summaries and keywords. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "yuqing/analyze.h"
#include "yuqing/error.h"
#include "yuqing/store.h"
#include "yuqing/textproc.h"

static void expect_clean(const char *in, const char *want) {
    size_t len;
    char *got = yq_clean_text(in, strlen(in), &len);
    CHECKF(got && !strcmp(got, want) && len == strlen(want), "clean('%s') = '%s', expected '%s'", in, got, want);
    free(got);
}

static void test_clean(void) {
    expect_clean("A&amp;B &lt;x&gt; &#20013;&#x6587; &bogus; & &#0;", "A&B <x> 中文 &bogus; & &#0;");
    expect_clean("ＡＢＣ１２３，。　ｘ", "ABC123,。 x");
    expect_clean("  a \t b  \r\n\n\n\nc  ", "a b\n\nc");
    expect_clean("line1\n责任编辑：张三\nline2\nAll Rights Reserved.", "line1\nline2");
    expect_clean("This very long sentence mentions copyright law in the middle of an ordinary paragraph of text.",
                 "This very long sentence mentions copyright law in the middle of an ordinary paragraph of text.");
    expect_clean("a\xe2\x80\x8b" "b\xef\xbb\xbf c\xc2\xa0\xc2\xa0" "d", "ab c d");
    expect_clean("", "");
    expect_clean("\n\n \n", "");
}

static void test_lang(void) {
    static const struct {
        const char *text, *lang;
    } cases[] = {
        {"今天天气很好，我们去公园散步。", "zh"},
        {"The company said that it will open a new office in the city.", "en"},
        {"ひらがなとカタカナの日本語", "ja"},
        {"한국어 문장입니다", "ko"},
        {"Der Hund ist braun und sehr groß", "und"},
        {"使用 Redis 和 MySQL 数据库存储用户数据", "zh"},
        {"", "und"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = yq_detect_lang(cases[i].text, strlen(cases[i].text));
        CHECKF(!strcmp(got, cases[i].lang), "lang('%s') = %s, expected %s", cases[i].text, got, cases[i].lang);
    }
}

static void test_sentences(void) {
    const char *text = "第一句。第二句！“引号。”Third one. U.S.A is kept? Last";
    yq_span *spans;
    int n;
    CHECK(yq_split_sentences(text, strlen(text), &spans, &n) == 0);
    const char *want[] = {"第一句。", "第二句！", "“引号。”", "Third one.", "U.S.A is kept?", "Last"};
    CHECKF(n == 6, "%d sentences", n);
    for (int i = 0; i < n && i < 6; i++)
        CHECKF((size_t)(spans[i].end - spans[i].start) == strlen(want[i]) && !strncmp(text + spans[i].start, want[i], strlen(want[i])),
               "sentence %d: '%.*s'", i, spans[i].end - spans[i].start, text + spans[i].start);
    free(spans);
}

static void test_times(void) {
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"2024-05-01T08:30:00+08:00", "2024-05-01T00:30:00Z"}, {"2024-05-01", "2024-05-01T00:00:00Z"},
        {"2024-05-01 08:30", "2024-05-01T08:30:00Z"},         {"2024-12-31T23:59:59-05:00", "2025-01-01T04:59:59Z"},
        {"2024-05-01T08:30:00.123Z", "2024-05-01T08:30:00Z"}, {"2024-05-01T08:30:00+0530", "2024-05-01T03:00:00Z"},
    };
    char out[21];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECKF(yq_iso_to_utc(cases[i].in, out) == 0 && !strcmp(out, cases[i].out), "%s -> %s", cases[i].in, out);
    CHECK(yq_iso_to_utc("May 1, 2024", out) == YQ_EINVAL);
    CHECK(yq_iso_to_utc("2024-13-01", out) == YQ_EINVAL);
    CHECK(yq_iso_to_utc("2024-05-01T08:30:00 junk", out) == YQ_EINVAL);
}

static void test_events(void) {
    static const struct {
        const char *title, *body, *type;
    } cases[] = {
        {"ACME recalls 10,000 cars", "The recall follows reports of a fire.", "accident_recall"},
        {"公司发布2023年财报", "营收增长，净利润上升。", "earnings"},
        {"Weather is nice", "Sunny all week.", "other"},
        {"监管部门对该公司处以罚款", "", "legal_regulatory"},
        {"ACME to acquire Widget Co", "The acquisition values Widget at $2bn.", "mergers_acquisitions"},
        {"CEO steps down", "The chief executive resigned on Friday.", "personnel"},
        {"Firefighters", "The fired workers protested.", "other"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = yq_event_type(cases[i].title, strlen(cases[i].title), cases[i].body, strlen(cases[i].body));
        CHECKF(!strcmp(got, cases[i].type), "event('%s') = %s, expected %s", cases[i].title, got, cases[i].type);
    }
}

static void test_summary_and_keywords(void) {
    const char *one = "Only one sentence here";
    char *s = yq_summarize(one, strlen(one), 3);
    CHECK(s && !strcmp(s, one));
    free(s);
    /* Three sentences share "Alibaba cloud revenue"; two share nothing: the one best-connected
     * sentence is one of the three. */
    const char *text = "The weather was sunny. Alibaba cloud revenue grew strongly. Cats sleep a lot. "
                       "Alibaba cloud revenue beat forecasts. Cloud revenue growth helped Alibaba.";
    s = yq_summarize(text, strlen(text), 1);
    CHECKF(s && strstr(s, "revenue") && !strstr(s, "weather") && !strstr(s, "Cats"), "summary '%s'", s);
    free(s);
    char **words;
    int n;
    CHECK(yq_keywords(text, strlen(text), 3, &words, &n) == 0 && n == 3);
    int has_cloud = 0, has_stopword = 0;
    for (int i = 0; i < n; i++) {
        has_cloud |= !strcasecmp(words[i], "cloud") || !strcasecmp(words[i], "revenue") || !strcasecmp(words[i], "alibaba");
        has_stopword |= !strcasecmp(words[i], "the") || !strcasecmp(words[i], "a");
        free(words[i]);
    }
    CHECK(has_cloud && !has_stopword);
    free(words);
    const char *zh = "阿里巴巴发布财报。阿里巴巴的云业务增长。阿里巴巴股价上涨。";
    CHECK(yq_keywords(zh, strlen(zh), 2, &words, &n) == 0 && n >= 1);
    CHECKF(n >= 1 && !strcmp(words[0], "阿里巴巴"), "first keyword '%s'", n ? words[0] : "");
    for (int i = 0; i < n; i++) free(words[i]);
    free(words);
}

int main(void) {
    if (yq_fold_init()) return 1;
    test_clean();
    test_lang();
    test_sentences();
    test_times();
    test_events();
    test_summary_and_keywords();
    return test_summary("test_analyze_text");
}
