/* Speech in crawled media to text: items of sources with `transcribe: true` whose audio/video
 * links have not been transcribed get a `transcript` in the crawler's SQLite items table, so the
 * analysis reads them with the article (the `transcript` is appended to the body). Used by
 * `yuqing run` before each analysis pass. */
#ifndef YUQING_MEDIA_TRANSCRIBE_H
#define YUQING_MEDIA_TRANSCRIBE_H

#include <stdint.h>

#include "yuqing/crawl.h"

typedef struct yq_media_transcriber yq_media_transcriber;

/* Loads a Whisper model folder (and its tokenizer). Errors as yq_whisper_open. */
int yq_media_transcriber_open(const char *whisper_model, yq_media_transcriber **out);
void yq_media_transcriber_close(yq_media_transcriber *t);

/* Transcribes the pending items of `items_db` (table `table`) up to its last row now, and sets
 * *upto to that row id: analyse only rows up to it, so no item is analysed before its media is
 * transcribed. An item is pending when its source has `transcribe: true`, its `media` list is
 * not empty and its `transcript` is NULL. Each media file (at most 3 an item, fetched with the
 * source's allow_private, up to 200 MB) is decoded and transcribed; the texts joined by blank
 * lines become the transcript. Media that cannot be fetched or decoded is logged and skipped;
 * an item whose media all failed gets an empty transcript (so it is not tried forever).
 * *n_done: items transcribed. */
int yq_media_transcribe_pending(yq_media_transcriber *t, const char *items_db, const char *table,
                                const yq_crawl_config *crawl, int64_t *upto, int *n_done);

#endif
