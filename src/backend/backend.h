/* backend.h — what a device must provide: memory and kernels, as a table of
** function pointers. Kernels see strided windows (em_kview) on device memory
** that the ops layer has already validated and broadcast; they know nothing of
** tensors, autograd or Lua. A kernel returns EM_OK or a status set with
** em_fail (bad index values found in device data, an interrupt, no memory).
**
** Conventions shared by every kernel:
**   - all views passed to one call have the same ndim and shape (inputs are
**     broadcast to the output's shape by giving them stride 0);
**   - strides are in elements, may be 0 (broadcast), never negative;
**   - unless a kernel says otherwise, inputs and output share one dtype;
**   - an output never partially overlaps an input (the ops layer copies first);
**     it may be the very same window (in-place: out == a).
** A leaf header: it includes only dtype.h, op_info.h and status.h.
**
** Two tiers. The REQUIRED kernels (memory and host copies, fill, copy,
** strided unary/binary/where, reduce, scan, gemm, index_select/index_add/gather/
** scatter_add, and the im2col/col2im layout transforms) must all be given:
** every op in src/ops is built from them. The OPTIONAL fused kernels (the
** EM_FUSED_OPS list below: softmax, the class losses, batch-norm helpers,
** max pooling, conv2d, the optimizer steps) are speed-ups: a caller asks
** supports(op, dtype) once per op and, when the answer is no, src/ops
** composes the same result (up to float rounding) from the required tier,
** with the same autograd nodes. So a new device starts with the required
** tier and supports = NULL, and adds fused kernels one at a time.
** EMBER_FUSED=0 in the environment makes the CPU answer no to every one
** (the primitives-only mode the test suite also runs in). */
#ifndef EMBER_BACKEND_H
#define EMBER_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/dtype.h"
#include "../core/op_info.h"
#include "../core/status.h"

#define EM_MAX_DIMS 8

typedef enum em_device_type { EM_CPU = 0, EM_CUDA = 1 } em_device_type;

/* A strided window on device memory. data points at the first element (the
** storage offset is already applied). ndim 0 is a scalar (one element). */
typedef struct em_kview {
    void *data;
    em_dtype dtype;
    int ndim;
    int64_t shape[EM_MAX_DIMS];
    int64_t stride[EM_MAX_DIMS];
} em_kview;

/* A number passed by value (a Lua number operand, a constant in a backward
** formula): an int64 (i) when dtype is EM_INT64 or EM_BOOL, else a double
** (f). Kernels convert it to the dtype they compute in; no tensor is made. */
typedef struct em_scalar {
    em_dtype dtype;
    int64_t i;
    double f;
} em_scalar;

/* The op enums (em_unary_op, em_binary_op, em_reduce_op) and each op's
** kernel contract come from the rows of core/op_table.h: a unary kernel
** computes op(x; p1, p2) in the input's dtype (ops/ has converted the input
** by the row's dtype rule); a binary one a op b with a, b in one dtype and
** out in that dtype or bool (comparisons, logical ops). Notes per op:
**   POW (unary): x ^ p1; CLAMP: min(max(x, p1), p2), -inf / +inf for "no
**   bound", NaN stays NaN, integer bounds converted to the int type;
**   RELU: NaN stays NaN; binary POW on integers: exact, by squaring,
**   wrapping as int64 does; MAXIMUM/MINIMUM: NaN propagates; RELU_GRAD:
**   a where b > 0, else 0 (threshold_backward); FLOOR_DIV/TRUNC_DIV:
**   floats round the quotient, integers divide exactly and a zero divisor
**   is an error (ZeroDivisionError).
** Reductions: SUM of floats accumulates in double, of ints in int64, bool
** counts into int64; MAX/MIN: the first NaN wins, index of the first max. */

