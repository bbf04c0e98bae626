/* The hand-written pre-tokenizer matchers against PCRE2 running the very same patterns: random
 * strings over an alphabet of the characters the patterns tell apart (letters of each case
 * kind, marks, numbers of several kinds, White_Space and other spaces, apostrophes and the long
 * s, CR/LF, symbols) must split identically. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tokenizer/pretok.h"
#include "yuqing/error.h"

static const char *const alphabet[] = {
    "a",
    "Z",
    "s",
    "S",
    "t",
    "r",
    "e",
    "v",
    "m",
    "l",
    "L",
    "d",
    "D",
    "'",
    " ",
    " ",
    "\t",
    "\r",
    "\n",
    "0",
    "7",
    "\xd9\xa3" /* Arabic-Indic 3 */,
    "\xe2\x85\xab" /* Roman XII, Nl */,
    "\xc2\xb2" /* superscript 2, No */,
    "\xe7\x9a\x84",
    "\xe4\xb8\xad",
    "\xc7\x85" /* Lt */,
    "\xca\xb0" /* Lm */,
    "\xc5\xbf" /* long s */,
    "\xcc\x81" /* Mn */,
    "\xe0\xa4\x83" /* Mc */,
    "\xc3\x80",
    "\xc3\xa9",
    "\xc3\x9f",
    "\xce\xa3",
    "/",
    "-",
    ".",
    "!",
    "\xf0\x9f\x98\x80",
    "\xe3\x80\x80" /* ideographic space */,
    "\xc2\xa0" /* NBSP */,
    "\xe2\x80\xa8" /* LS */,
    "\xe2\x80\x8b" /* ZWSP, not White_Space */,
    "\xc2\x85" /* NEL */,
    "_",
    "\x0b",
    "\x1f",
};

typedef struct pieces {
    size_t starts[512], n;
    const uint8_t *base;
} pieces;

static int collect(void *ctx, const uint8_t *piece, size_t len) {
    pieces *p = ctx;
    p->starts[p->n++] = (size_t)(piece - p->base);
    (void)len;
    return 0;
}

static void check_pattern(const char *name, const char *pattern, unsigned seed) {
    char forced[1024];
    snprintf(forced, sizeof forced, "%s|(?!)", pattern); /* same language, not a known string */
    yq_pretok known = {0}, regex = {0};
    CHECK(pretok_add_split(&known, pattern, 1, name) == 0);
    CHECK(pretok_add_split(&regex, forced, 1, name) == 0);
    CHECK(known.steps[0].match != NULL && regex.steps[0].regex != NULL);
    pretok_scratch scratch = {0};
    srand(seed);
    int differ = 0;
    for (int iter = 0; iter < 4000 && !differ; iter++) {
        char text[256] = "";
        size_t n = 0, len = (size_t)(rand() % 24);
        for (size_t k = 0; k < len; k++) {
            const char *c = alphabet[rand() % (sizeof alphabet / sizeof alphabet[0])];
            memcpy(text + n, c, strlen(c));
            n += strlen(c);
        }
        pieces a = {.base = (const uint8_t *)text}, b = {.base = (const uint8_t *)text};
        pretok_split(&known, &scratch, a.base, n, collect, &a);
        pretok_split(&regex, &scratch, b.base, n, collect, &b);
        differ = a.n != b.n || memcmp(a.starts, b.starts, a.n * sizeof a.starts[0]);
        CHECKF(!differ, "%s: hand-written and PCRE2 splits differ for \"%s\"", name, text);
    }
    pretok_scratch_free(&scratch);
    pretok_free(&known);
    pretok_free(&regex);
}

int main(void) {
    check_pattern("cl100k_base", pretok_cl100k_pattern, 1);
    check_pattern("qwen", pretok_qwen_pattern, 2);
    check_pattern("o200k_base", pretok_o200k_pattern, 3);
    check_pattern("gpt2", pretok_gpt2_pattern, 4);
    return test_summary("test_tokenizer_pretok");
}
