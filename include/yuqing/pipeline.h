/* One pass of the pipeline after crawling: new items analysed into the store, alert rules
 * evaluated (new alerts logged and handed to a command), the static report refreshed. Used by
 * `yuqing run` after each crawl tick and by `yuqing demo`. */
#ifndef YUQING_PIPELINE_H
#define YUQING_PIPELINE_H

#include "yuqing/analyze.h"
#include "yuqing/crawl.h"
#include "yuqing/media_transcribe.h"

typedef struct yq_pass_options {
    const char *items_path; /* the crawler's items: JSONL or SQLite (table items) */
    const char *db_path;    /* the analysis store */
    const yq_watch *watch;
    yq_analyzer *analyzer;  /* borrowed */
    const char *report_dir; /* NULL: no report */
    const char *alert_cmd;  /* NULL: none; else run per new alert with its JSON on stdin */
    int batch_size;         /* articles per transaction; 0: 256 */
    yq_media_transcriber *transcriber; /* NULL: none; else the media of `transcribe: true`
                                          sources of `crawl` is transcribed first (SQLite items) */
    const yq_crawl_config *crawl;
} yq_pass_options;

typedef struct yq_pass_result {
    yq_analyze_stats analyze;
    int new_alerts;
    int transcribed; /* items whose media got a transcript */
} yq_pass_result;

/* Runs the pass. A failing --alert-cmd is a warning, not an error. */
int yq_pipeline_pass(const yq_pass_options *options, yq_pass_result *result);

#endif