/* The passes of a conv2d that a backend's convolution library may run. */
typedef enum em_conv_pass {
    EM_CONV_FORWARD = 1,   /* out y (n, O, oh, ow) = conv(a = x, b = w) + bias */
    EM_CONV_GRAD_INPUT,    /* out gx (n, c, h, w) from a = gy, b = w */
    EM_CONV_GRAD_WEIGHT    /* out gw (O, c / groups, kh, kw) from a = gy, b = x */
} em_conv_pass;

/* The geometry of a 2-D sliding window over n images of c planes (h x w):
** kernel, stride, zero padding, dilation and the output size. Used by the
** neural-network kernels at the end of em_backend (im2col, col2im,
** max_pool2d, conv2d). Output y reads input rows y*sh - ph + i*dh, i < kh
** (columns likewise); the padding at the bottom / right is whatever oh, ow
** leave over (it may differ from ph, pw: padding="same", ceil_mode). */
typedef struct em_window2d {
    int64_t n, c, h, w;            /* input (n, c, h, w) */
    int64_t kh, kw, sh, sw, ph, pw;
    int64_t oh, ow;                /* output plane size */
    int64_t dh, dw;                /* dilation: kernel taps dh, dw apart (1: adjacent) */
    int64_t groups;                /* conv2d: c and the outputs split into groups (1) */
} em_window2d;

/* What the class-index loss kernels need: x is (outer, classes, inner),
** target and the per-row results are (outer, inner), rows = outer * inner. */
typedef struct em_class_loss {
    int64_t outer, classes, inner;
    int64_t ignore_index;          /* rows with this target contribute 0 */
    double smoothing;              /* label smoothing (cross entropy only) */
    bool logits;                   /* true: x are logits (cross_entropy); false: log-probs (nll_loss) */
} em_class_loss;

/* --- optional fused kernels ---
** The one list of the optional tier: X(ENUM, "name"). Every fused kernel of
** em_backend below is asked for through supports(EM_FUSED_<ENUM>, dtype);
** the enum and the names are derived from this list. */
#define EM_FUSED_OPS(X)                                                          \
    X(SOFTMAX, "softmax")                 /* softmax(log = false) */             \
    X(LOG_SOFTMAX, "log_softmax")         /* softmax(log = true) */              \
    X(CLASS_LOSS, "class_loss")                                                  \
    X(CLASS_LOSS_BACKWARD, "class_loss_backward")                                \
    X(BN_STATS, "bn_stats")                                                      \
    X(CHANNEL_AFFINE, "channel_affine")                                          \
    X(BN_BACKWARD_REDUCE, "bn_backward_reduce")                                  \
    X(MAX_POOL2D, "max_pool2d")                                                  \
    X(MAX_POOL2D_BACKWARD, "max_pool2d_backward")                                \
    X(CONV2D, "conv2d")                                                          \
    X(ADAM_STEP, "adam_step")                                                    \
    X(SGD_STEP, "sgd_step")

typedef enum em_fused_op {
#define EM_FUSED_ENUM_(e, name) EM_FUSED_##e,
    EM_FUSED_OPS(EM_FUSED_ENUM_)
#undef EM_FUSED_ENUM_
    EM_FUSED_NUM_OPS
} em_fused_op;

/* The op's name ("log_softmax"), for messages and tests. */
static inline const char *em_fused_op_name(em_fused_op op)
{
    static const char *const names[EM_FUSED_NUM_OPS + 1] = {
#define EM_FUSED_NAME_(e, name) name,
        EM_FUSED_OPS(EM_FUSED_NAME_)
#undef EM_FUSED_NAME_
        NULL};
    return op >= 0 && op < EM_FUSED_NUM_OPS ? names[op] : "?";
}

typedef struct em_adam_args {
    double lr, beta1, beta2, eps, weight_decay;
    double step;                /* t, counted from 1 */
    bool decoupled;             /* AdamW */
} em_adam_args;

