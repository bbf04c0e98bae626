/* URLs for the crawler: relative-link resolution (RFC 3986 §5), canonical form for dedup, and
 * the 64-bit fingerprint that is an item's `id`. Parsing is libcurl's URL API (curl_url).
 *
 * Canonical form (yq_url_canonical):
 *   - scheme and host lower-cased, IDN hosts as given by libcurl, trailing dot of the host kept;
 *   - the scheme's default port dropped (http 80, https 443);
 *   - empty path becomes "/"; dot segments removed; percent-encoding normalised: hex digits
 *     upper-cased, escapes of unreserved characters (A-Z a-z 0-9 - . _ ~) decoded, other bytes
 *     that are not allowed in a path or query (spaces, non-ASCII, controls) encoded;
 *   - query parameters sorted by name, then value (stable, bytewise on the encoded form);
 *     parameters whose name matches a tracking pattern dropped; an empty query dropped;
 *   - fragment and user:password dropped.
 * Example: "HTTP://News.Example.COM:80/a/./b/../c%7e?b=2&utm_source=x&a=1#top"
 *       -> "http://news.example.com/a/c~?a=1&b=2".
 *
 * Crawl-loop use:
 *     char *abs, *canon, id[17];
 *     yq_url_resolve(page_url, href, &abs);                // link as written -> absolute
 *     yq_url_canonical(abs, cfg->tracking_params, &canon); // NULL patterns: the defaults
 *     yq_url_fingerprint_hex(canon, id);                   // the item's id, the seen-set key
 */
#ifndef YUQING_URL_H
#define YUQING_URL_H

#include <stddef.h>
#include <stdint.h>

/* The default tracking-parameter patterns, NULL-terminated. A pattern matches a parameter name
 * exactly (ASCII case-insensitive), or by prefix when it ends in '*':
 *   utm_*  (Google Analytics campaign tags)     spm, scm (Alibaba/Taobao/Youku tracking)
 *   from, share_source, share_medium, share_token, vd_source, isappinstalled, wfr
 *        (WeChat, Bilibili, Weibo sharing tags)
 *   fbclid, gclid, gclsrc, dclid, msclkid, yclid, igshid, twclid, ttclid (ad click ids)
 *   mc_cid, mc_eid (Mailchimp)   _ga, _gl (Google)   _hsenc, _hsmi (HubSpot)   mkt_tok (Marketo) */
extern const char *const yq_url_default_tracking[];

/* Resolves `ref` (an href as written, possibly relative, with surrounding spaces trimmed) against
 * the absolute URL `base` per RFC 3986 §5.2 (libcurl's resolver). *out is malloc'd. `base` may be
 * NULL when `ref` is absolute. Errors: YQ_EINVAL (unparsable, or a scheme other than http/https:
 * "mailto:", "javascript:" links are rejected here), YQ_ENOMEM. */
int yq_url_resolve(const char *base, const char *ref, char **out);

/* Canonical form of the absolute http(s) URL `url` (see above). `tracking` is a NULL-terminated
 * list of patterns (NULL: yq_url_default_tracking; an empty list: drop nothing). *out is
 * malloc'd. Errors: YQ_EINVAL (not an absolute http/https URL), YQ_ENOMEM. */
int yq_url_canonical(const char *url, const char *const *tracking, char **out);

/* 64-bit fingerprint of `len` bytes: FNV-1a 64 followed by the MurmurHash3 fmix64 finaliser (so
 * every output bit depends on every input bit; use it for Bloom filters too). Stable across
 * platforms and versions: stored ids depend on it. */
uint64_t yq_fingerprint64(const void *data, size_t len);

/* The fingerprint of a canonical URL as 16 lower-case hex digits + NUL (the item `id`). */
void yq_url_fingerprint_hex(const char *canonical_url, char out[17]);

/* The host of an absolute URL, lower-case, without port (malloc'd): the politeness key.
 * Errors: YQ_EINVAL, YQ_ENOMEM. */
int yq_url_host(const char *url, char **out);

/* "scheme://host[:port]" of an absolute URL, default port dropped (malloc'd): the robots.txt
 * cache key; robots.txt lives at ORIGIN "/robots.txt". Errors: YQ_EINVAL, YQ_ENOMEM. */
int yq_url_origin(const char *url, char **out);

#endif
