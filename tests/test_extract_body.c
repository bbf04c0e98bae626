/* Tests of the body stage on small inline pages with hand-written expectations: short <span>s in
 * sentences and in highlighted code stay in the text, a long table of one-word cells (e-mail
 * addresses) inside an article does not outscore the article's prose, and a Q&A page keeps all
 * its answers, though each sits four elements below the list that holds them, and trailing
 * empty <br>s do not turn an article of loose text into a "list of short lines", and <div>s of text
 * between photos count as paragraphs; a "Comments" or "Related articles" heading ends the body, and
 * a call-to-action block ("...-cta") is no part of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "yuqing/extract.h"

static char *body_of(const char *html) {
    yq_article a;
    if (yq_extract_html(html, strlen(html), NULL, NULL, &a) != 0) return NULL;
    char *body = a.body ? strdup(a.body) : NULL;
    yq_article_free(&a);
    return body;
}

static const char *PROSE =
    "<p>The council met on Tuesday evening to discuss the new cycle lanes, which have divided residents, "
    "shop owners and commuters for most of the year.</p>"
    "<p>After three hours of debate, the members voted to keep the lanes, but asked officers to review the "
    "loading bays, the crossings and the signs by spring.</p>";

static void test_short_spans_are_text(void) {
    char html[2048];
    snprintf(
        html, sizeof html,
        "<html><body><article>%s<p>Tickets cost <span class=\"price\">$5</span> at the door.</p>"
        "<pre>n <span style=\"color: green\">=</span> <span style=\"color: black\">len</span>(items)</pre>"
        "</article></body></html>",
        PROSE);
    char *body = body_of(html);
    CHECK(body != NULL);
    if (!body) return;
    CHECKF(strstr(body, "Tickets cost $5 at the door.") != NULL, "body: %s", body);
    CHECKF(strstr(body, "n = len(items)") != NULL, "body: %s", body);
    free(body);
}

static void test_table_of_addresses_inside_article(void) {
    size_t cap = 16384, n = 0;
    char *html = malloc(cap);
    n += (size_t)snprintf(html + n, cap - n, "<html><body><div class=\"story\">%s<table><tbody>", PROSE);
    for (int i = 0; i < 60; i++)
        n += (size_t)snprintf(html + n, cap - n,
                              "<tr><td>Ward %d</td><td>councillor.ward%02d@example.gov.uk</td></tr>", i, i);
    snprintf(html + n, cap - n, "</tbody></table></div></body></html>");
    char *body = body_of(html);
    free(html);
    CHECK(body != NULL);
    if (!body) return;
    /* the article's first paragraph leads, the table follows inside it */
    CHECKF(!strncmp(body, "The council met on Tuesday evening", 34), "body starts: %.80s", body);
    CHECKF(strstr(body, "councillor.ward59@example.gov.uk") != NULL, "table missing");
    free(body);
}

/* One post of a Q&A page: its text four elements deep, as such pages nest a post's body. */
static int post(char *out, size_t cap, const char *kind, const char *text) {
    return snprintf(
        out, cap,
        "<div class=\"%s\"><div class=\"post-layout\"><div class=\"votes\"><span>12</span></div>"
        "<div class=\"post-cell\"><div class=\"post-body\">%s</div><div class=\"signature\">asked by a "
        "reader</div></div></div></div>",
        kind, text);
}

static void test_answers_together(void) {
    const char *question =
        "<p>Why does the passive voice use werden, which otherwise means to become, and how "
        "does one know when it is meant?</p>";
    const char *answer1 =
        "<p>Werden is both a full verb, meaning to become, and the auxiliary of the passive, "
        "just as haben is both a verb of owning and the auxiliary of the perfect. The two uses share "
        "a form, not a meaning, so the sentence decides: with a participle, it is the passive, "
        "with an adjective or a noun, it is the full verb.</p>";
    const char *answer2 =
        "<p>Think of the passive as a change of state, which is what becoming means, and the "
        "two uses will seem less strange, at least in most sentences.</p>";
    char html[4096];
    int n = snprintf(html, sizeof html, "<html><body><div id=\"qa\">");
    n += post(html + n, sizeof html - (size_t)n, "question", question);
    n += snprintf(html + n, sizeof html - (size_t)n, "<div id=\"answers\">");
    n += post(html + n, sizeof html - (size_t)n, "answer", answer1);
    n += post(html + n, sizeof html - (size_t)n, "answer", answer2);
    snprintf(html + n, sizeof html - (size_t)n, "</div></div></body></html>");
    char *body = body_of(html);
    CHECK(body != NULL);
    if (!body) return;
    CHECKF(strstr(body, "auxiliary of the perfect.") && strstr(body, "at least in most sentences."),
           "body: %s", body);
    free(body);
}

