/* cpu_nn.c — CPU kernels of the neural-network ops: im2col / col2im (conv2d
** and avg_pool2d go through gemm), max pooling with indices, softmax rows,
** the class-index losses (log-softmax + nll fused, and their backward), and
** the per-channel sums and affine maps of batch norm. float32/float64 on
** contiguous buffers; ops/nn.c has checked every shape before calling.
** Not here: gemm (cpu_gemm.c), autograd, random numbers. */
#include <math.h>
#include <string.h>

#include "cpu_iter.h"
#include "cpu_nn.h"

/* Loads and stores in double: float32 arithmetic done in double and rounded
** once gives the same result as float32 arithmetic for + - * /. The dtype
** test is loop-invariant; -O3 hoists it out of the loops. */
static inline double ld(bool f32, const void *p, int64_t i)
{
    return f32 ? (double)((const float *)p)[i] : ((const double *)p)[i];
}
static inline void st(bool f32, void *p, int64_t i, double v)
{
    if (f32) ((float *)p)[i] = (float)v;
    else ((double *)p)[i] = v;
}

static em_status check_float(const char *op, em_dtype dt)
{
    if (dt == EM_FLOAT32 || dt == EM_FLOAT64) return EM_OK;
    return em_fail(EM_ERR_TYPE, "%s: not implemented for %s tensors", op, em_dtype_name(dt));
}

/* Adds n to the work counter; true (stop) when Ctrl-C was pressed. */
static bool interrupted_after(int64_t *work, int64_t n)
{
    *work += n;
    if (*work < CPU_POLL_EVERY) return false;
    *work = 0;
    return em_interrupt_requested != 0;
}

/* Output positions o in [*lo, *hi) of one row whose input o*s + off lies in [0, size). */
static void valid_span(int64_t s, int64_t off, int64_t size, int64_t out, int64_t *lo, int64_t *hi)
{
    int64_t a = off >= 0 ? 0 : (-off + s - 1) / s;
    int64_t b = size - 1 - off < 0 ? 0 : (size - 1 - off) / s + 1;
    if (b > out) b = out;
    if (a > b) a = b;
    *lo = a;
    *hi = b;
}

/* --- im2col / col2im --- */

/* One row of columns: d[o] = src[o * sw + off] for o in [x0, x1), 0 elsewhere
** (inline loops: the rows are short, a memcpy call per row costs more). */
#define DEF_COL_ROW(NAME, T)                                                              \
    static inline void NAME(T *d, const T *src, int64_t ow, int64_t x0, int64_t x1,       \
                            int64_t sw, int64_t off)                                      \
    {                                                                                     \
        for (int64_t o = 0; o < x0; o++) d[o] = 0;                                        \
        if (sw == 1) {                                                                    \
            const T *s = src + off;                                                       \
            for (int64_t o = x0; o < x1; o++) d[o] = s[o];                                \
        } else {                                                                          \
            for (int64_t o = x0; o < x1; o++) d[o] = src[o * sw + off];                   \
        }                                                                                 \
        for (int64_t o = x1; o < ow; o++) d[o] = 0;                                       \
    }
DEF_COL_ROW(col_row_f32, float)
DEF_COL_ROW(col_row_f64, double)

em_status em_cpu_im2col(em_dtype dt, const em_window2d *g, const void *x, void *col)
{
    if (check_float("im2col", dt)) return em_last_status();
    bool f32 = dt == EM_FLOAT32;
    size_t es = em_dtype_size(dt);
    int64_t L = g->oh * g->ow, work = 0;
    for (int64_t p = 0; p < g->n * g->c; p++) {
        int64_t plane = p * g->h * g->w;
        for (int64_t i = 0; i < g->kh; i++) {
            int64_t y0, y1, yoff = i * g->dh - g->ph;   /* output rows whose input row lies inside the image */
            valid_span(g->sh, yoff, g->h, g->oh, &y0, &y1);
            for (int64_t j = 0; j < g->kw; j++) {
                int64_t at = ((p * g->kh + i) * g->kw + j) * L, x0, x1, off = j * g->dw - g->pw;
                valid_span(g->sw, off, g->w, g->ow, &x0, &x1);
                char *dst = (char *)col + (size_t)at * es;
                memset(dst, 0, (size_t)(y0 * g->ow) * es);
                memset(dst + (size_t)(y1 * g->ow) * es, 0, (size_t)((g->oh - y1) * g->ow) * es);
                for (int64_t y = y0; y < y1; y++) {
                    int64_t src = plane + (y * g->sh + yoff) * g->w, d = at + y * g->ow;
                    if (f32) col_row_f32((float *)col + d, (const float *)x + src, g->ow, x0, x1, g->sw, off);
                    else col_row_f64((double *)col + d, (const double *)x + src, g->ow, x0, x1, g->sw, off);
                }
            }
        }
        if (interrupted_after(&work, g->kh * g->kw * L)) return em_interrupted();
    }
    return EM_OK;
}

