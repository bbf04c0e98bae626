/* Declarations shared by the crawler's files (configuration, store, feeds, loop, render);
 * not part of the public API. */
#ifndef YUQING_CRAWL_INTERNAL_H
#define YUQING_CRAWL_INTERNAL_H

#include <stddef.h>

#include "yuqing/crawl.h"

/* Compiles `n` patterns into `list`. A bad pattern writes its description into `error` and
 * returns YQ_EINVAL (the list holds what compiled; free it with crawl_regex_list_free). */
int crawl_regex_list_compile(yq_regex_list *list, const char **patterns, size_t n, char *error,
                             size_t error_size);
void crawl_regex_list_free(yq_regex_list *list);

/* Configuration reading helpers shared by crawl_config.c and crawl_config_source.c. */
struct yq_yaml_doc;
struct yq_yaml_node;
int crawl_config_strings(const struct yq_yaml_doc *doc, const struct yq_yaml_node *map, const char *key,
                         char ***out, size_t *n);
int crawl_config_string(const struct yq_yaml_doc *doc, const struct yq_yaml_node *map, const char *key,
                        char **out);
void crawl_strings_free(char **list, size_t n);
int crawl_config_source(yq_crawl_source *s, const struct yq_yaml_doc *doc, const struct yq_yaml_node *node);
void crawl_config_source_free(yq_crawl_source *s);
/* The lowercase host of an absolute http(s) URL into `host` (size bytes), or YQ_EINVAL. */
int crawl_url_host(const char *url, char *host, size_t size);
/* 1 when `name` is a plain SQL identifier (letters, digits, '_', not starting with a digit). */
int crawl_sql_name_ok(const char *name);

#endif
