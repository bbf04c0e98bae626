/* GPT-2's byte-level alphabet: every byte stands for one printable character, so that a
 * tokenizer.json vocabulary of strings can hold arbitrary bytes ("Ġ" is the space byte). */
#ifndef YUQING_TOKENIZER_BYTELEVEL_H
#define YUQING_TOKENIZER_BYTELEVEL_H

#include <stddef.h>

#include "tokenizer/buffer.h"

/* Appends the bytes that the byte-level string s[0..n) (UTF-8) stands for. Returns 0, YQ_ENOMEM,
 * or YQ_EFORMAT (no message) when s holds a character outside the alphabet. */
int bytelevel_decode(const char *s, size_t n, yq_buf *out);

#endif