typedef struct em_backend {
    const char *name;            /* "cpu", "cuda" */
    em_device_type type;

    /* --- memory --- */
    void *(*alloc)(size_t nbytes);                 /* NULL on failure; nbytes may be 0 */
    void (*free)(void *p, size_t nbytes);
    em_status (*copy_from_host)(void *dst, const void *src, size_t nbytes);
    em_status (*copy_to_host)(void *dst, const void *src, size_t nbytes);
    em_status (*synchronize)(void);                /* NULL: always synchronous */

    /* --- the optional tier: does this device run fused op `op` on dtype dt?
    ** NULL: no fused kernels at all. Callers ask through
    ** em_backend_supports, once per op (never per element). */
    bool (*supports)(em_fused_op op, em_dtype dt);

    /* --- elementwise --- */
    /* out[i] = value converted to out->dtype (bool: value != 0). */
    em_status (*fill)(const em_kview *out, double value);
    /* out[i] = in[i] converted from in->dtype to out->dtype (dtypes may
    ** differ: float->int truncates toward zero, anything->bool is != 0). */
    em_status (*copy)(const em_kview *out, const em_kview *in);
    /* out[i] = op(in[i]; p1, p2); out and in share a dtype. */
    em_status (*unary)(em_unary_op op, const em_kview *out, const em_kview *in,
                       double p1, double p2);
    /* out[i] = a[i] op b[i]; a and b share a dtype; out has it too, or bool
    ** for comparisons and logical ops. */
    em_status (*binary)(em_binary_op op, const em_kview *out, const em_kview *a,
                        const em_kview *b);
    /* out[i] = a[i] op s (s op a[i] when scalar_first), s converted to
    ** a->dtype first (floats round as a wrapped number does). */
    em_status (*binary_scalar)(em_binary_op op, const em_kview *out, const em_kview *a,
                               em_scalar s, bool scalar_first);
    /* out[i] = cond[i] ? a[i] : b[i]; cond is bool; a, b, out share a dtype. */
    em_status (*where)(const em_kview *out, const em_kview *cond, const em_kview *a,
                       const em_kview *b);

    /* --- reductions ---
    ** in has the full shape. out (and idx, when not NULL) have the same ndim
    ** and shape as in, with stride 0 along every reduced dim: each input
    ** element i lands in out[i]. The kernel initialises out itself.
    ** idx (int64) receives the 0-based position along dim `index_dim` of the
    ** max/min (only for MAX/MIN with exactly one reduced dim). Empty reduced
    ** extent: SUM gives 0, PROD 1; MAX/MIN are rejected by the ops layer. */
    em_status (*reduce)(em_reduce_op op, const em_kview *out, const em_kview *in,
                        const em_kview *idx, int index_dim);

    /* --- cumulative ops (cumsum, cumprod) ---
    ** out[..., i, ...] = in[..., 0, ...] op ... op in[..., i, ...] along dim
    ** (reverse: in[..., i, ...] op ... op in[..., n-1, ...]); op is SUM or
    ** PROD; out and in share shape and dtype (float32, float64 or int64: the
    ** ops layer converts other integers to int64). Floats accumulate in
    ** double, each partial result rounded to the dtype; int64 wraps. A 0-dim
    ** in (dim -1) is copied. */
    em_status (*scan)(em_reduce_op op, const em_kview *out, const em_kview *in, int dim, bool reverse);

    /* --- matrix multiply (row-major, batched) ---
    ** for each b in [0, batch): C_b = alpha * op(A_b) @ op(B_b) + beta * C_b
    ** op(X) = X or X^T (trans_*); A_b = a + b*stride_a etc. (elements).
    ** op(A_b) is m x k, op(B_b) is k x n, C_b is m x n with row stride ldc.
    ** dtype: float32 and float64 (BLAS); int64/int32 by plain loops. */
    em_status (*gemm)(em_dtype dtype, bool trans_a, bool trans_b,
                      int64_t m, int64_t n, int64_t k, double alpha,
                      const void *a, int64_t lda, int64_t stride_a,
                      const void *b, int64_t ldb, int64_t stride_b,
                      double beta, void *c, int64_t ldc, int64_t stride_c,
                      int64_t batch);

    /* --- indexing (index tensors are int64, 0-based, 1-D unless said) ---
    ** index_select: out has in's shape with shape[dim] = n;
    **   out[..., j, ...] = in[..., index[j], ...]. Bad index -> EM_ERR_INDEX.
    ** index_add: out[..., index[j], ...] += src[..., j, ...] (out is the
    **   accumulator; src has out's shape with shape[dim] = n).
    ** gather: out, index share a shape (index is a full kview here);
    **   out[i][j][k] = in[i][index[i][j][k]][k] for dim 1 (0-based dims).
    ** scatter_add: out[i][index[i][j][k]][k] += src[i][j][k] (index, src share a shape). */
    em_status (*index_select)(const em_kview *out, const em_kview *in, int dim,
                              const em_kview *index);
    em_status (*index_add)(const em_kview *out, int dim, const em_kview *index,
                           const em_kview *src);
    em_status (*gather)(const em_kview *out, const em_kview *in, int dim,
                        const em_kview *index);
    em_status (*scatter_add)(const em_kview *out, int dim, const em_kview *index,
                             const em_kview *src);

    /* --- neural-network kernels (cpu: cpu_nn.c; callers: ops/nn.c) ---
    ** im2col and col2im are REQUIRED (conv2d's and avg_pool2d's building
    ** blocks); every kernel after them is OPTIONAL: called only when
    ** supports() says yes for its EM_FUSED_* op, and may be NULL otherwise.
    ** Every buffer is contiguous and row-major; values are float32 or
    ** float64 (dt), class targets and pooling indices int64. Shapes are
    ** given in the comments, in the names of the arguments.
    ** im2col: x (n, c, h, w) -> col (n, c*kh*kw, oh*ow), with
    **   col[b][(ci*kh + i)*kw + j][y*ow + x] = x[b][ci][y*sh - ph + i*dh][x*sw - pw + j*dw]
    **   (0 where that falls in the padding).
    ** col2im: the adjoint: x (n, c, h, w) = zeros, then every col entry added
    **   back at the position it was read from. */
    em_status (*im2col)(em_dtype dt, const em_window2d *g, const void *x, void *col);
    em_status (*col2im)(em_dtype dt, const em_window2d *g, const void *col, void *x);
    /* --- optional from here on (EM_FUSED_OPS) ---
    ** conv2d (EM_FUSED_CONV2D): one pass of a conv2d by a convolution
    **   library (see em_conv_pass; bias may be NULL). Returns false, having
    **   written nothing useful, when it does not take the case (library
    **   error); the caller then uses im2col + gemm. */
    bool (*conv2d)(em_conv_pass pass, em_dtype dt, const em_window2d *g, int64_t O, const void *a,
                   const void *b, const void *bias, void *out);
    /* max_pool2d: x (n, c, h, w) -> out, idx (n, c, oh, ow); padding is -inf;
    ** idx is the 0-based position iy*w + ix of the max inside its plane; NaN
    ** wins (the last NaN of a window), ties keep the first max. */
    em_status (*max_pool2d)(em_dtype dt, const em_window2d *g, const void *x, void *out,
                            int64_t *idx);
    /* max_pool2d_backward: dx (planes, plane_n) = zeros, then
    **   dx[p][idx[p][j]] += g[p][j] for g, idx (planes, L); an index outside
    **   [0, plane_n) is EM_ERR_INDEX. */
    em_status (*max_pool2d_backward)(em_dtype dt, int64_t planes, int64_t plane_n, int64_t L,
                                     const void *g, const int64_t *idx, void *dx);
    /* softmax over the middle dim of x (outer, n, inner) -> y, same shape:
    ** y = exp(x - max) / sum exp(x - max), or with log: x - max - log(sum). */
    em_status (*softmax)(em_dtype dt, const void *x, void *y, int64_t outer, int64_t n,
                         int64_t inner, bool log);
    /* class_loss: per row r with target t = target[r] (0-based):
    **   logits:  loss[r] = (1 - s) w[t] (lse - x[t]) + s/C sum_c w[c] (lse - x[c]),
    **            lse = log sum_c exp x[c], s = smoothing;
    **   log-probs: loss[r] = -w[t] x[t];
    ** row_weight[r] = w[t] (w = weight, or 1 when weight is NULL); both 0 for
    ** ignored rows. A target outside [0, C) (and not ignore_index) is EM_ERR_INDEX. */
    em_status (*class_loss)(em_dtype dt, const em_class_loss *a, const void *x,
                            const int64_t *target, const void *weight, void *loss,
                            void *row_weight);
    /* class_loss_backward: gx (outer, classes, inner) = d loss / dx, each row
    ** scaled by grad[r * grad_stride] * scale (grad_stride 0: one value for all). */
    em_status (*class_loss_backward)(em_dtype dt, const em_class_loss *a, const void *x,
                                     const int64_t *target, const void *weight,
                                     const void *grad, int64_t grad_stride, double scale,
                                     void *gx);
    /* batch-norm statistics of x (outer, c, inner) per channel: mean (c) and
    ** biased var (c), accumulated in double. */
    em_status (*bn_stats)(em_dtype dt, const void *x, int64_t outer, int64_t c, int64_t inner,
                          void *mean, void *var);
    /* y (outer, c, inner) = a * sa[c] + (b - center[c]) * sb[c] + shift[c];
    ** b and sb may be NULL (no second term), center and shift NULL (0). y may be a. */
    em_status (*channel_affine)(em_dtype dt, const void *a, const void *b, const void *center,
                                int64_t outer, int64_t c, int64_t inner, const void *sa,
                                const void *sb, const void *shift, void *y);
    /* per channel: sum_g[c] = sum g, sum_gx[c] = sum g * (x - mean[c]), over
    ** g, x (outer, c, inner), accumulated in double. */
    em_status (*bn_backward_reduce)(em_dtype dt, const void *g, const void *x, const void *mean,
                                    int64_t outer, int64_t c, int64_t inner, void *sum_g,
                                    void *sum_gx);
    /* One Adam/AdamW step over n contiguous elements, in one pass, with the
    ** rounding of the op-by-op formula (each line one float op, no fusion):
    **   AdamW:  p = p * (1 - lr wd)               (decoupled)
    **   Adam:   g = g + p * wd                     (wd != 0, not decoupled)
    **   m = m * b1 + g * (1 - b1)
    **   v = v * b2 + (g * g) * (1 - b2)
    **   denom = sqrt(v) / sqrt(1 - b2^t) + eps
    **   p = p + (m / denom) * -(lr / (1 - b1^t))
    ** Scalars are rounded to the tensor's dtype first, as wrapped numbers are. */
    em_status (*adam_step)(em_dtype dt, int64_t n, void *p, const void *g, void *m, void *v,
                           const struct em_adam_args *a);
    /* SGD without momentum, in place, n elements of p and g:
    **   d = maximize ? -g : g
    **   d = d + p * weight_decay          (when weight_decay != 0)
    **   p = p + d * -lr
    ** Scalars rounded to the dtype first, as in adam_step. */
    em_status (*sgd_step)(em_dtype dt, int64_t n, void *p, const void *g, double lr, double weight_decay,
                          bool maximize);
} em_backend;

/* The one question before a fused kernel: be offers EM_FUSED op for dt. */
static inline bool em_backend_supports(const em_backend *be, em_fused_op op, em_dtype dt)
{
    return be->supports && be->supports(op, dt);
}

/* The backend for a device type, or NULL when it is not compiled in or no
** device is present; answered by the device registry (device.h, which also
** has em_backend_for(em_device)). The CPU backend always exists;
** em_cpu_backend is for the registry and the CPU's own files: everything
** else asks the registry for a device's backend. */
const em_backend *em_backend_get(em_device_type type);
const em_backend *em_cpu_backend(void);

/* Not part of a device's contract, so not here: the CPU thread count
** (cpu/cpu_threads.h) and Ctrl-C (core/interrupt.h). */

#endif