em_status em_cpu_col2im(em_dtype dt, const em_window2d *g, const void *col, void *x)
{
    if (check_float("col2im", dt)) return em_last_status();
    bool f32 = dt == EM_FLOAT32;
    int64_t L = g->oh * g->ow, plane_n = g->h * g->w, work = 0;
    memset(x, 0, (size_t)(g->n * g->c * plane_n) * em_dtype_size(dt));
    for (int64_t p = 0; p < g->n * g->c; p++) {
        for (int64_t i = 0; i < g->kh; i++)
            for (int64_t j = 0; j < g->kw; j++) {
                int64_t row = ((p * g->kh + i) * g->kw + j) * L;
                int64_t x0, x1, off = j * g->dw - g->pw;
                valid_span(g->sw, off, g->w, g->ow, &x0, &x1);
                for (int64_t y = 0; y < g->oh; y++) {
                    int64_t iy = y * g->sh - g->ph + i * g->dh;
                    if (iy < 0 || iy >= g->h) continue;
                    int64_t base = p * plane_n + iy * g->w + off, src = row + y * g->ow;
                    if (f32) {
                        float *xd = (float *)x + base;
                        const float *cd = (const float *)col + src;
                        for (int64_t o = x0; o < x1; o++) xd[o * g->sw] += cd[o];
                    } else {
                        double *xd = (double *)x + base;
                        const double *cd = (const double *)col + src;
                        for (int64_t o = x0; o < x1; o++) xd[o * g->sw] += cd[o];
                    }
                }
            }
        if (interrupted_after(&work, g->kh * g->kw * L)) return em_interrupted();
    }
    return EM_OK;
}

/* --- pooling --- */

/* One (n, c) plane: the max of each window and its flat position in the
** plane (NaN wins, as PyTorch's kernel: v > best || isnan(v)). A window's
** taps are dh, dw apart (dilation); taps in the padding are skipped, as
** PyTorch does: the first tap inside is found by stepping over the padding.
** The window sizes are copied to locals first: idx is int64_t like g's
** fields, so the compiler would otherwise reload them after every store. */
#define MAX_POOL_PLANE(T)                                                               \
    do {                                                                                \
        const T *xp = (const T *)x + p * plane_n;                                       \
        T *op = (T *)out + p * L;                                                       \
        int64_t *ip = idx + p * L;                                                      \
        for (int64_t oy = 0; oy < oh; oy++) {                                           \
            int64_t h0 = oy * sh - ph, h1 = h0 + (kh - 1) * dh + 1;                     \
            if (h1 > H) h1 = H;                                                         \
            if (h0 < 0) h0 += (-h0 + dh - 1) / dh * dh;                                 \
            for (int64_t ox = 0; ox < ow; ox++) {                                       \
                int64_t w0 = ox * sw - pw, w1 = w0 + (kw - 1) * dw + 1;                 \
                if (w1 > W) w1 = W;                                                     \
                if (w0 < 0) w0 += (-w0 + dw - 1) / dw * dw;                             \
                T best = (T)-INFINITY;                                                  \
                int64_t bi = h0 * W + w0;                                               \
                for (int64_t iy = h0; iy < h1; iy += dh)                                \
                    for (int64_t ix = w0; ix < w1; ix += dw) {                          \
                        int64_t k = iy * W + ix;                                        \
                        T v = xp[k];                                                    \
                        int take = (v > best) | (v != v);   /* branch-free: data are random */ \
                        best = take ? v : best;                                         \
                        bi = take ? k : bi;                                             \
                    }                                                                   \
                op[oy * ow + ox] = best;                                                \
                ip[oy * ow + ox] = bi;                                                  \
            }                                                                           \
        }                                                                               \
    } while (0)

