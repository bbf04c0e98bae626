/* A bounded mutation fuzzer that `make test` runs in its ASan+UBSan build: it calls a fuzz
 * target's LLVMFuzzerTestOneInput on each seed file, then on mutants of them (bit flips,
 * boundary integers written over header fields, digits changed in JSON, truncations, repeated
 * chunks) until the time budget is spent. It has no coverage guidance, so libFuzzer (`make
 * fuzz`) goes deeper; this keeps every CI run probing the readers' bounds checks. Each input is
 * written to LAST before it runs, so a crash leaves it behind (replay: LAST as the only seed).
 *   fuzz_NAME_mutate SECONDS LAST SEED_FILE...
 * YQ_FUZZ_SEED=N repeats a run's mutants (the seed is printed; by default it comes from the
 * clock, so each run tries new ones). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

enum { MAX_INPUT = 8 << 20, HEADER_BYTES = 4096, MAX_MUTATIONS = 4 };

typedef struct {
    unsigned char *data;
    size_t size;
} input;

static uint64_t rng_state;

static uint64_t next_random(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t below(size_t n) { return n ? (size_t)(next_random() % n) : 0; }

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int read_seed(const char *path, input *out) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    out->data = malloc(MAX_INPUT);
    out->size = out->data ? fread(out->data, 1, MAX_INPUT, f) : 0;
    int bad = !out->data || ferror(f) || !feof(f);
    fclose(f);
    if (bad) fprintf(stderr, "fuzz: %s: unreadable, or larger than %d bytes\n", path, MAX_INPUT);
    return bad ? -1 : 0;
}

/* Where to mutate: mostly the header (where lengths, counts, types and offsets live). */
static size_t pick_offset(size_t size) {
    size_t head = size < HEADER_BYTES ? size : HEADER_BYTES;
    return below(4) ? below(head) : below(size);
}

static void write_le(unsigned char *p, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t boundary_value(void) {
    static const uint64_t values[] = {0, 1, 2, 3, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF,
                                      0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000ULL,
                                      0x7FFFFFFFFFFFFFFFULL, 0x8000000000000000ULL, UINT64_MAX,
                                      UINT64_MAX - 1, 1ULL << 40, 4096, 32, 256};
    return values[below(sizeof values / sizeof values[0])];
}

static void mutate_once(input *in) {
    if (in->size == 0) {
        in->data[in->size++] = (unsigned char)next_random();
        return;
    }
    size_t at = pick_offset(in->size);
    switch (below(7)) {
    case 0: in->data[at] ^= (unsigned char)(1u << below(8)); break;
    case 1: in->data[at] = (unsigned char)boundary_value(); break;
    case 2:
        if (at + 4 <= in->size) write_le(in->data + at, boundary_value(), 4);
        break;
    case 3:
        if (at + 8 <= in->size) write_le(in->data + at, boundary_value(), 8);
        break;
    case 4: /* JSON headers: another digit, or a run of nines after this one */
        if (in->data[at] >= '0' && in->data[at] <= '9') {
            size_t nines = below(4) ? 0 : 1 + below(12);
            if (in->size + nines <= MAX_INPUT) {
                memmove(in->data + at + 1 + nines, in->data + at + 1, in->size - at - 1);
                memset(in->data + at + 1, '9', nines);
                in->size += nines;
            }
            in->data[at] = (unsigned char)('0' + below(10));
        }
        break;
    case 5: in->size = at; break; /* truncate */
    default: {                    /* copy a chunk over another place */
        size_t from = below(in->size), len = 1 + below(64);
        if (from + len <= in->size && at + len <= in->size) memmove(in->data + at, in->data + from, len);
    }
    }
}

/* Runs one input, saved to `last` first so that a crash leaves it behind. */
static void run_input(const input *in, const char *last) {
    FILE *f = fopen(last, "wb");
    if (f) {
        fwrite(in->data, 1, in->size, f);
        fclose(f);
    }
    LLVMFuzzerTestOneInput(in->data, in->size);
}

int main(int argc, char **argv) {
    if (argc < 4 || atof(argv[1]) <= 0) {
        fprintf(stderr, "usage: %s SECONDS LAST SEED_FILE...\n", argv[0]);
        return 2;
    }
    double budget = atof(argv[1]);
    const char *last = argv[2];
    int n_seeds = argc - 3;
    input *seeds = calloc((size_t)n_seeds, sizeof *seeds);
    input mutant = {malloc(MAX_INPUT), 0};
    if (!seeds || !mutant.data) return 1;
    for (int i = 0; i < n_seeds; i++) {
        if (read_seed(argv[3 + i], &seeds[i])) return 1;
        run_input(&seeds[i], last);
    }
    const char *fixed = getenv("YQ_FUZZ_SEED");
    uint64_t seed = fixed ? strtoull(fixed, NULL, 10) : (uint64_t)time(NULL);
    rng_state = seed ? seed : 1;
    double start = seconds_now();
    uint64_t runs = 0;
    while (seconds_now() - start < budget) {
        const input *from = &seeds[runs % (uint64_t)n_seeds];
        memcpy(mutant.data, from->data, from->size);
        mutant.size = from->size;
        for (size_t m = 1 + below(MAX_MUTATIONS); m > 0; m--) mutate_once(&mutant);
        run_input(&mutant, last);
        runs++;
    }
    remove(last);
    printf("fuzz: %d seeds and %" PRIu64 " mutants in %.0f s, no crash (YQ_FUZZ_SEED=%" PRIu64 ")\n", n_seeds,
           runs, seconds_now() - start, seed);
    for (int i = 0; i < n_seeds; i++) free(seeds[i].data);
    free(seeds);
    free(mutant.data);
    return 0;
}
