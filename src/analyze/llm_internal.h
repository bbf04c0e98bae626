/* What the LLM analyzer's back ends share: the prompt template, the answer schema and the check
 * of an answer against it (llm_prompt.c, llm_answer.c), and the common head of both analyzers. */
#ifndef YUQING_ANALYZE_LLM_INTERNAL_H
#define YUQING_ANALYZE_LLM_INTERNAL_H

#include <stddef.h>

#include "yuqing/analyze.h"
#include "yuqing/llm_analyzer.h"

typedef struct llm_prompt {
    char *system, *user; /* user holds {article} and may hold {entities} */
    int max_tokens;
    int max_article_bytes;
} llm_prompt;

/* Loads the template at `path` (NULL: the data file analyze/llm_prompt.yaml). Errors name
 * "PATH:LINE". Free with llm_prompt_free. */
int llm_prompt_load(const char *path, llm_prompt *out);
void llm_prompt_free(llm_prompt *p);

/* The user message for one article: the template with {entities} (the watched entities it
 * mentions, with their aliases, or "none") and {article} (title and body, cut to
 * max_article_bytes at a character boundary) filled in. malloc'd; NULL when out of memory. */
char *llm_prompt_user(const llm_prompt *p, const yq_watch *watch, const yq_doc *doc);

/* The JSON Schema every answer must follow (docs/ANALYZE.md). */
extern const char llm_answer_schema[];

/* Reads one answer into *a: validated against the schema, the entities mapped to the watch list
 * by name or alias, keywords from yq_keywords. An answer that does not pass marks *a failed with
 * the reason (return 0); only running out of memory returns an error. */
int llm_answer_read(const yq_watch *watch, const yq_doc *doc, const char *text, size_t len, yq_analysis *a);

/* The length of the first at most 120 bytes of `s` that end at a character boundary, for quoting
 * an answer in a reason ("%.*s"). */
int llm_excerpt_len(const char *s);

/* Clears *a and marks it failed with the formatted reason. Returns 0, or YQ_ENOMEM. */
int llm_mark_failed(yq_analysis *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The head of both back ends' analyzers. */
typedef struct llm_common {
    yq_analyzer base;
    const yq_watch *watch;
    llm_prompt prompt;
    int max_tokens;
    char name[160];
} llm_common;

/* Fills the common head (the template loaded, max_tokens settled, name "llm:" + model). */
int llm_common_init(llm_common *c, const yq_llm_config *config, const char *model_name);

int llm_engine_new(const yq_llm_config *config, yq_analyzer **out);
int llm_remote_new(const yq_llm_config *config, yq_analyzer **out);

#endif