/* The common 2x2 window with stride 2 and no padding (every CNN lesson), one
** output x from input rows r0, r1: the same comparisons in the same order
** (top-left, top-right, bottom-left, bottom-right; the first maximum wins, a
** NaN wins as in the general loop) written as selects, which GCC turns into
** vector blends: the general loop's branches mispredict on random data. k0
** is r0's flat position in its plane. */
#define POOL_2X2_OUT(T, x)                                                                \
    do {                                                                                  \
        T a = r0[2 * (x)], b = r0[2 * (x) + 1], c = r1[2 * (x)], d = r1[2 * (x) + 1];     \
        T best = a;                                                                       \
        int64_t k = k0 + 2 * (x);                                                         \
        bool t = (b > best) | (b != b);                                                   \
        best = t ? b : best;                                                              \
        k = t ? k0 + 2 * (x) + 1 : k;                                                     \
        t = (c > best) | (c != c);                                                        \
        best = t ? c : best;                                                              \
        k = t ? k0 + W + 2 * (x) : k;                                                     \
        t = (d > best) | (d != d);                                                        \
        best = t ? d : best;                                                              \
        k = t ? k0 + W + 2 * (x) + 1 : k;                                                 \
        o[x] = best;                                                                      \
        ix[x] = k;                                                                        \
    } while (0)

/* Kept a loop so that GCC vectorises it whole instead of unrolling it first. */
#if defined(__GNUC__) && !defined(__clang__)
#define KEEP_LOOP _Pragma("GCC unroll 1")
#else
#define KEEP_LOOP
#endif

/* WIDTH outputs of one row from x = 0 (inlined with a constant WIDTH, so
** each is one pass of vector blends). */
#define DEF_POOL_CHUNK(NAME, T, WIDTH)                                                    \
    static inline void NAME(const T *restrict r0, const T *restrict r1, T *restrict o,    \
                            int64_t *restrict ix, int64_t k0, int64_t W)                  \
    {                                                                                     \
        KEEP_LOOP                                                                         \
        for (int x = 0; x < WIDTH; x++) POOL_2X2_OUT(T, x);                               \
    }

/* One plane (oh x ow outputs, input rows W apart). The lessons' rows are
** short (14 and 7 outputs), too short for a vector loop with a remainder:
** each row goes in chunks of 8 (or 4 below 8), the last chunk ending at
** the row's end and overlapping the one before (it writes the same values
** again). 1.4-2 ns per output instead of 6-12 with a loop per row. */
#define DEF_POOL_PLANE_2X2(NAME, T, CHUNK8, CHUNK4)                                       \
    DEF_POOL_CHUNK(CHUNK8, T, 8)                                                          \
    DEF_POOL_CHUNK(CHUNK4, T, 4)                                                          \
    EM_CLONES static void NAME(const T *xp, T *op, int64_t *ip, int64_t oh, int64_t ow,   \
                               int64_t W)                                                 \
    {                                                                                     \
        for (int64_t oy = 0; oy < oh; oy++) {                                             \
            const T *r0 = xp + 2 * oy * W, *r1 = r0 + W;                                  \
            T *o = op + oy * ow;                                                          \
            int64_t *ix = ip + oy * ow, k0 = 2 * oy * W;                                  \
            if (ow >= 8) {                                                                \
                for (int64_t x = 0; x < ow; x += 8) {                                     \
                    int64_t at = x + 8 <= ow ? x : ow - 8;                                \
                    CHUNK8(r0 + 2 * at, r1 + 2 * at, o + at, ix + at, k0 + 2 * at, W);    \
                }                                                                         \
            } else if (ow >= 4) {                                                         \
                CHUNK4(r0, r1, o, ix, k0, W);                                             \
                CHUNK4(r0 + 2 * (ow - 4), r1 + 2 * (ow - 4), o + ow - 4, ix + ow - 4,     \
                       k0 + 2 * (ow - 4), W);                                             \
            } else {                                                                      \
                for (int64_t x = 0; x < ow; x++) POOL_2X2_OUT(T, x);                      \
            }                                                                             \
        }                                                                                 \
    }
