/* JSON constraints: the byte automaton against accept/reject tables (RFC 8259 grammar and the
 * schema subset), schema errors, and on the Qwen3 vocabulary the token mask checked token by token
 * against yq_json_state_feed, random walks whose output must parse and validate, and its speed. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "yuqing/error.h"
#include "yuqing/json_constraint.h"
#include "yuqing/tokenizer.h"

static yq_json_constraint *compile(const char *schema) {
    yq_json_constraint *c = NULL;
    int rc = yq_json_constraint_new(schema, schema ? strlen(schema) : 0, &c);
    CHECKF(rc == 0, "compile %.60s: %s", schema ? schema : "(json_object)", yq_last_error());
    return c;
}

/* 1 when text, fed one byte at a time, stays a valid prefix and ends complete. Also checks that
 * feeding it whole agrees, and that a refused byte leaves the state as it was. */
static int accepts(const yq_json_constraint *c, const char *text) {
    yq_json_state s, whole, before;
    yq_json_state_init(c, &s);
    yq_json_state_init(c, &whole);
    size_t n = strlen(text), i = 0;
    for (; i < n; i++) {
        before = s;
        if (yq_json_state_feed(c, &s, text + i, 1)) {
            CHECKF(!memcmp(&before, &s, sizeof s), "refused byte changed the state: %s", text);
            break;
        }
    }
    int ok = i == n && yq_json_state_complete(c, &s);
    int whole_ok = yq_json_state_feed(c, &whole, text, n) == 0 && yq_json_state_complete(c, &whole);
    CHECKF(ok == whole_ok, "byte by byte and whole disagree on %s", text);
    return ok;
}

/* ---- the grammar: any value ("{}") ---- */

static const char *const y_any[] = {
    "[]",
    "{}",
    "[[]]",
    "{\"a\":[]}",
    "[1,2,3]",
    "0",
    "-0",
    "123",
    "-1.5e+10",
    "1E-2",
    "0.0",
    "-0.0e-0",
    "[1e1]",
    "\"\"",
    "\"abc\"",
    "true",
    "false",
    "null",
    " [ 1 , 2 ] ",
    "\t{\r\n\"a\" : null }\n",
    "{\"a\":{\"b\":{\"c\":null}}}",
    "{\"\":0}",
    "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
    "\"\\u0000\"",
    "\"\\u00e9\"",
    "\"\\uFFFF\"",
    "\"\\ud83d\\ude00\"",
    "\"\\uD834\\uDD1E\"",
    "\"\\uDBFF\\uDFFF\"",
    "\"\xC3\xA9\"",
    "\"\xE6\x97\xA5\xE6\x9C\xAC\"",
    "\"\xF0\x9D\x84\x9E\"",
    "\"\xEF\xBF\xBF\"",
    "\"\xF4\x8F\xBF\xBF\"",
    "\"del\x7F\"",
    "[\"a\",{\"b\":[true,false,null]},-3]",
    "{\"a\":1,\"a\":2}",
    /* RFC 8259, section 13 */
    "{\n  \"Image\": {\n    \"Width\":  800,\n    \"Height\": 600,\n    \"Title\":  \"View from 15th "
    "Floor\",\n    \"Thumbnail\": {\n      \"Url\":    \"http://www.example.com/image/481989943\",\n      "
    "\"Height\": 125,\n      \"Width\":  100\n    },\n    \"Animated\" : false,\n    \"IDs\": [116, 943, "
    "234, 38793]\n  }\n}",
    "[\n  {\n    \"precision\": \"zip\",\n    \"Latitude\":  37.7668,\n    \"Longitude\": -122.3959,\n    "
    "\"Address\":   \"\",\n    \"City\":      \"SAN FRANCISCO\",\n    \"State\":     \"CA\",\n    \"Zip\":  "
    "     \"94107\",\n    \"Country\":   \"US\"\n  }\n]",
    "\"Hello world!\"",
    "42",
    "3.141592653589793",
};

