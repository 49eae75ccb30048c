/* test_rng.c — the generator on its own (core/rng*.c): the mt19937 stream,
** the byte layout of its state, and get/set_state round trips that restore
** the stream exactly, cached normal value included; Bernoulli masks where
** the second word of a draw decides. Parity with PyTorch's
** numbers is tests/peer/test_rng_parity.lua's job. */
#include <math.h>
#include <string.h>

#include "core/rng.h"
#include "harness.h"

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static void test_mt19937_reference(void)
{
    em_rng g;
    em_rng_seed(&g, 5489);              /* the reference implementation's default seed */
    CHECK(em_rng_u32(&g) == 3499211612u);
    for (int i = 1; i < 9999; i++) em_rng_u32(&g);
    CHECK(em_rng_u32(&g) == 4123659995u); /* the 10000th output, as C++ std::mt19937 */
}

static void test_state_layout(void)
{
    em_rng g;
    uint8_t s[EM_RNG_STATE_BYTES];
    em_rng_seed(&g, 42);
    em_rng_get_state(&g, s);
    CHECK(le64(s) == 42);
    CHECK(le64(s + 8) == ((uint64_t)1 << 32 | 1));      /* left = 1, seeded = 1 */
    CHECK(le64(s + 16) == 0);                           /* next */
    CHECK(le64(s + 24) == 42 && le64(s + 32) == 3107752595u);
    CHECK(s[5040] == 0 && s[5052] == 0);                /* no cached normals */
    em_rng_normal_double(&g, 0, 1);                     /* 4 draws, the sine is cached */
    em_rng_get_state(&g, s);
    CHECK(le64(s + 8) == ((uint64_t)1 << 32 | 621));
    CHECK(le64(s + 16) == 4);
    double y;
    uint64_t bits = le64(s + 5024);
    memcpy(&y, &bits, sizeof y);
    CHECK(s[5040] == 1 && y == g.next_normal);
}

/* a mix of every kind of draw, into out[0..n) */
static void draws(em_rng *g, double *out, int n)
{
    float f[20];
    for (int i = 0; i < n; i++) {
        switch (i % 5) {
        case 0: out[i] = em_rng_normal_double(g, 0.5, 2.0); break;
        case 1: out[i] = em_rng_uniform_float(g, -1.0, 1.0); break;
        case 2: em_rng_normal_fill_float(g, f, 20, 0, 1); out[i] = f[19]; break;
        case 3: out[i] = (double)em_rng_randint(g, 0, 1000); break;
        default: out[i] = em_rng_uniform_double(g, 0.0, 1.0); break;
        }
    }
}

static void roundtrip_after(int warmup, bool cached)
{
    em_rng g, h;
    uint8_t s[EM_RNG_STATE_BYTES], s2[EM_RNG_STATE_BYTES];
    double a[700], b[700];
    em_rng_seed(&g, 1234);
    for (int i = 0; i < warmup; i++) em_rng_u32(&g);
    if (cached) em_rng_normal_double(&g, 0, 1);
    CHECK(g.has_next_normal == cached);
    double spare = g.next_normal;
    em_rng_get_state(&g, s);
    draws(&g, a, 700);                      /* crosses several twists */
    CHECK(em_rng_set_state(&g, s, EM_RNG_STATE_BYTES) == EM_OK);
    if (cached) CHECK(em_rng_normal_double(&g, 0, 1) == spare);
    CHECK(em_rng_set_state(&g, s, EM_RNG_STATE_BYTES) == EM_OK);
    draws(&g, b, 700);
    CHECK(memcmp(a, b, sizeof a) == 0);
    em_rng_seed(&h, 99);                    /* another generator takes the state over */
    CHECK(em_rng_set_state(&h, s, EM_RNG_STATE_BYTES) == EM_OK);
    em_rng_get_state(&h, s2);
    CHECK(memcmp(s, s2, sizeof s) == 0);
    draws(&h, b, 700);
    CHECK(memcmp(a, b, sizeof a) == 0);
}

static void test_roundtrip(void)
{
    roundtrip_after(0, false);
    roundtrip_after(0, true);
    roundtrip_after(623, true);             /* the next draw twists */
    roundtrip_after(624, false);
    roundtrip_after(5000, true);
}

static void test_float_cache_kept(void)
{
    em_rng g;
    uint8_t s[EM_RNG_STATE_BYTES], s2[EM_RNG_STATE_BYTES];
    em_rng_seed(&g, 3);
    g.has_next_float_normal = true;
    g.next_float_normal = 1.5f;
    em_rng_get_state(&g, s);
    CHECK(s[5052] == 1);
    em_rng_seed(&g, 4);
    CHECK(em_rng_set_state(&g, s, EM_RNG_STATE_BYTES) == EM_OK);
    CHECK(g.has_next_float_normal && g.next_float_normal == 1.5f);
    em_rng_get_state(&g, s2);
    CHECK(memcmp(s, s2, sizeof s) == 0);
}

