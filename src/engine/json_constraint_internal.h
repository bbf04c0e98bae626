/* The compiled form of a JSON constraint, shared by its schema compiler, literal tries, byte
 * automaton and vocabulary mask (src/engine/json_constraint*.c). */
#ifndef YUQING_JSON_CONSTRAINT_INTERNAL_H
#define YUQING_JSON_CONSTRAINT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "yuqing/json_constraint.h"

enum jc_kind {
    JC_UNION,   /* one of links[first .. first+n), told apart by their first byte */
    JC_OBJECT,  /* properties links[first .. first+n), names in the key trie */
    JC_MAP,     /* any property names, every value `child` */
    JC_ARRAY,   /* items `child`, min_items .. max_items of them */
    JC_STRING,  /* any string */
    JC_NUMBER,  /* any number */
    JC_INTEGER, /* a number without fraction or exponent */
    JC_LITERAL, /* exactly one of the literal texts in the trie (enum, const, boolean, null) */
};

/* The nodes every constraint starts with: "any value" and its parts. */
enum {
    JC_ANY,
    JC_ANY_MAP,
    JC_ANY_ARRAY,
    JC_ANY_STRING,
    JC_ANY_NUMBER,
    JC_ANY_INTEGER,
    JC_TRUE_FALSE_NULL,
    JC_BOOLEAN,
    JC_NULL,
    JC_N_BUILTIN
};

/* What the state's lexer is reading (yq_json_state.lex), and its "between characters" string
 * sub-state. */
enum { JC_LEX_NONE, JC_LEX_STRING, JC_LEX_NUMBER, JC_LEX_LITERAL };
enum { JC_STR_CHAR = 0 };

typedef struct jc_node {
    uint8_t kind;
    uint8_t height;     /* objects and arrays nested inside one another, this one included */
    uint16_t child;     /* array: items; map: values */
    uint32_t first, n;  /* object: properties; union: alternatives (both in links) */
    uint32_t trie;      /* object: property-name trie; literal: value trie */
    uint64_t required;  /* object: bit i when property i is required */
    uint64_t min_items; /* array */
    uint64_t max_items; /* array */
    uint8_t start[32];  /* bit set of the bytes that may begin a value */
} jc_node;

/* A byte trie of literal texts, children as sibling lists. Node 0 is never a child, so 0 also
 * means "none". */
typedef struct jc_tnode {
    uint64_t mask;  /* property names: bit i when name i runs through here; literals: all ones */
    uint32_t child; /* first child */
    uint32_t next;  /* next sibling */
    int32_t term;   /* the text that ends here (property index), or -1 */
    uint8_t byte;   /* the byte leading here from the parent */
} jc_tnode;

struct yq_json_constraint {
    jc_node *nodes;
    uint32_t n_nodes, cap_nodes;
    uint16_t *links;
    uint32_t n_links, cap_links;
    jc_tnode *tnodes;
    uint32_t n_tnodes, cap_tnodes;
    uint16_t root;
};

static inline int jc_has_byte(const uint8_t set[32], uint8_t b) {
    return set[b >> 3] >> (b & 7) & 1;
}

/* Makes room for `need` items of `size` bytes in `items` (capacity *cap, updated): returns the
 * array, perhaps moved, or NULL when out of memory (then `items` is left as it was). */
void *jc_grow(void *items, uint32_t *cap, uint32_t need, size_t size);

/* Appends a blank node / a new trie root; returns its index, or -1 when out of memory or past
 * the index range. */
int jc_add_node(yq_json_constraint *c, enum jc_kind kind);
int jc_trie_new(yq_json_constraint *c);

/* Appends n node ids to links; returns the index of the first, or -1 when out of memory. */
int jc_add_links(yq_json_constraint *c, const uint16_t *ids, uint32_t n);

/* Adds `len` bytes of literal text ending at term (term also selects bit `term` of the mask when
 * `key`) under trie root `root`. Returns 0, 1 when the text was already there, or YQ_ENOMEM. */
int jc_trie_add(yq_json_constraint *c, uint32_t root, const char *text, size_t len, int32_t term, int key);

/* The child of trie node t reached by byte b, or 0. */
uint32_t jc_trie_child(const yq_json_constraint *c, uint32_t t, uint8_t b);

/* The JSON text of a string (escaping only '"', '\\' and control characters) in buf of size cap;
 * returns its length, or 0 when it does not fit or `s` is not well-formed UTF-8. */
size_t jc_quote(const char *s, char *buf, size_t cap);

/* Fills the node's start set (from its kind, trie or alternatives) and height. */
void jc_node_finish(yq_json_constraint *c, uint32_t node);

/* Builds the nodes of "any value" (JC_ANY .. JC_NULL). Returns 0 or YQ_ENOMEM. */
int jc_add_builtins(yq_json_constraint *c);

/* Compiles a schema document into c (after the builtins) and sets c->root. Returns 0 or YQ_E*. */
struct cJSON;
int jc_compile(yq_json_constraint *c, const struct cJSON *schema);

/* One byte of output: 1 when accepted (s updated), 0 when not (s then undefined). */
int jc_step(const yq_json_constraint *c, yq_json_state *s, uint8_t b);

/* 1 when s is inside a string, between characters and escapes: a state that every "plain" token
 * (jc_plain_string) leaves as it is. */
static inline int jc_clean_string(const yq_json_state *s) {
    return s->lex == JC_LEX_STRING && s->sub == JC_STR_CHAR;
}

/* 1 when bytes[0..n) are string content that, fed in a clean string state, ends in one: no quote,
 * backslash or control character, and whole well-formed UTF-8 characters. */
int jc_plain_string(const uint8_t *bytes, size_t n);

/* Copies the part of a state in use (its frames up to depth). */
static inline void jc_state_copy(yq_json_state *dst, const yq_json_state *src) {
    size_t used = offsetof(yq_json_state, frames) + (size_t)(src->depth + 1) * sizeof src->frames[0];
    memcpy(dst, src, used);
}

#endif