DEF_POOL_PLANE_2X2(pool_plane_2x2_f32, float, pool8_f32, pool4_f32)
DEF_POOL_PLANE_2X2(pool_plane_2x2_f64, double, pool8_f64, pool4_f64)

em_status em_cpu_max_pool2d(em_dtype dt, const em_window2d *g, const void *x, void *out, int64_t *idx)
{
    if (check_float("max_pool2d", dt)) return em_last_status();
    const int64_t H = g->h, W = g->w, kh = g->kh, kw = g->kw, sh = g->sh, sw = g->sw, ph = g->ph,
                  pw = g->pw, oh = g->oh, ow = g->ow, dh = g->dh, dw = g->dw, planes = g->n * g->c;
    int64_t plane_n = H * W, L = oh * ow;
    bool two = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1 &&
               2 * oh <= H && 2 * ow <= W;
    int cpu_nt = cpu_threads(planes * L * kh * kw);
    CPU_PARALLEL_FOR
    for (int64_t p = 0; p < planes; p++) {
        if (em_interrupt_requested) continue;
        if (two && dt == EM_FLOAT32)
            pool_plane_2x2_f32((const float *)x + p * plane_n, (float *)out + p * L, idx + p * L, oh, ow, W);
        else if (two)
            pool_plane_2x2_f64((const double *)x + p * plane_n, (double *)out + p * L, idx + p * L, oh, ow, W);
        else if (dt == EM_FLOAT32) MAX_POOL_PLANE(float);
        else MAX_POOL_PLANE(double);
    }
    return em_interrupt_requested ? em_interrupted() : EM_OK;
}

/* dx = zeros, then each output's gradient added at its saved arg-max
** (added, not stored: with stride < kernel two windows can share a max). */
#define MAX_POOL_BACKWARD(T)                                                            \
    do {                                                                                \
        const T *gp = (const T *)g + p * L;                                             \
        T *dp = (T *)dx + p * plane_n;                                                  \
        for (int64_t j = 0; j < L; j++) dp[ip[j]] += gp[j];                             \
    } while (0)

/* The smallest and largest of n indices, into *lo and *hi (which start at 0);
** compiled for AVX2/AVX-512 (64-bit min/max), scalar on SSE2. */
EM_CLONES static void index_range(const int64_t *idx, int64_t n, int64_t *lo, int64_t *hi)
{
    int64_t l = 0, h = 0;
    for (int64_t j = 0; j < n; j++) {
        l = idx[j] < l ? idx[j] : l;
        h = idx[j] > h ? idx[j] : h;
    }
    *lo = l;
    *hi = h;
}

em_status em_cpu_max_pool2d_backward(em_dtype dt, int64_t planes, int64_t plane_n, int64_t L, const void *g,
                                     const int64_t *idx, void *dx)
{
    if (check_float("max_pool2d_backward", dt)) return em_last_status();
    int64_t lo, hi;   /* every index inside its plane, checked before any write */
    index_range(idx, planes * L, &lo, &hi);
    if (lo < 0 || hi >= plane_n)
        return em_fail(EM_ERR_INDEX, "max_pool2d_backward: index %lld is out of bounds for a plane of %lld",
                       (long long)(lo < 0 ? lo : hi), (long long)plane_n);
    size_t es = em_dtype_size(dt);
    int cpu_nt = cpu_threads(planes * plane_n);
    CPU_PARALLEL_FOR
    for (int64_t p = 0; p < planes; p++) {
        if (em_interrupt_requested) continue;
        const int64_t *ip = idx + p * L;
        memset((char *)dx + (size_t)(p * plane_n) * es, 0, (size_t)plane_n * es);
        if (dt == EM_FLOAT32) MAX_POOL_BACKWARD(float);
        else MAX_POOL_BACKWARD(double);
    }
    return em_interrupt_requested ? em_interrupted() : EM_OK;
}

/* --- softmax --- */

