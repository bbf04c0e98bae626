/* Opening a tokenizer from whatever the user names (a .tiktoken file, a tokenizer.json, a model
 * folder), and the accessors of the public API. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tokenizer/tiktoken_encodings.h"
#include "tokenizer/tokenizer_internal.h"
#include "yuqing/error.h"

static int file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int has_suffix(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* The first regular file in `dir` whose name ends with `suffix` (sorted by name for a stable
 * choice), written to out; 0 when there is none. */
static int find_in_dir(const char *dir, const char *suffix, char *out, size_t cap) {
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort), found = 0;
    for (int i = 0; i < n; i++) {
        if (!found && has_suffix(names[i]->d_name, suffix)) {
            snprintf(out, cap, "%s/%s", dir, names[i]->d_name);
            found = file_exists(out);
        }
        free(names[i]);
    }
    if (n >= 0) free(names);
    return found;
}

/* A model folder: tokenizer.json, else a .tiktoken file (Qwen-1's qwen.tiktoken), else a GGUF
 * file. */
static int open_dir(yq_tokenizer *tok, const char *dir, const char *encoding) {
    char path[4096];
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    if (file_exists(path)) return hf_load(tok, path);
    if (find_in_dir(dir, ".tiktoken", path, sizeof path)) return tiktoken_load(tok, path, encoding);
    if (find_in_dir(dir, ".gguf", path, sizeof path)) return gguf_vocab_load(tok, path);
    return yq_error(YQ_ENOENT, "%s: no tokenizer.json, .tiktoken or .gguf file in this folder", dir);
}

/* A file is told by its start: "GGUF" magic, '{' (tokenizer.json), else a tiktoken rank file. */
static int open_file(yq_tokenizer *tok, const char *path, const char *encoding) {
    FILE *f = fopen(path, "rb");
    if (!f) return yq_error(YQ_ENOENT, "%s: cannot open", path);
    char magic[4] = {0};
    size_t got = fread(magic, 1, 4, f);
    rewind(f);
    int c;
    while ((c = fgetc(f)) == ' ' || c == '\n' || c == '\r' || c == '\t') {
    }
    fclose(f);
    if (got == 4 && !memcmp(magic, "GGUF", 4)) return gguf_vocab_load(tok, path);
    if (c == '{') return hf_load(tok, path);
    return tiktoken_load(tok, path, encoding);
}

int yq_tokenizer_open(const char *path, const char *encoding, yq_tokenizer **out) {
    struct stat st;
    *out = NULL;
    if (encoding) { /* an unknown name is an error even where the file does not need one */
        tiktoken_encoding known;
        int rc = tiktoken_builtin(encoding, &known);
        tiktoken_encoding_free(&known);
        if (rc) return rc;
    }
    if (stat(path, &st) != 0) return yq_error(YQ_ENOENT, "%s: no such file or folder", path);
    yq_tokenizer *tok = calloc(1, sizeof *tok);
    if (!tok) return yq_error(YQ_ENOMEM, "tokenizer: out of memory");
    tok->bos = tok->eos = -1;
    pthread_mutex_init(&tok->encoders_lock, NULL);
    int rc = S_ISDIR(st.st_mode) ? open_dir(tok, path, encoding) : open_file(tok, path, encoding);
    if (rc) {
        yq_tokenizer_free(tok);
        return rc;
    }
    *out = tok;
    return YQ_OK;
}

void yq_tokenizer_free(yq_tokenizer *tok) {
    if (!tok) return;
    vocab_free(&tok->vocab);
    bpe_free(&tok->merges);
    free(tok->char_ids);
    pretok_free(&tok->pretok);
    specials_free(&tok->specials);
    encoders_free(tok);
    free(tok->chat_template);
    free(tok);
}

int tokenizer_prepare_bpe(yq_tokenizer *tok, const char *what) {
    if (tok->vocab.n_ids > BPE_MAX_ID)
        return yq_error(YQ_EUNSUPPORTED, "%s: %d token ids, more than supported (%d)", what,
                        (int)tok->vocab.n_ids, BPE_MAX_ID);
    for (int b = 0; b < 256; b++) {
        uint8_t byte = (uint8_t)b;
        tok->byte_ids[b] = vocab_find(&tok->vocab, &byte, 1);
        if (tok->byte_ids[b] < 0) return yq_error(YQ_EFORMAT, "%s: no token for byte 0x%02x", what, b);
    }
    return tokenizer_prepare_chars(tok);
}

int tokenizer_set_merges(yq_tokenizer *tok, const merge_ids *list, uint32_t n) {
    int by_id = 1;
    for (uint32_t i = 1; i < n; i++)
        by_id &= list[i].merged > list[i - 1].merged;
    int rc = bpe_init(&tok->merges, n, by_id ? (uint32_t)tok->vocab.n_ids : n);
    for (uint32_t i = 0; !rc && i < n; i++)
        rc = bpe_add(&tok->merges, list[i].left, list[i].right, by_id ? (uint32_t)list[i].merged : i,
                     list[i].merged);
    return rc ? rc : bpe_finish(&tok->merges);
}

int32_t tokenizer_lookup(const yq_tokenizer *tok, const char *text) {
    const yq_special *s = specials_lookup(&tok->specials, (const uint8_t *)text, strlen(text));
    return s ? s->id : vocab_find(&tok->vocab, (const uint8_t *)text, strlen(text));
}

int32_t yq_tokenizer_vocab_size(const yq_tokenizer *tok) {
    return tok->vocab.n_ids;
}

int32_t yq_tokenizer_special_id(const yq_tokenizer *tok, const char *text) {
    const yq_special *s = specials_lookup(&tok->specials, (const uint8_t *)text, strlen(text));
    return s ? s->id : -1;
}

int32_t yq_tokenizer_bos(const yq_tokenizer *tok) {
    return tok->bos;
}
int32_t yq_tokenizer_eos(const yq_tokenizer *tok) {
    return tok->eos;
}
int yq_tokenizer_adds_bos(const yq_tokenizer *tok) {
    return tok->adds_bos;
}
const char *yq_tokenizer_chat_template(const yq_tokenizer *tok) {
    return tok->chat_template;
}
