/* `yuqing transcribe --model PATH [options] FILE...`: audio or video files (or "-" for standard
 * input) to text, SubRip, WebVTT or JSON with a Hugging Face Whisper model; progress on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "yuqing/asr.h"
#include "yuqing/audio.h"
#include "yuqing/error.h"
#include "yuqing/log.h"
#include "yuqing/mel.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: yuqing transcribe --model PATH [options] FILE...\n"
            "  FILE                 an audio or video file (wav, mp3, m4a, ogg, opus, flac, mp4, webm, mkv...), - for stdin\n"
            "  --model PATH         a Hugging Face Whisper folder (config.json, model.safetensors, tokenizer.json)\n"
            "  --language L         en, zh, ... or auto (default: detected from the first 30 s)\n"
            "  --task T             transcribe (default) or translate (to English)\n"
            "  --format F           txt (default), srt, vtt or json (one line per file)\n"
            "  --output-dir DIR     write DIR/NAME.F for each FILE instead of printing to stdout\n"
            "  --beam N             beams at temperature 0 (default 5; 1: greedy)\n"
            "  --best-of N          candidates sampled at fallback temperatures (default 5)\n"
            "  --no-fallback        never retry at higher temperatures\n"
            "  --no-timestamps      decode without timestamp tokens (one segment per 30 s window)\n"
            "  --no-condition       do not prompt each window with the previous text\n"
            "  --initial-prompt T   text that precedes the first window (style, names, script)\n"
            "  --zh-prompt T        initial prompt for Chinese when none is given (default steers to\n"
            "                       Simplified characters: 以下是普通话的句子。; \"\" to disable)\n"
            "  --threads N --quiet --verbose --help\n");
}

typedef struct {
    const char *model, *language, *task, *format, *output_dir, *beam, *best_of, *initial_prompt, *zh_prompt;
    int no_fallback, no_timestamps, no_condition;
} transcribe_flags;

static int is_value_flag(const char *arg) {
    static const char *const with_value[] = {"--model", "--language", "--task", "--format", "--output-dir", "--beam",
                                             "--best-of", "--initial-prompt", "--zh-prompt", "--threads", NULL};
    for (int i = 0; with_value[i]; i++)
        if (!strcmp(arg, with_value[i])) return 1;
    return 0;
}

/* Separates the FILE arguments from the options. */
static void split_files(int argc, char **argv, char **files, int *n_files, char **rest, int *n_rest) {
    *n_files = 0;
    *n_rest = 1;
    rest[0] = argv[0];
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "--", 2)) {
            rest[(*n_rest)++] = argv[i];
            if (is_value_flag(argv[i]) && i + 1 < argc) rest[(*n_rest)++] = argv[++i];
        } else {
            files[(*n_files)++] = argv[i];
        }
    }
}

static int build_options(const transcribe_flags *f, yq_transcribe_options *o) {
    *o = yq_transcribe_defaults();
    long long n;
    if (f->beam && cli_parse_int("--beam", f->beam, 1, 32, &n)) return cli_usage_error("transcribe", "%s", yq_last_error());
    if (f->beam) o->beam_size = (int)n;
    if (f->best_of && cli_parse_int("--best-of", f->best_of, 1, 32, &n))
        return cli_usage_error("transcribe", "%s", yq_last_error());
    if (f->best_of) o->best_of = (int)n;
    if (f->task && strcmp(f->task, "transcribe") && strcmp(f->task, "translate"))
        return cli_usage_error("transcribe", "--task must be transcribe or translate, not '%s'", f->task);
    o->translate = f->task && !strcmp(f->task, "translate");
    o->language = f->language;
    o->timestamps = !f->no_timestamps;
    o->condition_on_previous = !f->no_condition;
    if (f->no_fallback) o->temperature_increment = 0;
    o->initial_prompt = f->initial_prompt;
    if (f->zh_prompt) o->zh_prompt = f->zh_prompt;
    return EXIT_OK;
}

typedef struct {
    const char *file;
    int shown;
} progress_state;

static void show_progress(void *ctx, double done, double total) {
    progress_state *p = ctx;
    if (yq_log_get_level() < YQ_LOG_WARN) return;
    fprintf(stderr, "\ryuqing: %s: %.1f / %.1f s", p->file, done, total);
    p->shown = 1;
}

