/* Built-in sentiment scoring (include/yuqing/sentiment.h): softmax over the model's class logits,
 * for a whole text or for the sentences around one mention. */
#include <math.h>
#include <string.h>

#include "analyze/sentiment_internal.h"
#include "yuqing/error.h"

const char *yq_sentiment_label_name(yq_sentiment_label label) {
    return label == YQ_SENTIMENT_POSITIVE   ? "positive"
           : label == YQ_SENTIMENT_NEGATIVE ? "negative"
                                            : "neutral";
}

static int lang_code(const char *lang) {
    if (!lang) return -1;
    if (!strncmp(lang, "zh", 2)) return SENTI_LANG_ZH;
    if (!strncmp(lang, "en", 2)) return SENTI_LANG_EN;
    return -1;
}

int yq_sentiment_score(const yq_sentiment_model *model, const char *text, size_t len, const char *lang,
                       yq_sentiment_result *out) {
    if (!model || !out || (!text && len)) return yq_error(YQ_EINVAL, "yq_sentiment_score: bad arguments");
    double z[3];
    int rc = senti_logits(model, text ? text : "", len, lang_code(lang), z, NULL);
    if (rc) return yq_error(rc, "sentiment: out of memory");
    double top = fmax(z[0], fmax(z[1], z[2])), sum = 0, p[3];
    for (int c = 0; c < 3; c++)
        sum += p[c] = exp(z[c] - top);
    int best = 0;
    for (int c = 0; c < 3; c++) {
        out->prob[c] = (float)(p[c] / sum);
        if (p[c] > p[best]) best = c;
    }
    out->label = (yq_sentiment_label)(best - 1);
    out->confidence = out->prob[best];
    out->score = (float)((p[2] - p[0]) / sum);
    return 0;
}

/* Sentence ends as the feature extraction sees them: 。！？!?; and newline (a '.' only when a space,
 * a newline or the end follows, so that decimals and abbreviations inside words stay). */
static int ends_sentence(const char *t, size_t len, size_t i, size_t *after) {
    static const char *const cjk[] = {"\xe3\x80\x82", "\xef\xbc\x81", "\xef\xbc\x9f", "\xef\xbc\x9b"};
    unsigned char c = (unsigned char)t[i];
    if (c == '!' || c == '?' || c == ';' || c == '\n' ||
        (c == '.' && (i + 1 == len || t[i + 1] == ' ' || t[i + 1] == '\n'))) {
        *after = i + 1;
        return 1;
    }
    for (int k = 0; k < 4; k++)
        if (i + 3 <= len && !memcmp(t + i, cjk[k], 3)) {
            *after = i + 3;
            return 1;
        }
    return 0;
}

/* Start of the sentence before the one that holds byte `pos`. */
static size_t previous_sentence_start(const char *t, size_t len, size_t pos) {
    size_t previous = 0, current = 0, after;
    for (size_t i = 0; i < pos; i++)
        if (ends_sentence(t, len, i, &after) && after <= pos) previous = current, current = after;
    return previous;
}

/* End of the sentence that holds byte `pos - 1`, moved on over `extra` later sentences. */
static size_t sentence_end(const char *t, size_t len, size_t pos, int extra) {
    size_t after;
    for (size_t i = pos; i < len; i++)
        if (ends_sentence(t, len, i, &after) && extra-- == 0) return after;
    return len;
}

int yq_sentiment_score_mention(const yq_sentiment_model *model, const char *text, size_t len,
                               const char *lang, size_t mention_begin, size_t mention_end,
                               yq_sentiment_result *out) {
    if (!text || mention_begin > mention_end || mention_end > len)
        return yq_error(YQ_EINVAL,
                        "yq_sentiment_score_mention: mention [%zu, %zu) outside a text of %zu bytes",
                        mention_begin, mention_end, len);
    size_t from = previous_sentence_start(text, len, mention_begin);
    size_t to = sentence_end(text, len, mention_end, 1);
    return yq_sentiment_score(model, text + from, to - from, lang, out);
}