static const char *const n_any[] = {
    "",
    "[1,]",
    "[,1]",
    "{\"a\":1,}",
    "{,}",
    "{\"a\" 1}",
    "{\"a\":}",
    "{a:1}",
    "[01]",
    "[-]",
    "[1.]",
    "[.5]",
    "[1e]",
    "[1e+]",
    "[+1]",
    "[0x1]",
    "[1 2]",
    "{\"a\":1 \"b\":2}",
    "[]]",
    "{}}",
    "[",
    "\"abc",
    "]",
    "1 2",
    "[1]x",
    "[\"a\" \"b\"]",
    "NaN",
    "Infinity",
    "[-Infinity]",
    "'a'",
    "[1,2,3",
    "{\"a\":1}{}",
    "tru",
    "truee",
    "nul",
    "True",
    "[\"\\x\"]",
    "[\"\\'\"]",
    "[\"\\u12\"]",
    "[\"\\u12G4\"]",
    "[\"\\uD800\"]",
    "[\"\\uDC00\"]",
    "[\"\\uD800\\u0041\"]",
    "[\"\\uD800\\uD800\"]",
    "[\"\\uD800x\"]",
    "[\"a\x01\"]",
    "[\"tab\there\"]",
    "[\"nl\nx\"]",
    "[\"\xC0\x80\"]",
    "[\"\xC1\xBF\"]",
    "[\"\xED\xA0\x80\"]",
    "[\"\xF5\x80\x80\x80\"]",
    "[\"\xE2\x82\"]",
    "[\"\x80\"]",
    "[\"\xF0\x80\x80\x80\"]",
    "[\"\xF4\x90\x80\x80\"]",
    "[\"\xE0\x80\xAF\"]",
    "{\"a\":1]",
    "[1}",
    "{\"a\"}",
    "{1:2}",
    "[1,,2]",
    "--1",
    "-01",
    "1.e1",
    "[00]",
    "\"a\"\"b\"",
};

/* Prefixes that must be refused at once (their last byte), since no text could complete them. */
static const char *const dead_prefixes[] = {
    "\"\\uDC",    "\"\\uDF",    "\"\\uD800\\uD8", "\"\\uD800\\uE", "\"\\uD800\\u0",
    "\"\\uD800 ", "\"\xE0\x9F", "\"\xED\xA0",     "\"\xF0\x8F",    "\"\xF4\x90",
};

static void test_grammar(void) {
    yq_json_constraint *any = compile("{}");
    if (!any) return;
    for (size_t i = 0; i < sizeof y_any / sizeof *y_any; i++)
        CHECKF(accepts(any, y_any[i]), "refused %s", y_any[i]);
    for (size_t i = 0; i < sizeof n_any / sizeof *n_any; i++)
        CHECKF(!accepts(any, n_any[i]), "accepted %s", n_any[i]);
    for (size_t i = 0; i < sizeof dead_prefixes / sizeof *dead_prefixes; i++) {
        const char *p = dead_prefixes[i];
        size_t n = strlen(p);
        yq_json_state s;
        yq_json_state_init(any, &s);
        CHECKF(yq_json_state_feed(any, &s, p, n - 1) == 0 && yq_json_state_feed(any, &s, p + n - 1, 1) == -1,
               "dead prefix %s not refused at its last byte", p);
    }
    yq_json_constraint_free(any);
}

/* Whitespace runs are bounded, and nesting is bounded: at the limit, "any" still offers scalars. */
static void test_limits(void) {
    yq_json_constraint *any = compile("{}");
    if (!any) return;
    char text[256];
    snprintf(text, sizeof text, "[%*s1]", YQ_JSON_MAX_WS, "");
    CHECK(accepts(any, text));
    snprintf(text, sizeof text, "[%*s1]", YQ_JSON_MAX_WS + 1, "");
    CHECK(!accepts(any, text));
    snprintf(text, sizeof text, "%*s1", YQ_JSON_MAX_WS + 1, "");
    CHECK(!accepts(any, text));
    char deep[2 * YQ_JSON_MAX_DEPTH + 8];
    size_t n = 0;
    for (int i = 0; i < YQ_JSON_MAX_DEPTH; i++)
        deep[n++] = '[';
    deep[n++] = '1';
    for (int i = 0; i < YQ_JSON_MAX_DEPTH; i++)
        deep[n++] = ']';
    deep[n] = 0;
    CHECK(accepts(any, deep));
    yq_json_state s;
    yq_json_state_init(any, &s);
    CHECK(yq_json_state_feed(any, &s, deep, YQ_JSON_MAX_DEPTH) == 0);
    CHECK(yq_json_state_feed(any, &s, "[", 1) == -1);
    CHECK(yq_json_state_feed(any, &s, "{", 1) == -1);
    CHECK(yq_json_state_feed(any, &s, "\"", 1) == 0);
    yq_json_constraint_free(any);

    yq_json_constraint *obj = compile(NULL); /* json_object mode */
    if (!obj) return;
    CHECK(accepts(obj, "{}"));
    CHECK(accepts(obj, "{\"a\":[1,{\"b\":null}],\"c\":\"d\"}"));
    CHECK(!accepts(obj, "[]"));
    CHECK(!accepts(obj, "\"a\""));
    CHECK(!accepts(obj, "1"));
    yq_json_constraint_free(obj);
}

/* ---- the schema subset ---- */

typedef struct schema_case {
    const char *schema;
    const char *const *yes; /* NULL-terminated */
    const char *const *no;
} schema_case;

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})

