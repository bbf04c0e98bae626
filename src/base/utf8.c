/* Lenient UTF-8 decoding (see include/yuqing/utf8.h). */
#include "yuqing/utf8.h"

unsigned yq_utf8_next(const char **s) {
    const unsigned char *p = (const unsigned char *)*s;
    unsigned c = p[0];
    int k = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 0;
    if (k) c &= 0x3F >> k;
    int i = 1;
    for (; i <= k && (p[i] & 0xC0) == 0x80; i++) c = (c << 6) | (p[i] & 0x3F);
    *s += i;
    return c;
}
