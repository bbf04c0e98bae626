/* Internals of the analysis pipeline shared by its files: the item reader, UTC times and the
 * near-duplicate index. */
#ifndef YUQING_ANALYZE_INTERNAL_H
#define YUQING_ANALYZE_INTERNAL_H

#include <stdint.h>

#include "yuqing/store.h"

/* Reads crawled items from a JSONL file or a SQLite database with table `items` (detected by the
 * file's first bytes). Malformed JSONL lines are skipped, counted and logged with their line. */
typedef struct item_reader item_reader;
int item_reader_open(const char *path, int64_t upto, item_reader **out);
/* Fills *item (malloc'd strings; free with item_record_clear) and returns 1, or returns 0 at the
 * end, or a negative YQ_E* code. */
int item_reader_next(item_reader *r, yq_item_record *item);
long long item_reader_malformed(const item_reader *r, long long *first_line);
void item_reader_close(item_reader *r);
void item_record_clear(yq_item_record *item);

#endif
