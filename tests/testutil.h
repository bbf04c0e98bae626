/* Minimal test harness: CHECK macros that count failures, and helpers to read test data. */
#ifndef YUQING_TESTUTIL_H
#define YUQING_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern int test_failures;
extern int test_checks;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        test_checks++;                                                                \
        if (!(cond)) {                                                                \
            test_failures++;                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                             \
    } while (0)

#define CHECKF(cond, ...)                                              \
    do {                                                               \
        test_checks++;                                                 \
        if (!(cond)) {                                                 \
            test_failures++;                                           \
            fprintf(stderr, "%s:%d: CHECK failed: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                              \
            fputc('\n', stderr);                                       \
        }                                                              \
    } while (0)

/* Path under tests/data (static buffer, valid until the next call). */
const char *test_data_path(const char *relative);

/* Parses a JSON file under tests/data (NULL on failure, with a message on stderr). */
struct cJSON;
struct cJSON *test_load_json(const char *relative);

/* The first column of the first row of an SQL query as an int, or -1 when there is none. */
struct sqlite3;
int test_sql_int(struct sqlite3 *db, const char *sql);

/* Reads a JSON array of integers into a malloc'd int32 array. */
int test_json_ids(const struct cJSON *array, int32_t **ids, int *n);

/* Unpacks the committed Qwen3 tokenizer (tokenizer.json.gz and tokenizer_config.json) into a
 * temporary folder once per process and returns that folder, or NULL (with a message); the
 * folder is removed at exit. */
const char *test_qwen3_tokenizer_dir(void);

/* Prints the "N passed, N failed" summary line and returns the process exit status. */
int test_summary(const char *name);

#endif
