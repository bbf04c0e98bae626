/* JSON Schema to constraint nodes: walks a parsed schema (the subset of docs/JSON_SCHEMA.md) and
 * refuses, by name and schema path, every keyword and combination outside it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine/json_constraint_internal.h"
#include "yuqing/error.h"

#define MAX_LEVELS 100 /* schemas nested in one another */
#define MAX_REFS 256   /* distinct $ref targets */
#define MAX_ALTS 64    /* alternatives of one anyOf/oneOf */
#define PATH_LEN 256

/* A $ref target: compiled once, and refused when met again while being compiled (recursion). */
typedef struct ref_memo {
    const cJSON *target;
    uint16_t node;
    uint8_t busy;
} ref_memo;

typedef struct compiler {
    yq_json_constraint *c;
    const cJSON *doc; /* the whole schema, which $ref pointers start from */
    ref_memo refs[MAX_REFS];
    int n_refs;
    int levels;
} compiler;

/* Keywords that say nothing about valid values, and those that the subset understands. */
static const char *const annotations[] = {"title",   "description", "$schema",    "$id",      "$comment",
                                          "default", "examples",    "deprecated", "readOnly", "writeOnly",
                                          "$defs",   "definitions", NULL};
static const char *const keywords[] = {"type",  "properties", "required", "additionalProperties",
                                       "items", "minItems",   "maxItems", "enum",
                                       "const", "anyOf",      "oneOf",    "$ref",
                                       NULL};

static int compile(compiler *k, const cJSON *s, const char *path, uint16_t *out);

static int listed(const char *const *list, const char *name) {
    for (; *list; list++)
        if (!strcmp(*list, name)) return 1;
    return 0;
}

static const cJSON *get(const cJSON *s, const char *name) {
    return cJSON_GetObjectItemCaseSensitive(s, name);
}

static int oom(void) {
    return yq_error(YQ_ENOMEM, "out of memory");
}

/* Every keyword of s is one the subset knows; with `alone`, none but annotations goes with it. */
static int check_keywords(const cJSON *s, const char *path, const char *alone) {
    const cJSON *kw;
    cJSON_ArrayForEach(kw, s) {
        if (listed(annotations, kw->string)) continue;
        if (!listed(keywords, kw->string))
            return yq_error(YQ_EUNSUPPORTED, "json schema %s: unsupported keyword '%s'", path, kw->string);
        if (alone && strcmp(kw->string, alone) != 0)
            return yq_error(YQ_EUNSUPPORTED, "json schema %s: '%s' combined with '%s'", path, alone,
                            kw->string);
    }
    return 0;
}

/* The index of a new node of `kind` for the caller to fill in, or a YQ_E* code. */
static int new_node(yq_json_constraint *c, enum jc_kind kind, const char *path) {
    int id = jc_add_node(c, kind);
    return id >= 0 ? id
                   : yq_error(YQ_ERANGE, "json schema %s: more than %d nodes (or out of memory)", path,
                              UINT16_MAX);
}

/* Like new_node, with an empty trie of its own (objects, literals). */
static int new_trie_node(yq_json_constraint *c, enum jc_kind kind, const char *path) {
    int id = new_node(c, kind, path);
    if (id < 0) return id;
    int root = jc_trie_new(c);
    if (root < 0) return oom();
    c->nodes[id].trie = (uint32_t)root;
    return id;
}

/* Adds string s, in its JSON spelling, to trie `root`: 0, 1 when already there, or an error. */
static int add_string(yq_json_constraint *c, uint32_t root, const char *s, int32_t term, int key,
                      const char *path) {
    size_t cap = 6 * strlen(s) + 3;
    char *text = malloc(cap);
    if (!text) return oom();
    size_t len = jc_quote(s, text, cap);
    int rc = len ? jc_trie_add(c, root, text, len, term, key)
                 : yq_error(YQ_EINVAL, "json schema %s: a string that is not well-formed UTF-8", path);
    free(text);
    return rc;
}

/* A byte for a message: 'c' when printable, else 0xNN. */
static void describe_byte(uint8_t b, char out[8]) {
    if (b > 0x20 && b < 0x7F)
        snprintf(out, 8, "'%c'", b);
    else
        snprintf(out, 8, "0x%02x", b);
}

