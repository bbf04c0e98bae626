/* Tests of how the extractor picks published_at among a page's dates (extract_date_pick.c), on
 * small inline pages whose expected dates were worked out by hand: a UTC timestamp localised by
 * the time the page shows, the byline choosing the modification date, modification tags as a
 * fallback, and the 张贴 label. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "yuqing/extract.h"

/* A page with `head` in its <head>, the headline "Harbour bridge reopens" and `byline` under it,
 * then a paragraph. */
static void check_page(const char *head, const char *byline, const char *want) {
    char html[4096];
    snprintf(
        html, sizeof html,
        "<html><head><title>Harbour bridge reopens</title>%s</head><body><article>"
        "<h1>Harbour bridge reopens</h1><p>%s</p><p>The harbour bridge reopened to traffic on Monday after "
        "two years of repairs to its deck and cables, the city said.</p></article></body></html>",
        head, byline);
    yq_article a;
    CHECK(yq_extract_html(html, strlen(html), NULL, NULL, &a) == 0);
    const char *got = a.published_at ? a.published_at : "(null)";
    CHECKF(!strcmp(got, want), "byline '%s': got '%s', want '%s'", byline, got, want);
    yq_article_free(&a);
}

#define PUBLISHED(t) "<meta property=\"article:published_time\" content=\"" t "\">"

static void test_utc_localised_by_shown_time(void) {
    /* 02:25 UTC on the 25th shown as 9:25 pm on the 24th: five hours behind UTC */
    check_page(PUBLISHED("2020-02-25T02:25:54+00:00"), "February 24, 2020 | 9:25pm",
               "2020-02-24T21:25:54-05:00");
    /* 10:00 UTC shown as 15:30: India, five and a half hours ahead */
    check_page(PUBLISHED("2021-03-01T10:00:00Z"), "1 March 2021 15:30", "2021-03-01T15:30:00+05:30");
    /* across a new year: 03:00 UTC on 1 January is 10 pm on 31 December five hours behind */
    check_page(PUBLISHED("2021-01-01T03:00:00Z"), "December 31, 2020 at 10:00 pm",
               "2020-12-31T22:00:00-05:00");
    /* into a leap day: 02:00 UTC on 1 March 2024 is 9 pm on 29 February five hours behind */
    check_page(PUBLISHED("2024-03-01T02:00:00Z"), "February 29, 2024 9:00 pm", "2024-02-29T21:00:00-05:00");
    /* Nepal, five hours and three quarters ahead */
    check_page(PUBLISHED("2020-01-01T00:00:00Z"), "1 January 2020 05:45", "2020-01-01T05:45:00+05:45");
    /* shown in UTC itself: nothing to change */
    check_page(PUBLISHED("2019-11-19T13:03:00+00:00"), "Nov. 19, 2019 13:03", "2019-11-19T13:03:00+00:00");
    /* 2 h 45 min behind UTC is no time zone: a comment's time, not the byline's */
    check_page(PUBLISHED("2011-07-11T15:10:00+00:00"), "July 11, 2011 12:25", "2011-07-11T15:10:00+00:00");
    /* a shown time more than 14 hours away is another event */
    check_page(PUBLISHED("2020-05-01T08:00:00Z"), "April 29, 2020 08:00", "2020-05-01T08:00:00+00:00");
    /* a timestamp with a real offset is kept as it is */
    check_page(PUBLISHED("2020-02-24T21:25:54-05:00"), "February 25, 2020 | 3:25am",
               "2020-02-24T21:25:54-05:00");
}

#define LD(published, modified)                                                                              \
    "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"datePublished\":\"" published         \
    "\",\"dateModified\":\"" modified "\"}</script>"

static void test_byline_chooses_modified(void) {
    const char *ld = LD("2019-06-17T00:00:00+00:00", "2020-06-04T16:41:46+00:00");
    /* the byline shows the update first: the page presents that date */
    check_page(ld, "by A. Writer Last updated 04 Jun 2020, originally created 17 Jun 2019",
               "2020-06-04T16:41:46+00:00");
    /* the byline shows the publication date: kept */
    check_page(ld, "by A. Writer, 17 Jun 2019", "2019-06-17T00:00:00+00:00");
    /* no date in the byline: the publication date */
    check_page(ld, "by A. Writer", "2019-06-17T00:00:00+00:00");
}

static void test_header_date_is_no_byline(void) {
    /* a header showing the day's date before the headline is not the byline: the <title> is
     * skipped, and after the <h1> no date follows */
    const char *html = "<html><head><title>Harbour bridge reopens</title>" LD(
        "2020-11-20T09:00:00+01:00",
        "2020-11-29T10:00:00+01:00") "</head><body><div class=\"top\">Sunday, 29 November "
                                     "2020</div><h1>Harbour bridge reopens</h1>"
                                     "<p>The harbour bridge reopened to traffic on Friday after two years of "
                                     "repairs to its deck "
                                     "and cables, the city said.</p></body></html>";
    yq_article a;
    CHECK(yq_extract_html(html, strlen(html), NULL, NULL, &a) == 0);
    CHECKF(a.published_at && !strcmp(a.published_at, "2020-11-20T09:00:00+01:00"), "got '%s'",
           a.published_at ? a.published_at : "(null)");
    yq_article_free(&a);
}

static void test_modified_tags_as_fallback(void) {
    /* no publication tag at all: the modification tag beats a date quoted in the text */
    check_page("<meta itemprop=\"dateUpdate\" content=\"2020-02-14 10:47:36\">",
               "On 3 December 2006 the bridge closed.", "2020-02-14T10:47:36");
    check_page("<meta property=\"og:updated_time\" content=\"2018-04-02\">", "", "2018-04-02");
    /* a publication tag wins over a modification tag */
    check_page("<meta property=\"og:updated_time\" content=\"2018-04-02\"><meta name=\"pubdate\" "
               "content=\"2018-03-30\">",
               "", "2018-03-30");
}

static void test_posted_label(void) {
    const char *html =
        "<html><head><title>海姑娘</title></head><body><div>归档备份 12/01/2004 - 01/01/2005</div>"
        "<div><h2>昨天去金矿玩</h2><p>金矿让人很难忘呢。</p>"
        "<p>由海姑娘张贴 @ 2005-03-21 01:20:44</p></div></body></html>";
    yq_article a;
    CHECK(yq_extract_html(html, strlen(html), NULL, NULL, &a) == 0);
    CHECKF(a.published_at && !strcmp(a.published_at, "2005-03-21T01:20:44"), "got '%s'",
           a.published_at ? a.published_at : "(null)");
    yq_article_free(&a);
}

int main(void) {
    test_utc_localised_by_shown_time();
    test_byline_chooses_modified();
    test_header_date_is_no_byline();
    test_modified_tags_as_fallback();
    test_posted_label();
    return test_summary("test_extract_date");
}
