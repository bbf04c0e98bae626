/* Tests of the article extractor on hand-written pages in tests/data/extract: fields, charset
 * handling, date forms, JSON output, and robustness on odd input. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "crawl/extract_internal.h"
#include "testutil.h"
#include "yuqing/charset.h"
#include "yuqing/extract.h"
#include "yuqing/mapfile.h"

static const char *URL = "https://news.example.com/local/page.html";

static int extract_fixture(const char *name, yq_article *a) {
    char rel[256], *bytes;
    size_t len;
    snprintf(rel, sizeof rel, "extract/%s", name);
    if (yq_read_file(test_data_path(rel), &bytes, &len) != 0) return -1;
    int rc = yq_extract_html(bytes, len, URL, NULL, a);
    free(bytes);
    return rc;
}

static int same(const char *got, const char *want) {
    if (!got || !want) return got == want;
    return !strcmp(got, want);
}

static const char *shown(const char *s) { return s ? s : "(null)"; }

#define CHECK_STR(got, want) CHECKF(same(got, want), "got '%s', want '%s'", shown(got), shown(want))

static void test_english_article(void) {
    yq_article a;
    CHECK(extract_fixture("article_en.html", &a) == 0);
    CHECK_STR(a.url, URL);
    CHECK_STR(a.title, "River Town Opens New Library");
    CHECK_STR(a.published_at, "2024-01-30T14:30:00+08:00");
    CHECK_STR(a.author, "Jane Doe");
    CHECK_STR(a.lang, "en");
    CHECK_STR(a.body,
              "The new public library in River Town opened its doors on Tuesday, after three years of planning, "
              "fundraising and construction by local volunteers.\n\n"
              "More than four hundred residents attended the opening, and the mayor thanked the families who "
              "donated books, shelves and time to the project.\n\n"
              "The building has a reading room, a children's corner and a small auditorium that will host weekly "
              "talks, film evenings and exhibitions.");
    CHECK(a.n_media == 2);
    if (a.n_media == 2) {
        CHECK_STR(a.media[0], "https://news.example.com/media/tour.mp4");
        CHECK_STR(a.media[1], "https://news.example.com/local/video/opening.webm");
    }
    CHECK(a.n_links == 9);
    if (a.n_links == 9) {
        CHECK_STR(a.links[0], "https://news.example.com/");
        CHECK_STR(a.links[5], "https://news.example.com/local/talks.html");
    }
    yq_article_free(&a);
    CHECK(a.title == NULL && a.links == NULL);
}

static void test_gbk_page_declared_utf8(void) {
    yq_article a;
    CHECK(extract_fixture("gbk_mislabeled.html", &a) == 0);
    CHECK_STR(a.title, "本市新建图书馆正式开放");
    CHECK_STR(a.published_at, "2024-01-30T14:30:00");
    CHECK_STR(a.author, NULL);
    CHECK_STR(a.lang, "zh");
    CHECK_STR(a.body, "经过三年的筹备和建设，本市新建的公共图书馆于周二正式向市民开放，首日接待读者四百余人。\n\n"
                      "图书馆设有阅览室、儿童阅读区和一个小型报告厅，今后将定期举办讲座、电影放映和展览等活动。\n\n"
                      "市长在开馆仪式上感谢了捐赠图书和书架的市民，并表示将继续支持社区文化设施的建设。");
    CHECK(a.n_links == 4 && a.n_media == 0);
    yq_article_free(&a);
}

static void test_jsonld_and_json_output(void) {
    yq_article a;
    CHECK(extract_fixture("jsonld_date.html", &a) == 0);
    CHECK_STR(a.title, "Quarterly results beat forecasts");
    CHECK_STR(a.published_at, "2023-07-04T09:15:00+00:00");
    CHECK_STR(a.author, "Li Wei");
    char *json = yq_article_to_json(&a);
    cJSON *o = json ? cJSON_Parse(json) : NULL;
    CHECK(o != NULL);
    const char *fields[] = {"url", "title", "published_at", "author", "body", "lang", "media", "links"};
    for (size_t i = 0; i < 8; i++) CHECKF(cJSON_GetObjectItemCaseSensitive(o, fields[i]) != NULL, "missing %s", fields[i]);
    CHECK(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "links")));
    cJSON_Delete(o);
    free(json);
    yq_article_free(&a);
}

static void test_text_date(void) {
    yq_article a;
    CHECK(extract_fixture("text_date.html", &a) == 0);
    CHECK_STR(a.published_at, "2022-05-06T08:05:00");
    CHECK_STR(a.title, "Town fair returns");
    yq_article_free(&a);
}

static void check_date(const char *text, const char *want) {
    xdate d;
    char out[32] = "";
    if (date_find(text, 0, &d) >= 0) date_format(&d, out);
    CHECKF(!strcmp(out, want), "'%s': got '%s', want '%s'", text, out, want);
}

static void test_date_forms(void) {
    check_date("发布时间：2024年1月30日 14:30", "2024-01-30T14:30:00");
    check_date("2024-01-30 14:30:00", "2024-01-30T14:30:00");
    check_date("2024/1/5", "2024-01-05");
    check_date("2019-08-02T23:10:00.000Z", "2019-08-02T23:10:00+00:00");
    check_date("2019-08-02T23:10:00-0400", "2019-08-02T23:10:00-04:00");
    check_date("Updated January 30, 2024", "2024-01-30");
    check_date("Tue, 30 Jan 2024 14:30:00 GMT", "2024-01-30T14:30:00+00:00");
    check_date("Stand: 20.06.2019, 14:05", "2019-06-20T14:05:00");
    check_date("February 24, 2020 | 9:25pm", "2020-02-24T21:25:00");
    check_date("Nov 13, 2019, 10:28am EST", "2019-11-13T10:28:00");
    check_date("PUBLISHED: November 19, 2019 at 8:59 pm", "2019-11-19T20:59:00");
    check_date("2005-03-21 @ 01:20:44", "2005-03-21T01:20:44");
    check_date("March 5, 2020, 10 people", "2020-03-05");
    check_date("12/01/2004 - 01/01/2005", "2004-12-01");
    check_date("Ver\xc3\xb6" "ffentlicht am 10. September 2017", "2017-09-10");
    check_date("am 3. M\xc3\xa4rz 2021 um 8 Uhr", "2021-03-03");
    check_date("publi\xc3\xa9" " le 5 d\xc3\xa9" "cembre 2020", "2020-12-05");
    check_date("5 de mayo de 2024", "2024-05-05");
    check_date("Posted 5/7/2005 9:23:57 PM", "2005-05-07T21:23:57");
    check_date("12:30 AM", "");
    check_date("1/30/2024 12:05 am", "2024-01-30T00:05:00");
    check_date("version 1.2.3 of 10.20.2019", "");
    check_date("call 2024-13-40 now", "");
    check_date("no date here 12345", "");
}

static void check_title(const char *og, const char *title_tag, const char *h1, const char *want) {
    char *h1s[1] = {(char *)h1};
    title_sources src = {og, NULL, title_tag, h1s, h1 ? 1 : 0, NULL};
    char *got = extract_title(&src);
    CHECK_STR(got, want);
    free(got);
}

static void check_titles(const char *og, const char *title_tag, char **h1s, int n_h1, const char *want) {
    title_sources src = {og, NULL, title_tag, h1s, n_h1, NULL};
    char *got = extract_title(&src);
    CHECK_STR(got, want);
    free(got);
}

static void check_title_h2(const char *og, const char *title_tag, char **h1s, int n_h1, const char *h2,
                           const char *want) {
    title_sources src = {og, NULL, title_tag, h1s, n_h1, h2};
    char *got = extract_title(&src);
    CHECK_STR(got, want);
    free(got);
}

static void test_title_case_and_page_paths(void) {
    /* the Title-Cased copy loses */
    check_title("Vessel Returning To Puerto Rico From St. Thomas",
                "Vessel Returning to Puerto Rico From St. Thomas", NULL,
                "Vessel Returning to Puerto Rico From St. Thomas");
    check_title("STORM HITS THE COAST", "Storm hits the coast - Example News", NULL, "Storm hits the coast");
    check_title("Storm hits the coast", "STORM HITS THE COAST", NULL, "Storm hits the coast");
    check_title("Storm hits the coast at dawn", "Storm Hits The Coast", NULL, "Storm hits the coast at dawn");
    char *menus[] = {"Page", "User"};
    check_title_h2(NULL, "BeginnersGuide/Download - Python Wiki", menus, 2, "Downloading Python",
                   "Downloading Python");
    check_title_h2(NULL, "Home", NULL, 0, "Latest news", "Home"); /* generic, but not a page path */
    check_title_h2(NULL, "docs/Setup", NULL, 0, "Setup", "docs/Setup"); /* a one-word <h2> is no headline */
    /* a headline set as <h2>, longer than the social title the metadata gives */
    check_title_h2("Chef joins the paper's war on toxic food", "Chef joins the paper's war on toxic food | Daily",
                   NULL, 0, "The paper's war on toxic food: chef and fitness guru lead plea to block imports",
                   "The paper's war on toxic food: chef and fitness guru lead plea to block imports");
    check_title_h2("Chef joins the paper's war on toxic food", NULL, NULL, 0, "More top stories from our food desk",
                   "Chef joins the paper's war on toxic food"); /* an <h2> that shares few of its words */
    char *confirmed[] = {"Chef joins the paper's war on toxic food"};
    check_title_h2("Chef joins the paper's war on toxic food", NULL, confirmed, 1,
                   "The paper's war on toxic food: chef and fitness guru lead plea to block imports",
                   "Chef joins the paper's war on toxic food"); /* an <h1> the metadata confirms wins */
}