/* One node for alternatives that their first byte tells apart. */
static int make_union(compiler *k, const uint16_t *alts, int n, const char *path, uint16_t *out) {
    yq_json_constraint *c = k->c;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            for (int b = 0; b < 256; b++) {
                if (!jc_has_byte(c->nodes[alts[i]].start, (uint8_t)b) ||
                    !jc_has_byte(c->nodes[alts[j]].start, (uint8_t)b))
                    continue;
                char what[8];
                describe_byte((uint8_t)b, what);
                return yq_error(YQ_EUNSUPPORTED,
                                "json schema %s: alternatives %d and %d may both begin with %s (alternatives "
                                "must differ in their first character)",
                                path, i, j, what);
            }
    if (n == 1) {
        *out = alts[0];
        return 0;
    }
    int id = new_node(c, JC_UNION, path);
    if (id < 0) return id;
    int first = jc_add_links(c, alts, (uint32_t)n);
    if (first < 0) return oom();
    c->nodes[id].first = (uint32_t)first;
    c->nodes[id].n = (uint32_t)n;
    jc_node_finish(c, (uint32_t)id);
    *out = (uint16_t)id;
    return 0;
}

/* anyOf / oneOf: with alternatives that differ in their first byte, at most one can match, so
 * the two are the same. */
static int compile_alternatives(compiler *k, const cJSON *list, const char *name, const char *path,
                                uint16_t *out) {
    int n = cJSON_GetArraySize(list);
    if (!cJSON_IsArray(list) || n == 0)
        return yq_error(YQ_EINVAL, "json schema %s: '%s' must be a non-empty array", path, name);
    if (n > MAX_ALTS) return yq_error(YQ_ERANGE, "json schema %s: more than %d alternatives", path, MAX_ALTS);
    uint16_t alts[MAX_ALTS];
    const cJSON *alt;
    int i = 0;
    cJSON_ArrayForEach(alt, list) {
        char sub[PATH_LEN];
        snprintf(sub, sizeof sub, "%s/%s/%d", path, name, i);
        int rc = compile(k, alt, sub, &alts[i++]);
        if (rc) return rc;
    }
    return make_union(k, alts, n, path, out);
}

/* The node of a JSON pointer "#/a/b" into the schema document (objects only), or NULL. */
static const cJSON *resolve_pointer(const cJSON *doc, const char *ref) {
    if (*ref++ != '#') return NULL;
    const cJSON *at = doc;
    while (at && *ref) {
        char seg[PATH_LEN];
        size_t n = 0;
        if (*ref++ != '/') return NULL;
        for (; *ref && *ref != '/'; ref++) {
            char ch = *ref;
            if (ch == '~') {
                ch = ref[1] == '1' ? '/' : ref[1] == '0' ? '~' : 0;
                if (!ch) return NULL;
                ref++;
            }
            if (n + 1 == sizeof seg) return NULL;
            seg[n++] = ch;
        }
        seg[n] = 0;
        at = get(at, seg);
    }
    return at;
}

/* Compiles a schema reachable by pointer once, however often it is referred to. */
static int compile_target(compiler *k, const cJSON *target, const char *pointer, uint16_t *out) {
    for (int i = 0; i < k->n_refs; i++) {
        if (k->refs[i].target != target) continue;
        if (k->refs[i].busy) return yq_error(YQ_EUNSUPPORTED, "json schema %s: recursive $ref", pointer);
        *out = k->refs[i].node;
        return 0;
    }
    if (k->n_refs == MAX_REFS)
        return yq_error(YQ_ERANGE, "json schema %s: more than %d $ref targets", pointer, MAX_REFS);
    ref_memo *m = &k->refs[k->n_refs++];
    *m = (ref_memo){.target = target, .busy = 1};
    int rc = compile(k, target, pointer, &m->node);
    m->busy = 0;
    *out = m->node;
    return rc;
}

static int compile_ref(compiler *k, const cJSON *ref, const char *path, uint16_t *out) {
    const cJSON *target = cJSON_IsString(ref) ? resolve_pointer(k->doc, ref->valuestring) : NULL;
    if (!target)
        return yq_error(YQ_EINVAL,
                        "json schema %s: $ref does not resolve (only \"#/...\" pointers into this schema)",
                        path);
    return compile_target(k, target, ref->valuestring, out);
}

/* The type name of an enum value ("integer" for a number printed without fraction or exponent). */
static const char *value_type(const cJSON *v, const char *text) {
    if (cJSON_IsString(v)) return "string";
    if (cJSON_IsBool(v)) return "boolean";
    if (cJSON_IsNull(v)) return "null";
    return strpbrk(text, ".eE") ? "number" : "integer";
}

/* 1 when `type` (absent, a name or an array of names) admits values of type `name`. */
static int type_admits(const cJSON *type, const char *name) {
    if (!type) return 1;
    if (cJSON_IsArray(type)) {
        const cJSON *t;
        cJSON_ArrayForEach(t, type) if (type_admits(t, name)) return 1;
        return 0;
    }
    return cJSON_IsString(type) && (!strcmp(type->valuestring, name) ||
                                    (!strcmp(name, "integer") && !strcmp(type->valuestring, "number")));
}