static const char person[] =
    "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":"
    "\"integer\"},\"email\":{\"type\":\"string\"}},\"required\":[\"name\",\"age\"]}";
static const char colors[] =
    "{\"type\":\"object\",\"properties\":{\"color\":{\"enum\":[\"red\",\"green\",\"blue\"]},"
    "\"size\":{\"enum\":[1,10,2.5]}},\"required\":[\"color\"]}";
static const char orders[] =
    "{\"type\":\"array\",\"minItems\":1,\"items\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":"
    "\"integer\"},"
    "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":1,\"maxItems\":2},\"lines\":{"
    "\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"sku\":{\"type\":\"string\"},\"qty\":"
    "{"
    "\"type\":\"number\"}},\"required\":[\"sku\",\"qty\"]}}},\"required\":[\"id\",\"tags\"]}}";
static const char unions[] =
    "{\"type\":\"object\",\"properties\":{\"v\":{\"type\":[\"string\",\"null\"]},\"w\":{\"anyOf\":[{\"type\":"
    "\"integer\"},{\"type\":\"array\",\"items\":{\"type\":\"boolean\"}}]},\"x\":{\"oneOf\":[{\"enum\":[\"a\","
    "\"b\"]},{\"type\":\"number\"}],\"description\":\"doc\"}},\"required\":[\"v\",\"w\"],\"title\":\"U\"}";
static const char refs[] =
    "{\"$defs\":{\"pt\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"number\"},\"y\":{\"type\":"
    "\"number\"}},\"required\":[\"x\",\"y\"],\"additionalProperties\":false}},\"type\":\"object\","
    "\"properties\":{"
    "\"a\":{\"$ref\":\"#/$defs/pt\"},\"b\":{\"anyOf\":[{\"$ref\":\"#/$defs/pt\"},{\"type\":\"null\"}]}},"
    "\"required\":[\"a\",\"b\"]}";
static const char map[] = "{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\"}}";
static const char strings[] = "{\"enum\":[\"a\\\"b\",\"tab\\there\",\"\xC3\xA9\",\"\"]}";

