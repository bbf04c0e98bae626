/* Whole characters as BPE's starting parts (src/tokenizer/char_start.c) on tiny hand-made
 * vocabularies, where starting a character as its token would be wrong next to some neighbours
 * (a merge across its edge comes first) or everywhere (a merge of all of it with a neighbour
 * outranks the character itself). Expected ids are worked out by hand from tiktoken's rule:
 * merge the adjacent pair whose concatenation has the lowest rank, leftmost first (and agree
 * with PyPI tiktoken 0.14 on the same ranks). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/tokenizer.h"

#define DE "\xe7\x9a\x84" /* 的 */

static char dir[64];

static const char *path_of(const char *name) {
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void put_base64(FILE *f, const uint8_t *s, size_t n) {
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
        for (size_t k = 0; k < 4; k++)
            fputc(k <= n - i ? b64[v >> (18 - 6 * k) & 63] : '=', f);
    }
}

/* NAME.tiktoken: the 256 bytes (rank = byte), then `tokens` with ranks 256, 257, ...; and
 * NAME.json with a pattern that keeps the whole text one piece. */
static yq_tokenizer *tiny(const char *name, const char *const *tokens, size_t n) {
    char file[80];
    snprintf(file, sizeof file, "%s.json", name);
    FILE *f = fopen(path_of(file), "w");
    fputs("{\"pat_str\": \"[\\\\s\\\\S]+\"}", f);
    fclose(f);
    snprintf(file, sizeof file, "%s.tiktoken", name);
    f = fopen(path_of(file), "w");
    for (int b = 0; b < 256; b++) {
        uint8_t byte = (uint8_t)b;
        put_base64(f, &byte, 1);
        fprintf(f, " %d\n", b);
    }
    for (size_t i = 0; i < n; i++) {
        put_base64(f, (const uint8_t *)tokens[i], strlen(tokens[i]));
        fprintf(f, " %zu\n", 256 + i);
    }
    fclose(f);
    yq_tokenizer *tok = NULL;
    CHECKF(yq_tokenizer_open(path_of(file), NULL, &tok) == 0, "open %s: %s", file, yq_last_error());
    return tok;
}

static void check_ids(const yq_tokenizer *tok, const char *text, const int32_t *expect, size_t n_expect) {
    int32_t *ids = NULL;
    size_t n = 0;
    int same = tok && yq_tokenizer_encode(tok, text, strlen(text), 0, &ids, &n) == 0 && n == n_expect &&
               !memcmp(ids, expect, n * sizeof *ids);
    CHECKF(same, "\"%s\": %zu ids, first %d (want %zu, first %d)", text, n, n ? ids[0] : -1, n_expect, expect[0]);
    free(ids);
}

#define CHECK_IDS(tok, text, ...)                                    \
    do {                                                             \
        static const int32_t want[] = {__VA_ARGS__};                 \
        check_ids(tok, text, want, sizeof want / sizeof want[0]);    \
    } while (0)

/* " E7" outranks E7 9A, so after a space the character's first byte goes with the space; "84 a"
 * outranks the character's last merge, so before an 'a' its last byte goes with the 'a'. Between
 * other neighbours the character becomes its token. */
static void test_edges(void) {
    static const char *const tokens[] = {" \xe7", "\x84" "a", "\xe7\x9a", DE};
    yq_tokenizer *tok = tiny("edges", tokens, 4);
    CHECK_IDS(tok, " " DE, 256, 0x9a, 0x84);
    CHECK_IDS(tok, DE "a", 258, 257);
    CHECK_IDS(tok, "x" DE "y", 'x', 259, 'y');
    CHECK_IDS(tok, DE DE, 259, 259);
    CHECK_IDS(tok, DE, 259);
    CHECK_IDS(tok, " " DE " " DE "a" DE, 256, 0x9a, 0x84, 256, 0x9a, 257, 259);
    yq_tokenizer_free(tok);
}

/* "a的" outranks 的 itself: in "xa的", "xa" (258) merges before 的 is complete (259), so "a的"
 * (257) never forms; starting 的 whole would merge "a的" first. */
static void test_whole(void) {
    static const char *const tokens[] = {"\xe7\x9a", "a" DE, "xa", DE};
    yq_tokenizer *tok = tiny("whole", tokens, 4);
    CHECK_IDS(tok, "xa" DE, 258, 259);
    CHECK_IDS(tok, "a" DE, 257);
    CHECK_IDS(tok, DE DE, 259, 259);
    yq_tokenizer_free(tok);
}

int main(void) {
    strcpy(dir, "/tmp/yq_tokc_XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    test_edges();
    test_whole();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    return test_summary("test_tokenizer_chars");
}
