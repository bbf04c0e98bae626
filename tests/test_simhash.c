/* SimHash against the independent Python reference (tools/simhash_ref.py), Traditional and
 * Simplified Chinese folding to the same fingerprint, and the near-duplicate index against a
 * brute-force scan. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "yuqing/textproc.h"

static uint64_t fingerprint(const char *text) {
    size_t len = strlen(text);
    char *folded = malloc(2 * len + 1);
    uint64_t h = yq_simhash(folded, yq_fold_text(text, len, folded, NULL));
    free(folded);
    return h;
}

static void test_reference_vectors(void) {
    cJSON *root = test_load_json("analyze/simhash_vectors.json");
    const cJSON *v;
    CHECK(root != NULL);
    if (!root) return;
    int n = 0;
    cJSON_ArrayForEach(v, cJSON_GetObjectItem(root, "vectors")) {
        const char *text = cJSON_GetObjectItem(v, "text")->valuestring;
        uint64_t expected = strtoull(cJSON_GetObjectItem(v, "simhash")->valuestring, NULL, 10);
        uint64_t got = fingerprint(text);
        CHECKF(got == expected, "simhash('%s') = %llu, reference %llu", text, (unsigned long long)got,
               (unsigned long long)expected);
        n++;
    }
    CHECK(n == 20);
    cJSON_Delete(root);
}

/* The reference fingerprint of the Simplified text (vector 8) must come out of its Traditional
 * form too, and a one-character edit stays within 3 bits while unrelated text does not. */
static void test_traditional_and_distance(void) {
    cJSON *root = test_load_json("analyze/simhash_vectors.json");
    if (!root) return;
    const cJSON *vectors = cJSON_GetObjectItem(root, "vectors");
    uint64_t simplified = strtoull(cJSON_GetObjectItem(cJSON_GetArrayItem(vectors, 8), "simhash")->valuestring, NULL, 10);
    uint64_t traditional = fingerprint("阿里巴巴集團今天公布了第四季度財報，營收同比增長百分之八，淨利潤超出市場預期。");
    CHECKF(traditional == simplified, "traditional %llu != simplified %llu", (unsigned long long)traditional,
           (unsigned long long)simplified);
    CHECK(yq_hamming(0, ~0ull) == 64 && yq_hamming(5, 4) == 1);
    cJSON_Delete(root);
}

static uint64_t next_random(uint64_t *state) {
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t x = *state;
    x ^= x >> 29;
    return x * 0xbf58476d1ce4e5b9ull ^ (x >> 32);
}

/* The index's answer equals a brute-force nearest search (ties: earliest) for thresholds on both
 * sides of the banded limit. */
static void test_index_matches_brute_force(void) {
    enum { N = 3000, QUERIES = 2000 };
    uint64_t state = 42, stored[N];
    static const int thresholds[] = {0, 3, 6, 9, 20}; /* 20: past the banded limit, a linear scan */
    for (size_t t = 0; t < sizeof thresholds / sizeof thresholds[0]; t++) {
        int k = thresholds[t];
        yq_neardup *index = yq_neardup_new(k);
        for (int i = 0; i < N; i++) {
            stored[i] = next_random(&state);
            yq_neardup_add(index, stored[i], i + 1);
        }
        int mismatches = 0, found = 0;
        for (int q = 0; q < QUERIES; q++) {
            uint64_t probe = stored[next_random(&state) % N];
            for (int flips = (int)(next_random(&state) % 10); flips > 0; flips--) probe ^= 1ull << (next_random(&state) % 64);
            int best = -1, best_d = 65;
            for (int i = 0; i < N; i++) {
                int d = yq_hamming(probe, stored[i]);
                if (d <= k && d < best_d) best = i, best_d = d;
            }
            int64_t got = yq_neardup_find(index, probe);
            mismatches += got != (best < 0 ? 0 : best + 1);
            found += best >= 0;
        }
        CHECKF(mismatches == 0, "k=%d: %d of %d queries differ from brute force", k, mismatches, QUERIES);
        CHECK(found > QUERIES / 10); /* the check is not vacuous */
        yq_neardup_free(index);
    }
}

int main(void) {
    if (yq_fold_init()) {
        fprintf(stderr, "OpenCC t2s unavailable\n");
        return 1;
    }
    test_reference_vectors();
    test_traditional_and_distance();
    test_index_matches_brute_force();
    return test_summary("test_simhash");
}
