/* Lists of URL patterns (PCRE2) from the crawl configuration: follow, deny, article, revisit. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawl/crawl_internal.h"
#include "yuqing/crawl.h"
#include "yuqing/error.h"

int yq_regex_list_match(const yq_regex_list *list, const char *url) {
    if (!list->n) return 0;
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    if (!md) return 0;
    int hit = 0;
    for (size_t i = 0; i < list->n && !hit; i++)
        hit = pcre2_match(list->code[i], (PCRE2_SPTR)url, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL) >= 0;
    pcre2_match_data_free(md);
    return hit;
}

int crawl_regex_list_compile(yq_regex_list *list, const char **patterns, size_t n, char *error,
                             size_t error_size) {
    memset(list, 0, sizeof *list);
    if (!n) return YQ_OK;
    list->code = calloc(n, sizeof *list->code);
    list->pattern = calloc(n, sizeof *list->pattern);
    if (!list->code || !list->pattern) return yq_error(YQ_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int code;
        PCRE2_SIZE offset;
        list->code[i] = pcre2_compile((PCRE2_SPTR)patterns[i], PCRE2_ZERO_TERMINATED, PCRE2_UTF, &code, &offset, NULL);
        if (!list->code[i]) {
            PCRE2_UCHAR message[160];
            pcre2_get_error_message(code, message, sizeof message);
            snprintf(error, error_size, "bad regex '%s' at offset %zu: %s", patterns[i], (size_t)offset, message);
            return YQ_EINVAL;
        }
        list->pattern[i] = strdup(patterns[i]);
        list->n = i + 1;
        if (!list->pattern[i]) return yq_error(YQ_ENOMEM, "out of memory");
        pcre2_jit_compile(list->code[i], PCRE2_JIT_COMPLETE); /* best effort: interpreted otherwise */
    }
    return YQ_OK;
}

void crawl_regex_list_free(yq_regex_list *list) {
    for (size_t i = 0; i < list->n; i++) {
        pcre2_code_free(list->code[i]);
        free(list->pattern[i]);
    }
    free(list->code);
    free(list->pattern);
    memset(list, 0, sizeof *list);
}
