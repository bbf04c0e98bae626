/* YAML configuration files (libyaml) loaded into a small tree whose nodes remember their line,
 * so that every configuration error can name the file, the line and the key. */
#ifndef YUQING_YAML_H
#define YUQING_YAML_H

#include <stddef.h>

typedef enum { YQ_YAML_SCALAR, YQ_YAML_SEQUENCE, YQ_YAML_MAPPING } yq_yaml_kind;

typedef struct yq_yaml_node yq_yaml_node;
struct yq_yaml_node {
    yq_yaml_kind kind;
    int line;             /* 1-based line of the node's first character */
    char *value;          /* SCALAR: the text; otherwise NULL */
    char *key;            /* set on the values of a MAPPING: their key */
    yq_yaml_node **items; /* SEQUENCE items or MAPPING values (each with its key) */
    size_t n_items;
};

typedef struct yq_yaml_doc {
    char *path; /* for messages */
    yq_yaml_node *root;
} yq_yaml_doc;

/* Parses the file at `path` (one document; anchors and aliases are refused). Errors:
 * YQ_ENOENT, YQ_EFORMAT "PATH:LINE: ..." for syntax errors. Free with yq_yaml_free. */
int yq_yaml_load(const char *path, yq_yaml_doc **out);
/* Same, from text in memory; `name` is used in messages. */
int yq_yaml_parse(const char *name, const char *text, size_t len, yq_yaml_doc **out);
void yq_yaml_free(yq_yaml_doc *doc);

/* The value under `key` in a MAPPING node, or NULL. Borrowed. */
const yq_yaml_node *yq_yaml_get(const yq_yaml_node *map, const char *key);

/* Checks that `node` is a mapping whose keys are all in the NULL-terminated `allowed` list.
 * Errors (YQ_EINVAL): "PATH:LINE: unknown key 'k' in WHAT" or "PATH:LINE: WHAT must be a mapping". */
int yq_yaml_check_keys(const yq_yaml_doc *doc, const yq_yaml_node *node, const char *what,
                       const char *const *allowed);

/* Typed reads of an optional key of `map`; a missing key leaves *out untouched and returns 0.
 * A present key of the wrong shape is YQ_EINVAL "PATH:LINE: KEY: expected ...". */
int yq_yaml_string(const yq_yaml_doc *doc, const yq_yaml_node *map, const char *key, const char **out);
int yq_yaml_int(const yq_yaml_doc *doc, const yq_yaml_node *map, const char *key, long long min,
                long long max, long long *out);
int yq_yaml_double(const yq_yaml_doc *doc, const yq_yaml_node *map, const char *key, double min,
                   double max, double *out);
int yq_yaml_bool(const yq_yaml_doc *doc, const yq_yaml_node *map, const char *key, int *out);
/* A duration such as "500ms", "2s", "15m", "1h", "1d" or a bare number of seconds, in seconds. */
int yq_yaml_duration(const yq_yaml_doc *doc, const yq_yaml_node *map, const char *key, double *out);
/* A sequence of scalars (or one scalar, taken as a list of one): *out is a malloc'd array of
 * borrowed strings, *n its length. */
int yq_yaml_strings(const yq_yaml_doc *doc, const yq_yaml_node *map, const char *key,
                    const char ***out, size_t *n);

/* Records "PATH:LINE: MESSAGE" for `node` and returns YQ_EINVAL. */
int yq_yaml_error(const yq_yaml_doc *doc, const yq_yaml_node *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