static void test_legacy_state(void)
{
    em_rng g;
    uint8_t s[EM_RNG_STATE_BYTES];
    em_rng_seed(&g, 5);
    em_rng_get_state(&g, s);
    double x = 0.25, rho = 2.0;             /* normal = rho * sin(2 pi x) = 2 */
    memcpy(s + 5016, &x, 8);
    memcpy(s + 5032, &rho, 8);
    s[5040] = 1;
    CHECK(em_rng_set_state(&g, s, EM_RNG_STATE_BYTES_LEGACY) == EM_OK);
    CHECK(em_rng_normal_double(&g, 0, 1) == 2.0);
}

static void test_bad_states(void)
{
    em_rng g;
    uint8_t s[EM_RNG_STATE_BYTES];
    em_rng_seed(&g, 8);
    em_rng_u32(&g);
    em_rng_get_state(&g, s);
    CHECK(em_rng_set_state(&g, s, 100) == EM_ERR_VALUE);
    uint8_t t[EM_RNG_STATE_BYTES];
    memcpy(t, s, sizeof t);
    t[8] = t[9] = 0;                        /* left = 0 */
    CHECK(em_rng_set_state(&g, t, EM_RNG_STATE_BYTES) == EM_ERR_VALUE);
    memcpy(t, s, sizeof t);
    t[12] = 0;                              /* not seeded */
    CHECK(em_rng_set_state(&g, t, EM_RNG_STATE_BYTES) == EM_ERR_VALUE);
    memcpy(t, s, sizeof t);
    t[16] = 0x71;                           /* next = 625 */
    t[17] = 0x02;
    CHECK(em_rng_set_state(&g, t, EM_RNG_STATE_BYTES) == EM_ERR_VALUE);
    CHECK(strstr(em_last_error(), "invalid mt19937 state") != NULL);
    em_rng_get_state(&g, t);                /* refused states leave g alone */
    CHECK(memcmp(t, s, sizeof t) == 0);
}

/* The inverse of mt19937's tempering: the word that draws as y. */
static uint32_t untemper(uint32_t y)
{
    y ^= y >> 18;
    y ^= (y << 15) & 0xefc60000u;
    uint32_t x = y;
    for (int i = 0; i < 5; i++) x = y ^ ((x << 7) & 0x9d2c5680u);
    y = x;
    for (int i = 0; i < 3; i++) x = y ^ (x >> 11);
    return x;
}

/* Bernoulli masks are decided by the first word of each pair unless its 21
** low bits tie with the threshold's top bits (one draw in 2^21); then the
** second word decides. A state made of such ties, both ways, must give
** what drawing the 53-bit uniforms one at a time gives. */
static void test_bernoulli_ties(void)
{
    const double p = 0.8;
    uint64_t below = (uint64_t)ceil(p * (double)(1ull << 53));
    uint32_t bhi = (uint32_t)(below >> 32), blo = (uint32_t)below;
    em_rng g;
    em_rng_seed(&g, 1);
    for (int i = 0; i < EM_MT_N; i += 2) {
        uint32_t r = (uint32_t)i * 2654435761u;
        uint32_t hi = i / 2 % 3 == 0 ? (r & ~0x1fffffu) | bhi : r;          /* a tie every third */
        uint32_t lo = i / 2 % 2 ? blo - 1 - (uint32_t)i : blo + (uint32_t)i;  /* below, or not */
        g.mt[i] = untemper(hi);
        g.mt[i + 1] = untemper(lo);
    }
    g.next = 0;
    g.left = EM_MT_N + 1;   /* all 624 words drawn before a twist */
    em_rng h = g;
    CHECK(em_rng_u32(&h) == bhi);   /* untemper inverts the tempering */
    h = g;
    enum { N = EM_MT_N / 2 };
    float out[N];
    em_rng_bernoulli_fill_f32(&g, out, N, p, 1.25f);
    int bad = 0, tie_on = 0, tie_off = 0;
    for (int j = 0; j < N; j++) {
        double u = (double)(em_rng_u64(&h) & ((1ull << 53) - 1)) * (1.0 / (double)(1ull << 53));
        float want = u < p ? 1.25f : 0.0f;
        bad += out[j] != want;
        if (j % 3 == 0) *(want != 0 ? &tie_on : &tie_off) += 1;
    }
    CHECK(bad == 0);
    CHECK(tie_on > 50 && tie_off > 50);
}

static void test_randperm_is_permutation(void)
{
    em_rng g;
    int64_t p[1000];
    int seen[1000] = {0};
    em_rng_seed(&g, 0);
    em_rng_randperm(&g, p, 1000);
    for (int i = 0; i < 1000; i++)
        if (p[i] >= 0 && p[i] < 1000) seen[p[i]]++;
    int ok = 1;
    for (int i = 0; i < 1000; i++) ok = ok && seen[i] == 1;
    CHECK(ok);
}

TEST_MAIN(
    RUN(test_mt19937_reference);
    RUN(test_state_layout);
    RUN(test_roundtrip);
    RUN(test_float_cache_kept);
    RUN(test_legacy_state);
    RUN(test_bad_states);
    RUN(test_bernoulli_ties);
    RUN(test_randperm_is_permutation);
)
