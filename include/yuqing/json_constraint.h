/* Constrained decoding for JSON: a JSON Schema subset compiled to a byte-level automaton, and the
 * mask of vocabulary tokens that keep a model's output a valid prefix. See docs/JSON_SCHEMA.md. */
#ifndef YUQING_JSON_CONSTRAINT_H
#define YUQING_JSON_CONSTRAINT_H

#include <stddef.h>
#include <stdint.h>

#include "yuqing/tokenizer.h"

#define YQ_JSON_MAX_DEPTH 32 /* objects and arrays open at once */
#define YQ_JSON_MAX_WS 20    /* whitespace characters in a row between tokens */

/* A compiled schema: immutable once made, so one may be shared by any number of threads. */
typedef struct yq_json_constraint yq_json_constraint;

/* Compiles `len` bytes of JSON Schema (the subset of docs/JSON_SCHEMA.md); schema_json NULL means
 * any JSON object (OpenAI's "json_object" mode) and "{}" any JSON value. Free with
 * yq_json_constraint_free. Errors, each a one-line message naming the schema path as a JSON
 * pointer ("json schema #/properties/a: unsupported keyword 'minimum'"):
 * YQ_EINVAL (not JSON, or an inconsistent schema: unknown required name, empty enum, ...),
 * YQ_EUNSUPPORTED (a keyword or combination outside the subset, named), YQ_ERANGE (more than 64
 * properties in one object, nesting beyond YQ_JSON_MAX_DEPTH), YQ_ENOMEM. */
int yq_json_constraint_new(const char *schema_json, size_t len, yq_json_constraint **out);
void yq_json_constraint_free(yq_json_constraint *c);

/* One open object or array (or, at frames[0], the top level). Private to the automaton. */
typedef struct yq_json_frame {
    uint64_t count; /* object: bit i set once property i has appeared; array: items so far */
    uint16_t node;  /* compiled schema node of the container */
    uint8_t phase;  /* what may come next */
    uint8_t prop;   /* object: the property whose value is being read */
} yq_json_frame;

/* The decoding state of one sequence: a fixed-size value, copied by assignment, so that trying
 * a token is a copy and a few byte steps. Its fields are private to the automaton. */
typedef struct yq_json_state {
    uint32_t trie;  /* literal being matched (enum value, property name): its trie node */
    uint16_t ucode; /* \uXXXX: the code unit's digits so far */
    uint8_t lex;    /* scalar being read: none, string, number, literal */
    uint8_t sub;    /* the lexer's own state */
    uint8_t need;   /* UTF-8 continuation bytes still due; \u hex digits read */
    uint8_t lo, hi; /* UTF-8: the range of the next continuation byte */
    uint8_t flags;  /* lexer flags: key, integer only, low surrogate due */
    uint8_t ws;     /* whitespace characters in a row so far */
    uint8_t depth;  /* index of the innermost frame */
    yq_json_frame frames[YQ_JSON_MAX_DEPTH + 1];
} yq_json_state;

/* Sets *s to the start of a value that `c` accepts. */
void yq_json_state_init(const yq_json_constraint *c, yq_json_state *s);

/* Feeds `n` bytes of output. Returns 0 when they keep the output a prefix of some text that the
 * schema accepts (and updates *s), -1 when not (and leaves *s unchanged). Thread-safe for distinct
 * states on a shared constraint. */
int yq_json_state_feed(const yq_json_constraint *c, yq_json_state *s, const char *bytes, size_t n);

/* 1 when the output so far is a complete value that the schema accepts, else 0. After an object,
 * array, string or literal nothing but whitespace may follow; after a bare top-level number more
 * digits still may, so the caller should then allow EOS alongside the token mask rather than stop
 * at once. */
int yq_json_state_complete(const yq_json_constraint *c, const yq_json_state *s);

/* A tokenizer's vocabulary arranged for masking (a trie of token bytes): built once per
 * tokenizer, immutable, shareable across threads and across constraints. */
typedef struct yq_json_vocab yq_json_vocab;

/* Builds the view of `tok` (borrowed only during the call). Special and added tokens (those that
 * yq_tokenizer_special_id finds by their text) and empty tokens are never allowed. Errors:
 * YQ_EUNSUPPORTED when some byte that JSON text needs has no single-byte token (then a mask could
 * leave no way to finish), YQ_ENOMEM. Free with yq_json_vocab_free. */
int yq_json_vocab_new(const yq_tokenizer *tok, yq_json_vocab **out);
void yq_json_vocab_free(yq_json_vocab *v);

/* Number of ids the vocabulary spans (the size of the `allowed` array below). */
int32_t yq_json_vocab_size(const yq_json_vocab *v);

/* Fills allowed[0 .. yq_json_vocab_size(v)) with 1 for every token whose bytes can be fed in
 * state `s` (yq_json_state_feed would return 0) and 0 for the rest. EOS is never set: the caller
 * allows it when yq_json_state_complete says so. Except when complete, at least one token is
 * allowed. Thread-safe. Returns 0, or YQ_ENOMEM (allowed is then all 0). */
int yq_json_allowed_tokens(const yq_json_constraint *c, const yq_json_vocab *v, const yq_json_state *s,
                           uint8_t *allowed);

#endif
