/* Which addresses the fetcher refuses by default: everything that is not public unicast
 * (RFC 6890's special-purpose registries), for IPv4, IPv6 and IPv4 embedded in IPv6. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/fetch_internal.h"

static int v4_is_private(const uint8_t a[4]) {
    uint32_t x = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
    static const struct {
        uint32_t net;
        int bits;
    } blocks[] = {
        {0x00000000, 8},  /* 0.0.0.0/8 "this network" */
        {0x0A000000, 8},  /* 10/8 private */
        {0x64400000, 10}, /* 100.64/10 shared (carrier-grade NAT) */
        {0x7F000000, 8},  /* 127/8 loopback */
        {0xA9FE0000, 16}, /* 169.254/16 link-local */
        {0xAC100000, 12}, /* 172.16/12 private */
        {0xC0000000, 24}, /* 192.0.0/24 IETF protocol assignments */
        {0xC0000200, 24}, /* 192.0.2/24 documentation */
        {0xC0586300, 24}, /* 192.88.99/24 6to4 relay anycast */
        {0xC0A80000, 16}, /* 192.168/16 private */
        {0xC6120000, 15}, /* 198.18/15 benchmarking */
        {0xC6336400, 24}, /* 198.51.100/24 documentation */
        {0xCB007100, 24}, /* 203.0.113/24 documentation */
        {0xE0000000, 4},  /* 224/4 multicast */
        {0xF0000000, 4},  /* 240/4 reserved, broadcast */
    };
    for (size_t i = 0; i < sizeof blocks / sizeof *blocks; i++)
        if ((x >> (32 - blocks[i].bits)) == (blocks[i].net >> (32 - blocks[i].bits))) return 1;
    return 0;
}

static int v6_is_private(const uint8_t a[16]) {
    static const uint8_t zero[16];
    if (memcmp(a, zero, 15) == 0 && a[15] <= 1) return 1; /* ::, ::1 */
    if (memcmp(a, zero, 10) == 0 && a[10] == 0xff && a[11] == 0xff)
        return v4_is_private(a + 12);                                   /* ::ffff:v4 */
    if (memcmp(a, zero, 12) == 0) return v4_is_private(a + 12);         /* ::v4 (deprecated) */
    if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b) { /* 64:ff9b::/96 NAT64 */
        if (memcmp(a + 4, zero, 8) == 0) return v4_is_private(a + 12);
        return 1; /* 64:ff9b:1::/48 local */
    }
    if (a[0] == 0x01 && a[1] == 0x00 && memcmp(a + 2, zero, 6) == 0) return 1;  /* 100::/64 discard */
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) return 1; /* 2001:db8::/32 docs */
    if (a[0] == 0x20 && a[1] == 0x02) return v4_is_private(a + 2);              /* 2002::/16 6to4 */
    if ((a[0] & 0xfe) == 0xfc) return 1;                                        /* fc00::/7 unique local */
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return 1;                        /* fe80::/10 link-local */
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) return 1;                        /* fec0::/10 site-local */
    if (a[0] == 0xff) return 1;                                                 /* ff00::/8 multicast */
    return 0;
}

int yq_fetch_ip_is_private(const char *ip) {
    uint8_t a[16];
    if (inet_pton(AF_INET, ip, a) == 1) return v4_is_private(a);
    char plain[INET6_ADDRSTRLEN + 2];
    size_t n = strcspn(ip, "%"); /* zone id: fe80::1%eth0 */
    if (n >= sizeof plain) return -1;
    memcpy(plain, ip, n);
    plain[n] = '\0';
    if (inet_pton(AF_INET6, plain, a) == 1) return v6_is_private(a);
    return -1;
}

int fetch_url_host_is_private(const char *url) {
    CURLU *u = curl_url();
    char *host = NULL;
    int private = 0;
    if (u && !curl_url_set(u, CURLUPART_URL, url, 0) && !curl_url_get(u, CURLUPART_HOST, &host, 0)) {
        size_t n = strlen(host);
        char plain[256];
        if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof plain) {
            memcpy(plain, host + 1, n - 2);
            plain[n - 2] = '\0';
        } else {
            snprintf(plain, sizeof plain, "%s", host);
        }
        size_t len = strlen(plain);
        private = yq_fetch_ip_is_private(plain) == 1 || strcasecmp(plain, "localhost") == 0 ||
                  (len > 10 && strcasecmp(plain + len - 10, ".localhost") == 0);
    }
    curl_free(host);
    curl_url_cleanup(u);
    return private;
}
