/* YAML files into a line-numbered tree (libyaml's event parser), and typed, checked reads. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "yuqing/error.h"
#include "yuqing/mapfile.h"
#include "yuqing/yaml.h"

static void node_free(yq_yaml_node *node) {
    if (!node) return;
    for (size_t i = 0; i < node->n_items; i++) node_free(node->items[i]);
    free(node->items);
    free(node->value);
    free(node->key);
    free(node);
}

void yq_yaml_free(yq_yaml_doc *doc) {
    if (!doc) return;
    node_free(doc->root);
    free(doc->path);
    free(doc);
}

typedef struct {
    yaml_parser_t parser;
    const char *name;
} reader;

static int parse_error(reader *r) {
    return yq_error(YQ_EFORMAT, "%s:%zu: %s%s%s", r->name, r->parser.problem_mark.line + 1,
                    r->parser.problem ? r->parser.problem : "syntax error",
                    r->parser.context ? " " : "", r->parser.context ? r->parser.context : "");
}

static int next_event(reader *r, yaml_event_t *event) {
    return yaml_parser_parse(&r->parser, event) ? YQ_OK : parse_error(r);
}

static int append(yq_yaml_node *parent, yq_yaml_node *child) {
    yq_yaml_node **items = realloc(parent->items, (parent->n_items + 1) * sizeof *items);
    if (!items) return yq_error(YQ_ENOMEM, "out of memory reading YAML");
    parent->items = items;
    items[parent->n_items++] = child;
    return YQ_OK;
}

static int parse_node(reader *r, yaml_event_t *event, yq_yaml_node **out);

/* Reads children until the closing event; for mappings, alternates key scalars and values. */
static int parse_children(reader *r, yq_yaml_node *node, yaml_event_type_t end) {
    for (;;) {
        yaml_event_t event;
        int rc = next_event(r, &event);
        if (rc) return rc;
        if (event.type == end) {
            yaml_event_delete(&event);
            return YQ_OK;
        }
        char *key = NULL;
        if (node->kind == YQ_YAML_MAPPING) {
            if (event.type != YAML_SCALAR_EVENT) {
                rc = yq_error(YQ_EFORMAT, "%s:%zu: mapping keys must be plain scalars", r->name,
                              event.start_mark.line + 1);
                yaml_event_delete(&event);
                return rc;
            }
            key = strdup((const char *)event.data.scalar.value);
            yaml_event_delete(&event);
            rc = next_event(r, &event);
            if (rc) {
                free(key);
                return rc;
            }
        }
        yq_yaml_node *child = NULL;
        rc = parse_node(r, &event, &child);
        if (!rc) rc = append(node, child);
        if (rc) {
            free(key);
            node_free(child);
            return rc;
        }
        child->key = key;
    }
}

static int parse_node(reader *r, yaml_event_t *event, yq_yaml_node **out) {
    yq_yaml_node *node = calloc(1, sizeof *node);
    if (!node) return yq_error(YQ_ENOMEM, "out of memory reading YAML");
    node->line = (int)event->start_mark.line + 1;
    int rc = YQ_OK;
    switch (event->type) {
    case YAML_SCALAR_EVENT:
        node->kind = YQ_YAML_SCALAR;
        node->value = strdup((const char *)event->data.scalar.value);
        break;
    case YAML_SEQUENCE_START_EVENT:
        node->kind = YQ_YAML_SEQUENCE;
        rc = parse_children(r, node, YAML_SEQUENCE_END_EVENT);
        break;
    case YAML_MAPPING_START_EVENT:
        node->kind = YQ_YAML_MAPPING;
        rc = parse_children(r, node, YAML_MAPPING_END_EVENT);
        break;
    case YAML_ALIAS_EVENT:
        rc = yq_error(YQ_EFORMAT, "%s:%d: YAML aliases are not supported", r->name, node->line);
        break;
    default:
        rc = yq_error(YQ_EFORMAT, "%s:%d: unexpected YAML structure", r->name, node->line);
    }
    yaml_event_delete(event);
    if (rc) {
        node_free(node);
        return rc;
    }
    *out = node;
    return YQ_OK;
}

/* Skips stream/document start events and parses the document's root node. */
static int parse_document(reader *r, yq_yaml_node **root) {
    for (;;) {
        yaml_event_t event;
        int rc = next_event(r, &event);
        if (rc) return rc;
        if (event.type == YAML_STREAM_START_EVENT || event.type == YAML_DOCUMENT_START_EVENT) {
            yaml_event_delete(&event);
            continue;
        }
        if (event.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&event);
            return yq_error(YQ_EFORMAT, "%s: empty YAML document", r->name);
        }
        return parse_node(r, &event, root);
    }
}

int yq_yaml_parse(const char *name, const char *text, size_t len, yq_yaml_doc **out) {
    yq_yaml_doc *doc = calloc(1, sizeof *doc);
    reader r = {.name = name};
    if (!doc || !yaml_parser_initialize(&r.parser)) {
        free(doc);
        return yq_error(YQ_ENOMEM, "out of memory reading YAML");
    }
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);
    int rc = parse_document(&r, &doc->root);
    yaml_parser_delete(&r.parser);
    doc->path = strdup(name);
    if (rc || !doc->path) {
        yq_yaml_free(doc);
        return rc ? rc : yq_error(YQ_ENOMEM, "out of memory reading YAML");
    }
    *out = doc;
    return YQ_OK;
}

int yq_yaml_load(const char *path, yq_yaml_doc **out) {
    char *text;
    size_t len;
    int rc = yq_read_file(path, &text, &len);
    if (rc) return rc;
    rc = yq_yaml_parse(path, text, len, out);
    free(text);
    return rc;
}
