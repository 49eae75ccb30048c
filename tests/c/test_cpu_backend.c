/* test_cpu_backend.c — unit tests of the CPU kernels through the em_backend
** table: broadcasting (stride 0), non-contiguous inputs, dtype conversion,
** reductions with indices, gemm against naive loops, index kernels and their
** errors, interrupts. Works on raw buffers and em_kview; no tensors. */
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "core/interrupt.h"
#include "harness.h"

static const em_backend *B;

/* A view on buf; stride NULL means contiguous. */
static em_kview kv(void *buf, em_dtype dt, int ndim, const int64_t *shape, const int64_t *stride)
{
    em_kview v = {.data = buf, .dtype = dt, .ndim = ndim};
    int64_t s = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        v.shape[d] = shape[d];
        v.stride[d] = stride ? stride[d] : s;
        s *= shape[d];
    }
    return v;
}
#define SH(...) ((const int64_t[]){__VA_ARGS__})

static double frand(void) { return (double)rand() / RAND_MAX * 2 - 1; }

static void test_memory(void)
{
    CHECK(em_backend_get(EM_CPU) == B && em_cpu_backend() == B);
    CHECK(em_backend_get(EM_CUDA) == NULL);
    void *p = B->alloc(0), *q = B->alloc(100);
    CHECK(p != NULL && q != NULL);
    CHECK(((uintptr_t)q & 63) == 0);
    char src[100], dst[100];
    for (int i = 0; i < 100; i++) src[i] = (char)i;
    CHECK(B->copy_from_host(q, src, 100) == EM_OK && B->copy_to_host(dst, q, 100) == EM_OK);
    CHECK(memcmp(src, dst, 100) == 0);
    B->free(p, 0);
    B->free(q, 100);
}

static void test_fill(void)
{
    float f[6] = {0};
    em_kview v = kv(f, EM_FLOAT32, 2, SH(2, 2), SH(3, 2));   /* f[0], f[2], f[3], f[5] */
    CHECK(B->fill(&v, 1.5) == EM_OK);
    CHECK(f[0] == 1.5f && f[1] == 0 && f[2] == 1.5f && f[3] == 1.5f && f[4] == 0 && f[5] == 1.5f);
    int32_t i[3];
    em_kview vi = kv(i, EM_INT32, 1, SH(3), NULL);
    CHECK(B->fill(&vi, -1.7) == EM_OK && i[0] == -1 && i[2] == -1);
    uint8_t b[2];
    em_kview vb = kv(b, EM_BOOL, 1, SH(2), NULL);
    CHECK(B->fill(&vb, 0.5) == EM_OK && b[0] == 1 && b[1] == 1);
    double d;
    em_kview vd = kv(&d, EM_FLOAT64, 0, NULL, NULL);
    CHECK(B->fill(&vd, 0.1) == EM_OK && d == 0.1);
}

static void test_copy(void)
{
    /* transposed (non-contiguous) input into a contiguous output */
    float a[12], t[12];
    for (int i = 0; i < 12; i++) a[i] = (float)i;
    em_kview in = kv(a, EM_FLOAT32, 2, SH(4, 3), SH(1, 4));
    em_kview out = kv(t, EM_FLOAT32, 2, SH(4, 3), NULL);
    CHECK(B->copy(&out, &in) == EM_OK);
    int ok = 1;
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 3; c++) ok &= t[r * 3 + c] == a[c * 4 + r];
    CHECK(ok);

    /* batched transposes big enough for the tiled path: (2,50,40) -> (2,40,50) */
    enum { P = 2, Q = 50, S = 40 };
    int64_t *big_in = malloc(sizeof(int64_t) * P * Q * S);
    int64_t *big_out = malloc(sizeof(int64_t) * P * Q * S);
    for (int i = 0; i < P * Q * S; i++) big_in[i] = i;
    em_kview vbi = kv(big_in, EM_INT64, 3, SH(P, S, Q), SH(Q * S, 1, S));
    em_kview vbo = kv(big_out, EM_INT64, 3, SH(P, S, Q), NULL);
    CHECK(B->copy(&vbo, &vbi) == EM_OK);
    ok = 1;
    for (int p = 0; p < P; p++)
        for (int r = 0; r < S; r++)
            for (int c = 0; c < Q; c++)
                ok &= big_out[(p * S + r) * Q + c] == big_in[(p * Q + c) * S + r];
    CHECK(ok);
    free(big_in), free(big_out);

    /* conversions */
    double src[6] = {-2.7, 2.7, NAN, 1e300, -1e300, 0.0};
    int64_t i64[6];
    em_kview vs = kv(src, EM_FLOAT64, 1, SH(6), NULL), vi = kv(i64, EM_INT64, 1, SH(6), NULL);
    CHECK(B->copy(&vi, &vs) == EM_OK);
    CHECK(i64[0] == -2 && i64[1] == 2 && i64[2] == 0 && i64[3] == INT64_MAX && i64[4] == INT64_MIN);
    uint8_t bo[6];
    em_kview vb = kv(bo, EM_BOOL, 1, SH(6), NULL);
    CHECK(B->copy(&vb, &vs) == EM_OK);
    CHECK(bo[0] == 1 && bo[2] == 1 && bo[5] == 0);
    float f[6];
    em_kview vf = kv(f, EM_FLOAT32, 1, SH(6), NULL);
    CHECK(B->copy(&vf, &vb) == EM_OK && f[0] == 1 && f[5] == 0);
    CHECK(B->copy(&vf, &vs) == EM_OK && f[3] == INFINITY && f[4] == -INFINITY && isnan(f[2]));
    int64_t big[3] = {((int64_t)1 << 32) + 5, -1, 300};
    int32_t i32[3];
    uint8_t u8[3];
    em_kview vbig = kv(big, EM_INT64, 1, SH(3), NULL);
    em_kview v32 = kv(i32, EM_INT32, 1, SH(3), NULL), vu8 = kv(u8, EM_UINT8, 1, SH(3), NULL);
    CHECK(B->copy(&v32, &vbig) == EM_OK && i32[0] == 5 && i32[1] == -1 && i32[2] == 300);
    CHECK(B->copy(&vu8, &vbig) == EM_OK && u8[0] == 5 && u8[1] == 255 && u8[2] == 44);

    /* every dtype pair round-trips small integers, through a stride-2 view */
    for (int from = 0; from < EM_NUM_DTYPES; from++)
        for (int to = 0; to < EM_NUM_DTYPES; to++) {
            uint64_t x[8] = {0}, y[4] = {0};
            em_kview vx = kv(x, (em_dtype)from, 1, SH(4), SH(2));
            em_kview vy = kv(y, (em_dtype)to, 1, SH(4), NULL);
            CHECK(B->fill(&vx, 1) == EM_OK && B->copy(&vy, &vx) == EM_OK);
            double got = 0, want = 1;
            em_kview back = kv(&got, EM_FLOAT64, 1, SH(1), NULL), last = vy;
            last.shape[0] = 1;
            last.data = (char *)y + 3 * em_dtype_size((em_dtype)to);
            CHECK(B->copy(&back, &last) == EM_OK);
            CHECK_CLOSE(got, want, 0);
        }
}