static const schema_case schema_cases[] = {
    {person,
     LIST("{\"name\":\"Ann\",\"age\":30}", "{\"age\":30,\"name\":\"Ann\"}",
          "{\"name\":\"A\",\"age\":1,\"email\":\"x\"}",
          "{ \"email\" : \"x\" , \"age\" : -0 , \"name\" : \"\" }"),
     LIST("{\"name\":\"Ann\"}", "{}", "{\"name\":\"Ann\",\"age\":30.5}", "{\"name\":\"Ann\",\"age\":3e1}",
          "{\"name\":\"Ann\",\"age\":\"30\"}", "{\"name\":\"Ann\",\"name\":\"B\",\"age\":1}",
          "{\"name\":\"Ann\",\"age\":1,\"extra\":1}", "{\"nam\":\"A\",\"age\":1}", "[]",
          "{\"name\":\"A\",\"age\":1,}", "{\"\\u006eame\":\"A\",\"age\":1}",
          "{\"name\":\"A\",\"age\":1,\"email\":\"x\",")},
    {colors,
     LIST("{\"color\":\"red\"}", "{\"color\":\"blue\",\"size\":10}", "{\"size\":2.5,\"color\":\"green\"}",
          "{\"color\":\"red\",\"size\":1}"),
     LIST("{\"color\":\"reds\"}", "{\"color\":\"Red\"}", "{\"color\":\"red\",\"size\":3}",
          "{\"color\":\"red\",\"size\":100}", "{\"color\":\"red\",\"size\":2.50}",
          "{\"color\":\"\\u0072ed\"}", "{\"size\":1}", "{\"color\":red}")},
    {orders,
     LIST("[{\"id\":1,\"tags\":[\"a\"]}]", "[{\"id\":1,\"tags\":[\"a\",\"b\"]},{\"tags\":[\"c\"],\"id\":2}]",
          "[{\"id\":7,\"tags\":[\"t\"],\"lines\":[{\"sku\":\"x\",\"qty\":1.5},{\"qty\":2,\"sku\":\"y\"}]}]"),
     LIST("[]", "[{\"id\":1,\"tags\":[]}]", "[{\"id\":1,\"tags\":[\"a\",\"b\",\"c\"]}]", "[{\"id\":1}]",
          "[{\"id\":1.0,\"tags\":[\"a\"]}]", "[{\"id\":1,\"tags\":[\"a\"],\"lines\":[{\"sku\":\"x\"}]}]")},
    {"{\"type\":\"array\",\"items\":{\"type\":\"number\"}}", LIST("[1.5,-2e3,0]", "[]"),
     LIST("[\"1\"]", "[1,]")},
    {"{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"maxItems\":0}", LIST("[]"), LIST("[1]")},
    {unions,
     LIST("{\"v\":null,\"w\":[true,false]}", "{\"v\":\"x\",\"w\":-5}", "{\"x\":\"a\",\"v\":null,\"w\":[]}",
          "{\"v\":null,\"x\":2.5,\"w\":0}"),
     LIST("{\"v\":1,\"w\":1}", "{\"v\":null,\"w\":[null]}", "{\"v\":null,\"w\":1.5}",
          "{\"v\":null,\"w\":1,\"x\":\"c\"}")},
    {refs,
     LIST("{\"a\":{\"x\":1,\"y\":2},\"b\":null}", "{\"b\":{\"y\":0,\"x\":-1e-3},\"a\":{\"x\":1,\"y\":2}}"),
     LIST("{\"a\":{\"x\":1},\"b\":null}", "{\"a\":null,\"b\":null}",
          "{\"a\":{\"x\":1,\"y\":2,\"z\":3},\"b\":null}")},
    {map, LIST("{}", "{\"a\":1,\"b\":-2}", "{\"a\":1,\"a\":2}"), LIST("{\"a\":\"x\"}", "{\"a\":1.5}", "[]")},
    {"{\"type\":\"object\",\"additionalProperties\":false}", LIST("{}", "{ }"), LIST("{\"a\":1}")},
    {"{\"type\":\"object\",\"properties\":{}}", LIST("{}"), LIST("{\"a\":1}")},
    {"{\"const\":\"fixed\"}", LIST("\"fixed\"", " \"fixed\" "), LIST("\"fixe\"", "\"fixed!\"", "fixed")},
    {"{\"type\":\"number\"}", LIST("12", "12.5", "-0.5e7"), LIST("\"12\"", "12.", "-")},
    {"{\"type\":\"integer\",\"enum\":[1,10]}", LIST("1", "10"), LIST("2", "100", "1.0")},
    {"{\"type\":\"boolean\"}", LIST("true", "false"), LIST("null", "0", "\"true\"")},
    {"{\"type\":\"null\"}", LIST("null"), LIST("nul", "false")},
    {"{\"type\":[\"number\",\"integer\",\"null\"]}", LIST("1", "1.5", "null"), LIST("true")},
    {strings, LIST("\"a\\\"b\"", "\"tab\\there\"", "\"\xC3\xA9\"", "\"\""),
     LIST("\"\\u00e9\"", "\"tab\there\"", "\"a\"")},
    {"{\"enum\":[\"x\",1,true,null]}", LIST("\"x\"", "1", "true", "null"), LIST("false", "2", "\"y\"")},
    {"{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"object\",\"properties\":{\"r\":{}},\"required\":"
     "[\"r\"]}},"
     "\"required\":[\"q\"]}",
     LIST("{\"q\":{\"r\":[1,{\"s\":\"t\"}]}}", "{\"q\":{\"r\":null}}"),
     LIST("{\"q\":{}}", "{\"q\":{\"r\":1,\"s\":2}}")},
};

static void test_schemas(void) {
    for (size_t i = 0; i < sizeof schema_cases / sizeof *schema_cases; i++) {
        const schema_case *sc = &schema_cases[i];
        yq_json_constraint *c = compile(sc->schema);
        if (!c) continue;
        for (const char *const *t = sc->yes; *t; t++)
            CHECKF(accepts(c, *t), "schema %zu refused %s", i, *t);
        for (const char *const *t = sc->no; *t; t++)
            CHECKF(!accepts(c, *t), "schema %zu accepted %s", i, *t);
        yq_json_constraint_free(c);
    }
}

/* A schema nesting `levels` arrays. */
static void nested_arrays(char *buf, size_t cap, int levels) {
    size_t n = 0;
    for (int i = 0; i < levels; i++)
        n += (size_t)snprintf(buf + n, cap - n, "{\"type\":\"array\",\"items\":");
    n += (size_t)snprintf(buf + n, cap - n, "{\"type\":\"null\"}");
    for (int i = 0; i < levels; i++)
        n += (size_t)snprintf(buf + n, cap - n, "}");
}

static void expect_error(const char *schema, int code, const char *needle) {
    yq_json_constraint *c = NULL;
    int rc = yq_json_constraint_new(schema, strlen(schema), &c);
    CHECKF(rc == code && strstr(yq_last_error(), needle), "%.70s: got %d \"%s\", expected %d with \"%s\"",
           schema, rc, yq_last_error(), code, needle);
    CHECK(c == NULL);
    yq_json_constraint_free(c);
}

