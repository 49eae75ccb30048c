/* rng_state.c — a generator's state as the bytes of PyTorch 1.13's
** torch.get_rng_state() on CPU, so that states move both ways between ember
** and PyTorch (legacy 5048-byte states are read too). Not here: the tensor
** that carries the bytes (bind/lua_generator.c). */
#include <math.h>
#include <string.h>

#include "rng.h"

/* The layout is the C struct PyTorch memcpys (x86-64, little endian,
** natural alignment, padding zeroed):
**     0 u64 initial seed     8 i32 left      12 i32 seeded   16 u64 next
**    24 u64 mt[624]        5016 f64 normal_x (0)   5024 f64 normal_y (cached normal)
**  5032 f64 normal_rho (0) 5040 i32 normal_is_valid  (5044 padding)
**  5048 f32 cached float normal  5052 u8 its valid flag  (5053..5055 padding)
** A legacy state stops at 5048 and keeps its cached normal as
** normal_rho * sin(2 pi normal_x), which PyTorch still decodes. */
enum {
    OFF_SEED = 0, OFF_LEFT = 8, OFF_SEEDED = 12, OFF_NEXT = 16, OFF_MT = 24,
    OFF_NORMAL_X = OFF_MT + 8 * EM_MT_N, OFF_NORMAL_Y = OFF_NORMAL_X + 8,
    OFF_NORMAL_RHO = OFF_NORMAL_Y + 8, OFF_NORMAL_VALID = OFF_NORMAL_RHO + 8,
    OFF_FLOAT_NORMAL = OFF_NORMAL_VALID + 8, OFF_FLOAT_VALID = OFF_FLOAT_NORMAL + 4,
};

_Static_assert(OFF_FLOAT_NORMAL == EM_RNG_STATE_BYTES_LEGACY, "legacy state size");
_Static_assert(OFF_FLOAT_VALID + 4 == EM_RNG_STATE_BYTES, "state size");

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void put_u32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static uint32_t get_u32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static void put_f64(uint8_t *p, double d) { uint64_t v; memcpy(&v, &d, 8); put_u64(p, v); }
static double get_f64(const uint8_t *p) { uint64_t v = get_u64(p); double d; memcpy(&d, &v, 8); return d; }
static void put_f32(uint8_t *p, float f) { uint32_t v; memcpy(&v, &f, 4); put_u32(p, v); }
static float get_f32(const uint8_t *p) { uint32_t v = get_u32(p); float f; memcpy(&f, &v, 4); return f; }

void em_rng_get_state(const em_rng *g, uint8_t out[EM_RNG_STATE_BYTES])
{
    memset(out, 0, EM_RNG_STATE_BYTES);
    put_u64(out + OFF_SEED, g->seed);
    put_u32(out + OFF_LEFT, (uint32_t)g->left);
    put_u32(out + OFF_SEEDED, g->seeded ? 1u : 0u);
    put_u64(out + OFF_NEXT, g->next);
    for (int i = 0; i < EM_MT_N; i++) put_u64(out + OFF_MT + 8 * i, g->mt[i]);
    if (g->has_next_normal) {
        put_f64(out + OFF_NORMAL_Y, g->next_normal);
        put_u32(out + OFF_NORMAL_VALID, 1);
    }
    if (g->has_next_float_normal) {
        put_f32(out + OFF_FLOAT_NORMAL, g->next_float_normal);
        out[OFF_FLOAT_VALID] = 1;
    }
}

em_status em_rng_set_state(em_rng *g, const uint8_t *b, int64_t nbytes)
{
    if (nbytes != EM_RNG_STATE_BYTES && nbytes != EM_RNG_STATE_BYTES_LEGACY)
        return em_fail(EM_ERR_VALUE, "set_rng_state: expected a state of %d bytes (torch.get_rng_state() of "
                       "PyTorch's CPU generator), got %lld bytes", EM_RNG_STATE_BYTES, (long long)nbytes);
    em_rng t;
    memset(&t, 0, sizeof t);
    t.seed = get_u64(b + OFF_SEED);
    t.left = (int32_t)get_u32(b + OFF_LEFT);
    t.seeded = get_u32(b + OFF_SEEDED) != 0;
    t.next = (uint32_t)get_u64(b + OFF_NEXT);      /* PyTorch keeps the low 32 bits */
    for (int i = 0; i < EM_MT_N; i++) t.mt[i] = (uint32_t)get_u64(b + OFF_MT + 8 * i);
    if (!t.seeded || t.left < 1 || t.left > EM_MT_N || t.next > EM_MT_N)
        return em_fail(EM_ERR_VALUE, "set_rng_state: invalid mt19937 state (left=%d, next=%u, seeded=%d)",
                       t.left, (unsigned)t.next, (int)t.seeded);
    if (get_u32(b + OFF_NORMAL_VALID) != 0) {
        t.has_next_normal = true;
        if (nbytes == EM_RNG_STATE_BYTES)
            t.next_normal = get_f64(b + OFF_NORMAL_Y);
        else
            t.next_normal = get_f64(b + OFF_NORMAL_RHO) * sin(2.0 * M_PI * get_f64(b + OFF_NORMAL_X));
    }
    if (nbytes == EM_RNG_STATE_BYTES && b[OFF_FLOAT_VALID] != 0) {
        t.has_next_float_normal = true;
        t.next_float_normal = get_f32(b + OFF_FLOAT_NORMAL);
    }
    *g = t;
    return EM_OK;
}