/* Adds an enum/const value as the one spelling that will be accepted: a string quoted as
 * jc_quote does, a number as cJSON prints it. */
static int add_value(compiler *k, uint32_t root, const cJSON *v, const cJSON *type, int32_t i,
                     const char *path) {
    if (cJSON_IsString(v)) {
        if (!type_admits(type, "string"))
            return yq_error(YQ_EINVAL, "json schema %s: value does not match 'type'", path);
        int rc = add_string(k->c, root, v->valuestring, i, 0, path);
        return rc < 0 ? rc : 0;
    }
    if (!cJSON_IsNumber(v) && !cJSON_IsBool(v) && !cJSON_IsNull(v))
        return yq_error(YQ_EUNSUPPORTED,
                        "json schema %s: enum values must be strings, numbers, booleans or null", path);
    char *text = cJSON_PrintUnformatted(v);
    if (!text) return oom();
    int rc = type_admits(type, value_type(v, text))
                 ? 0
                 : yq_error(YQ_EINVAL, "json schema %s: value does not match 'type'", path);
    if (!rc && jc_trie_add(k->c, root, text, strlen(text), i, 0) < 0) rc = oom();
    cJSON_free(text);
    return rc;
}

static int compile_enum(compiler *k, const cJSON *s, const char *path, uint16_t *out) {
    const cJSON *values = get(s, "enum"), *one = get(s, "const"), *type = get(s, "type");
    if (values && one) return yq_error(YQ_EUNSUPPORTED, "json schema %s: 'enum' combined with 'const'", path);
    if (values && (!cJSON_IsArray(values) || !cJSON_GetArraySize(values)))
        return yq_error(YQ_EINVAL, "json schema %s: 'enum' must be a non-empty array", path);
    int id = new_trie_node(k->c, JC_LITERAL, path);
    if (id < 0) return id;
    uint32_t root = k->c->nodes[id].trie;
    char sub[PATH_LEN];
    int rc = 0;
    if (one) {
        snprintf(sub, sizeof sub, "%s/const", path);
        rc = add_value(k, root, one, type, 0, sub);
    } else {
        const cJSON *v;
        int32_t i = 0;
        cJSON_ArrayForEach(v, values) {
            snprintf(sub, sizeof sub, "%s/enum/%d", path, (int)i);
            rc = add_value(k, root, v, type, i++, sub);
            if (rc) break;
        }
    }
    jc_node_finish(k->c, (uint32_t)id);
    *out = (uint16_t)id;
    return rc;
}

/* A non-negative integer keyword into *value (left as it is when absent). */
static int count_keyword(const cJSON *s, const char *name, const char *path, uint64_t *value) {
    const cJSON *v = get(s, name);
    if (!v) return 0;
    double d = cJSON_IsNumber(v) ? v->valuedouble : -1;
    if (d < 0 || d != (double)(uint64_t)d || d > 9007199254740992.0)
        return yq_error(YQ_EINVAL, "json schema %s: '%s' must be a non-negative integer", path, name);
    *value = (uint64_t)d;
    return 0;
}

static int compile_array(compiler *k, const cJSON *s, const char *path, uint16_t *out) {
    const cJSON *items = get(s, "items");
    uint16_t child = JC_ANY;
    uint64_t min = 0, max = UINT64_MAX;
    char sub[PATH_LEN];
    snprintf(sub, sizeof sub, "%s/items", path);
    if (cJSON_IsArray(items))
        return yq_error(YQ_EUNSUPPORTED, "json schema %s: tuple 'items' (an array of schemas)", path);
    int rc = items ? compile(k, items, sub, &child) : 0;
    if (!rc) rc = count_keyword(s, "minItems", path, &min);
    if (!rc) rc = count_keyword(s, "maxItems", path, &max);
    if (!rc && max < min)
        rc = yq_error(YQ_EINVAL, "json schema %s: 'maxItems' is less than 'minItems'", path);
    if (rc) return rc;
    if (child == JC_ANY && min == 0 && max == UINT64_MAX) {
        *out = JC_ANY_ARRAY;
        return 0;
    }
    int id = new_node(k->c, JC_ARRAY, path);
    if (id < 0) return id;
    jc_node *n = &k->c->nodes[id];
    n->child = child;
    n->min_items = min;
    n->max_items = max;
    jc_node_finish(k->c, (uint32_t)id);
    *out = (uint16_t)id;
    return 0;
}