static void test_schema_errors(void) {
    expect_error("{\"type\":\"string\",\"pattern\":\"a+\"}", YQ_EUNSUPPORTED, "'pattern'");
    expect_error("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\",\"minimum\":0}}}",
                 YQ_EUNSUPPORTED, "#/properties/a: unsupported keyword 'minimum'");
    expect_error("{\"allOf\":[{}]}", YQ_EUNSUPPORTED, "'allOf'");
    expect_error("{\"type\":\"object\",\"properties\":{\"a\":{}},\"required\":[\"b\"]}", YQ_EINVAL,
                 "#/required/0");
    expect_error("{\"enum\":[]}", YQ_EINVAL, "'enum'");
    expect_error("{\"enum\":[{\"a\":1}]}", YQ_EUNSUPPORTED, "#/enum/0");
    expect_error("{\"type\":\"integer\",\"enum\":[1.5]}", YQ_EINVAL, "#/enum/0");
    expect_error("{\"anyOf\":[{\"type\":\"object\"},{\"type\":\"object\",\"properties\":{}}]}",
                 YQ_EUNSUPPORTED, "'{'");
    expect_error("{\"anyOf\":[{\"type\":\"string\"}],\"type\":\"string\"}", YQ_EUNSUPPORTED, "combined");
    expect_error("{\"$ref\":\"#/$defs/missing\"}", YQ_EINVAL, "$ref");
    expect_error(
        "{\"$defs\":{\"n\":{\"type\":\"object\",\"properties\":{\"next\":{\"$ref\":\"#/$defs/n\"}}}},"
        "\"$ref\":\"#/$defs/n\"}",
        YQ_EUNSUPPORTED, "recursive");
    expect_error("{\"type\":\"strin\"}", YQ_EINVAL, "'strin'");
    expect_error("{\"type\":\"array\",\"items\":[{}]}", YQ_EUNSUPPORTED, "tuple");
    expect_error("{\"type\":\"array\",\"minItems\":3,\"maxItems\":2}", YQ_EINVAL, "maxItems");
    expect_error("{\"type\":\"array\",\"minItems\":-1}", YQ_EINVAL, "minItems");
    expect_error("{\"type\":\"object\",\"properties\":{\"a\":{}},\"additionalProperties\":true}",
                 YQ_EUNSUPPORTED, "additionalProperties");
    expect_error("{\"type\":\"object\",\"required\":[\"a\"]}", YQ_EUNSUPPORTED, "'required' without");
    expect_error("not json", YQ_EINVAL, "not valid JSON");
    expect_error("[1]", YQ_EINVAL, "#:");
    expect_error("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"format\":\"date\"}}}",
                 YQ_EUNSUPPORTED, "#/properties/a: unsupported keyword 'format'");

    char buf[8192];
    size_t n = (size_t)snprintf(buf, sizeof buf, "{\"type\":\"object\",\"properties\":{");
    for (int i = 0; i < 65; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s\"p%d\":{}", i ? "," : "", i);
    snprintf(buf + n, sizeof buf - n, "}}");
    expect_error(buf, YQ_ERANGE, "65 properties");
    nested_arrays(buf, sizeof buf, YQ_JSON_MAX_DEPTH + 1);
    expect_error(buf, YQ_ERANGE, "nest");
    nested_arrays(buf, sizeof buf, YQ_JSON_MAX_DEPTH);
    yq_json_constraint *c = compile(buf);
    yq_json_constraint_free(c);
}

/* ---- a validator for the subset, independent of the automaton ---- */

static int validate(const cJSON *v, const cJSON *s, const cJSON *doc);

static const cJSON *field(const cJSON *s, const char *name) {
    return cJSON_GetObjectItemCaseSensitive(s, name);
}

static int is_type(const cJSON *v, const char *t) {
    if (!strcmp(t, "object")) return cJSON_IsObject(v);
    if (!strcmp(t, "array")) return cJSON_IsArray(v);
    if (!strcmp(t, "string")) return cJSON_IsString(v);
    if (!strcmp(t, "number")) return cJSON_IsNumber(v);
    if (!strcmp(t, "integer")) return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble);
    if (!strcmp(t, "boolean")) return cJSON_IsBool(v);
    return !strcmp(t, "null") && cJSON_IsNull(v);
}

static int type_ok(const cJSON *v, const cJSON *type) {
    if (!type) return 1;
    if (cJSON_IsString(type)) return is_type(v, type->valuestring);
    const cJSON *t;
    cJSON_ArrayForEach(t, type) if (is_type(v, t->valuestring)) return 1;
    return 0;
}

