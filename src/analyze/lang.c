/* Language detection by script counts and English function words. The rule: kana (at least 3,
 * and 5% of the CJK characters) means "ja"; more Hangul than Han and words means "ko"; Han
 * characters at least as many as Latin words means "zh"; otherwise "en" when at least 10% of the
 * (3 or more) Latin words are common English function words (the stopword list in terms.c);
 * else "und". */
#include <string.h>

#include "analyze/text_internal.h"
#include "yuqing/textproc.h"

typedef struct script_counts {
    long han, kana, hangul, words, stopwords;
} script_counts;

static void count_scripts(const char *text, size_t len, script_counts *c) {
    const char *p = text, *end = text + len;
    memset(c, 0, sizeof *c);
    while (p < end) {
        const char *start = p;
        unsigned cp = utf8_take(&p, end);
        if (is_word_char(cp)) {
            const char *q = p;
            int ascii = cp < 0x80;
            while (q < end) {
                const char *next = q;
                unsigned w = utf8_take(&next, end);
                if (!is_word_char(w)) break;
                ascii &= w < 0x80;
                q = next;
            }
            c->words++;
            c->stopwords += ascii && is_english_stopword(start, (size_t)(q - start));
            p = q;
        } else if (cp >= 0x3040 && cp <= 0x30FF) {
            c->kana++;
        } else if (cp >= 0xAC00 && cp <= 0xD7AF) {
            c->hangul++;
        } else if (is_cjk(cp)) {
            c->han++;
        }
    }
}

const char *yq_detect_lang(const char *text, size_t len) {
    script_counts c;
    count_scripts(text, len, &c);
    if (c.kana >= 3 && c.kana * 20 >= c.han + c.kana) return "ja";
    if (c.hangul > c.han && c.hangul > c.words) return "ko";
    if (c.han > 0 && c.han >= c.words) return "zh";
    if (c.words >= 3 && c.stopwords * 10 >= c.words) return "en";
    return "und";
}
