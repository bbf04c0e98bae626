/* Lenient UTF-8 decoding shared by the text-processing modules (extraction, scoring). */
#ifndef YUQING_UTF8_H
#define YUQING_UTF8_H

/* Decodes the character at *s (NUL-terminated) and advances *s past it. A malformed lead or
 * continuation byte is taken as one character of its own value, so the walk always advances. */
unsigned yq_utf8_next(const char **s);

#endif
