/* The daemon's configuration (`yuqing run CONFIG.yaml`, docs/CONFIG.md): which crawl
 * configuration and watch file to run, where state, store and report live, how often to analyse.
 * Relative paths are taken from the configuration file's folder. */
#ifndef YUQING_RUN_CONFIG_H
#define YUQING_RUN_CONFIG_H

typedef struct yq_run_config {
    char *crawl;      /* crawl configuration (docs/CRAWL.md) */
    char *watch;      /* watch file (docs/ANALYZE.md) */
    char *state;      /* crawl state folder */
    char *db;         /* analysis store */
    char *report;     /* report folder, or NULL */
    char *alert_cmd;  /* or NULL */
    double analyze_every; /* seconds between analysis passes */
    /* the LLM analyzer (include/yuqing/llm_analyzer.h) instead of the built-in one: */
    char *model, *tokenizer; /* a local model (path), its tokenizer (path), or NULL */
    char *llm_url, *llm_model, *llm_key; /* an OpenAI-compatible server, or NULL */
    char *llm_prompt;        /* the prompt template (path), or NULL for the default */
    int llm_concurrency;     /* 0: the analyzer's default */
    char *whisper_model;     /* Whisper folder for sources with `transcribe: true`, or NULL */
} yq_run_config;

/* Reads and checks the file; errors name "PATH:LINE: KEY". Free with yq_run_config_free. */
int yq_run_config_load(const char *path, yq_run_config **out);
void yq_run_config_free(yq_run_config *config);

#endif