/* An <h1> inside a share widget repeats the title for sharing; the page's headline is its <h2>. */
static void test_share_widget_heading(void) {
    const char *page =
        "<html><head><meta property='og:title' content='Chef joins the paper&apos;s war on toxic food'></head>"
        "<body><div class='article'><h2>The paper's war on toxic food: chef and fitness guru lead plea to block "
        "imports</h2><p>A powerful alliance of chefs, celebrities and charities today urges the government to "
        "block sub-standard foods from flooding into the country under new trade deals.</p></div>"
        "<div class='shareArticles'><h3>Share this article:</h3><h1>Chef joins the paper's war on toxic food</h1>"
        "</div></body></html>";
    yq_article a;
    CHECK(yq_extract_html(page, strlen(page), URL, NULL, &a) == 0);
    CHECK_STR(a.title, "The paper's war on toxic food: chef and fitness guru lead plea to block imports");
    yq_article_free(&a);
}

static void test_titles(void) {
    char *sections[] = {"CDPATH replacements", "What I use now", "Emacs plugins not integrated with the shell"};
    check_titles(NULL, "CDPATH replacements - anarcat", sections, 3, "CDPATH replacements"); /* short, but confirmed */
    char *only[] = {"20 Clever Small Nursery Ideas When Space Is Tight"};
    check_titles("Clever Ideas to Set Up a Nursery", "20 Clever Ideas for a Small Nursery - Party", only, 1,
                 "20 Clever Small Nursery Ideas When Space Is Tight"); /* a page's only headline */
    char *logo[] = {"KBS WORLD"};
    check_titles("Colder Temperatures Forecast for Wed.", "Colder Temperatures Forecast for Wed. | KBS WORLD", logo, 1,
                 "Colder Temperatures Forecast for Wed."); /* the site's name is not the headline */
    check_title(NULL, "本市新建图书馆正式开放_新闻中心_河谷网", NULL, "本市新建图书馆正式开放");
    check_title(NULL, "Storm hits the coast - Example News", NULL, "Storm hits the coast");
    check_title(NULL, "New vaccines for COVID-19", NULL, "New vaccines for COVID-19");
    check_title("Home", NULL, "Time to say goodbye to the old bridge", "Time to say goodbye to the old bridge");
    check_title("KBS WORLD", "KBS WORLD", "KBS WORLD", "KBS WORLD");
    check_title("Budget passes | Daily", NULL, "Budget passes after long debate", "Budget passes after long debate");
    check_title(NULL, NULL, NULL, NULL);
}