/* Max of one strided row (NaN wins, so that a NaN row stays NaN). */
static double row_max(bool f32, const void *x, int64_t at, int64_t n, int64_t step)
{
    double m = -INFINITY;
    for (int64_t k = 0; k < n; k++) {
        double v = ld(f32, x, at + k * step);
        if (v > m || isnan(v)) m = v;
    }
    return m;
}

/* log sum_k exp x[k] of one strided row, in double. */
static double row_lse(bool f32, const void *x, int64_t at, int64_t n, int64_t step)
{
    double m = row_max(f32, x, at, n, step), s = 0.0;
    for (int64_t k = 0; k < n; k++) s += exp(ld(f32, x, at + k * step) - m);
    return m + log(s);
}

/* The vector versions of exp and log in glibc's libmvec (linked through
** libm): with these declarations GCC calls them from the loops of exp_all
** and log_all, 8 doubles a call with AVX-512 (needs -fopenmp-simd, set in
** CMakeLists.txt). They are accurate to a few units in the last place of a
** double, far below float32's rounding. The class losses use them on
** float32 rows that are contiguous, a block of rows per call: a 512 x 10
** cross entropy's forward and backward take 35 instead of 108 us. */
#pragma omp declare simd notinbranch
double exp(double);
#pragma omp declare simd notinbranch
double log(double);

enum { EXP_BLOCK = 512 };  /* most doubles per exp_all call of the class losses */

EM_CLONES static void exp_all(double *v, int64_t n)
{
    for (int64_t k = 0; k < n; k++) v[k] = exp(v[k]);
}

EM_CLONES static void log_all(double *v, int64_t n)
{
    for (int64_t k = 0; k < n; k++) v[k] = log(v[k]);
}

/* Max of a contiguous float32 row (NaN wins), as row_max. */
EM_CLONES static double max_f32(const float *x, int64_t n)
{
    float m = -INFINITY;
    bool nan = false;
    for (int64_t k = 0; k < n; k++) {
        m = x[k] > m ? x[k] : m;
        nan |= x[k] != x[k];
    }
    return nan ? NAN : m;
}

/* True when class_lse takes whole blocks: float32 rows of C contiguous
** classes (inner == 1) that fit EXP_BLOCK; otherwise it goes row by row. */
static bool lse_by_block(bool f32, int64_t C, int64_t inner)
{
    return f32 && inner == 1 && C >= 1 && C <= EXP_BLOCK;
}

/* lse[j] = log sum_c exp x[r0 + j][c] for n rows of x (outer, C, inner)
** from row r0, in double. By block (n * C <= EXP_BLOCK): e[j C + c] ends
** as exp(x[r0 + j][c] - max_j); row by row e is not touched. */
static void class_lse(bool f32, const void *x, int64_t C, int64_t inner, int64_t r0, int64_t n, double *lse,
                      double *e)
{
    if (!lse_by_block(f32, C, inner)) {
        for (int64_t r = r0; r < r0 + n; r++) lse[r - r0] = row_lse(f32, x, r / inner * C * inner + r % inner, C, inner);
        return;
    }
    const float *xf = (const float *)x + r0 * C;
    double m[EXP_BLOCK];
    for (int64_t j = 0; j < n; j++) {
        m[j] = max_f32(xf + j * C, C);
        for (int64_t c = 0; c < C; c++) e[j * C + c] = (double)xf[j * C + c] - m[j];
    }
    exp_all(e, n * C);
    for (int64_t j = 0; j < n; j++) {
        double s = 0.0;
        for (int64_t c = 0; c < C; c++) s += e[j * C + c];
        lse[j] = s;
    }
    log_all(lse, n);
    for (int64_t j = 0; j < n; j++) lse[j] += m[j];
}

em_status em_cpu_softmax(em_dtype dt, const void *x, void *y, int64_t outer, int64_t n, int64_t inner,
                         bool log_out)
{
    if (check_float("softmax", dt)) return em_last_status();
    bool f32 = dt == EM_FLOAT32;
    int64_t work = 0;
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t i = 0; i < inner; i++) {
            int64_t at = o * n * inner + i;
            double m = row_max(f32, x, at, n, inner), s = 0.0;
            for (int64_t k = 0; k < n; k++) {
                double e = exp(ld(f32, x, at + k * inner) - m);
                s += e;
                if (!log_out) st(f32, y, at + k * inner, e);
            }
            double ls = log(s);
            for (int64_t k = 0; k < n; k++) {
                int64_t q = at + k * inner;
                if (log_out) st(f32, y, q, (ld(f32, x, q) - m) - ls);
                else st(f32, y, q, ld(f32, y, q) / s);
            }
        }
        if (interrupted_after(&work, n * inner)) return em_interrupted();
    }
    return EM_OK;
}