static void test_unary(void)
{
    float x[7] = {-100, -2.5f, -0.5f, 0, 0.5f, 3, 100}, y[7];
    em_kview vx = kv(x, EM_FLOAT32, 1, SH(7), NULL), vy = kv(y, EM_FLOAT32, 1, SH(7), NULL);
    CHECK(B->unary(EM_U_SIGMOID, &vy, &vx, 0, 0) == EM_OK);
    CHECK_CLOSE(y[0], 0, 1e-30);
    CHECK_CLOSE(y[6], 1, 0);
    CHECK_CLOSE(y[2], 1 / (1 + exp(0.5)), 1e-7);
    CHECK(B->unary(EM_U_TANH, &vy, &vx, 0, 0) == EM_OK);
    CHECK_CLOSE(y[4], tanh(0.5), 1e-7);
    CHECK(B->unary(EM_U_CLAMP, &vy, &vx, -1, INFINITY) == EM_OK);
    CHECK(y[0] == -1 && y[2] == -0.5f && y[6] == 100);
    CHECK(B->unary(EM_U_POW, &vy, &vx, 2, 0) == EM_OK && y[1] == 6.25f);
    CHECK(B->unary(EM_U_POW, &vy, &vx, 1.5, 0) == EM_OK);
    CHECK_CLOSE(y[5], pow(3, 1.5), 1e-5);
    CHECK(B->unary(EM_U_RELU, &vx, &vx, 0, 0) == EM_OK && x[0] == 0 && x[5] == 3);   /* in place */

    double d[4] = {NAN, -3, 0, 2}, e[4];
    em_kview vd = kv(d, EM_FLOAT64, 1, SH(2), SH(2)), ve = kv(e, EM_FLOAT64, 1, SH(2), NULL);
    /* sign of NaN is 0, as PyTorch's (0 < x) - (x < 0) */
    CHECK(B->unary(EM_U_SIGN, &ve, &vd, 0, 0) == EM_OK && e[0] == 0 && e[1] == 0);
    CHECK(B->unary(EM_U_RELU, &ve, &vd, 0, 0) == EM_OK && isnan(e[0]));
    CHECK(B->unary(EM_U_CLAMP, &ve, &vd, -1, 1) == EM_OK && isnan(e[0]) && e[1] == 0);
    CHECK(B->unary(EM_U_LOG1P, &ve, &vd, 0, 0) == EM_OK && e[1] == 0);

    int64_t i[4] = {INT64_MIN, -7, 0, 9}, o[4];
    em_kview vi = kv(i, EM_INT64, 1, SH(4), NULL), vo = kv(o, EM_INT64, 1, SH(4), NULL);
    CHECK(B->unary(EM_U_NEG, &vo, &vi, 0, 0) == EM_OK && o[0] == INT64_MIN && o[1] == 7);
    CHECK(B->unary(EM_U_ABS, &vo, &vi, 0, 0) == EM_OK && o[1] == 7 && o[3] == 9);
    CHECK(B->unary(EM_U_CLAMP, &vo, &vi, -2.5, INFINITY) == EM_OK && o[0] == -2 && o[3] == 9);
    CHECK(B->unary(EM_U_SIGN, &vo, &vi, 0, 0) == EM_OK && o[0] == -1 && o[2] == 0 && o[3] == 1);
    CHECK(B->unary(EM_U_EXP, &vo, &vi, 0, 0) == EM_ERR_TYPE);
    CHECK(strstr(em_last_error(), "exp") && strstr(em_last_error(), "int64"));
    uint8_t u[2] = {3, 250}, w[2];
    em_kview vu = kv(u, EM_UINT8, 1, SH(2), NULL), vw = kv(w, EM_UINT8, 1, SH(2), NULL);
    CHECK(B->unary(EM_U_CLAMP, &vw, &vu, 5, 300) == EM_OK && w[0] == 5 && w[1] == 250);
    CHECK(B->unary(EM_U_NEG, &vw, &vu, 0, 0) == EM_OK && w[0] == 253);
}

