/* TEMPORARY stand-in for the sentiment scorer until branch `senti` lands its implementation
 * (this file is deleted at that merge): everything is neutral. */
#include <stdlib.h>

#include "yuqing/error.h"
#include "yuqing/sentiment.h"

struct yq_sentiment_model {
    int unused;
};

int yq_sentiment_open(const char *path, yq_sentiment_model **out) {
    *out = calloc(1, sizeof **out);
    return *out ? YQ_OK : YQ_ENOMEM;
}

void yq_sentiment_close(yq_sentiment_model *model) {
    free(model);
}

int yq_sentiment_score(const yq_sentiment_model *model, const char *text, size_t len, const char *lang,
                       yq_sentiment_result *out) {
    *out = (yq_sentiment_result){YQ_SENTIMENT_NEUTRAL, 0.0f, 1.0f, {0.0f, 1.0f, 0.0f}};
    return YQ_OK;
}

int yq_sentiment_score_mention(const yq_sentiment_model *model, const char *text, size_t len,
                               const char *lang, size_t mention_begin, size_t mention_end,
                               yq_sentiment_result *out) {
    return yq_sentiment_score(model, text, len, lang, out);
}

const char *yq_sentiment_label_name(yq_sentiment_label label) {
    return label < 0 ? "negative" : label > 0 ? "positive" : "neutral";
}
