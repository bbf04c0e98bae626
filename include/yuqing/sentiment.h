/* Built-in sentiment analyzer: polarity of Chinese and English text from a compact trained linear
 * model (hashed character/word n-grams plus lexicon features with negation, degree-adverb and
 * contrast rules). The library call behind `yuqing sentiment` and the analyze stage's sentiment. */
#ifndef YUQING_SENTIMENT_H
#define YUQING_SENTIMENT_H

#include <stddef.h>

/* Label values follow the sign of the polarity. */
typedef enum {
    YQ_SENTIMENT_NEGATIVE = -1,
    YQ_SENTIMENT_NEUTRAL = 0,
    YQ_SENTIMENT_POSITIVE = 1,
} yq_sentiment_label;

typedef struct yq_sentiment_result {
    yq_sentiment_label label; /* the most probable class */
    float score;              /* polarity in [-1, 1]: P(positive) - P(negative) */
    float confidence;         /* probability of `label`, in [1/3, 1] */
    float prob[3];            /* P(negative), P(neutral), P(positive); they sum to 1 */
} yq_sentiment_result;

/* A loaded model: immutable after yq_sentiment_open, so any number of threads may score with
 * one model at the same time (each call uses only its own stack and heap memory). */
typedef struct yq_sentiment_model yq_sentiment_model;

/* Loads the model file at `path`, or, when `path` is NULL, the runtime data file
 * sentiment/model.bin (found as include/yuqing/datadir.h says: $YUQING_DATA_DIR, the source
 * tree's data/ beside a build folder, EXEDIR/../share/yuqing, the install prefix). *out must be released with
 * yq_sentiment_close. Errors: YQ_ENOENT (no model file found), YQ_EFORMAT (bad or truncated
 * file, wrong version), YQ_ENOMEM. */
int yq_sentiment_open(const char *path, yq_sentiment_model **out);

/* Frees the model; NULL is allowed. */
void yq_sentiment_close(yq_sentiment_model *model);

/* Classifies `len` bytes of UTF-8 `text` (need not be NUL-terminated; malformed bytes are
 * tolerated). `lang` is "zh", "en" or NULL to detect it from the script of the text; it selects
 * the language's bias and lexicon weights, while n-gram features of both scripts always count.
 * Negation ("不/没有/not/never" before a sentiment word), degree adverbs ("非常/有点/very/
 * slightly") and contrast ("虽然…但是/although…but": the clause after the contrast counts more
 * than the one before) are applied. Empty text or text without features gives neutral with
 * score 0 at the model's prior. Fills *out; returns 0, or YQ_EINVAL for a NULL model/out or
 * NULL text with len > 0, YQ_ENOMEM. Thread-safe. Cost: linear in `len`, no global state. */
int yq_sentiment_score(const yq_sentiment_model *model, const char *text, size_t len, const char *lang,
                       yq_sentiment_result *out);

/* Sentiment toward one mention (e.g. of a watched company): classifies the sentence that holds
 * the bytes [mention_begin, mention_end) of `text`, together with the sentence before and the
 * one after it. Same contract as yq_sentiment_score; YQ_EINVAL when the range is outside the
 * text. */
int yq_sentiment_score_mention(const yq_sentiment_model *model, const char *text, size_t len, const char *lang,
                               size_t mention_begin, size_t mention_end, yq_sentiment_result *out);

/* "positive", "neutral" or "negative". */
const char *yq_sentiment_label_name(yq_sentiment_label label);

#endif