/* out (2,3) = a op b with b broadcast in several ways, float32. */
static void test_binary_broadcast(void)
{
    float a[6] = {1, 2, 3, 4, 5, 6}, row[3] = {10, 20, 30}, col[2] = {100, 200}, s = 0.5f, o[6];
    em_kview va = kv(a, EM_FLOAT32, 2, SH(2, 3), NULL), vo = kv(o, EM_FLOAT32, 2, SH(2, 3), NULL);
    em_kview vr = kv(row, EM_FLOAT32, 2, SH(2, 3), SH(0, 1));
    em_kview vc = kv(col, EM_FLOAT32, 2, SH(2, 3), SH(1, 0));
    em_kview vs = kv(&s, EM_FLOAT32, 2, SH(2, 3), SH(0, 0));
    CHECK(B->binary(EM_B_ADD, &vo, &va, &vr) == EM_OK && o[0] == 11 && o[5] == 36);
    CHECK(B->binary(EM_B_SUB, &vo, &va, &vc) == EM_OK && o[0] == -99 && o[5] == -194);
    CHECK(B->binary(EM_B_MUL, &vo, &va, &vs) == EM_OK && o[1] == 1 && o[5] == 3);
    CHECK(B->binary(EM_B_DIV, &vo, &vs, &va) == EM_OK && o[1] == 0.25f);     /* scalar a */
    em_kview vt = kv(a, EM_FLOAT32, 2, SH(2, 3), SH(1, 2));   /* a viewed (3,2)^T */
    CHECK(B->binary(EM_B_ADD, &vo, &vt, &vr) == EM_OK && o[1] == 23 && o[3] == 12);
    /* in place */
    CHECK(B->binary(EM_B_MUL, &va, &va, &vr) == EM_OK && a[0] == 10 && a[5] == 180);

    /* long rows exercise the vectorised loops against the strided one */
    enum { N = 1003 };
    float *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y), *z = malloc(N * sizeof *z);
    for (int i = 0; i < N; i++) x[i] = (float)frand(), y[i] = (float)frand();
    em_kview vx = kv(x, EM_FLOAT32, 1, SH(N), NULL), vy = kv(y, EM_FLOAT32, 1, SH(N), NULL);
    em_kview vz = kv(z, EM_FLOAT32, 1, SH(N), NULL), vy0 = kv(y, EM_FLOAT32, 1, SH(N), SH(0));
    int ok = B->binary(EM_B_MAXIMUM, &vz, &vx, &vy) == EM_OK;
    for (int i = 0; i < N; i++) ok &= z[i] == (x[i] > y[i] ? x[i] : y[i]);
    ok &= B->binary(EM_B_SUB, &vz, &vx, &vy0) == EM_OK;
    for (int i = 0; i < N; i++) ok &= z[i] == x[i] - y[0];
    ok &= B->binary(EM_B_ADD, &vx, &vx, &vy) == EM_OK;
    ok &= B->binary(EM_B_SUB, &vx, &vx, &vy) == EM_OK;
    CHECK(ok);
    free(x), free(y), free(z);
}

static void test_binary_types(void)
{
    float a[3] = {NAN, 1, 2}, b[3] = {0, NAN, 2}, o[3];
    uint8_t c[3];
    em_kview va = kv(a, EM_FLOAT32, 1, SH(3), NULL), vb = kv(b, EM_FLOAT32, 1, SH(3), NULL);
    em_kview vo = kv(o, EM_FLOAT32, 1, SH(3), NULL), vc = kv(c, EM_BOOL, 1, SH(3), NULL);
    CHECK(B->binary(EM_B_MAXIMUM, &vo, &va, &vb) == EM_OK && isnan(o[0]) && isnan(o[1])
          && o[2] == 2);
    CHECK(B->binary(EM_B_MINIMUM, &vo, &va, &vb) == EM_OK && isnan(o[0]) && isnan(o[1]));
    CHECK(B->binary(EM_B_EQ, &vc, &va, &vb) == EM_OK && c[0] == 0 && c[1] == 0 && c[2] == 1);
    CHECK(B->binary(EM_B_NE, &vc, &va, &vb) == EM_OK && c[0] == 1 && c[2] == 0);
    CHECK(B->binary(EM_B_ADD, &vc, &va, &vb) == EM_ERR_INTERNAL);   /* wrong out dtype */

    int64_t x[4] = {INT64_MAX, 7, -7, INT64_MIN}, y[4] = {1, 0, 2, -1}, z[4];
    em_kview vx = kv(x, EM_INT64, 1, SH(4), NULL), vy = kv(y, EM_INT64, 1, SH(4), NULL);
    em_kview vz = kv(z, EM_INT64, 1, SH(4), NULL);
    CHECK(B->binary(EM_B_ADD, &vz, &vx, &vy) == EM_OK && z[0] == INT64_MIN && z[2] == -5);
    CHECK(B->binary(EM_B_DIV, &vz, &vx, &vy) == EM_OK && z[1] == 0 && z[2] == -3
          && z[3] == INT64_MIN);
    /* integer powers are exact and wrap; a negative exponent gives 1 / x^|y| truncated */
    CHECK(B->binary(EM_B_POW, &vz, &vx, &vy) == EM_OK && z[0] == INT64_MAX && z[1] == 1 && z[2] == 49
          && z[3] == 0);
    int64_t e3[4] = {3, 2, -1, 1}, b3[4] = {3, 64, -1, -5};
    em_kview vexp = kv(e3, EM_INT64, 1, SH(4), NULL), vb3 = kv(b3, EM_INT64, 1, SH(4), NULL);
    e3[0] = 39;
    CHECK(B->binary(EM_B_POW, &vz, &vb3, &vexp) == EM_OK && z[0] == 4052555153018976267LL && z[1] == 4096
          && z[2] == -1 && z[3] == -5);
    e3[1] = 64;
    b3[1] = 2;
    CHECK(B->binary(EM_B_POW, &vz, &vb3, &vexp) == EM_OK && z[1] == 0);   /* 2^64 wraps to 0 */
    /* rounded division: floor and trunc differ for mixed signs; zero divisors are an error */
    CHECK(B->binary(EM_B_FLOOR_DIV, &vz, &vx, &vy) == EM_ERR_VALUE && strstr(em_last_error(), "ZeroDivision"));
    y[1] = 3;
    CHECK(B->binary(EM_B_FLOOR_DIV, &vz, &vx, &vy) == EM_OK && z[0] == INT64_MAX && z[1] == 2 && z[2] == -4
          && z[3] == INT64_MIN);
    CHECK(B->binary(EM_B_TRUNC_DIV, &vz, &vx, &vy) == EM_OK && z[1] == 2 && z[2] == -3 && z[3] == INT64_MIN);
    double fa[6] = {-7, 7, -0.5, 5, 0, -1}, fb[6] = {2, -2, 2, 0.1, 0, INFINITY}, fo[6];
    em_kview vfa = kv(fa, EM_FLOAT64, 1, SH(6), NULL), vfb = kv(fb, EM_FLOAT64, 1, SH(6), NULL);
    em_kview vfo = kv(fo, EM_FLOAT64, 1, SH(6), NULL);
    /* Python's //: 5 // 0.1 is 49 (not floor(50.000000000000004)), -0.5 // 2 is -1, 0 // 0 NaN,
    ** -1 // inf is -1 */
    CHECK(B->binary(EM_B_FLOOR_DIV, &vfo, &vfa, &vfb) == EM_OK && fo[0] == -4 && fo[1] == -4 && fo[2] == -1
          && fo[3] == 49 && isnan(fo[4]) && fo[5] == -1);
    CHECK(B->binary(EM_B_TRUNC_DIV, &vfo, &vfa, &vfb) == EM_OK && fo[0] == -3 && fo[1] == -3 && fo[2] == 0
          && signbit(fo[2]) && fo[3] == 50);
    int32_t p[2] = {5, -3}, q[2] = {2, 4}, r[2];
    em_kview vp = kv(p, EM_INT32, 1, SH(2), NULL), vq = kv(q, EM_INT32, 1, SH(2), NULL);
    em_kview vr = kv(r, EM_INT32, 1, SH(2), NULL);
    CHECK(B->binary(EM_B_MUL, &vr, &vp, &vq) == EM_OK && r[0] == 10 && r[1] == -12);
    uint8_t bl[4] = {0, 0, 1, 1}, br[4] = {0, 1, 0, 1}, bo[4];
    em_kview vl = kv(bl, EM_BOOL, 1, SH(4), NULL), vbr = kv(br, EM_BOOL, 1, SH(4), NULL);
    em_kview vbo = kv(bo, EM_BOOL, 1, SH(4), NULL);
    CHECK(B->binary(EM_B_XOR, &vbo, &vl, &vbr) == EM_OK && bo[0] == 0 && bo[1] == 1 && bo[3] == 0);
    CHECK(B->binary(EM_B_AND, &vbo, &vl, &vbr) == EM_OK && bo[3] == 1 && bo[2] == 0);
    CHECK(B->binary(EM_B_ADD, &vbo, &vl, &vbr) == EM_OK && bo[1] == 1 && bo[3] == 1);
    CHECK(B->binary(EM_B_SUB, &vbo, &vl, &vbr) == EM_ERR_TYPE);
    double d[2] = {2, 9}, e[2] = {3, 0.5}, f[2];
    em_kview vd = kv(d, EM_FLOAT64, 1, SH(2), NULL), ve = kv(e, EM_FLOAT64, 1, SH(2), NULL);
    em_kview vf = kv(f, EM_FLOAT64, 1, SH(2), NULL);
    CHECK(B->binary(EM_B_POW, &vf, &vd, &ve) == EM_OK && f[0] == 8 && f[1] == 3);
}

