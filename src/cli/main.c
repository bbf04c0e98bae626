/* Entry point of the `yuqing` command: dispatches to one subcommand per file. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "yuqing/threads.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"generate", cmd_generate, "stream a model's continuation of a prompt"},
    {"chat", cmd_chat, "multi-turn chat on stdin/stdout in the model's chat format"},
    {"tokenize", cmd_tokenize, "text to token ids and back"},
    {"serve", cmd_serve, "OpenAI-compatible HTTP API with continuous batching"},
    {"extract", cmd_extract, "one HTML page to JSON: title, time, author, main text, links"},
    {"crawl", cmd_crawl, "crawl the configured news sources into item records"},
    {"analyze", cmd_analyze, "analyse crawled items into the store: entities, sentiment, near-duplicates"},
    {"search", cmd_search, "full-text search of the analysis store, with CSV/JSONL export"},
    {"sentiment", cmd_sentiment, "JSONL texts to sentiment labels and scores (built-in analyzer)"},
    {"report", cmd_report, "static HTML dashboard of an analysis store"},
    {"run", cmd_run, "the daemon: crawl on schedule, analyse, alert, keep the report fresh"},
    {"demo", cmd_demo, "the whole pipeline on the bundled sample news site"},
    {"transcribe", cmd_transcribe, "audio or video files to text, srt, vtt or json with Whisper"},
    {"quantize", cmd_quantize, "convert a model to GGUF (f16, bf16, q8_0, q4_0, q4_k_m, q5_k_m)"},
};

static void print_usage(FILE *out) {
    fprintf(out, "usage: yuqing COMMAND [OPTIONS]  (yuqing COMMAND --help for its options)\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("yuqing %s\n", YQ_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        print_usage(stdout);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) != 0) continue;
        yq_threads_init(0); /* all cores unless the command's --threads says otherwise */
        int status = commands[i].run(argc - 1, argv + 1);
        yq_threads_shutdown();
        return status;
    }
    fprintf(stderr, "yuqing: error: unknown command '%s' (see yuqing --help)\n", argv[1]);
    return EXIT_USAGE;
}