/* --- class-index losses --- */

static em_status check_target(int64_t t, int64_t classes)
{
    if (t >= 0 && t < classes) return EM_OK;
    return em_fail(EM_ERR_INDEX, "target %lld is out of bounds for %lld classes", (long long)t, (long long)classes);
}

em_status em_cpu_class_loss(em_dtype dt, const em_class_loss *a, const void *x, const int64_t *target,
                            const void *weight, void *loss, void *row_weight)
{
    if (check_float("class_loss", dt)) return em_last_status();
    bool f32 = dt == EM_FLOAT32;
    int64_t C = a->classes, inner = a->inner, rows = a->outer * inner, work = 0;
    int64_t block = lse_by_block(f32, C, inner) ? EXP_BLOCK / C : 1;
    double s = a->logits ? a->smoothing : 0.0, lse[EXP_BLOCK], e[EXP_BLOCK];
    for (int64_t r0 = 0; r0 < rows; r0 += block) {
        int64_t n = rows - r0 < block ? rows - r0 : block;
        if (a->logits) class_lse(f32, x, C, inner, r0, n, lse, e);
        for (int64_t r = r0; r < r0 + n; r++) {
            int64_t at = r / inner * C * inner + r % inner, t = target[r];
            if (t == a->ignore_index) {
                st(f32, loss, r, 0.0);
                st(f32, row_weight, r, 0.0);
                continue;
            }
            if (check_target(t, C)) return em_last_status();
            double wt = weight ? ld(f32, weight, t) : 1.0, l;
            if (!a->logits) {
                l = -wt * ld(f32, x, at + t * inner);
            } else {
                double z = lse[r - r0];
                l = (1.0 - s) * wt * (z - ld(f32, x, at + t * inner));
                if (s > 0) {
                    double sm = 0.0;
                    for (int64_t c = 0; c < C; c++)
                        sm += (weight ? ld(f32, weight, c) : 1.0) * (z - ld(f32, x, at + c * inner));
                    l += s / (double)C * sm;
                }
            }
            st(f32, loss, r, l);
            st(f32, row_weight, r, wt);
        }
        if (interrupted_after(&work, n * C)) return em_interrupted();
    }
    return EM_OK;
}

/* g[c] = gr wt (p[c] - [c == t]) for one contiguous float32 row. */
EM_CLONES static void row_grad_f32(const double *p, int64_t C, int64_t t, double wt, double gr, float *g)
{
    for (int64_t c = 0; c < C; c++) g[c] = (float)(gr * (wt * (p[c] - (c == t ? 1.0 : 0.0))));
}