static void test_where(void)
{
    uint8_t cond[3] = {1, 0, 1};
    int64_t a[2] = {1, 2}, b = -1, o[6];
    em_kview vc = kv(cond, EM_BOOL, 2, SH(2, 3), SH(0, 1));
    em_kview va = kv(a, EM_INT64, 2, SH(2, 3), SH(1, 0));
    em_kview vb = kv(&b, EM_INT64, 2, SH(2, 3), SH(0, 0)), vo = kv(o, EM_INT64, 2, SH(2, 3), NULL);
    CHECK(B->where(&vo, &vc, &va, &vb) == EM_OK);
    CHECK(o[0] == 1 && o[1] == -1 && o[2] == 1 && o[3] == 2 && o[4] == -1 && o[5] == 2);
    float fa[3] = {1, 2, 3}, fb[3] = {4, 5, 6}, fo[3];
    em_kview fva = kv(fa, EM_FLOAT32, 1, SH(3), NULL), fvb = kv(fb, EM_FLOAT32, 1, SH(3), NULL);
    em_kview fvo = kv(fo, EM_FLOAT32, 1, SH(3), NULL), fvc = kv(cond, EM_BOOL, 1, SH(3), NULL);
    CHECK(B->where(&fvo, &fvc, &fva, &fvb) == EM_OK && fo[0] == 1 && fo[1] == 5 && fo[2] == 3);
}