/* DIR/NAME.EXT for FILE (its base name less its extension), written to a temporary file first. */
static int write_output(const char *dir, const char *file, const char *ext, const char *text, size_t len) {
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    if (!strcmp(file, "-")) base = "stdin";
    const char *dot = strrchr(base, '.');
    int stem = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%.*s.%s", dir, stem, base, ext);
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(text, 1, len, f) == len;
    if (f && fclose(f) != 0) ok = 0;
    if (ok && rename(tmp, path) == 0) return YQ_OK;
    unlink(tmp);
    return yq_error(YQ_EIO, "%s: cannot write", path);
}

static int transcribe_file(const yq_whisper_model *m, const yq_tokenizer *tok, const char *file,
                           const transcribe_flags *flags, yq_transcribe_options *o, yq_transcript_format format) {
    yq_audio audio;
    int rc = yq_audio_load(file, YQ_MEL_SAMPLE_RATE, &audio);
    if (rc) return rc;
    progress_state progress = {file, 0};
    o->progress = show_progress;
    o->progress_ctx = &progress;
    yq_transcript t;
    rc = yq_transcribe(m, tok, audio.samples, audio.n_samples, o, &t);
    if (progress.shown) fputc('\n', stderr);
    yq_audio_free(&audio);
    if (rc) return rc;
    char *text;
    size_t len;
    rc = yq_transcript_write(&t, format, &text, &len);
    if (!rc && flags->output_dir) rc = write_output(flags->output_dir, file, flags->format ? flags->format : "txt", text, len);
    else if (!rc) fwrite(text, 1, len, stdout), fflush(stdout);
    if (!rc) yq_info("%s: language %s (%.2f), %d segments", file, t.language, t.language_prob, t.n_segments);
    free(text);
    yq_transcript_free(&t);
    return rc;
}

static int run_files(const transcribe_flags *flags, char **files, int n_files, yq_transcribe_options *o,
                     yq_transcript_format format) {
    yq_whisper_model *m;
    yq_tokenizer *tok;
    int rc = yq_whisper_open(flags->model, &m);
    if (rc) return cli_fail(rc);
    rc = yq_tokenizer_open(m->folder, NULL, &tok);
    if (rc) {
        yq_whisper_close(m);
        return cli_fail(rc);
    }
    int status = EXIT_OK;
    for (int i = 0; i < n_files; i++) {
        rc = transcribe_file(m, tok, files[i], flags, o, format);
        if (rc) {
            int s = cli_fail(rc);
            if (s > status || status == EXIT_OK) status = s;
        }
    }
    yq_tokenizer_free(tok);
    yq_whisper_close(m);
    return status;
}

int cmd_transcribe(int argc, char **argv) {
    transcribe_flags flags = {0};
    char **files = malloc(((size_t)argc + 1) * sizeof *files), **rest = malloc(((size_t)argc + 1) * sizeof *rest);
    if (!files || !rest) {
        free(files);
        free(rest);
        return cli_fail(yq_error(YQ_ENOMEM, "out of memory"));
    }
    int n_files, n_rest;
    split_files(argc, argv, files, &n_files, rest, &n_rest);
    cli_option options[] = {{"--model", CLI_STRING, &flags.model}, {"--language", CLI_STRING, &flags.language},
                            {"--task", CLI_STRING, &flags.task}, {"--format", CLI_STRING, &flags.format},
                            {"--output-dir", CLI_STRING, &flags.output_dir}, {"--beam", CLI_STRING, &flags.beam},
                            {"--best-of", CLI_STRING, &flags.best_of}, {"--initial-prompt", CLI_STRING, &flags.initial_prompt},
                            {"--zh-prompt", CLI_STRING, &flags.zh_prompt}, {"--no-fallback", CLI_SWITCH, &flags.no_fallback},
                            {"--no-timestamps", CLI_SWITCH, &flags.no_timestamps},
                            {"--no-condition", CLI_SWITCH, &flags.no_condition}, {NULL, 0, NULL}};
    int rc = cli_parse_options("transcribe", n_rest, rest, options, NULL, usage);
    yq_transcribe_options o;
    yq_transcript_format format = YQ_FORMAT_TXT;
    if (rc == 0 && !flags.model) rc = cli_usage_error("transcribe", "give --model PATH");
    if (rc == 0 && n_files == 0) rc = cli_usage_error("transcribe", "give at least one FILE");
    if (rc == 0 && flags.format && yq_transcript_format_parse(flags.format, &format))
        rc = cli_usage_error("transcribe", "%s", yq_last_error());
    if (rc == 0) rc = build_options(&flags, &o);
    if (rc == 0) rc = run_files(&flags, files, n_files, &o, format);
    free(files);
    free(rest);
    return rc < 0 ? EXIT_OK : rc;
}
