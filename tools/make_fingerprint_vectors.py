#!/usr/bin/env python3
"""Prints the URL-fingerprint test vectors of tests/test_url.c, computed independently of the C
code: FNV-1a 64 (checked here against the published vectors of the FNV authors,
http://www.isthe.com/chongo/src/fnv/test_fnv.c) followed by MurmurHash3's fmix64."""
M = (1 << 64) - 1


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for c in data:
        h = ((h ^ c) * 0x100000001B3) & M
    return h


def fmix64(k: int) -> int:
    k ^= k >> 33
    k = (k * 0xFF51AFD7ED558CCD) & M
    k ^= k >> 33
    k = (k * 0xC4CEB9FE1A85EC53) & M
    k ^= k >> 33
    return k


assert fnv1a64(b"") == 0xCBF29CE484222325
assert fnv1a64(b"a") == 0xAF63DC4C8601EC8C
assert fnv1a64(b"foobar") == 0x85944171F73967E8
for s in ["", "a", "foobar", "http://news.example.com/a/c~?a=1&b=2"]:
    print(f'{{"{s}", "{fmix64(fnv1a64(s.encode())):016x}"}},')