/* in (2,3,4) = 0..23 */
/* scan: cumsum / cumprod along a dim, forwards and reversed, strided */
static void test_scan(void)
{
    float x[6] = {1, 2, 3, 4, 5, 6}, o[6];
    em_kview in = kv(x, EM_FLOAT32, 2, SH(2, 3), NULL), out = kv(o, EM_FLOAT32, 2, SH(2, 3), NULL);
    CHECK(B->scan(EM_R_SUM, &out, &in, 1, false) == EM_OK);
    CHECK(o[0] == 1 && o[1] == 3 && o[2] == 6 && o[3] == 4 && o[4] == 9 && o[5] == 15);
    CHECK(B->scan(EM_R_SUM, &out, &in, 0, false) == EM_OK);
    CHECK(o[0] == 1 && o[2] == 3 && o[3] == 5 && o[5] == 9);
    CHECK(B->scan(EM_R_SUM, &out, &in, 1, true) == EM_OK);
    CHECK(o[0] == 6 && o[1] == 5 && o[2] == 3 && o[3] == 15 && o[5] == 6);
    CHECK(B->scan(EM_R_PROD, &out, &in, 1, false) == EM_OK && o[2] == 6 && o[5] == 120);
    /* a transposed (3, 2) view of x into a transposed out: along its dim 1 */
    em_kview tin = kv(x, EM_FLOAT32, 2, SH(3, 2), SH(1, 3)), tout = kv(o, EM_FLOAT32, 2, SH(3, 2), SH(1, 3));
    CHECK(B->scan(EM_R_SUM, &tout, &tin, 1, false) == EM_OK);
    CHECK(o[0] == 1 && o[3] == 5 && o[2] == 3 && o[5] == 9);
    /* floats add up in double: 1e8 + 1 + 1 is 100000002 (float32 alone stays 1e8) */
    float big[3] = {1e8f, 1, 1}, bo[3];
    em_kview vb = kv(big, EM_FLOAT32, 1, SH(3), NULL), vbo = kv(bo, EM_FLOAT32, 1, SH(3), NULL);
    CHECK(B->scan(EM_R_SUM, &vbo, &vb, 0, false) == EM_OK && bo[1] == 1e8f && bo[2] == 100000002.0f);
    /* int64 wraps; a 0-dim input is copied; other dtypes and ops refused */
    int64_t li[2] = {INT64_MAX, 1}, lo[2];
    em_kview vli = kv(li, EM_INT64, 1, SH(2), NULL), vlo = kv(lo, EM_INT64, 1, SH(2), NULL);
    CHECK(B->scan(EM_R_SUM, &vlo, &vli, 0, false) == EM_OK && lo[1] == INT64_MIN);
    double d = 2.5, dout = 0;
    em_kview v0 = kv(&d, EM_FLOAT64, 0, NULL, NULL), v0o = kv(&dout, EM_FLOAT64, 0, NULL, NULL);
    CHECK(B->scan(EM_R_PROD, &v0o, &v0, -1, false) == EM_OK && dout == 2.5);
    int32_t ii[2] = {1, 2}, io[2];
    em_kview vi = kv(ii, EM_INT32, 1, SH(2), NULL), vio = kv(io, EM_INT32, 1, SH(2), NULL);
    CHECK(B->scan(EM_R_SUM, &vio, &vi, 0, false) == EM_ERR_TYPE);
    CHECK(B->scan(EM_R_MAX, &out, &in, 0, false) == EM_ERR_INTERNAL);
}

static void test_reduce(void)
{
    float x[24], o[24];
    int64_t ix[24];
    for (int i = 0; i < 24; i++) x[i] = (float)i;
    em_kview in = kv(x, EM_FLOAT32, 3, SH(2, 3, 4), NULL);
    em_kview out = kv(o, EM_FLOAT32, 3, SH(2, 3, 4), SH(4, 0, 1));   /* keepdim (2,1,4) */
    CHECK(B->reduce(EM_R_SUM, &out, &in, NULL, 0) == EM_OK);
    CHECK(o[0] == 0 + 4 + 8 && o[3] == 3 + 7 + 11 && o[4] == 12 + 16 + 20);
    out = kv(o, EM_FLOAT32, 3, SH(2, 3, 4), SH(0, 1, 0));           /* dims 1 and 3 */
    CHECK(B->reduce(EM_R_SUM, &out, &in, NULL, 0) == EM_OK);
    CHECK(o[0] == 0 + 1 + 2 + 3 + 12 + 13 + 14 + 15 && o[2] == 8 + 9 + 10 + 11 + 20 + 21 + 22 + 23);
    out = kv(o, EM_FLOAT32, 3, SH(2, 3, 4), SH(0, 0, 0));
    CHECK(B->reduce(EM_R_SUM, &out, &in, NULL, 0) == EM_OK && o[0] == 276);
    em_kview wrong = kv(x, EM_FLOAT32, 3, SH(2, 3, 5), NULL);
    CHECK(B->reduce(EM_R_PROD, &out, &wrong, NULL, 0) == EM_ERR_INTERNAL);

    /* max with index, over the last dim and over a strided middle dim */
    x[5] = 100, x[6] = 100, x[21] = NAN, x[22] = 1000;
    out = kv(o, EM_FLOAT32, 3, SH(2, 3, 4), SH(3, 1, 0));
    em_kview idx = kv(ix, EM_INT64, 3, SH(2, 3, 4), SH(3, 1, 0));
    CHECK(B->reduce(EM_R_MAX, &out, &in, &idx, 2) == EM_OK);
    CHECK(o[0] == 3 && ix[0] == 3 && o[1] == 100 && ix[1] == 1 && isnan(o[5]) && ix[5] == 1);
    out = kv(o, EM_FLOAT32, 3, SH(2, 3, 4), SH(4, 0, 1));
    idx = kv(ix, EM_INT64, 3, SH(2, 3, 4), SH(4, 0, 1));
    CHECK(B->reduce(EM_R_MIN, &out, &in, &idx, 1) == EM_OK);
    CHECK(o[0] == 0 && ix[0] == 0 && o[1] == 1 && ix[1] == 0 && isnan(o[5]) && ix[5] == 2);

    /* transposed input (4,3) over a (3,4) buffer: column sums */
    em_kview tin = kv(x, EM_FLOAT32, 2, SH(4, 6), SH(1, 4));
    out = kv(o, EM_FLOAT32, 2, SH(4, 6), SH(1, 0));
    x[5] = 5, x[6] = 6, x[21] = 21, x[22] = 22;
    CHECK(B->reduce(EM_R_SUM, &out, &tin, NULL, 0) == EM_OK);
    CHECK(o[0] == 0 + 4 + 8 + 12 + 16 + 20 && o[3] == 3 + 7 + 11 + 15 + 19 + 23);

    /* ints, bools, empty */
    int64_t li[4] = {INT64_MAX, 1, -5, 2}, lo;
    em_kview vli = kv(li, EM_INT64, 1, SH(4), NULL), vlo = kv(&lo, EM_INT64, 1, SH(4), SH(0));
    CHECK(B->reduce(EM_R_SUM, &vlo, &vli, NULL, 0) == EM_OK && lo == INT64_MAX - 2);
    CHECK(B->reduce(EM_R_MIN, &vlo, &vli, NULL, 0) == EM_OK && lo == -5);
    uint8_t bl[5] = {1, 0, 1, 1, 0};
    em_kview vbl = kv(bl, EM_BOOL, 1, SH(5), NULL), vcnt = kv(&lo, EM_INT64, 1, SH(5), SH(0));
    CHECK(B->reduce(EM_R_SUM, &vcnt, &vbl, NULL, 0) == EM_OK && lo == 3);
    float e[3] = {7, 7, 7};
    em_kview vempty = kv(x, EM_FLOAT32, 2, SH(3, 0), NULL);
    em_kview veo = kv(e, EM_FLOAT32, 2, SH(3, 0), SH(1, 0));
    CHECK(B->reduce(EM_R_SUM, &veo, &vempty, NULL, 0) == EM_OK && e[0] == 0 && e[2] == 0);
    CHECK(B->reduce(EM_R_PROD, &veo, &vempty, NULL, 0) == EM_OK && e[1] == 1);

    /* float32 column path (chunk boundary) and row path against double sums */
    enum { R = 7, C = 300 };
    float *m = malloc(R * C * sizeof *m), cs[C], rs[R];
    for (int i = 0; i < R * C; i++) m[i] = (float)frand();
    em_kview vm = kv(m, EM_FLOAT32, 2, SH(R, C), NULL);
    em_kview vcs = kv(cs, EM_FLOAT32, 2, SH(R, C), SH(0, 1));
    em_kview vrs = kv(rs, EM_FLOAT32, 2, SH(R, C), SH(1, 0));
    CHECK(B->reduce(EM_R_SUM, &vcs, &vm, NULL, 0) == EM_OK
          && B->reduce(EM_R_SUM, &vrs, &vm, NULL, 0) == EM_OK);
    double err = 0;
    for (int j = 0; j < C; j++) {
        double t = 0;
        for (int i = 0; i < R; i++) t += m[i * C + j];
        err = fmax(err, fabs(t - cs[j]));
    }
    for (int i = 0; i < R; i++) {
        double t = 0;
        for (int j = 0; j < C; j++) t += m[i * C + j];
        err = fmax(err, fabs(t - rs[i]));
    }
    CHECK_CLOSE(err, 0, 1e-5);
    free(m);
}

