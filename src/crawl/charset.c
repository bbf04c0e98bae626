/* Page encoding: the caller's hint, a BOM, the page's own declaration (checked against the bytes)
 * or uchardet's guess, then iconv to UTF-8. */
#include "yuqing/charset.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uchardet/uchardet.h>

#include "yuqing/error.h"

enum { SNIFF_BYTES = 16384, NAME_MAX_LEN = 32 };

/* 1 when the bytes are well-formed UTF-8. */
static int valid_utf8(const unsigned char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 4;
        if (k == 4 || i + k >= n + (k == 0)) return 0; /* a stray byte, or cut off at the end */
        for (size_t j = 1; j <= k; j++)
            if ((s[i + j] & 0xC0) != 0x80) return 0;
        i += k + 1;
    }
    return 1;
}

/* Copies the charset name declared by `charset=` in the page's head into `name` (lower case);
 * the byte scan of HTML5's encoding prescan, without parsing. */
static int declared_charset(const char *bytes, size_t len, char *name) {
    size_t n = len < SNIFF_BYTES ? len : SNIFF_BYTES;
    for (size_t i = 0; i + 8 < n; i++) {
        if (strncasecmp(bytes + i, "charset", 7) != 0) continue;
        size_t j = i + 7;
        while (j < n && isspace((unsigned char)bytes[j])) j++;
        if (j >= n || bytes[j] != '=') continue;
        j++;
        while (j < n && (isspace((unsigned char)bytes[j]) || bytes[j] == '"' || bytes[j] == '\'')) j++;
        size_t k = 0;
        while (j < n && k + 1 < NAME_MAX_LEN && (isalnum((unsigned char)bytes[j]) || strchr("-_.:", bytes[j])))
            name[k++] = (char)tolower((unsigned char)bytes[j++]);
        name[k] = 0;
        if (k > 0) return 1;
    }
    return 0;
}

/* iconv's name for a web charset label: GB2312/GBK as GB18030, Latin-1 as Windows-1252. */
static const char *iconv_name(const char *label) {
    static const char *const aliases[][2] = {
        {"gb2312", "GB18030"},    {"gbk", "GB18030"},        {"x-gbk", "GB18030"},
        {"gb_2312-80", "GB18030"}, {"big5", "BIG5-HKSCS"},    {"shift_jis", "CP932"},
        {"sjis", "CP932"},         {"x-sjis", "CP932"},       {"iso-8859-1", "WINDOWS-1252"},
        {"latin1", "WINDOWS-1252"}, {"us-ascii", "WINDOWS-1252"}, {"utf8", "UTF-8"},
    };
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcasecmp(label, aliases[i][0])) return aliases[i][1];
    return label;
}

/* Converts with iconv, skipping undecodable bytes; *bad counts them. */
static int convert(const char *bytes, size_t len, const char *from, char **out, size_t *out_len, size_t *bad) {
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1) return yq_error(YQ_EUNSUPPORTED, "unknown charset '%s'", from);
    size_t cap = len * 4 + 16;
    char *buf = malloc(cap);
    if (!buf) {
        iconv_close(cd);
        return yq_error(YQ_ENOMEM, "out of memory converting %zu bytes", len);
    }
    char *in = (char *)bytes, *o = buf;
    size_t in_left = len, out_left = cap - 1;
    *bad = 0;
    while (in_left > 0) {
        if (iconv(cd, &in, &in_left, &o, &out_left) != (size_t)-1) break;
        if (errno == E2BIG) break; /* cannot happen: 4 bytes out per byte in is enough */
        in++, in_left--, (*bad)++; /* EILSEQ or a truncated tail: skip one byte */
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    iconv_close(cd);
    *o = 0;
    *out = buf;
    *out_len = (size_t)(o - buf);
    return 0;
}

/* uchardet's guess, or "" when it has none. */
static void detect(const char *bytes, size_t len, char *name) {
    name[0] = 0;
    uchardet_t ud = uchardet_new();
    if (!ud) return;
    if (uchardet_handle_data(ud, bytes, len) == 0) {
        uchardet_data_end(ud);
        const char *cs = uchardet_get_charset(ud);
        if (cs) snprintf(name, NAME_MAX_LEN, "%s", cs);
    }
    uchardet_delete(ud);
}

/* Picks the encoding when the caller gave none. */
static void choose(const char *bytes, size_t len, char *name) {
    char declared[NAME_MAX_LEN];
    int utf8 = valid_utf8((const unsigned char *)bytes, len);
    if (utf8) {
        strcpy(name, "UTF-8"); /* a page that is valid UTF-8 is UTF-8, whatever it declares */
        return;
    }
    if (declared_charset(bytes, len, declared) && strcasecmp(iconv_name(declared), "UTF-8") != 0) {
        char guess[NAME_MAX_LEN];
        detect(bytes, len, guess);
        int single_byte = !strcasecmp(iconv_name(declared), "WINDOWS-1252");
        int guess_cjk = strstr(guess, "GB") || strstr(guess, "BIG5") || strstr(guess, "SHIFT") || strstr(guess, "EUC");
        if (!(single_byte && guess_cjk)) {
            snprintf(name, NAME_MAX_LEN, "%s", declared);
            return;
        }
    }
    detect(bytes, len, name);
    if (!name[0] || !strcasecmp(name, "ASCII")) strcpy(name, "WINDOWS-1252");
}

int yq_charset_to_utf8(const char *bytes, size_t len, const char *hint, char **out, size_t *out_len,
                       char *used) {
    char name[NAME_MAX_LEN];
    const unsigned char *u = (const unsigned char *)bytes;
    if (hint && *hint) {
        snprintf(name, sizeof name, "%s", hint);
    } else if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        strcpy(name, "UTF-8");
        bytes += 3, len -= 3;
    } else if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        strcpy(name, u[0] == 0xFF ? "UTF-16LE" : "UTF-16BE");
        bytes += 2, len -= 2;
    } else {
        choose(bytes, len, name);
    }
    size_t bad;
    int rc = convert(bytes, len, iconv_name(name), out, out_len, &bad);
    if (rc == 0 && !hint && bad > len / 50 + 8 && strcasecmp(iconv_name(name), "GB18030") != 0) {
        /* the declaration lied badly: fall back to the detector's guess */
        char guess[NAME_MAX_LEN];
        detect(bytes, len, guess);
        size_t bad2;
        char *alt;
        size_t alt_len;
        if (guess[0] && convert(bytes, len, iconv_name(guess), &alt, &alt_len, &bad2) == 0) {
            if (bad2 < bad) {
                free(*out);
                *out = alt, *out_len = alt_len;
                snprintf(name, sizeof name, "%s", guess);
            } else {
                free(alt);
            }
        }
    }
    if (rc == 0 && used) snprintf(used, NAME_MAX_LEN, "%s", iconv_name(name));
    return rc;
}
