/* The byte automaton of a JSON constraint: RFC 8259 text read one byte at a time against the
 * compiled schema, with a bounded stack of open objects and arrays and bounded whitespace. */
#include <string.h>

#include "engine/json_constraint_internal.h"

/* What may come next in a frame. */
enum phase {
    P_ROOT_VALUE, /* the top-level value */
    P_ROOT_DONE,  /* only whitespace */
    P_OBJ_START,  /* after '{': a name or '}' */
    P_OBJ_COLON,  /* after a name */
    P_OBJ_VALUE,  /* after ':' */
    P_OBJ_AFTER,  /* after a value: ',' or '}' */
    P_OBJ_NEXT,   /* after ',': a name */
    P_ARR_START,  /* after '[': a value or ']' */
    P_ARR_AFTER,  /* after a value: ',' or ']' */
    P_ARR_NEXT,   /* after ',': a value */
};

enum string_sub { S_CHAR = JC_STR_CHAR, S_UTF8, S_ESC, S_HEX, S_LOW_BACKSLASH, S_LOW_U };
enum number_sub { N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_E, N_ESIGN, N_EXP, N_NONE };
enum lexer_flag { F_KEY = 1, F_INTEGER = 2, F_LOW = 4 };

/* What a lexer did with a byte: refused it, took it, ended its value without taking it, or took
 * it as a string's closing quote. */
enum { REJECT, EAT, PASS, CLOSE };

static int is_ws(uint8_t b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
}

/* The schema node of the value that comes next in the innermost frame. */
static uint32_t value_node(const yq_json_constraint *c, const yq_json_state *s) {
    const yq_json_frame *f = &s->frames[s->depth];
    const jc_node *n = &c->nodes[f->node];
    if (s->depth == 0) return f->node;
    return n->kind == JC_OBJECT ? c->links[n->first + f->prop] : n->child;
}

/* The innermost frame's value has ended (a scalar, or a container just closed). */
static void value_done(yq_json_state *s) {
    yq_json_frame *f = &s->frames[s->depth];
    s->lex = JC_LEX_NONE;
    if (s->depth == 0) {
        f->phase = P_ROOT_DONE;
    } else if (f->phase == P_OBJ_VALUE) {
        f->phase = P_OBJ_AFTER;
    } else {
        f->count++;
        f->phase = P_ARR_AFTER;
    }
}

/* A property name has ended. */
static void name_done(yq_json_state *s) {
    s->lex = JC_LEX_NONE;
    s->frames[s->depth].phase = P_OBJ_COLON;
}

/* 1 when trie node t can still lead to a literal: for a name, one not yet in the object. */
static int literal_open(const yq_json_constraint *c, const yq_json_state *s, uint32_t t) {
    return t && (!(s->flags & F_KEY) || (c->tnodes[t].mask & ~s->frames[s->depth].count));
}

/* Moves a literal to trie node t, ending it when t is a leaf. */
static void literal_to(const yq_json_constraint *c, yq_json_state *s, uint32_t t) {
    s->trie = t;
    if (c->tnodes[t].child) return;
    if (!(s->flags & F_KEY)) {
        value_done(s);
        return;
    }
    yq_json_frame *f = &s->frames[s->depth]; /* a name of a schema object: property `term` */
    f->count |= (uint64_t)1 << c->tnodes[t].term;
    f->prop = (uint8_t)c->tnodes[t].term;
    name_done(s);
}

static int literal_byte(const yq_json_constraint *c, yq_json_state *s, uint8_t b) {
    uint32_t t = jc_trie_child(c, s->trie, b);
    if (literal_open(c, s, t)) {
        literal_to(c, s, t);
        return EAT;
    }
    if (c->tnodes[s->trie].term < 0) return REJECT;
    value_done(s); /* a number literal such as 1 of enum [1, 10] ends at the next byte */
    return PASS;
}