/* An object with no property names allowed ('additionalProperties': false and no 'properties'). */
static int compile_empty_object(compiler *k, const char *path, uint16_t *out) {
    int id = new_trie_node(k->c, JC_OBJECT, path);
    if (id < 0) return id;
    jc_node_finish(k->c, (uint32_t)id);
    *out = (uint16_t)id;
    return 0;
}

/* An object without 'properties': any names, values as 'additionalProperties' says. */
static int compile_map(compiler *k, const cJSON *s, const char *path, uint16_t *out) {
    const cJSON *add = get(s, "additionalProperties"), *req = get(s, "required");
    if (cJSON_GetArraySize(req) > 0)
        return yq_error(YQ_EUNSUPPORTED, "json schema %s: 'required' without 'properties'", path);
    if (cJSON_IsFalse(add)) return compile_empty_object(k, path, out);
    uint16_t child = JC_ANY;
    char sub[PATH_LEN];
    snprintf(sub, sizeof sub, "%s/additionalProperties", path);
    int rc = add && !cJSON_IsTrue(add) ? compile(k, add, sub, &child) : 0;
    if (rc || child == JC_ANY) {
        *out = JC_ANY_MAP;
        return rc;
    }
    int id = new_node(k->c, JC_MAP, path);
    if (id < 0) return id;
    k->c->nodes[id].child = child;
    jc_node_finish(k->c, (uint32_t)id);
    *out = (uint16_t)id;
    return 0;
}

/* The 'required' names as bits of property indexes. */
static int required_bits(const cJSON *props, const cJSON *req, const char *path, uint64_t *bits) {
    *bits = 0;
    if (!req) return 0;
    if (!cJSON_IsArray(req))
        return yq_error(YQ_EINVAL, "json schema %s: 'required' must be an array of names", path);
    const cJSON *r;
    int j = 0;
    cJSON_ArrayForEach(r, req) {
        const cJSON *p;
        int i = 0, found = -1;
        cJSON_ArrayForEach(p, props) {
            if (cJSON_IsString(r) && !strcmp(p->string, r->valuestring)) found = i;
            i++;
        }
        if (found < 0)
            return yq_error(YQ_EINVAL, "json schema %s/required/%d: not a name in 'properties'", path, j);
        *bits |= (uint64_t)1 << found;
        j++;
    }
    return 0;
}

/* Fills the property-name trie of object node `id`. */
static int add_names(compiler *k, int id, const cJSON *props, const char *path) {
    const cJSON *p;
    int32_t i = 0;
    cJSON_ArrayForEach(p, props) {
        int rc = add_string(k->c, k->c->nodes[id].trie, p->string, i++, 1, path);
        if (rc == 1)
            return yq_error(YQ_EINVAL, "json schema %s: property '%s' appears twice", path, p->string);
        if (rc) return rc;
    }
    return 0;
}

static int compile_object(compiler *k, const cJSON *s, const char *path, uint16_t *out) {
    const cJSON *props = get(s, "properties"), *add = get(s, "additionalProperties");
    if (!props) return compile_map(k, s, path, out);
    if (!cJSON_IsObject(props))
        return yq_error(YQ_EINVAL, "json schema %s: 'properties' must be an object", path);
    if (add && !cJSON_IsFalse(add))
        return yq_error(YQ_EUNSUPPORTED,
                        "json schema %s: 'additionalProperties' other than false with 'properties'", path);
    int n = cJSON_GetArraySize(props);
    if (n > 64) return yq_error(YQ_ERANGE, "json schema %s: %d properties (at most 64)", path, n);
    uint16_t kids[64];
    const cJSON *p;
    int i = 0;
    cJSON_ArrayForEach(p, props) {
        char sub[PATH_LEN];
        snprintf(sub, sizeof sub, "%s/properties/%s", path, p->string);
        int rc = compile(k, p, sub, &kids[i++]);
        if (rc) return rc;
    }
    uint64_t required;
    int rc = required_bits(props, get(s, "required"), path, &required);
    int id = rc ? rc : new_trie_node(k->c, JC_OBJECT, path);
    if (id < 0) return id;
    int first = jc_add_links(k->c, kids, (uint32_t)n);
    rc = first < 0 ? oom() : add_names(k, id, props, path);
    if (rc) return rc;
    jc_node *node = &k->c->nodes[id];
    node->first = (uint32_t)first;
    node->n = (uint32_t)n;
    node->required = required;
    jc_node_finish(k->c, (uint32_t)id);
    *out = (uint16_t)id;
    return 0;
}