static int object_ok(const cJSON *v, const cJSON *s, const cJSON *doc) {
    const cJSON *props = field(s, "properties"), *add = field(s, "additionalProperties"), *m, *r;
    cJSON_ArrayForEach(m, v) {
        const cJSON *ps = props ? field(props, m->string) : NULL;
        if (props && (!ps || field(v, m->string) != m)) return 0; /* unknown or repeated name */
        if (!props && cJSON_IsFalse(add)) return 0;
        const cJSON *sub = ps ? ps : add && !cJSON_IsBool(add) ? add : NULL;
        if (sub && !validate(m, sub, doc)) return 0;
    }
    cJSON_ArrayForEach(r, field(s, "required")) if (!field(v, r->valuestring)) return 0;
    return 1;
}

static int array_ok(const cJSON *v, const cJSON *s, const cJSON *doc) {
    const cJSON *items = field(s, "items"), *min = field(s, "minItems"), *max = field(s, "maxItems"), *e;
    int n = cJSON_GetArraySize(v);
    if ((min && n < min->valueint) || (max && n > max->valueint)) return 0;
    cJSON_ArrayForEach(e, v) if (items && !validate(e, items, doc)) return 0;
    return 1;
}

static int validate(const cJSON *v, const cJSON *s, const cJSON *doc) {
    const cJSON *ref = field(s, "$ref"), *alts = field(s, "anyOf"), *one = field(s, "oneOf"), *e;
    if (cJSON_IsTrue(s)) return 1;
    if (ref) { /* "#/$defs/NAME" only */
        const char *name = strrchr(ref->valuestring, '/') + 1;
        return validate(v, field(field(doc, "$defs"), name), doc);
    }
    if (alts || one) {
        const cJSON *list = alts ? alts : one;
        int matches = 0;
        cJSON_ArrayForEach(e, list) matches += validate(v, e, doc);
        return alts ? matches > 0 : matches == 1;
    }
    if (field(s, "const")) return cJSON_Compare(v, field(s, "const"), 1);
    if (field(s, "enum")) {
        cJSON_ArrayForEach(e, field(s, "enum")) if (cJSON_Compare(v, e, 1)) return 1;
        return 0;
    }
    if (!type_ok(v, field(s, "type"))) return 0;
    if (cJSON_IsObject(v)) return object_ok(v, s, doc);
    return !cJSON_IsArray(v) || array_ok(v, s, doc);
}

static void test_validator(void) { /* the validator itself must tell good from bad */
    cJSON *doc = cJSON_Parse(person);
    const char *good = "{\"name\":\"A\",\"age\":1}",
               *bad[] = {"{\"name\":\"A\"}", "{\"name\":\"A\",\"age\":1.5}",
                         "{\"name\":\"A\",\"age\":1,\"x\":0}"};
    cJSON *v = cJSON_Parse(good);
    CHECK(validate(v, doc, doc));
    cJSON_Delete(v);
    for (int i = 0; i < 3; i++) {
        v = cJSON_Parse(bad[i]);
        CHECKF(!validate(v, doc, doc), "validator accepted %s", bad[i]);
        cJSON_Delete(v);
    }
    cJSON_Delete(doc);
}

/* ---- the vocabulary mask, on Qwen3's tokenizer ---- */


typedef struct vocab_ctx {
    const yq_tokenizer *tok;
    const yq_json_vocab *v;
    int32_t n;
    uint8_t *mask;
    uint8_t *ordinary; /* 1 for tokens that may ever be allowed (not special, not empty) */
    double ms[8192];   /* the time of each mask (the first 8192) */
    int n_masks, n_full_checks;
} vocab_ctx;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int token(const vocab_ctx *x, int32_t id, const char **b, size_t *len) {
    return yq_tokenizer_token_bytes(x->tok, id, b, len);
}

static int compute_mask(vocab_ctx *x, const yq_json_constraint *c, const yq_json_state *s) {
    double t0 = now_ms();
    int rc = yq_json_allowed_tokens(c, x->v, s, x->mask);
    double dt = now_ms() - t0;
    if (x->n_masks < 8192) x->ms[x->n_masks++] = dt;
    CHECK(rc == 0);
    return rc;
}

/* The mask in state s must hold exactly the ordinary tokens that feed successfully. */
static void check_mask_exact(vocab_ctx *x, const yq_json_constraint *c, const yq_json_state *s,
                             const char *where) {
    int bad = 0;
    for (int32_t id = 0; id < x->n; id++) {
        const char *b = "";
        size_t len = 0;
        yq_json_state t = *s;
        int feeds = x->ordinary[id] && token(x, id, &b, &len) == 0 && yq_json_state_feed(c, &t, b, len) == 0;
        if (feeds != x->mask[id] && bad++ < 3)
            CHECKF(0, "%s: token %d (%.*s) is %s by the mask but feed says %d", where, (int)id,
                   (int)(token(x, id, &b, &len) ? 0 : len), b, x->mask[id] ? "allowed" : "refused", feeds);
    }
    CHECKF(bad == 0, "%s: %d tokens disagree", where, bad);
    x->n_full_checks++;
}