em_status em_cpu_class_loss_backward(em_dtype dt, const em_class_loss *a, const void *x,
                                     const int64_t *target, const void *weight, const void *grad,
                                     int64_t grad_stride, double scale, void *gx)
{
    if (check_float("class_loss_backward", dt)) return em_last_status();
    bool f32 = dt == EM_FLOAT32;
    int64_t C = a->classes, inner = a->inner, rows = a->outer * inner, work = 0;
    bool by_block = lse_by_block(f32, C, inner);
    int64_t block = by_block ? EXP_BLOCK / C : 1;
    double s = a->logits ? a->smoothing : 0.0, wsum = 0.0, lse[EXP_BLOCK], p[EXP_BLOCK];
    for (int64_t c = 0; c < C; c++) wsum += weight ? ld(f32, weight, c) : 1.0;
    for (int64_t r0 = 0; r0 < rows; r0 += block) {
        int64_t n = rows - r0 < block ? rows - r0 : block;
        if (a->logits) {
            /* p = exp(x - lse): by block, one vector pass over the block */
            class_lse(f32, x, C, inner, r0, n, lse, p);
            if (by_block) {
                const float *xf = (const float *)x + r0 * C;
                for (int64_t j = 0; j < n; j++)
                    for (int64_t c = 0; c < C; c++) p[j * C + c] = (double)xf[j * C + c] - lse[j];
                exp_all(p, n * C);
            }
        }
        for (int64_t r = r0; r < r0 + n; r++) {
            int64_t at = r / inner * C * inner + r % inner, t = target[r];
            bool ignored = t == a->ignore_index;
            if (!ignored && check_target(t, C)) return em_last_status();
            if (ignored || !a->logits) {
                for (int64_t c = 0; c < C; c++) st(f32, gx, at + c * inner, 0.0);
                if (!ignored) {
                    double wt = weight ? ld(f32, weight, t) : 1.0;
                    st(f32, gx, at + t * inner, -wt * ld(f32, grad, r * grad_stride) * scale);
                }
                continue;
            }
            double gr = ld(f32, grad, r * grad_stride) * scale, wt = weight ? ld(f32, weight, t) : 1.0;
            if (by_block && s == 0) {
                /* the loop below without smoothing: (1 - 0) wt is wt, the same bits */
                row_grad_f32(p + (r - r0) * C, C, t, wt, gr, (float *)gx + at);
                continue;
            }
            for (int64_t c = 0; c < C; c++) {
                double pc = by_block ? p[(r - r0) * C + c] : exp(ld(f32, x, at + c * inner) - lse[r - r0]);
                double v = (1.0 - s) * wt * (pc - (c == t ? 1.0 : 0.0));
                if (s > 0) v += s / (double)C * (wsum * pc - (weight ? ld(f32, weight, c) : 1.0));
                st(f32, gx, at + c * inner, gr * v);
            }
        }
        if (interrupted_after(&work, n * C)) return em_interrupted();
    }
    return EM_OK;
}

/* --- batch norm --- */

