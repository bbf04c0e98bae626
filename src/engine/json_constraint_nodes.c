/* The node graph of a compiled JSON constraint: storage, the derived start sets and heights,
 * the built-in "any value" nodes, and the constraint's new/free. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine/json_constraint_internal.h"
#include "yuqing/error.h"

void *jc_grow(void *items, uint32_t *cap, uint32_t need, size_t size) {
    if (need <= *cap) return items;
    uint32_t cap2 = *cap ? *cap : 16;
    while (cap2 < need)
        cap2 *= 2;
    void *p = realloc(items, (size_t)cap2 * size);
    if (p) *cap = cap2;
    return p;
}

int jc_add_node(yq_json_constraint *c, enum jc_kind kind) {
    if (c->n_nodes > UINT16_MAX) return -1;
    jc_node *nodes = jc_grow(c->nodes, &c->cap_nodes, c->n_nodes + 1, sizeof *nodes);
    if (!nodes) return -1;
    c->nodes = nodes;
    nodes[c->n_nodes] = (jc_node){.kind = (uint8_t)kind};
    return (int)c->n_nodes++;
}

int jc_add_links(yq_json_constraint *c, const uint16_t *ids, uint32_t n) {
    uint16_t *links = jc_grow(c->links, &c->cap_links, c->n_links + n, sizeof *links);
    if (!links) return -1;
    c->links = links;
    memcpy(links + c->n_links, ids, n * sizeof *ids);
    c->n_links += n;
    return (int)(c->n_links - n);
}

static void add_byte(uint8_t set[32], uint8_t b) {
    set[b >> 3] |= (uint8_t)(1u << (b & 7));
}

static uint8_t max_u8(uint8_t a, uint8_t b) {
    return a > b ? a : b;
}

/* One more level of nesting (saturating; anything past YQ_JSON_MAX_DEPTH is refused anyway). */
static uint8_t nest(uint8_t height) {
    return height < UINT8_MAX ? (uint8_t)(height + 1) : height;
}

void jc_node_finish(yq_json_constraint *c, uint32_t id) {
    jc_node *n = &c->nodes[id];
    memset(n->start, 0, sizeof n->start);
    n->height = 0;
    switch ((enum jc_kind)n->kind) {
    case JC_UNION:
        for (uint32_t i = 0; i < n->n; i++) {
            const jc_node *alt = &c->nodes[c->links[n->first + i]];
            for (int k = 0; k < 32; k++)
                n->start[k] |= alt->start[k];
            n->height = max_u8(n->height, alt->height);
        }
        break;
    case JC_OBJECT:
        for (uint32_t i = 0; i < n->n; i++)
            n->height = max_u8(n->height, c->nodes[c->links[n->first + i]].height);
        n->height = nest(n->height);
        add_byte(n->start, '{');
        break;
    case JC_MAP:
    case JC_ARRAY:
        n->height = nest(c->nodes[n->child].height);
        add_byte(n->start, n->kind == JC_MAP ? '{' : '[');
        break;
    case JC_STRING:
        add_byte(n->start, '"');
        break;
    case JC_NUMBER:
    case JC_INTEGER:
        add_byte(n->start, '-');
        for (int d = '0'; d <= '9'; d++)
            add_byte(n->start, (uint8_t)d);
        break;
    case JC_LITERAL:
        for (uint32_t k = c->tnodes[n->trie].child; k; k = c->tnodes[k].next)
            add_byte(n->start, c->tnodes[k].byte);
        break;
    }
}

/* A literal node holding the space-separated words of `texts`. */
static int add_literals(yq_json_constraint *c, uint32_t id, const char *texts) {
    int root = jc_trie_new(c);
    if (root < 0) return YQ_ENOMEM;
    c->nodes[id].trie = (uint32_t)root;
    for (int32_t i = 0; *texts; i++) {
        size_t len = strcspn(texts, " ");
        if (jc_trie_add(c, (uint32_t)root, texts, len, i, 0) < 0) return YQ_ENOMEM;
        texts += len + (texts[len] == ' ');
    }
    return 0;
}

int jc_add_builtins(yq_json_constraint *c) {
    static const uint8_t kinds[JC_N_BUILTIN] = {[JC_ANY] = JC_UNION,
                                                [JC_ANY_MAP] = JC_MAP,
                                                [JC_ANY_ARRAY] = JC_ARRAY,
                                                [JC_ANY_STRING] = JC_STRING,
                                                [JC_ANY_NUMBER] = JC_NUMBER,
                                                [JC_ANY_INTEGER] = JC_INTEGER,
                                                [JC_TRUE_FALSE_NULL] = JC_LITERAL,
                                                [JC_BOOLEAN] = JC_LITERAL,
                                                [JC_NULL] = JC_LITERAL};
    static const char *const literals[JC_N_BUILTIN] = {
        [JC_TRUE_FALSE_NULL] = "true false null", [JC_BOOLEAN] = "true false", [JC_NULL] = "null"};
    static const uint16_t any_of[] = {JC_ANY_MAP, JC_ANY_ARRAY, JC_ANY_STRING, JC_ANY_NUMBER,
                                      JC_TRUE_FALSE_NULL};
    for (int i = 0; i < JC_N_BUILTIN; i++) {
        if (jc_add_node(c, kinds[i]) < 0) return yq_error(YQ_ENOMEM, "out of memory");
        if (literals[i] && add_literals(c, (uint32_t)i, literals[i]))
            return yq_error(YQ_ENOMEM, "out of memory");
    }
    int first = jc_add_links(c, any_of, sizeof any_of / sizeof *any_of);
    if (first < 0) return yq_error(YQ_ENOMEM, "out of memory");
    c->nodes[JC_ANY].first = (uint32_t)first;
    c->nodes[JC_ANY].n = sizeof any_of / sizeof *any_of;
    c->nodes[JC_ANY_MAP].child = c->nodes[JC_ANY_ARRAY].child = JC_ANY;
    c->nodes[JC_ANY_ARRAY].max_items = UINT64_MAX;
    for (uint32_t i = JC_N_BUILTIN; i-- > 0;)
        jc_node_finish(c, i);
    /* Any value may be a scalar, so at the depth limit "any" still has a way to finish: it never
     * forces nesting, and its own objects and arrays are refused there instead. */
    c->nodes[JC_ANY].height = 0;
    return 0;
}

void yq_json_constraint_free(yq_json_constraint *c) {
    if (!c) return;
    free(c->nodes);
    free(c->links);
    free(c->tnodes);
    free(c);
}

int yq_json_constraint_new(const char *schema_json, size_t len, yq_json_constraint **out) {
    *out = NULL;
    yq_json_constraint *c = calloc(1, sizeof *c);
    if (!c) return yq_error(YQ_ENOMEM, "out of memory");
    int rc = jc_add_builtins(c);
    c->root = JC_ANY_MAP;
    if (!rc && schema_json) {
        const char *end = NULL;
        cJSON *doc = cJSON_ParseWithLengthOpts(schema_json, len, &end, 0);
        rc = doc ? jc_compile(c, doc)
                 : yq_error(YQ_EINVAL, "json schema: not valid JSON (at byte %zu)",
                            end ? (size_t)(end - schema_json) : len);
        cJSON_Delete(doc);
    }
    if (rc) {
        yq_json_constraint_free(c);
        return rc;
    }
    *out = c;
    return 0;
}