/* C = alpha op(A) op(B) + beta C against a naive loop, stored with padding. */
static void check_gemm_ab(em_dtype dt, bool ta, bool tb, int m, int n, int k, int batch, double alpha,
                          double beta)
{
    int lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 3;
    int sa = (ta ? k : m) * lda, sb = (tb ? n : k) * ldb, sc = m * ldc;
    double *a = malloc(sizeof(double) * batch * sa), *b = malloc(sizeof(double) * batch * sb);
    double *c = malloc(sizeof(double) * batch * sc), *want = malloc(sizeof(double) * batch * sc);
    for (int i = 0; i < batch * sa; i++) a[i] = dt == EM_INT64 ? rand() % 7 - 3 : frand();
    for (int i = 0; i < batch * sb; i++) b[i] = dt == EM_INT64 ? rand() % 7 - 3 : frand();
    for (int i = 0; i < batch * sc; i++) c[i] = dt == EM_INT64 ? rand() % 7 - 3 : frand();
    for (int q = 0; q < batch; q++)
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += a[q * sa + (ta ? p * lda + i : i * lda + p)] *
                         b[q * sb + (tb ? j * ldb + p : p * ldb + j)];
                want[q * sc + i * ldc + j] = alpha * s + beta * c[q * sc + i * ldc + j];
            }
    void *da = a, *db = b, *dc = c;
    float *fa = NULL, *fb = NULL, *fc = NULL;
    int64_t *ia = NULL, *ib = NULL, *ic = NULL;
    if (dt == EM_FLOAT32) {
        fa = malloc(4 * batch * sa), fb = malloc(4 * batch * sb), fc = malloc(4 * batch * sc);
        for (int i = 0; i < batch * sa; i++) fa[i] = (float)a[i];
        for (int i = 0; i < batch * sb; i++) fb[i] = (float)b[i];
        for (int i = 0; i < batch * sc; i++) fc[i] = (float)c[i];
        da = fa, db = fb, dc = fc;
    } else if (dt == EM_INT64) {
        ia = malloc(8 * batch * sa), ib = malloc(8 * batch * sb), ic = malloc(8 * batch * sc);
        for (int i = 0; i < batch * sa; i++) ia[i] = (int64_t)a[i];
        for (int i = 0; i < batch * sb; i++) ib[i] = (int64_t)b[i];
        for (int i = 0; i < batch * sc; i++) ic[i] = (int64_t)c[i];
        da = ia, db = ib, dc = ic;
    }
    em_status st = B->gemm(dt, ta, tb, m, n, k, alpha, da, lda, sa, db, ldb, sb, beta, dc, ldc,
                           sc, batch);
    CHECK(st == EM_OK);
    double err = 0;
    for (int q = 0; q < batch; q++)
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                int at = q * sc + i * ldc + j;
                double got = dt == EM_FLOAT32 ? fc[at] : dt == EM_INT64 ? (double)ic[at] : c[at];
                err = fmax(err, fabs(got - want[at]));
            }
    CHECK_CLOSE(err, 0, dt == EM_FLOAT32 ? 1e-4 : 1e-12);
    free(a), free(b), free(c), free(want), free(fa), free(fb), free(fc), free(ia), free(ib),
        free(ic);
}

static void check_gemm(em_dtype dt, bool ta, bool tb, int m, int n, int k, int batch)
{
    check_gemm_ab(dt, ta, tb, m, n, k, batch, dt == EM_INT64 ? 2 : 0.5, dt == EM_INT64 ? -1 : 2);
}