/* Sums over one float32 row in double, in eight independent accumulators:
** one chain of dependent additions waits four cycles per element, eight
** chains keep the adder busy. (The order differs from a single chain only
** in double rounding, far below float32's.) sum: x; dev2: (x - mu)^2;
** gdev: g (into *sg) and g (x - mu). */
EM_CLONES static double row_sum_f32(const float *x, int64_t n)
{
    double a[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) a[k] += (double)x[i + k];
    for (; i < n; i++) a[0] += (double)x[i];
    return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

EM_CLONES static double row_dev2_f32(const float *x, int64_t n, double mu)
{
    double a[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) {
            double d = (double)x[i + k] - mu;
            a[k] += d * d;
        }
    for (; i < n; i++) {
        double d = (double)x[i] - mu;
        a[0] += d * d;
    }
    return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

EM_CLONES static double row_gdev_f32(const float *g, const float *x, int64_t n, double mu, double *sg)
{
    /* two loops, not one with both sums: GCC vectorises a loop with one
    ** array of accumulators, not two (each sum keeps its order) */
    *sg += row_sum_f32(g, n);
    double a[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) a[k] += (double)g[i + k] * ((double)x[i + k] - mu);
    for (; i < n; i++) a[0] += (double)g[i] * ((double)x[i] - mu);
    return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

em_status em_cpu_bn_stats(em_dtype dt, const void *x, int64_t outer, int64_t c, int64_t inner, void *mean,
                          void *var)
{
    if (check_float("batch_norm", dt)) return em_last_status();
    bool f32 = dt == EM_FLOAT32;
    double m_count = (double)(outer * inner);
    int cpu_nt = cpu_threads(outer * c * inner);
    CPU_PARALLEL_FOR
    for (int64_t ch = 0; ch < c; ch++) {
        if (em_interrupt_requested) continue;
        double sum = 0.0, sq = 0.0;
        if (f32) {
            for (int64_t o = 0; o < outer; o++) sum += row_sum_f32((const float *)x + (o * c + ch) * inner, inner);
            double mu = sum / m_count;
            for (int64_t o = 0; o < outer; o++) sq += row_dev2_f32((const float *)x + (o * c + ch) * inner, inner, mu);
            st(f32, mean, ch, mu);
            st(f32, var, ch, sq / m_count);
            continue;
        }
        for (int64_t o = 0; o < outer; o++)
            for (int64_t i = 0, at = (o * c + ch) * inner; i < inner; i++) sum += ld(f32, x, at + i);
        double mu = sum / m_count;
        for (int64_t o = 0; o < outer; o++)
            for (int64_t i = 0, at = (o * c + ch) * inner; i < inner; i++) {
                double d = ld(f32, x, at + i) - mu;
                sq += d * d;
            }
        st(f32, mean, ch, mu);
        st(f32, var, ch, sq / m_count);
    }
    return em_interrupt_requested ? em_interrupted() : EM_OK;
}

/* The rows of channel_affine: y = a ka + k0 (forward), and
** y = (a ka + k0) + (b - mu) kb in double (backward). y may be a (in place). */
EM_CLONES static void affine_row_f32(const float *a, float *y, int64_t n, float ka, float k0)
{
    for (int64_t i = 0; i < n; i++) y[i] = a[i] * ka + k0;
}

EM_CLONES static void affine2_row_f32(const float *a, const float *b, float *y, int64_t n, double ka, double k0,
                                      double mu, double kb)
{
    for (int64_t i = 0; i < n; i++) y[i] = (float)(((double)a[i] * ka + k0) + ((double)b[i] - mu) * kb);
}

em_status em_cpu_channel_affine(em_dtype dt, const void *a, const void *b, const void *center, int64_t outer,
                                int64_t c, int64_t inner, const void *sa, const void *sb, const void *shift,
                                void *y)
{
    if (check_float("batch_norm", dt)) return em_last_status();
    bool f32 = dt == EM_FLOAT32;
    int cpu_nt = cpu_threads(outer * c * inner);
    CPU_PARALLEL_FOR
    for (int64_t r = 0; r < outer * c; r++) {   /* row r: (o, ch) = (r / c, r % c) */
        if (em_interrupt_requested) continue;
        int64_t ch = r % c, at = r * inner;
        double ka = ld(f32, sa, ch), kb = b ? ld(f32, sb, ch) : 0.0, k0 = shift ? ld(f32, shift, ch) : 0.0;
        double mu = center ? ld(f32, center, ch) : 0.0;
        if (f32 && !b) {   /* the forward pass: one multiply-add per element, in float */
            affine_row_f32((const float *)a + at, (float *)y + at, inner, (float)ka, (float)k0);
            continue;
        }
        if (f32) {         /* the backward pass: the same double arithmetic, typed */
            affine2_row_f32((const float *)a + at, (const float *)b + at, (float *)y + at, inner, ka, k0, mu, kb);
            continue;
        }
        for (int64_t i = 0; i < inner; i++) {
            double v = ld(f32, a, at + i) * ka + k0;
            if (b) v += (ld(f32, b, at + i) - mu) * kb;
            st(f32, y, at + i, v);
        }
    }
    return em_interrupt_requested ? em_interrupted() : EM_OK;
}

em_status em_cpu_bn_backward_reduce(em_dtype dt, const void *g, const void *x, const void *mean,
                                    int64_t outer, int64_t c, int64_t inner, void *sum_g, void *sum_gx)
{
    if (check_float("batch_norm_backward", dt)) return em_last_status();
    bool f32 = dt == EM_FLOAT32;
    int cpu_nt = cpu_threads(outer * c * inner);
    CPU_PARALLEL_FOR
    for (int64_t ch = 0; ch < c; ch++) {
        if (em_interrupt_requested) continue;
        double mu = ld(f32, mean, ch), sg = 0.0, sgx = 0.0;
        if (f32) {
            for (int64_t o = 0; o < outer; o++) {
                int64_t at = (o * c + ch) * inner;
                sgx += row_gdev_f32((const float *)g + at, (const float *)x + at, inner, mu, &sg);
            }
            st(f32, sum_g, ch, sg);
            st(f32, sum_gx, ch, sgx);
            continue;
        }
        for (int64_t o = 0; o < outer; o++)
            for (int64_t i = 0, at = (o * c + ch) * inner; i < inner; i++) {
                double gv = ld(f32, g, at + i);
                sg += gv;
                sgx += gv * (ld(f32, x, at + i) - mu);
            }
        st(f32, sum_g, ch, sg);
        st(f32, sum_gx, ch, sgx);
    }
    return em_interrupt_requested ? em_interrupted() : EM_OK;
}
