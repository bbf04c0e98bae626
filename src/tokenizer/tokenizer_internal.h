/* The tokenizer object shared by the loaders (tiktoken, tokenizer.json, GGUF) and the
 * encode/decode paths; nothing outside src/tokenizer/ sees it. */
#ifndef YUQING_TOKENIZER_INTERNAL_H
#define YUQING_TOKENIZER_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "tokenizer/bpe.h"
#include "tokenizer/pretok.h"
#include "tokenizer/specials.h"
#include "tokenizer/vocab.h"
#include "yuqing/tokenizer.h"

struct yq_tokenizer {
    yq_vocab vocab;         /* bytes of every id; ordinary tokens indexed */
    yq_bpe merges;          /* (left, right) -> (rank, merged) */
    int32_t byte_ids[256];  /* the token of each single byte: BPE's initial parts */
    int whole_piece_first;  /* a piece that is itself a token is that token (tiktoken; HF
                               ignore_merges) without merging */
    int nfc;                /* normalize ordinary text to NFC before pre-tokenizing */
    yq_pretok pretok;
    yq_specials specials;   /* special and added tokens */
    int32_t bos, eos;       /* -1 when none */
    int adds_bos;
    char *chat_template;    /* NULL when none */
    /* Idle encoders (scratch and caches kept between calls): the one part that changes after
     * loading, under its lock. */
    pthread_mutex_t encoders_lock;
    struct encoder *idle_encoders;
};

/* Frees the idle encoders (encode.c). */
void encoders_free(yq_tokenizer *tok);

/* Loaders: fill a zeroed tokenizer (bos/eos preset to -1) from a file; errors name `path`. */
int tiktoken_load(yq_tokenizer *tok, const char *path, const char *encoding);
int hf_load(yq_tokenizer *tok, const char *path);

/* After a loader has filled vocab and merges: sets byte_ids from the indexed single-byte tokens;
 * YQ_EFORMAT naming `what` if one is missing, YQ_EUNSUPPORTED for too many ids. */
int tokenizer_prepare_bpe(yq_tokenizer *tok, const char *what);

/* The id of a special token's or an ordinary token's exact text, or -1. */
int32_t tokenizer_lookup(const yq_tokenizer *tok, const char *text);

#endif