static void test_loose_text_with_trailing_breaks(void) {
    /* the article is loose text in a <div>, followed by a run of empty <br>s: those end no line
     * of text, so they do not make it look like a list of short lines */
    char html[4096];
    int n =
        snprintf(html, sizeof html,
                 "<html><body><div class=\"col-9\"><p class=\"titulo\">Vans broken into</p>"
                 "<small>05/10/2018 - by C. Borba</small><br><br>The home care team of the Amizade district "
                 "found this morning that two of its five cars had been broken into. The cars had lost their "
                 "batteries, and the police came to look at the damage. Patients booked for the morning are "
                 "being given new times, and the health office expects normal service this afternoon.");
    for (int i = 0; i < 12; i++)
        n += snprintf(html + n, sizeof html - (size_t)n, "<br>\n");
    snprintf(
        html + n, sizeof html - (size_t)n,
        "</div><div class=\"col-12\"><p>Town Hall - Main Street, 1111 - Riverside - 89259-565 - PO Box 421 - "
        "Phone: (047) 2106-8000, open 8.00 to 17.00.</p></div></body></html>");
    char *body = body_of(html);
    CHECK(body != NULL);
    if (!body) return;
    CHECKF(strstr(body, "The home care team of the Amizade district") != NULL, "body: %s", body);
    CHECKF(strstr(body, "Town Hall") == NULL, "body: %s", body);
    free(body);
}

static void test_text_divs_beside_photos(void) {
    /* paragraphs written as <div>s between five photos: the photos' block is article, not a
     * gallery, since its five <div>s of text count as paragraphs (5 * 2 >= 5 images) */
    const char *img = "<div><a href=\"/p.jpg\"><img src=\"/p.jpg\"></a></div>";
    char html[4096];
    snprintf(
        html, sizeof html,
        "<html><body><div class=\"post-body\"><div>Photos released online this week show the actress, "
        "who won the award in 2008, looking stunning in a new make-up series.</div>"
        "<div class=\"reader\">%s<div>The actress</div><div>She shared the photos on her page, where fans "
        "praised the colours, the bag and the dress.</div>%s<div>The bag</div><div>The 47 year old was one "
        "of the guests at an event held by a media company.</div>%s<div>See more photos:</div>%s%s</div>"
        "</div></body></html>",
        img, img, img, img, img);
    char *body = body_of(html);
    CHECK(body != NULL);
    if (!body) return;
    CHECKF(strstr(body, "She shared the photos on her page") && strstr(body, "The 47 year old was one"),
           "body: %s", body);
    free(body);
}

/* The body of an article of PROSE followed by a heading `heading` and a paragraph after it. */
static char *body_with_heading(const char *heading) {
    char html[2048];
    snprintf(html, sizeof html,
             "<html><body><article>%s<h3>%s</h3><p>Advertise with us: we deliver your content to thousands "
             "of readers, at home and abroad, every day.</p></article></body></html>",
             PROSE, heading);
    return body_of(html);
}

static void test_end_headings(void) {
    const char *ends[] = {"Comments", "3 Comments", "Related articles:", "相关阅读", "You may also like"};
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        char *body = body_with_heading(ends[i]);
        CHECKF(body && strstr(body, "by spring.") && !strstr(body, ends[i]) && !strstr(body, "Advertise"),
               "'%s': %s", ends[i], body ? body : "(null)");
        free(body);
    }
    char *body = body_with_heading("Comments from the minister"); /* a heading of the article itself */
    CHECKF(body && strstr(body, "Advertise with us"), "kept: %s", body ? body : "(null)");
    free(body);
    /* a "Related" box above the article's text does not end it */
    char html[2048];
    snprintf(html, sizeof html,
             "<html><body><article><p>By A. Writer</p><h3>Related</h3><p>Bridge works</p>%s</article>"
             "</body></html>",
             PROSE);
    body = body_of(html);
    CHECKF(body && strstr(body, "by spring."), "kept: %s", body ? body : "(null)");
    free(body);
}

static void test_call_to_action_block(void) {
    char html[2048];
    snprintf(html, sizeof html,
             "<html><body><article>%s<section class=\"c-letters-cta\"><p>We want to hear what you think "
             "about this article, so write to us, or send a letter to the editor.</p></section></article>"
             "</body></html>",
             PROSE);
    char *body = body_of(html);
    CHECKF(body && strstr(body, "by spring.") && !strstr(body, "We want to hear"), "body: %s",
           body ? body : "(null)");
    free(body);
}

int main(void) {
    test_short_spans_are_text();
    test_table_of_addresses_inside_article();
    test_answers_together();
    test_loose_text_with_trailing_breaks();
    test_text_divs_beside_photos();
    test_end_headings();
    test_call_to_action_block();
    return test_summary("test_extract_body");
}
