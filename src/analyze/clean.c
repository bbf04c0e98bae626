/* Article text cleaning: HTML entities, full-width forms, invisible characters, whitespace and
 * leftover boilerplate lines (see yq_clean_text in textproc.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/text_internal.h"
#include "yuqing/textproc.h"

/* Short lines holding one of these (ASCII compared case-insensitively, after full-width folding;
 * ASCII markers as whole words) are page furniture, not article text. */
static const char *const boilerplate[] = {"责任编辑",      "编辑:",      "来源:",       "原标题:",
                                          "版权所有",      "版权声明",   "转载请注明",  "未经授权",
                                          "扫描二维码",    "扫码关注",   "关注我们",    "点击关注",
                                          "分享到",        "相关阅读",   "相关新闻",    "推荐阅读",
                                          "返回搜狐",      "打开app",    "copyright",   "all rights reserved",
                                          "share this",    "follow us",  "sign up for", "subscribe to",
                                          "advertisement", "click here", "read more",   "related articles",
                                          "newsletter",    NULL};
enum { BOILERPLATE_MAX_CHARS = 60 };

static const struct {
    const char *name;
    unsigned cp;
} named_entities[] = {
    {"amp", '&'},      {"lt", '<'},       {"gt", '>'},       {"quot", '"'},      {"apos", '\''},
    {"nbsp", ' '},     {"mdash", 0x2014}, {"ndash", 0x2013}, {"hellip", 0x2026}, {"ldquo", 0x201C},
    {"rdquo", 0x201D}, {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"middot", 0xB7},   {"copy", 0xA9},
    {"reg", 0xAE},     {"trade", 0x2122}, {"yen", 0xA5},     {"laquo", 0xAB},    {"raquo", 0xBB},
    {"times", 0xD7},   {"bull", 0x2022},
};

/* Decodes the entity at p ('&'); returns its code point and sets *next, or 0 when it is not one. */
static unsigned decode_entity(const char *p, const char *end, const char **next) {
    const char *semi = memchr(p, ';', (size_t)(end - p) < 12 ? (size_t)(end - p) : 12);
    if (!semi || semi - p < 3) return 0;
    unsigned cp = 0;
    if (p[1] == '#') {
        int hex = p[2] == 'x' || p[2] == 'X';
        char *stop;
        unsigned long v = strtoul(p + 2 + hex, &stop, hex ? 16 : 10);
        if (stop != semi || v == 0 || v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) return 0;
        cp = (unsigned)v;
    } else {
        size_t n = (size_t)(semi - p - 1);
        for (size_t i = 0; i < sizeof named_entities / sizeof named_entities[0] && !cp; i++)
            if (strlen(named_entities[i].name) == n && !memcmp(named_entities[i].name, p + 1, n))
                cp = named_entities[i].cp;
        if (!cp) return 0;
    }
    *next = semi + 1;
    return cp;
}

/* The normalised form of one character: 0 to drop it, ' ' for any kind of space. */
static unsigned normalise_char(unsigned cp) {
    if (cp >= 0xFF01 && cp <= 0xFF5E) return cp - 0xFEE0;
    if (cp == 0x3000 || cp == 0xA0 || cp == '\t' || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
        cp == 0x205F || cp < 0x20 || cp == 0x7F)
        return ' ';
    if ((cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF || cp == 0xAD) return 0;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0xFFFD; /* not a character */
    return cp;
}

/* Cleans one line [p, end) into out; returns the bytes written (no leading or trailing space). */
static size_t clean_line(const char *p, const char *end, char *out) {
    size_t n = 0;
    while (p < end) {
        unsigned cp = (unsigned char)*p == '&' ? decode_entity(p, end, &p) : 0;
        if (!cp) cp = utf8_take(&p, end);
        cp = normalise_char(cp);
        if (!cp || (cp == ' ' && (n == 0 || out[n - 1] == ' '))) continue;
        n += (size_t)utf8_put(out + n, cp);
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    return n;
}

/* The boilerplate markers as one automaton, built once. */
static yq_matcher *markers;
static pthread_once_t markers_once = PTHREAD_ONCE_INIT;

static void build_markers(void) {
    yq_matcher *m = yq_matcher_new();
    int rc = m ? 0 : -1;
    for (const char *const *b = boilerplate; *b && !rc; b++)
        rc = yq_matcher_add(m, *b, 0);
    if (!rc) rc = yq_matcher_build(m);
    if (rc) {
        yq_matcher_free(m);
        m = NULL;
    }
    markers = m;
}

static int is_boilerplate(const char *line, size_t n) {
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)line[i] & 0xC0) != 0x80;
    if (chars > BOILERPLATE_MAX_CHARS) return 0;
    pthread_once(&markers_once, build_markers);
    char lower[BOILERPLATE_MAX_CHARS * 4 + 1];
    for (size_t i = 0; i < n; i++)
        lower[i] = (char)(line[i] >= 'A' && line[i] <= 'Z' ? line[i] + 32 : line[i]);
    yq_match *found = NULL;
    int n_found = 0;
    if (!markers || yq_matcher_find(markers, lower, n, &found, &n_found)) return 0;
    free(found);
    return n_found > 0;
}

char *yq_clean_text(const char *text, size_t len, size_t *out_len) {
    /* An entity never grows (&#x10FFFF; is 10 bytes for 4), nor does any other character. */
    char *out = malloc(len + 4); /* + the separator written ahead of the last line */
    if (!out) return NULL;
    size_t n = 0;
    int pending_break = 0;
    const char *end = text + len;
    for (const char *p = text; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        size_t line = clean_line(p, eol, out + n + 2); /* room for the separator written below */
        p = eol + (eol < end);
        if (line == 0) {
            pending_break = n > 0;
            continue;
        }
        if (is_boilerplate(out + n + 2, line)) continue;
        size_t sep = n == 0 ? 0 : pending_break ? 2 : 1;
        memmove(out + n + sep, out + n + 2, line);
        if (sep) memcpy(out + n, "\n\n", sep);
        n += sep + line;
        pending_break = 0;
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}