static int start_literal(const yq_json_constraint *c, yq_json_state *s, uint32_t root, uint8_t b, int key) {
    s->flags = key ? F_KEY : 0;
    uint32_t t = jc_trie_child(c, root, b);
    if (!literal_open(c, s, t)) return 0;
    s->lex = JC_LEX_LITERAL;
    literal_to(c, s, t);
    return 1;
}

static int number_terminal(uint8_t sub) {
    return sub == N_ZERO || sub == N_INT || sub == N_FRAC || sub == N_EXP;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? as transitions on classes of bytes. */
static int number_byte(yq_json_state *s, uint8_t b) {
    enum { C_ZERO, C_DIGIT, C_SIGN, C_DOT, C_E, C_OTHER };
    static const uint8_t next[8][5] = {
        [N_MINUS] = {N_ZERO, N_INT, N_NONE, N_NONE, N_NONE},
        [N_ZERO] = {N_NONE, N_NONE, N_NONE, N_DOT, N_E},
        [N_INT] = {N_INT, N_INT, N_NONE, N_DOT, N_E},
        [N_DOT] = {N_FRAC, N_FRAC, N_NONE, N_NONE, N_NONE},
        [N_FRAC] = {N_FRAC, N_FRAC, N_NONE, N_NONE, N_E},
        [N_E] = {N_EXP, N_EXP, N_ESIGN, N_NONE, N_NONE},
        [N_ESIGN] = {N_EXP, N_EXP, N_NONE, N_NONE, N_NONE},
        [N_EXP] = {N_EXP, N_EXP, N_NONE, N_NONE, N_NONE},
    };
    int cls = b == '0'               ? C_ZERO
              : b >= '1' && b <= '9' ? C_DIGIT
              : b == '+' || b == '-' ? C_SIGN
              : b == '.'             ? C_DOT
              : b == 'e' || b == 'E' ? C_E
                                     : C_OTHER;
    int integer_only = (s->flags & F_INTEGER) && (cls == C_DOT || cls == C_E);
    uint8_t to = cls == C_OTHER || integer_only ? N_NONE : next[s->sub][cls];
    if (to != N_NONE) {
        s->sub = to;
        return EAT;
    }
    if (!number_terminal(s->sub)) return REJECT;
    value_done(s);
    return PASS;
}

/* A UTF-8 lead byte: sets the count and range of the continuation bytes due (RFC 3629). */
static int utf8_lead(yq_json_state *s, uint8_t b) {
    if (b < 0xC2 || b > 0xF4) return REJECT;
    s->need = b < 0xE0 ? 1 : b < 0xF0 ? 2 : 3;
    s->lo = b == 0xE0 ? 0xA0 : b == 0xF0 ? 0x90 : 0x80;
    s->hi = b == 0xED ? 0x9F : b == 0xF4 ? 0x8F : 0xBF;
    s->sub = S_UTF8;
    return EAT;
}

static int utf8_continue(yq_json_state *s, uint8_t b) {
    if (b < s->lo || b > s->hi) return REJECT;
    s->lo = 0x80;
    s->hi = 0xBF;
    if (--s->need == 0) s->sub = S_CHAR;
    return EAT;
}

/* A hex digit of \uXXXX. Surrogates must pair: a high one (D800-DBFF) is followed by \u and a
 * low one (DC00-DFFF), and a low one never stands alone; both are refused at the first digit
 * that decides it, so that no prefix is a dead end. */
static int hex_digit(yq_json_state *s, uint8_t b) {
    int h = b >= '0' && b <= '9'   ? b - '0'
            : b >= 'a' && b <= 'f' ? b - 'a' + 10
            : b >= 'A' && b <= 'F' ? b - 'A' + 10
                                   : -1;
    if (h < 0) return REJECT;
    int low = s->flags & F_LOW;
    s->ucode = (uint16_t)(s->ucode << 4 | h);
    s->need++;
    if (low && ((s->need == 1 && h != 0xD) || (s->need == 2 && h < 0xC))) return REJECT;
    if (!low && s->need == 2 && (s->ucode & 0xFC) == 0xDC) return REJECT;
    if (s->need < 4) return EAT;
    s->flags &= (uint8_t)~F_LOW;
    s->sub = S_CHAR;
    if (!low && s->ucode >= 0xD800 && s->ucode <= 0xDBFF) {
        s->flags |= F_LOW;
        s->sub = S_LOW_BACKSLASH;
    }
    return EAT;
}

static int escape_byte(yq_json_state *s, uint8_t b) {
    if (b == 'u') {
        s->sub = S_HEX;
        s->need = 0;
        s->ucode = 0;
        return EAT;
    }
    if (!b || !strchr("\"\\/bfnrt", b)) return REJECT;
    s->sub = S_CHAR;
    return EAT;
}

/* One byte inside a string (the opening quote already read). */
static int string_byte(yq_json_state *s, uint8_t b) {
    switch (s->sub) {
    case S_CHAR:
        if (b == '"') return CLOSE;
        if (b == '\\') {
            s->sub = S_ESC;
            return EAT;
        }
        return b < 0x20 ? REJECT : b < 0x80 ? EAT : utf8_lead(s, b);
    case S_UTF8:
        return utf8_continue(s, b);
    case S_ESC:
        return escape_byte(s, b);
    case S_HEX:
        return hex_digit(s, b);
    case S_LOW_BACKSLASH:
        s->sub = S_LOW_U;
        return b == '\\' ? EAT : REJECT;
    default: /* S_LOW_U */
        return b == 'u' ? escape_byte(s, b) : REJECT;
    }
}

static int push(yq_json_state *s, uint32_t node, enum phase phase) {
    if (s->depth == YQ_JSON_MAX_DEPTH) return 0;
    s->frames[++s->depth] = (yq_json_frame){.node = (uint16_t)node, .phase = (uint8_t)phase};
    return 1;
}

/* The first byte of a value of schema node `id`. */
static int start_value(const yq_json_constraint *c, yq_json_state *s, uint32_t id, uint8_t b) {
    if (!jc_has_byte(c->nodes[id].start, b)) return 0;
    while (c->nodes[id].kind == JC_UNION) {
        const jc_node *u = &c->nodes[id];
        uint32_t k = 0;
        while (!jc_has_byte(c->nodes[c->links[u->first + k]].start, b))
            k++;
        id = c->links[u->first + k];
    }
    const jc_node *n = &c->nodes[id];
    switch (n->kind) {
    case JC_OBJECT:
    case JC_MAP:
        return push(s, id, P_OBJ_START);
    case JC_ARRAY:
        return push(s, id, P_ARR_START);
    case JC_STRING:
        s->lex = JC_LEX_STRING;
        s->sub = S_CHAR;
        s->flags = 0;
        return 1;
    case JC_NUMBER:
    case JC_INTEGER:
        s->lex = JC_LEX_NUMBER;
        s->sub = b == '-' ? N_MINUS : b == '0' ? N_ZERO : N_INT;
        s->flags = n->kind == JC_INTEGER ? F_INTEGER : 0;
        return 1;
    default: /* JC_LITERAL */
        return start_literal(c, s, n->trie, b, 0);
    }
}

/* The opening quote of a property name. */
static int start_key(const yq_json_constraint *c, yq_json_state *s, uint8_t b) {
    const jc_node *n = &c->nodes[s->frames[s->depth].node];
    if (n->kind == JC_OBJECT) return start_literal(c, s, n->trie, b, 1);
    if (b != '"') return 0;
    s->lex = JC_LEX_STRING;
    s->sub = S_CHAR;
    s->flags = F_KEY;
    return 1;
}

/* 1 when the object of frame f may end: all its required properties are there. */
static int object_may_end(const yq_json_constraint *c, const yq_json_frame *f) {
    const jc_node *n = &c->nodes[f->node];
    return n->kind == JC_MAP || !(n->required & ~f->count);
}

/* 1 when another property may follow in the object of frame f. */
static int object_may_grow(const yq_json_constraint *c, const yq_json_frame *f) {
    const jc_node *n = &c->nodes[f->node];
    return n->kind == JC_MAP || (c->tnodes[n->trie].mask & ~f->count);
}

/* Closes the innermost container when `allowed`. */
static int pop(yq_json_state *s, int allowed) {
    if (!allowed) return 0;
    s->depth--;
    value_done(s);
    return 1;
}

/* A byte between values: whitespace, punctuation or the start of a value or name. */
static int structural(const yq_json_constraint *c, yq_json_state *s, uint8_t b) {
    yq_json_frame *f = &s->frames[s->depth];
    const jc_node *n = &c->nodes[f->node];
    if (is_ws(b)) {
        if (s->ws == YQ_JSON_MAX_WS) return 0;
        s->ws++;
        return 1;
    }
    s->ws = 0;
    switch ((enum phase)f->phase) {
    case P_ROOT_VALUE:
    case P_OBJ_VALUE:
    case P_ARR_NEXT:
        return start_value(c, s, value_node(c, s), b);
    case P_ROOT_DONE:
        return 0;
    case P_OBJ_START:
        return b == '}' ? pop(s, object_may_end(c, f)) : start_key(c, s, b);
    case P_OBJ_COLON:
        f->phase = P_OBJ_VALUE;
        return b == ':';
    case P_OBJ_AFTER:
        if (b == '}') return pop(s, object_may_end(c, f));
        f->phase = P_OBJ_NEXT;
        return b == ',' && object_may_grow(c, f);
    case P_OBJ_NEXT:
        return start_key(c, s, b);
    case P_ARR_START:
        if (b == ']') return pop(s, f->count >= n->min_items);
        return n->max_items > 0 && start_value(c, s, value_node(c, s), b);
    case P_ARR_AFTER:
        if (b == ']') return pop(s, f->count >= n->min_items);
        f->phase = P_ARR_NEXT;
        return b == ',' && f->count < n->max_items;
    }
    return 0;
}

/* The closing quote of a string: a value, or a name in a map. */
static int string_closed(yq_json_state *s) {
    if (s->flags & F_KEY)
        name_done(s);
    else
        value_done(s);
    return EAT;
}

int jc_step(const yq_json_constraint *c, yq_json_state *s, uint8_t b) {
    int r = PASS;
    if (s->lex == JC_LEX_STRING)
        r = string_byte(s, b);
    else if (s->lex == JC_LEX_NUMBER)
        r = number_byte(s, b);
    else if (s->lex == JC_LEX_LITERAL)
        r = literal_byte(c, s, b);
    if (r == CLOSE) r = string_closed(s);
    return r == PASS ? structural(c, s, b) : r == EAT;
}

int jc_plain_string(const uint8_t *bytes, size_t n) {
    yq_json_state s = {.lex = JC_LEX_STRING, .sub = S_CHAR};
    for (size_t i = 0; i < n; i++)
        if (string_byte(&s, bytes[i]) != EAT) return 0;
    return jc_clean_string(&s);
}

void yq_json_state_init(const yq_json_constraint *c, yq_json_state *s) {
    memset(s, 0, sizeof *s);
    s->frames[0].node = c->root;
    s->frames[0].phase = P_ROOT_VALUE;
}

int yq_json_state_feed(const yq_json_constraint *c, yq_json_state *s, const char *bytes, size_t n) {
    yq_json_state t;
    jc_state_copy(&t, s);
    for (size_t i = 0; i < n; i++)
        if (!jc_step(c, &t, (uint8_t)bytes[i])) return -1;
    jc_state_copy(s, &t);
    return 0;
}

int yq_json_state_complete(const yq_json_constraint *c, const yq_json_state *s) {
    if (s->depth) return 0;
    if (s->frames[0].phase == P_ROOT_DONE) return 1;
    if (s->lex == JC_LEX_NUMBER) return number_terminal(s->sub);
    return s->lex == JC_LEX_LITERAL && c->tnodes[s->trie].term >= 0;
}
