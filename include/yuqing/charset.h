/* Charset handling for crawled pages: finds a page's encoding (caller's hint, BOM, <meta>,
 * detection) and converts the bytes to UTF-8 with iconv. */
#ifndef YUQING_CHARSET_H
#define YUQING_CHARSET_H

#include <stddef.h>

/* Converts `len` bytes of an HTML page to UTF-8. The encoding is, in order: `hint` (may be
 * NULL), a byte-order mark, the page's <meta charset> / http-equiv declaration when the bytes
 * agree with it, else detection (uchardet); GB2312/GBK are decoded as GB18030. Undecodable bytes
 * are dropped. *out is malloc'd and NUL-terminated (free with free()); `used`, when not NULL,
 * receives the encoding's name (at least 32 bytes). Errors: YQ_EUNSUPPORTED (unknown hint),
 * YQ_ENOMEM. */
int yq_charset_to_utf8(const char *bytes, size_t len, const char *hint, char **out, size_t *out_len,
                       char *used);

#endif
