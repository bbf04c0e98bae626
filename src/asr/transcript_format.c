/* Writes a transcript as plain text, SubRip (.srt), WebVTT (.vtt) or JSON, with openai-whisper's
 * layouts (segment text stripped of surrounding spaces; "-->" arrows; hh:mm:ss,mmm in SRT). */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yuqing/asr.h"
#include "yuqing/error.h"

int yq_transcript_format_parse(const char *name, yq_transcript_format *out) {
    static const char *const names[] = {"txt", "srt", "vtt", "json"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(name, names[i])) {
            *out = (yq_transcript_format)i;
            return YQ_OK;
        }
    return yq_error(YQ_EINVAL, "unknown format '%s' (txt, srt, vtt, json)", name);
}

/* "hh:mm:ss,mmm" (SRT) or "[hh:]mm:ss.mmm" (VTT, hours only when present). */
static void timestamp(FILE *f, double seconds, int srt) {
    long long ms = llround(seconds * 1000.0);
    long long h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60;
    if (srt || h) fprintf(f, "%02lld:", h);
    fprintf(f, "%02lld:%02lld%c%03lld", m, s, srt ? ',' : '.', ms % 1000);
}

/* The segment's text without surrounding white space. */
static void put_stripped(FILE *f, const char *text) {
    while (isspace((unsigned char)*text)) text++;
    size_t n = strlen(text);
    while (n && isspace((unsigned char)text[n - 1])) n--;
    fwrite(text, 1, n, f);
}

static void write_cues(FILE *f, const yq_transcript *t, int srt) {
    if (!srt) fputs("WEBVTT\n\n", f);
    for (int i = 0; i < t->n_segments; i++) {
        const yq_segment *s = &t->segments[i];
        if (srt) fprintf(f, "%d\n", i + 1);
        timestamp(f, s->start, srt);
        fputs(" --> ", f);
        timestamp(f, s->end, srt);
        fputc('\n', f);
        put_stripped(f, s->text);
        fputs("\n\n", f);
    }
}

static cJSON *segment_json(const yq_segment *s, int id) {
    cJSON *o = cJSON_CreateObject(), *tokens = cJSON_CreateArray();
    cJSON_AddNumberToObject(o, "id", id);
    cJSON_AddNumberToObject(o, "start", round(s->start * 1000.0) / 1000.0);
    cJSON_AddNumberToObject(o, "end", round(s->end * 1000.0) / 1000.0);
    cJSON_AddStringToObject(o, "text", s->text);
    for (int i = 0; i < s->n_tokens; i++) cJSON_AddItemToArray(tokens, cJSON_CreateNumber(s->tokens[i]));
    cJSON_AddItemToObject(o, "tokens", tokens);
    cJSON_AddNumberToObject(o, "temperature", s->temperature);
    cJSON_AddNumberToObject(o, "avg_logprob", s->avg_logprob);
    cJSON_AddNumberToObject(o, "compression_ratio", s->compression_ratio);
    cJSON_AddNumberToObject(o, "no_speech_prob", s->no_speech_prob);
    return o;
}

static int write_json(FILE *f, const yq_transcript *t) {
    cJSON *root = cJSON_CreateObject(), *segments = cJSON_CreateArray();
    size_t total = 1;
    for (int i = 0; i < t->n_segments; i++) total += strlen(t->segments[i].text);
    char *text = malloc(total);
    if (!root || !segments || !text) {
        cJSON_Delete(root);
        cJSON_Delete(segments);
        free(text);
        return yq_error(YQ_ENOMEM, "out of memory");
    }
    text[0] = 0;
    for (int i = 0; i < t->n_segments; i++) {
        strcat(text, t->segments[i].text);
        cJSON_AddItemToArray(segments, segment_json(&t->segments[i], i));
    }
    cJSON_AddStringToObject(root, "text", text);
    cJSON_AddStringToObject(root, "language", t->language);
    cJSON_AddNumberToObject(root, "language_probability", t->language_prob);
    cJSON_AddNumberToObject(root, "duration", t->duration);
    cJSON_AddItemToObject(root, "segments", segments);
    char *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    free(text);
    if (!json) return yq_error(YQ_ENOMEM, "out of memory");
    fprintf(f, "%s\n", json);
    free(json);
    return YQ_OK;
}

int yq_transcript_write(const yq_transcript *t, yq_transcript_format format, char **out, size_t *len) {
    *out = NULL;
    FILE *f = open_memstream(out, len);
    if (!f) return yq_error(YQ_ENOMEM, "out of memory");
    int rc = YQ_OK;
    if (format == YQ_FORMAT_JSON) {
        rc = write_json(f, t);
    } else if (format == YQ_FORMAT_TXT) {
        for (int i = 0; i < t->n_segments; i++) {
            put_stripped(f, t->segments[i].text);
            fputc('\n', f);
        }
    } else {
        write_cues(f, t, format == YQ_FORMAT_SRT);
    }
    if (fclose(f) != 0 && !rc) rc = yq_error(YQ_ENOMEM, "out of memory");
    if (rc) {
        free(*out);
        *out = NULL;
    }
    return rc;
}