static void test_gemm(void)
{
    for (int t = 0; t < 4; t++) {
        check_gemm(EM_FLOAT32, t & 1, t & 2, 5, 7, 3, 3);
        check_gemm(EM_FLOAT64, t & 1, t & 2, 4, 2, 6, 2);
        check_gemm(EM_INT64, t & 1, t & 2, 3, 4, 5, 2);
        check_gemm(EM_FLOAT32, t & 1, t & 2, 1, 9, 4, 1);
        check_gemm(EM_FLOAT32, t & 1, t & 2, 3, 2, 0, 2);   /* k == 0: C = beta C */
        /* >= 2^20 multiply-adds: oneDNN's sgemm, with beta 0, 1 and other */
        check_gemm_ab(EM_FLOAT32, t & 1, t & 2, 100, 120, 96, 2, 1, 0);
        check_gemm_ab(EM_FLOAT32, t & 1, t & 2, 100, 120, 96, 2, 1, 1);
        check_gemm(EM_FLOAT32, t & 1, t & 2, 100, 120, 96, 2);
        check_gemm(EM_FLOAT64, t & 1, t & 2, 100, 120, 96, 1);
    }
    /* tall products with B read transposed: oneDNN gets B transposed first
    ** (cpu_gemm.c); edges of the 8 x 8 transpose tiles, padding, a batch */
    for (int t = 0; t < 4; t++) {
        check_gemm(EM_FLOAT32, t & 1, t & 2, 300, 41, 99, 2);
        check_gemm_ab(EM_FLOAT32, t & 1, t & 2, 257, 64, 80, 1, 1, 0);
    }
    /* ... and it must not change a bit: op(B) read transposed or stored as is */
    {
        enum { TM = 300, TN = 41, TK = 99 };
        float *ta_ = malloc(sizeof(float) * TM * TK), *tb_ = malloc(sizeof(float) * TN * TK);
        float *tbt = malloc(sizeof(float) * TK * TN), *c1 = malloc(sizeof(float) * TM * TN);
        float *c2 = malloc(sizeof(float) * TM * TN);
        for (int i = 0; i < TM * TK; i++) ta_[i] = (float)frand();
        for (int i = 0; i < TN * TK; i++) tb_[i] = (float)frand();
        for (int j = 0; j < TN; j++)
            for (int p = 0; p < TK; p++) tbt[p * TN + j] = tb_[j * TK + p];
        CHECK(B->gemm(EM_FLOAT32, false, true, TM, TN, TK, 1, ta_, TK, 0, tb_, TK, 0, 0, c1, TN, 0, 1) == EM_OK);
        CHECK(B->gemm(EM_FLOAT32, false, false, TM, TN, TK, 1, ta_, TK, 0, tbt, TN, 0, 0, c2, TN, 0, 1) == EM_OK);
        CHECK(memcmp(c1, c2, sizeof(float) * TM * TN) == 0);
        /* a batch of two sharing B (stride 0): B transposed once, both right */
        float *a2 = malloc(sizeof(float) * 2 * TM * TK), *c3 = malloc(sizeof(float) * 2 * TM * TN);
        memcpy(a2, ta_, sizeof(float) * TM * TK);
        for (int i = 0; i < TM * TK; i++) a2[TM * TK + i] = -ta_[i];
        CHECK(B->gemm(EM_FLOAT32, false, true, TM, TN, TK, 1, a2, TK, TM * TK, tb_, TK, 0, 0, c3, TN, TM * TN, 2) ==
              EM_OK);
        int wrong = 0;
        for (int i = 0; i < TM * TN; i++) wrong += c3[i] != c1[i] || c3[TM * TN + i] != -c1[i];
        CHECK(wrong == 0);
        free(ta_), free(tb_), free(tbt), free(c1), free(c2), free(a2), free(c3);
    }
    /* beta 0 ignores NaN in C on oneDNN's path too (twice: its first call sets it up) */
    enum { M = 128, N = 96, K = 96 };
    float *la = malloc(sizeof(float) * M * K), *lb = malloc(sizeof(float) * K * N), *lc = malloc(sizeof(float) * M * N);
    for (int i = 0; i < M * K; i++) la[i] = 1;
    for (int i = 0; i < K * N; i++) lb[i] = 0.5f;
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < M * N; i++) lc[i] = NAN;
        CHECK(B->gemm(EM_FLOAT32, false, false, M, N, K, 1, la, K, 0, lb, N, 0, 0, lc, N, 0, 1) == EM_OK);
        int bad = 0;
        for (int i = 0; i < M * N; i++) bad += lc[i] != 48;
        CHECK(bad == 0);
    }
    free(la), free(lb), free(lc);
    /* beta 0 ignores NaN in C; a single row with a meaningless lda */
    float a[2] = {1, 2}, b[4] = {1, 2, 3, 4}, c[2] = {NAN, NAN};
    CHECK(B->gemm(EM_FLOAT32, false, false, 1, 2, 2, 1, a, 0, 0, b, 2, 0, 0, c, 0, 0, 1) == EM_OK);
    CHECK(c[0] == 7 && c[1] == 10);
    int32_t ia[2] = {1, 2}, ib[4] = {1, 2, 3, 4}, ic[2] = {5, 5};
    CHECK(B->gemm(EM_INT32, false, false, 1, 2, 2, 1, ia, 2, 0, ib, 2, 0, 1, ic, 2, 0, 1) == EM_OK);
    CHECK(ic[0] == 12 && ic[1] == 15);
    CHECK(B->gemm(EM_UINT8, false, false, 1, 1, 1, 1, ia, 1, 0, ib, 1, 0, 0, ic, 1, 0, 1) ==
        EM_ERR_TYPE);
    CHECK(B->gemm(EM_FLOAT32, false, false, 0, 2, 2, 1, a, 2, 0, b, 2, 0, 0, c, 2, 0, 1) == EM_OK);
}

/* max_pool2d's backward adds each gradient at its saved index (twice where
** two windows share a max); an index outside its plane, below or above, is
** EM_ERR_INDEX before anything is written. */
static void test_max_pool_backward(void)
{
    enum { P = 3, N = 4, L = 2 };   /* 3 planes of 4 elements, 2 outputs each */
    float g[P * L] = {1, 2, 3, 4, 5, 6}, dx[P * N];
    int64_t idx[P * L] = {0, 3, 2, 2, 1, 0};
    CHECK(B->max_pool2d_backward(EM_FLOAT32, P, N, L, g, idx, dx) == EM_OK);
    float want[P * N] = {1, 0, 0, 2, 0, 0, 7, 0, 6, 5, 0, 0};
    CHECK(memcmp(dx, want, sizeof dx) == 0);
    for (int bad = 0; bad < 2; bad++) {
        int64_t wrong[P * L] = {0, 3, 2, 2, 1, 0};
        wrong[bad ? 5 : 2] = bad ? N : -1;
        for (int i = 0; i < P * N; i++) dx[i] = 9;
        CHECK(B->max_pool2d_backward(EM_FLOAT32, P, N, L, g, wrong, dx) == EM_ERR_INDEX);
        int touched = 0;
        for (int i = 0; i < P * N; i++) touched += dx[i] != 9;
        CHECK(touched == 0);
    }
}