/* One named type: "object" and "array" use the schema's other keywords; NULL is any value. */
static int compile_type(compiler *k, const cJSON *s, const char *name, const char *path, uint16_t *out) {
    static const struct {
        const char *name;
        uint16_t node;
    } scalars[] = {{"string", JC_ANY_STRING},
                   {"number", JC_ANY_NUMBER},
                   {"integer", JC_ANY_INTEGER},
                   {"boolean", JC_BOOLEAN},
                   {"null", JC_NULL}};
    if (!name) {
        *out = JC_ANY;
        return 0;
    }
    if (!strcmp(name, "object")) return compile_object(k, s, path, out);
    if (!strcmp(name, "array")) return compile_array(k, s, path, out);
    for (size_t i = 0; i < sizeof scalars / sizeof *scalars; i++)
        if (!strcmp(name, scalars[i].name)) {
            *out = scalars[i].node;
            return 0;
        }
    return yq_error(YQ_EINVAL, "json schema %s: unknown type '%s'", path, name);
}

/* The type a schema without 'type' is about, from its keywords (NULL: any value). */
static const char *implied_type(const cJSON *s) {
    if (get(s, "properties") || get(s, "additionalProperties") || get(s, "required")) return "object";
    if (get(s, "items") || get(s, "minItems") || get(s, "maxItems")) return "array";
    return NULL;
}

/* 'type' as a name or an array of names ("integer" beside "number" adds nothing). */
static int compile_types(compiler *k, const cJSON *s, const char *path, uint16_t *out) {
    const cJSON *type = get(s, "type"), *t;
    if (!type) return compile_type(k, s, implied_type(s), path, out);
    if (cJSON_IsString(type)) return compile_type(k, s, type->valuestring, path, out);
    int n = cJSON_GetArraySize(type);
    if (!cJSON_IsArray(type) || n == 0 || n > 7)
        return yq_error(YQ_EINVAL, "json schema %s: 'type' must be a name or an array of distinct names",
                        path);
    uint16_t alts[7];
    int n_alts = 0, with_number = 0;
    cJSON_ArrayForEach(t, type) with_number |= cJSON_IsString(t) && !strcmp(t->valuestring, "number");
    cJSON_ArrayForEach(t, type) {
        if (!cJSON_IsString(t)) return yq_error(YQ_EINVAL, "json schema %s: 'type' must list names", path);
        if (with_number && !strcmp(t->valuestring, "integer")) continue;
        int rc = compile_type(k, s, t->valuestring, path, &alts[n_alts++]);
        if (rc) return rc;
    }
    return make_union(k, alts, n_alts, path, out);
}

static int compile_keywords(compiler *k, const cJSON *s, const char *path, uint16_t *out) {
    const cJSON *ref = get(s, "$ref"), *any_of = get(s, "anyOf"), *one_of = get(s, "oneOf");
    int rc = check_keywords(s, path, NULL);
    if (rc) return rc;
    if (ref) return check_keywords(s, path, "$ref") ? YQ_EUNSUPPORTED : compile_ref(k, ref, path, out);
    if (any_of || one_of) {
        const char *name = any_of ? "anyOf" : "oneOf";
        if (check_keywords(s, path, name)) return YQ_EUNSUPPORTED;
        return compile_alternatives(k, any_of ? any_of : one_of, name, path, out);
    }
    if (get(s, "enum") || get(s, "const")) return compile_enum(k, s, path, out);
    return compile_types(k, s, path, out);
}

/* Any schema: true (any value) or an object of keywords. */
static int compile(compiler *k, const cJSON *s, const char *path, uint16_t *out) {
    if (cJSON_IsTrue(s)) {
        *out = JC_ANY;
        return 0;
    }
    if (!cJSON_IsObject(s))
        return yq_error(YQ_EINVAL, "json schema %s: a schema must be an object or true", path);
    if (k->levels == MAX_LEVELS)
        return yq_error(YQ_ERANGE, "json schema %s: schemas nested more than %d deep", path, MAX_LEVELS);
    k->levels++;
    int rc = compile_keywords(k, s, path, out);
    k->levels--;
    return rc;
}

int jc_compile(yq_json_constraint *c, const cJSON *schema) {
    compiler *k = calloc(1, sizeof *k);
    if (!k) return oom();
    k->c = c;
    k->doc = schema;
    uint16_t root = 0;
    int rc = compile_target(k, schema, "#", &root);
    free(k);
    if (!rc && c->nodes[root].height > YQ_JSON_MAX_DEPTH)
        rc = yq_error(YQ_ERANGE, "json schema #: objects and arrays nest %d deep (at most %d)",
                      c->nodes[root].height, YQ_JSON_MAX_DEPTH);
    c->root = root;
    return rc;
}
