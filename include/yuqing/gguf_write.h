/* Writing GGUF files (version 3): metadata of every type, tensor infos, and tensor data streamed
 * in order, aligned to 32 bytes. The file is written as PATH.tmp and renamed when complete. */
#ifndef YUQING_GGUF_WRITE_H
#define YUQING_GGUF_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "yuqing/gguf.h"

typedef struct yq_gguf_writer yq_gguf_writer;

/* A writer with no metadata and no tensors yet. Free with yq_gguf_writer_free, which removes
 * PATH.tmp when yq_gguf_writer_finish did not succeed. */
int yq_gguf_writer_new(yq_gguf_writer **out);
void yq_gguf_writer_free(yq_gguf_writer *w);

/* Adds metadata `key` = `v` (copied): any scalar (taken from u64 / i64 / f64 by type), a string,
 * or an array of scalars (arr.data holds n little-endian elements) or of strings (arr.strings).
 * YQ_EINVAL for a key given twice, YQ_EUNSUPPORTED for an array of arrays. Before begin only. */
int yq_gguf_writer_set(yq_gguf_writer *w, const char *key, const yq_gguf_value *v);
int yq_gguf_writer_set_u32(yq_gguf_writer *w, const char *key, uint32_t value);
int yq_gguf_writer_set_f32(yq_gguf_writer *w, const char *key, float value);
int yq_gguf_writer_set_string(yq_gguf_writer *w, const char *key, const char *value);

/* Declares the next tensor: dims innermost first (ggml's ne[0] = columns), its ggml type and
 * byte size. Before begin only. */
int yq_gguf_writer_add_tensor(yq_gguf_writer *w, const char *name, int n_dims, const uint64_t *dims,
                              uint32_t ggml_type, uint64_t n_bytes);

/* Creates PATH.tmp and writes the header, metadata and tensor infos. YQ_EIO on failure. */
int yq_gguf_writer_begin(yq_gguf_writer *w, const char *path);

/* Appends `n` bytes of tensor data; tensors are filled in the order they were added, and may
 * be written in several pieces. YQ_EINVAL when more bytes come than were declared. */
int yq_gguf_writer_write(yq_gguf_writer *w, const void *data, size_t n);

/* Checks every tensor is complete, flushes, and renames PATH.tmp to PATH. */
int yq_gguf_writer_finish(yq_gguf_writer *w);

#endif