static void test_index(void)
{
    float x[12], o[12];   /* x (3,4) = 0..11 */
    for (int i = 0; i < 12; i++) x[i] = (float)i;
    int64_t idx[3] = {2, 0, 2};
    em_kview vx = kv(x, EM_FLOAT32, 2, SH(3, 4), NULL), vi = kv(idx, EM_INT64, 1, SH(3), NULL);
    em_kview vo = kv(o, EM_FLOAT32, 2, SH(3, 4), NULL);
    CHECK(B->index_select(&vo, &vx, 0, &vi) == EM_OK && o[0] == 8 && o[4] == 0 && o[11] == 11);
    vo = kv(o, EM_FLOAT32, 2, SH(3, 3), NULL);
    CHECK(B->index_select(&vo, &vx, 1, &vi) == EM_OK && o[0] == 2 && o[1] == 0 && o[5] == 6);
    idx[1] = 12;
    o[0] = -1;
    CHECK(B->index_select(&vo, &vx, 1, &vi) == EM_ERR_INDEX && o[0] == -1);
    CHECK(strcmp(em_last_error(),
                 "index_select: index 12 is out of bounds for dim 2 with size 4") == 0);
    idx[1] = -1;
    CHECK(B->index_select(&vo, &vx, 1, &vi) == EM_ERR_INDEX);

    /* index_add with a repeated index: acc (3,2) += src (3,2) rows 2, 0, 2 */
    idx[1] = 0;
    float acc[6] = {0}, src[6] = {1, 2, 3, 4, 5, 6};
    em_kview va = kv(acc, EM_FLOAT32, 2, SH(3, 2), NULL);
    em_kview vs = kv(src, EM_FLOAT32, 2, SH(3, 2), NULL);
    CHECK(B->index_add(&va, 0, &vi, &vs) == EM_OK);
    CHECK(acc[0] == 3 && acc[1] == 4 && acc[2] == 0 && acc[4] == 6 && acc[5] == 8);

    /* gather dim 1 from (3,4) with a (3,2) index; scatter_add back */
    int64_t gi[6] = {3, 0, 1, 1, 0, 2};
    float g[6], back[12] = {0};
    em_kview vgi = kv(gi, EM_INT64, 2, SH(3, 2), NULL), vg = kv(g, EM_FLOAT32, 2, SH(3, 2), NULL);
    CHECK(B->gather(&vg, &vx, 1, &vgi) == EM_OK);
    CHECK(g[0] == 3 && g[1] == 0 && g[2] == 5 && g[3] == 5 && g[4] == 8 && g[5] == 10);
    em_kview vback = kv(back, EM_FLOAT32, 2, SH(3, 4), NULL);
    CHECK(B->scatter_add(&vback, 1, &vgi, &vg) == EM_OK);
    CHECK(back[3] == 3 && back[5] == 10 && back[8] == 8 && back[10] == 10 && back[1] == 0);
    gi[5] = 4;
    CHECK(B->gather(&vg, &vx, 1, &vgi) == EM_ERR_INDEX
          && strstr(em_last_error(), "gather: index 4"));
    CHECK(B->scatter_add(&vback, 1, &vgi, &vg) == EM_ERR_INDEX && back[10] == 10);
    em_kview tall = kv(gi, EM_INT64, 2, SH(4, 1), NULL);   /* 4 rows > x's 3 */
    em_kview vg41 = kv(g, EM_FLOAT32, 2, SH(4, 1), NULL);
    gi[3] = 0;
    CHECK(B->gather(&vg41, &vx, 1, &tall) == EM_ERR_SHAPE);
    int32_t bad[3] = {0, 0, 0};
    em_kview vbad = kv(bad, EM_INT32, 1, SH(3), NULL);
    CHECK(B->index_select(&vo, &vx, 1, &vbad) == EM_ERR_TYPE);

    /* int64 scatter_add along dim 0 with duplicates */
    int64_t li[4] = {0, 0, 1, 0}, ls[4] = {1, 2, 3, 4}, lo[2] = {10, 20};
    em_kview vli = kv(li, EM_INT64, 1, SH(4), NULL), vls = kv(ls, EM_INT64, 1, SH(4), NULL);
    em_kview vlo = kv(lo, EM_INT64, 1, SH(2), NULL);
    CHECK(B->scatter_add(&vlo, 0, &vli, &vls) == EM_OK && lo[0] == 17 && lo[1] == 23);
}

static void test_interrupt(void)
{
    enum { R = 3000, C = 2000 };
    uint8_t *buf = malloc((size_t)R * (C + 1));
    em_kview v = kv(buf, EM_UINT8, 2, SH(R, C), SH(C + 1, 1));   /* rows, not one block */
    em_interrupt_requested = 1;
    CHECK(B->fill(&v, 1) == EM_ERR_INTERRUPT && strcmp(em_last_error(), "interrupted") == 0);
    em_interrupt_requested = 0;
    CHECK(B->fill(&v, 1) == EM_OK && buf[(size_t)(R - 1) * (C + 1) + C - 1] == 1);
    free(buf);
}

TEST_MAIN(
    B = em_cpu_backend();
    RUN(test_memory);
    RUN(test_fill);
    RUN(test_copy);
    RUN(test_unary);
    RUN(test_binary_broadcast);
    RUN(test_binary_types);
    RUN(test_where);
    RUN(test_reduce);
    RUN(test_scan);
    RUN(test_gemm);
    RUN(test_max_pool_backward);
    RUN(test_index);
    RUN(test_interrupt);
)