/* States reached by hand-picked prefixes: inside escapes, UTF-8, surrogates, numbers, names. */
static void test_mask_states(vocab_ctx *x) {
    static const struct {
        const char *schema, *prefix;
    } cases[] = {
        {"{}", ""},
        {"{}", "[\"ab"},
        {"{}", "[\"ab\\"},
        {"{}", "[\"\\u00"},
        {"{}", "[\"\\uD83D"},
        {"{}", "[\"\\uD83D\\"},
        {"{}", "[\"\xE6"},
        {"{}", "[\"\xF0\x9F"},
        {"{}", "[-"},
        {"{}", "[1.5e"},
        {"{}", "[12"},
        {"{}", "[tr"},
        {"{}", "{\"a\"  "},
        {NULL, "{\"a\":1,"},
        {person, "{\"name\":\"x\", "},
        {person, "{\"na"},
        {person, "{\"name\":\"x\",\"age\":3"},
        {person, "{\"name\":\"x\",\"age\":3,\"email\":\"y\""},
        {colors, "{\"color\":\"re"},
        {colors, "{\"color\":\"red\",\"size\":1"},
        {orders, "[{\"id\":1,\"tags\":[\"a\",\"b\""},
        {"{\"type\":\"integer\"}", "-1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        yq_json_constraint *c = compile(cases[i].schema);
        if (!c) continue;
        yq_json_state s;
        yq_json_state_init(c, &s);
        CHECKF(yq_json_state_feed(c, &s, cases[i].prefix, strlen(cases[i].prefix)) == 0, "prefix %s",
               cases[i].prefix);
        if (compute_mask(x, c, &s) == 0) check_mask_exact(x, c, &s, cases[i].prefix);
        yq_json_constraint_free(c);
    }
}

static uint64_t rng_next(uint64_t *r) {
    *r ^= *r << 13;
    *r ^= *r >> 7;
    *r ^= *r << 17;
    return *r;
}

/* 1 when a token's bytes hold a quote, a closing bracket or brace, or a comma. */
static int closes(const char *b, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (b[i] && strchr("\"}],", b[i])) return 1;
    return 0;
}

/* Picks an allowed token: half the time any, half the time one that closes something (a quote,
 * bracket, brace or comma), so that walks end in a reasonable number of steps. */
static int32_t pick(vocab_ctx *x, int32_t *ids, uint64_t *rng) {
    int32_t n = 0, n_close = 0;
    for (int32_t id = 0; id < x->n; id++)
        if (x->mask[id]) ids[n++] = id;
    if (!n) return -1;
    if (rng_next(rng) & 1) return ids[rng_next(rng) % (uint64_t)n];
    for (int32_t i = 0; i < n; i++) {
        const char *b;
        size_t len;
        if (token(x, ids[i], &b, &len) == 0 && closes(b, len)) ids[n_close++] = ids[i];
    }
    return ids[rng_next(rng) % (uint64_t)(n_close ? n_close : n)];
}

/* Random walks over allowed tokens until complete; the text must parse and validate. */
static void random_walks(vocab_ctx *x, const char *schema, int walks, uint64_t seed) {
    const char *name = schema ? schema : "{\"type\":\"object\"}"; /* json_object mode */
    yq_json_constraint *c = compile(schema);
    cJSON *doc = cJSON_Parse(name);
    int32_t *ids = malloc((size_t)x->n * sizeof *ids);
    size_t cap = 1 << 16;
    char *text = malloc(cap);
    uint64_t rng = seed;
    for (int w = 0; c && w < walks; w++) {
        yq_json_state s;
        yq_json_state_init(c, &s);
        size_t len = 0;
        int steps = 0;
        for (; steps < 4000 && !yq_json_state_complete(c, &s); steps++) {
            if (compute_mask(x, c, &s)) break;
            if (steps % 16 == 5 && x->n_full_checks < 40) check_mask_exact(x, c, &s, "walk");
            int32_t id = pick(x, ids, &rng);
            CHECKF(id >= 0, "schema %.40s: no token allowed after %.*s", name, (int)len, text);
            if (id < 0) break;
            const char *b;
            size_t n;
            token(x, id, &b, &n);
            CHECK(yq_json_state_feed(c, &s, b, n) == 0);
            if (len + n >= cap) break;
            memcpy(text + len, b, n);
            len += n;
        }
        text[len] = 0;
        CHECKF(yq_json_state_complete(c, &s), "walk %d of %.40s not complete after %d steps", w, name, steps);
        cJSON *v = cJSON_ParseWithOpts(text, NULL, 1);
        CHECKF(v && validate(v, doc, doc), "walk %d of %.40s: invalid output %.200s", w, name, text);
        cJSON_Delete(v);
    }
    free(text);
    free(ids);
    cJSON_Delete(doc);
    yq_json_constraint_free(c);
}

/* Times masks in a few typical states, many times each. */
static void time_masks(vocab_ctx *x) {
    static const struct {
        const char *what, *schema, *prefix;
    } cases[] = {
        {"inside a string", person, "{\"name\":\"Jo"},
        {"after '{' (names)", person, "{"},
        {"after ':'", NULL, "{\"a\":"},
        {"inside a number", "{}", "[12"},
        {"mid UTF-8", "{}", "[\"\xE6"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        yq_json_constraint *c = compile(cases[i].schema);
        if (!c) continue;
        yq_json_state s;
        yq_json_state_init(c, &s);
        CHECK(yq_json_state_feed(c, &s, cases[i].prefix, strlen(cases[i].prefix)) == 0);
        double t0 = now_ms();
        int reps = 20, allowed = 0;
        for (int r = 0; r < reps; r++)
            CHECK(yq_json_allowed_tokens(c, x->v, &s, x->mask) == 0);
        for (int32_t id = 0; id < x->n; id++)
            allowed += x->mask[id];
        printf("  mask %-18s %7.3f ms  (%d tokens allowed)\n", cases[i].what, (now_ms() - t0) / reps,
               allowed);
        yq_json_constraint_free(c);
    }
}

static int by_value(const void *a, const void *b) {
    double d = *(const double *)a - *(const double *)b;
    return (d > 0) - (d < 0);
}

/* Mean and percentiles of the walk masks (the maximum mostly measures the machine's other load). */
static void print_times(vocab_ctx *x) {
    double sum = 0;
    if (!x->n_masks) return;
    for (int i = 0; i < x->n_masks; i++)
        sum += x->ms[i];
    qsort(x->ms, (size_t)x->n_masks, sizeof *x->ms, by_value);
    printf("  %d masks in walks: mean %.3f ms, median %.3f, p99 %.3f, max %.3f; %d checked token by token\n",
           x->n_masks, sum / x->n_masks, x->ms[x->n_masks / 2], x->ms[x->n_masks * 99 / 100],
           x->ms[x->n_masks - 1], x->n_full_checks);
}

static void test_vocab(void) {
    if (!test_qwen3_tokenizer_dir()) {
        CHECKF(0, "cannot unpack the Qwen3 tokenizer");
        return;
    }
    yq_tokenizer *tok = NULL;
    CHECKF(yq_tokenizer_open(test_qwen3_tokenizer_dir(), NULL, &tok) == 0, "open qwen3: %s", yq_last_error());
    vocab_ctx x = {.tok = tok};
    double t0 = now_ms();
    yq_json_vocab *v = NULL;
    CHECKF(tok && yq_json_vocab_new(tok, &v) == 0, "vocab: %s", yq_last_error());
    if (v) {
        printf("  vocabulary view built in %.1f ms\n", now_ms() - t0);
        x.v = v;
        x.n = yq_json_vocab_size(v);
        CHECK(x.n == yq_tokenizer_vocab_size(tok) && x.n >= 151669);
        x.mask = malloc((size_t)x.n);
        x.ordinary = calloc((size_t)x.n, 1);
        char buf[1100];
        for (int32_t id = 0; id < x.n; id++) {
            const char *b;
            size_t len;
            if (token(&x, id, &b, &len) || !len || len >= sizeof buf) continue;
            memcpy(buf, b, len);
            buf[len] = 0;
            x.ordinary[id] = yq_tokenizer_special_id(tok, buf) != id;
        }
        CHECK(!x.ordinary[yq_tokenizer_special_id(tok, "<|im_end|>")]);
        CHECK(!x.ordinary[yq_tokenizer_special_id(tok, "<think>")]);
        test_mask_states(&x);
        const char *schemas[] = {NULL,   "{}", person, colors,  orders,
                                 unions, refs, map,    strings, "{\"type\":\"number\"}"};
        for (size_t i = 0; i < sizeof schemas / sizeof *schemas; i++)
            random_walks(&x, schemas[i], 10, 0x9E3779B97F4A7C15ull + i);
        print_times(&x);
        time_masks(&x);
    }
    free(x.mask);
    free(x.ordinary);
    yq_json_vocab_free(v);
    yq_tokenizer_free(tok);
}

int main(void) {
    test_grammar();
    test_limits();
    test_schemas();
    test_schema_errors();
    test_validator();
    test_vocab();
    return test_summary("test_json_constraint");
}
