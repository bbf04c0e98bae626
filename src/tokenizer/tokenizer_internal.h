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
    uint32_t *char_ids;     /* (0x10000) the token a 2- or 3-byte character may start as instead
                               of its bytes, and where (char_start.h) */
    int whole_piece_first;  /* a piece that is itself a token is that token (tiktoken; HF
                               ignore_merges) without merging */
    int nfc;                /* normalize ordinary text to NFC before pre-tokenizing */
    int spm;                /* SentencePiece BPE: parts start as characters, and a character
                               without a token becomes byte tokens (byte_ids: <0xNN>) */
    int strip_space_prefix; /* yq_tokenizer_decode drops SentencePiece's dummy prefix space */
    yq_pretok pretok;
    yq_specials specials; /* special and added tokens */
    int32_t bos, eos;     /* -1 when none */
    int adds_bos;
    char *chat_template; /* NULL when none */
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
int gguf_vocab_load(yq_tokenizer *tok, const char *path);

/* SentencePiece BPE of one piece (spm.c): appends its ids to `out`. */
int spm_encode_piece(const yq_tokenizer *tok, bpe_scratch *scratch, const uint8_t *s, size_t n, yq_ids *out);

/* After a loader has filled vocab and merges: sets byte_ids from the indexed single-byte tokens;
 * YQ_EFORMAT naming `what` if one is missing, YQ_EUNSUPPORTED for too many ids. */
int tokenizer_prepare_bpe(yq_tokenizer *tok, const char *what);

/* After tokenizer_prepare_bpe (which calls it): sets char_ids from the merges. 0 or
 * YQ_ENOMEM. */
int tokenizer_prepare_chars(yq_tokenizer *tok);

/* A merge of a merge list, as ids. */
typedef struct merge_ids {
    int32_t left, right, merged;
} merge_ids;

/* Fills tok->merges from a ranked merge list (rank = position). Where the merged ids rise with
 * the position (GPT-2, Qwen), the ids themselves order the merges the same way and serve as
 * ranks, sparing a lookup per merge. 0, YQ_ENOMEM or YQ_EUNSUPPORTED. */
int tokenizer_set_merges(yq_tokenizer *tok, const merge_ids *list, uint32_t n);

/* The id of a special token's or an ordinary token's exact text, or -1. */
int32_t tokenizer_lookup(const yq_tokenizer *tok, const char *text);

#endif