static void test_charset(void) {
    const char gbk[] = "\xd6\xd0\xce\xc4"; /* 中文 in GBK */
    char *out, used[32];
    size_t len;
    CHECK(yq_charset_to_utf8(gbk, 4, "gbk", &out, &len, used) == 0);
    CHECK_STR(out, "中文");
    CHECK_STR(used, "GB18030");
    free(out);
    CHECK(yq_charset_to_utf8("\xef\xbb\xbfok", 5, NULL, &out, &len, NULL) == 0);
    CHECK_STR(out, "ok");
    free(out);
    CHECK(yq_charset_to_utf8("x", 1, "no-such-charset", &out, &len, NULL) < 0);
}

static void test_odd_input(void) {
    const char *pages[] = {"", "<", "plain text, no tags", "<html><body></body></html>", "\xff\xfe\x00",
                           "<div><a href='javascript:void(0)'>x</a><p>short</p></div>"};
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        yq_article a;
        int rc = yq_extract_html(pages[i], strlen(pages[i]), NULL, NULL, &a);
        CHECK(rc == 0 || rc == -3);
        CHECK(a.n_links == 0);
        yq_article_free(&a);
    }
}

int main(void) {
    test_english_article();
    test_gbk_page_declared_utf8();
    test_jsonld_and_json_output();
    test_text_date();
    test_date_forms();
    test_titles();
    test_title_case_and_page_paths();
    test_share_widget_heading();
    test_charset();
    test_odd_input();
    return test_summary("test_extract");
}
