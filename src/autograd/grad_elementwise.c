/* grad_elementwise.c — differentiable unary and binary ops and where: the
** forward call and, above each backward, its formula. g is the gradient of
** the output; a, b the inputs; out the output. Broadcast inputs get their
** gradient summed back to their own shape (sum_to). */
#include <math.h>

#include "autograd.h"
#include "scratch.h"

/* A unary node saves (slot 0) what its op table row says: the input, the
** output or nothing; its name is the row's grad_node. */

static em_status unary_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    em_unary_op op = (em_unary_op)n->ints[0];
    double p1 = n->scalars[0], p2 = n->scalars[1];
    const em_tensor *v = em_unary_info_of(op)->saves == EM_SAVES_NOTHING ? g : sc_saved(&s, n, 0);
    em_tensor *r = NULL;
    switch (op) {
    case EM_U_NEG:        /* d(-x) = -g */
        r = sc_un(&s, EM_U_NEG, g, 0, 0);
        break;
    case EM_U_EXP:        /* d e^x = g * out */
        r = sc_bin(&s, EM_B_MUL, g, v);
        break;
    case EM_U_LOG:        /* d ln x = g / x */
        r = sc_bin(&s, EM_B_DIV, g, v);
        break;
    case EM_U_LOG1P:      /* d ln(1+x) = g / (1 + x) */
        r = sc_bin(&s, EM_B_DIV, g, sc_scalar(&s, EM_B_ADD, v, 1.0));
        break;
    case EM_U_SQRT:       /* d sqrt x = g / (2 out) */
        r = sc_bin(&s, EM_B_DIV, g, sc_scalar(&s, EM_B_MUL, v, 2.0));
        break;
    case EM_U_ABS:        /* d |x| = g * sign(x) */
        r = sc_bin(&s, EM_B_MUL, g, sc_un(&s, EM_U_SIGN, v, 0, 0));
        break;
    case EM_U_SIGN:       /* d sign x = 0 */
    case EM_U_SGN:        /* d sgn x = 0 for real x (PyTorch's sgn_backward) */
        r = sc_scalar(&s, EM_B_MUL, g, 0.0);
        break;
    case EM_U_RELU:       /* d relu x = g where out > 0, else 0 (one pass) */
        r = sc_bin(&s, EM_B_RELU_GRAD, g, v);
        break;
    case EM_U_SIGMOID:    /* d sigmoid x = g * out * (1 - out) = g * (out - out^2) */
        r = sc_bin(&s, EM_B_MUL, g, sc_bin(&s, EM_B_SUB, v, sc_un(&s, EM_U_SQUARE, v, 0, 0)));
        break;
    case EM_U_TANH:       /* d tanh x = g * (1 - out^2) */
        r = sc_bin(&s, EM_B_MUL, g,
                   sc_un(&s, EM_U_NEG, sc_scalar(&s, EM_B_SUB, sc_un(&s, EM_U_SQUARE, v, 0, 0), 1.0), 0, 0));
        break;
    case EM_U_POW:        /* d x^p = g * p * x^(p-1)   (0 when p == 0) */
        if (p1 == 0.0)
            r = sc_scalar(&s, EM_B_MUL, g, 0.0);
        else
            r = sc_bin(&s, EM_B_MUL, g, sc_scalar(&s, EM_B_MUL, sc_un(&s, EM_U_POW, v, p1 - 1.0, 0), p1));
        break;
    case EM_U_SQUARE:     /* d x^2 = 2 x g */
        r = sc_bin(&s, EM_B_MUL, g, sc_scalar(&s, EM_B_MUL, v, 2.0));
        break;
    case EM_U_CLAMP:      /* d clamp(x, lo, hi) = g * (lo <= x <= hi) */
        r = sc_bin(&s, EM_B_MUL, sc_bin(&s, EM_B_MUL, g, sc_scalar(&s, EM_B_GE, v, p1)),
                   sc_scalar(&s, EM_B_LE, v, p2));
        break;
    case EM_U_RECIPROCAL: /* d 1/x = -g * out^2 */
        r = sc_un(&s, EM_U_NEG, sc_bin(&s, EM_B_MUL, g, sc_un(&s, EM_U_SQUARE, v, 0, 0)), 0, 0);
        break;
    case EM_U_RSQRT:      /* d x^-1/2 = -1/2 g out^3 */
        r = sc_bin(&s, EM_B_MUL, sc_scalar(&s, EM_B_MUL, g, -0.5), sc_un(&s, EM_U_POW, v, 3.0, 0));
        break;
    case EM_U_SOFTPLUS: { /* d softplus = g where beta x > threshold, else g z / (z + 1), z = e^(beta x) */
        em_tensor *bx = sc_scalar(&s, EM_B_MUL, v, p1);
        em_tensor *z = sc_un(&s, EM_U_EXP, bx, 0, 0);
        em_tensor *d = sc_bin(&s, EM_B_MUL, g, sc_bin(&s, EM_B_DIV, z, sc_scalar(&s, EM_B_ADD, z, 1.0)));
        r = sc_where(&s, sc_scalar(&s, EM_B_GT, bx, p2), g, d);
        break;
    }
    /* The activations: PyTorch's backward kernels, in their order of
    ** operations (float32 rounds as there). v is x. */
    case EM_U_LEAKY_RELU: /* d leaky_relu = g where x > 0, else g negative_slope */
        r = sc_where(&s, sc_scalar(&s, EM_B_GT, v, 0.0), g, sc_scalar(&s, EM_B_MUL, g, p1));
        break;
    case EM_U_ELU:        /* d elu = g alpha e^x where x <= 0, else g */
    case EM_U_SELU: {     /* d selu = g (alpha scale) e^x where x <= 0, else g scale */
        double neg = p1, pos = 1.0;
        if (op == EM_U_SELU) {   /* the coefficients as the kernel rounds them */
            bool f32 = v->dtype == EM_FLOAT32;
            neg = f32 ? (double)((float)EM_SELU_ALPHA * (float)EM_SELU_SCALE) : EM_SELU_ALPHA * EM_SELU_SCALE;
            pos = f32 ? (double)(float)EM_SELU_SCALE : EM_SELU_SCALE;
        }
        em_tensor *d = sc_bin(&s, EM_B_MUL, sc_scalar(&s, EM_B_MUL, g, neg), sc_un(&s, EM_U_EXP, v, 0, 0));
        r = sc_where(&s, sc_scalar(&s, EM_B_LE, v, 0.0), d, pos == 1.0 ? g : sc_scalar(&s, EM_B_MUL, g, pos));
        break;
    }
    case EM_U_SILU: {     /* d silu = g s (1 + x (1 - s)), s = sigmoid(x) */
        em_tensor *sg = sc_un(&s, EM_U_SIGMOID, v, 0, 0);
        em_tensor *one_minus = sc_un(&s, EM_U_NEG, sc_scalar(&s, EM_B_SUB, sg, 1.0), 0, 0);
        r = sc_bin(&s, EM_B_MUL, sc_bin(&s, EM_B_MUL, g, sg),
                   sc_scalar(&s, EM_B_ADD, sc_bin(&s, EM_B_MUL, v, one_minus), 1.0));
        break;
    }
    case EM_U_MISH: {     /* d mish = g (t + x s (1 - t^2)), t = tanh(ln(1 + e^x)), s = sigmoid(x) */
        em_tensor *sg = sc_un(&s, EM_U_SIGMOID, v, 0, 0);
        em_tensor *t = sc_un(&s, EM_U_TANH, sc_un(&s, EM_U_LOG1P, sc_un(&s, EM_U_EXP, v, 0, 0), 0, 0), 0, 0);
        em_tensor *one_minus = sc_un(&s, EM_U_NEG, sc_scalar(&s, EM_B_SUB, sc_bin(&s, EM_B_MUL, t, t), 1.0), 0, 0);
        r = sc_bin(&s, EM_B_MUL, g, sc_bin(&s, EM_B_ADD, t, sc_bin(&s, EM_B_MUL, sc_bin(&s, EM_B_MUL, v, sg), one_minus)));
        break;
    }
    case EM_U_HARDTANH: { /* d hardtanh = 0 where x <= min_val or x >= max_val, else g */
        em_tensor *out = sc_bin(&s, EM_B_OR, sc_scalar(&s, EM_B_LE, v, p1), sc_scalar(&s, EM_B_GE, v, p2));
        r = sc_where(&s, out, sc_scalar(&s, EM_B_MUL, g, 0.0), g);
        break;
    }
    case EM_U_GELU: {     /* d gelu = g (cdf + x pdf), cdf = (1 + erf(x / sqrt 2)) / 2,
                          ** pdf = e^(-x^2 / 2) / sqrt(2 pi);
                          ** approximate='tanh' (p1 = 1), PyTorch's GeluBackward: t = tanh(inner),
                          ** inner = b (x + k x^3), b = sqrt(2/pi), k = 0.044715:
                          ** d = g (0.5 (1 + t) + 0.5 x (1 - t^2) b (1 + 3 k x^2)) */
        if (p1 != 0) {
            const double b = M_SQRT2 * M_2_SQRTPI * 0.5, k = 0.044715;
            em_tensor *x_sq = sc_bin(&s, EM_B_MUL, v, v);
            em_tensor *x_cube = sc_bin(&s, EM_B_MUL, x_sq, v);
            em_tensor *inner = sc_scalar(&s, EM_B_MUL, sc_bin(&s, EM_B_ADD, v, sc_scalar(&s, EM_B_MUL, x_cube, k)), b);
            em_tensor *t = sc_un(&s, EM_U_TANH, inner, 0, 0);
            em_tensor *left_d = sc_scalar(&s, EM_B_MUL, sc_scalar(&s, EM_B_ADD, t, 1.0), 0.5);
            em_tensor *tanh_d = sc_un(&s, EM_U_NEG, sc_scalar(&s, EM_B_SUB, sc_bin(&s, EM_B_MUL, t, t), 1.0), 0, 0);
            em_tensor *inner_d = sc_scalar(&s, EM_B_MUL, sc_scalar(&s, EM_B_ADD, sc_scalar(&s, EM_B_MUL, x_sq, 3 * k), 1.0), b);
            em_tensor *right_d = sc_bin(&s, EM_B_MUL, sc_bin(&s, EM_B_MUL, sc_scalar(&s, EM_B_MUL, v, 0.5), tanh_d), inner_d);
            r = sc_bin(&s, EM_B_MUL, g, sc_bin(&s, EM_B_ADD, left_d, right_d));
            break;
        }
        em_tensor *cdf = sc_scalar(&s, EM_B_MUL,
                                   sc_scalar(&s, EM_B_ADD, sc_un(&s, EM_U_ERF, sc_scalar(&s, EM_B_MUL, v, M_SQRT1_2), 0, 0), 1.0),
                                   0.5);
        em_tensor *pdf = sc_scalar(&s, EM_B_MUL,
                                   sc_un(&s, EM_U_EXP, sc_scalar(&s, EM_B_MUL, sc_bin(&s, EM_B_MUL, v, v), -0.5), 0, 0),
                                   M_2_SQRTPI * M_SQRT1_2 * 0.5);
        r = sc_bin(&s, EM_B_MUL, g, sc_bin(&s, EM_B_ADD, cdf, sc_bin(&s, EM_B_MUL, v, pdf)));
        break;
    }
    case EM_U_ERF:        /* d erf x = 2 / sqrt(pi) e^(-x^2) g */
        r = sc_bin(&s, EM_B_MUL, sc_scalar(&s, EM_B_MUL, sc_un(&s, EM_U_EXP, sc_un(&s, EM_U_NEG, sc_bin(&s, EM_B_MUL, v, v), 0, 0), 0, 0),
                                           M_2_SQRTPI),
                   g);
        break;
    case EM_U_FLOOR:
    case EM_U_CEIL:
    case EM_U_TRUNC:
    case EM_U_ROUND:      /* piecewise constant: d = 0 (zeros, even for inf g) */
        r = sc_zeros(&s, g->ndim, g->shape, g);
        break;
    case EM_U_FRAC:       /* d (x - trunc x) = g */
        r = (em_tensor *)g;
        break;
    default:
        em_fail(EM_ERR_INTERNAL, "%s: no derivative", em_unary_op_name(op));
        s.failed = true;
    }
    gi[0] = em_scratch_take(&s, r);
    return em_scratch_end(&s);
}

em_tensor *em_unary(em_unary_op op, em_tensor *x, double p1, double p2)
{
    em_tensor *out = em_op_unary(op, x, p1, p2);
    const em_unary_info *row = em_unary_info_of(op);
    if (!out || row->saves == EM_NOT_DIFF || !em_any_requires_grad(x, NULL, NULL) ||
        !em_dtype_is_float(out->dtype))
        return out;
    /* round with decimals is another overload in PyTorch, with its own node */
    const char *node = op == EM_U_ROUND && p1 != 0 ? "RoundBackward1" : row->grad_node;
    em_node *n = em_record(node, unary_backward, out, 1, &x);
    if (!n || (row->saves != EM_SAVES_NOTHING &&
               em_node_save(n, 0, row->saves == EM_SAVES_OUTPUT ? out : x) != EM_OK)) {
        em_tensor_release(out);
        return NULL;
    }
    n->ints[0] = op;
    n->scalars[0] = p1;
    n->scalars[1] = p2;
    return out;
}

static em_status binary_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    em_binary_op op = (em_binary_op)n->ints[0];
    bool need_a = em_node_needs(n, 0), need_b = em_node_needs(n, 1);
    em_tensor *ga = NULL, *gb = NULL;
    switch (op) {
    case EM_B_ADD:   /* d(a + alpha b) = g ; alpha g */
        ga = (em_tensor *)g;
        gb = n->scalars[0] == 1.0 ? (em_tensor *)g : sc_scalar(&s, EM_B_MUL, g, n->scalars[0]);
        break;
    case EM_B_SUB:   /* d(a - b) = g ; -g */
        ga = (em_tensor *)g;
        gb = need_b ? sc_un(&s, EM_U_NEG, g, 0, 0) : NULL;
        break;
    case EM_B_MUL:   /* d(a b) = g b ; g a */
        if (need_a) ga = sc_bin(&s, EM_B_MUL, g, sc_saved(&s, n, 1));
        if (need_b) gb = sc_bin(&s, EM_B_MUL, g, sc_saved(&s, n, 0));
        break;
    case EM_B_DIV: { /* d(a / b) = g / b ; -g a / b^2 */
        const em_tensor *b = sc_saved(&s, n, 1);
        if (need_a) ga = sc_bin(&s, EM_B_DIV, g, b);
        if (need_b)
            gb = sc_un(&s, EM_U_NEG, sc_bin(&s, EM_B_DIV, sc_bin(&s, EM_B_MUL, g, sc_saved(&s, n, 0)),
                                           sc_un(&s, EM_U_SQUARE, b, 0, 0)), 0, 0);
        break;
    }
    case EM_B_POW: { /* d a^b = g b a^(b-1) (0 where b == 0) ; g a^b ln a (0 where a == 0 and b >= 0) */
        const em_tensor *a = sc_saved(&s, n, 0), *b = sc_saved(&s, n, 1);
        if (need_a) {
            em_tensor *d = sc_bin(&s, EM_B_MUL, b, sc_bin(&s, EM_B_POW, a, sc_scalar(&s, EM_B_SUB, b, 1.0)));
            em_tensor *z = sc_scalar(&s, EM_B_EQ, b, 0.0);
            ga = sc_bin(&s, EM_B_MUL, g, sc_where(&s, z, sc_scalar(&s, EM_B_MUL, d, 0.0), d));
        }
        if (need_b) {
            em_tensor *d = sc_bin(&s, EM_B_MUL, sc_saved(&s, n, 2), sc_un(&s, EM_U_LOG, a, 0, 0));
            em_tensor *z = sc_bin(&s, EM_B_AND, sc_scalar(&s, EM_B_EQ, a, 0.0), sc_scalar(&s, EM_B_GE, b, 0.0));
            gb = sc_bin(&s, EM_B_MUL, g, sc_where(&s, z, sc_scalar(&s, EM_B_MUL, g, 0.0), d));
        }
        break;
    }
    case EM_B_FLOOR_DIV:
    case EM_B_TRUNC_DIV:   /* rounded quotients are piecewise constant: d = 0 ; 0 (zeros, even for inf g) */
        if (need_a) ga = sc_zeros(&s, n->ndim[0], n->shape[0], g);
        if (need_b) gb = sc_zeros(&s, n->ndim[1], n->shape[1], g);
        break;
    case EM_B_MAXIMUM:
    case EM_B_MINIMUM: { /* g goes to the larger (smaller) input; ties split it in half */
        const em_tensor *a = sc_saved(&s, n, 0), *b = sc_saved(&s, n, 1);
        em_binary_op win = op == EM_B_MAXIMUM ? EM_B_GT : EM_B_LT;
        em_tensor *half = sc_scalar(&s, EM_B_MUL, sc_bin(&s, EM_B_EQ, a, b), 0.5);
        if (need_a) ga = sc_bin(&s, EM_B_MUL, g, sc_bin(&s, EM_B_ADD, sc_bin(&s, win, a, b), half));
        if (need_b) gb = sc_bin(&s, EM_B_MUL, g, sc_bin(&s, EM_B_ADD, sc_bin(&s, win, b, a), half));
        break;
    }
    case EM_B_REMAINDER:   /* d(a - b floor(a / b)) = g ; -g floor(a / b) */
    case EM_B_FMOD: {      /* d(a - b trunc(a / b)) = g ; -g trunc(a / b) */
        ga = (em_tensor *)g;
        if (need_b) {
            em_binary_op q = op == EM_B_REMAINDER ? EM_B_FLOOR_DIV : EM_B_TRUNC_DIV;
            gb = sc_bin(&s, EM_B_MUL, sc_un(&s, EM_U_NEG, g, 0, 0), sc_bin(&s, q, sc_saved(&s, n, 0), sc_saved(&s, n, 1)));
        }
        break;
    }
    default:
        em_fail(EM_ERR_INTERNAL, "binary backward: op %d is not differentiable", (int)op);
        s.failed = true;
    }
    if (need_a) gi[0] = em_scratch_take(&s, sc_sum_to(&s, ga, n->ndim[0], n->shape[0]));
    if (need_b) gi[1] = em_scratch_take(&s, sc_sum_to(&s, gb, n->ndim[1], n->shape[1]));
    em_status st = em_scratch_end(&s);
    if (st != EM_OK) {
        em_tensor_release(gi[0]);
        em_tensor_release(gi[1]);
        gi[0] = gi[1] = NULL;
    }
    return st;
}

static em_tensor *binary_impl(em_binary_op op, em_tensor *a, em_tensor *b, double alpha)
{
    em_tensor *out = em_op_binary(op, a, b);
    const char *name = em_binary_info_of(op)->grad_node;
    if (!out || !name || !em_any_requires_grad(a, b, NULL) || !em_dtype_is_float(out->dtype)) return out;
    em_tensor *ins[2] = {a, b};
    em_node *n = em_record(name, binary_backward, out, 2, ins);
    em_status st = n ? EM_OK : EM_ERR_MEMORY;
    bool need_a = a->requires_grad, need_b = b->requires_grad;
    bool rem_b = (op == EM_B_REMAINDER || op == EM_B_FMOD) && need_b;   /* reads a and b */
    if (st == EM_OK && ((op == EM_B_MUL && need_b) || op == EM_B_POW || op == EM_B_MAXIMUM ||
                        op == EM_B_MINIMUM || (op == EM_B_DIV && need_b) || rem_b))
        st = em_node_save(n, 0, a);
    if (st == EM_OK && ((op == EM_B_MUL && need_a) || op == EM_B_DIV || op == EM_B_POW ||
                        op == EM_B_MAXIMUM || op == EM_B_MINIMUM || rem_b))
        st = em_node_save(n, 1, b);
    if (st == EM_OK && op == EM_B_POW && need_b) st = em_node_save(n, 2, out);
    if (st != EM_OK) {
        em_tensor_release(out);
        return NULL;
    }
    n->ints[0] = op;
    n->scalars[0] = alpha;
    return out;
}

em_tensor *em_binary(em_binary_op op, em_tensor *a, em_tensor *b) { return binary_impl(op, a, b, 1.0); }

em_tensor *em_binary_alpha(em_binary_op op, em_tensor *a, em_tensor *b, double alpha)
{
    if (op != EM_B_ADD && op != EM_B_SUB) {
        em_fail(EM_ERR_VALUE, "%s: takes no alpha", em_binary_op_name(op));
        return NULL;
    }
    double signed_alpha = op == EM_B_SUB ? -alpha : alpha;
    if (signed_alpha == 1.0) return binary_impl(EM_B_ADD, a, b, 1.0);
    /* a + alpha*b, with alpha folded into one node (SubBackward0 for sub):
    ** forward via a scaled copy of b */
    em_tensor *sb = em_op_binary_scalar(EM_B_MUL, b, signed_alpha);
    if (!sb) return NULL;
    em_tensor *out = em_op_binary(EM_B_ADD, a, sb);
    em_tensor_release(sb);
    if (!out || !em_any_requires_grad(a, b, NULL) || !em_dtype_is_float(out->dtype)) return out;
    em_tensor *ins[2] = {a, b};
    em_node *n = em_record(em_binary_info_of(op)->grad_node, binary_backward, out, 2, ins);
    if (!n) {
        em_tensor_release(out);
        return NULL;
    }
    n->ints[0] = EM_B_ADD;
    n->scalars[0] = signed_alpha;
    return out;
}

/* The gradient of a op s (s op a when scalar_first) for a, s a number:
** n->ints = {op, scalar_first}, n->scalars[0] = s; slot 0 saves a, slot 1
** the output, when the formula reads them. */
static em_status scalar_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    em_binary_op op = (em_binary_op)n->ints[0];
    bool first = n->ints[1] != 0;
    double v = n->scalars[0];
    if (n->number_saved && !em_node_saved_number(n, &v)) return em_last_status();
    em_tensor *r = NULL;
    switch (op) {
    case EM_B_ADD:   /* d(a + s) = g */
        r = (em_tensor *)g;
        break;
    case EM_B_SUB:   /* d(a - s) = g ; d(s - a) = -g */
        r = first ? sc_un(&s, EM_U_NEG, g, 0, 0) : (em_tensor *)g;
        break;
    case EM_B_MUL:   /* d(a s) = g s */
        r = sc_scalar(&s, EM_B_MUL, g, v);
        break;
    case EM_B_DIV:   /* d(a / s) = g / s ; d(s / a) = -g s / a^2 */
        if (!first) r = sc_scalar(&s, EM_B_DIV, g, v);
        else r = sc_un(&s, EM_U_NEG, sc_bin(&s, EM_B_DIV, sc_scalar(&s, EM_B_MUL, g, v),
                                             sc_un(&s, EM_U_SQUARE, sc_saved(&s, n, 0), 0, 0)), 0, 0);
        break;
    case EM_B_POW:   /* d(a^s) = g s a^(s-1) (0 for s = 0) ; d(s^a) = g out ln s (0 where s = 0, a >= 0) */
        if (!first) {
            r = v == 0.0 ? sc_scalar(&s, EM_B_MUL, g, 0.0)
                         : sc_bin(&s, EM_B_MUL, g, sc_scalar(&s, EM_B_MUL, sc_un(&s, EM_U_POW, sc_saved(&s, n, 0), v - 1.0, 0), v));
        } else {
            r = sc_scalar(&s, EM_B_MUL, sc_bin(&s, EM_B_MUL, g, sc_saved(&s, n, 1)), log(v));
            if (v == 0.0)
                r = sc_where(&s, sc_scalar(&s, EM_B_GE, sc_saved(&s, n, 0), 0.0), sc_scalar(&s, EM_B_MUL, g, 0.0), r);
        }
        break;
    case EM_B_MAXIMUM:
    case EM_B_MINIMUM: { /* g where a wins over s, half of it on ties */
        const em_tensor *a = sc_saved(&s, n, 0);
        em_tensor *half = sc_scalar(&s, EM_B_MUL, sc_scalar(&s, EM_B_EQ, a, v), 0.5);
        r = sc_bin(&s, EM_B_MUL, g, sc_bin(&s, EM_B_ADD, sc_scalar(&s, op == EM_B_MAXIMUM ? EM_B_GT : EM_B_LT, a, v), half));
        break;
    }
    case EM_B_FLOOR_DIV:
    case EM_B_TRUNC_DIV:   /* piecewise constant: 0 */
        r = sc_zeros(&s, n->ndim[0], n->shape[0], g);
        break;
    case EM_B_REMAINDER:   /* d(a - s floor(a / s)) = g ; s % a: PyTorch has no derivative */
    case EM_B_FMOD:        /* d(a - s trunc(a / s)) = g */
        if (first) {
            em_fail(EM_ERR_VALUE, "derivative for aten::%s is not implemented", em_binary_op_name(op));
            s.failed = true;
        } else {
            r = (em_tensor *)g;
        }
        break;
    default:
        em_fail(EM_ERR_INTERNAL, "%s: no derivative with a number operand", em_binary_op_name(op));
        s.failed = true;
    }
    gi[0] = em_scratch_take(&s, sc_sum_to(&s, r, n->ndim[0], n->shape[0]));
    return em_scratch_end(&s);
}

em_tensor *em_binary_scalar(em_binary_op op, em_tensor *a, em_scalar v, bool scalar_first)
{
    if (op == EM_B_FMOD && scalar_first) {   /* PyTorch has no fmod(Number, Tensor) */
        em_fail(EM_ERR_TYPE, "fmod: expected a tensor as input (the dividend), got a number");
        return NULL;
    }
    em_tensor *out = em_op_binary_value(op, a, v, scalar_first);
    const char *name = em_binary_info_of(op)->grad_node;
    if (!out || !name || !em_any_requires_grad(a, NULL, NULL) || !em_dtype_is_float(out->dtype)) return out;
    if (op == EM_B_SUB && scalar_first) name = "RsubBackward1";   /* PyTorch's node for s - a */
    /* PyTorch's nodes with a number operand; s % a has no derivative there */
    if (op == EM_B_REMAINDER) name = scalar_first ? "torch::autograd::NotImplemented" : "RemainderBackward0";
    if (op == EM_B_FMOD) name = "FmodBackward0";
    em_node *n = em_record(name, scalar_backward, out, 1, &a);
    em_status st = n ? EM_OK : EM_ERR_MEMORY;
    bool reads_a = (op == EM_B_DIV && scalar_first) || op == EM_B_POW || op == EM_B_MAXIMUM || op == EM_B_MINIMUM;
    if (st == EM_OK && reads_a) st = em_node_save(n, 0, a);
    if (st == EM_OK && op == EM_B_POW && scalar_first) st = em_node_save(n, 1, out);
    if (st != EM_OK) {
        em_tensor_release(out);
        return NULL;
    }
    n->ints[0] = op;
    n->ints[1] = scalar_first;
    n->scalars[0] = v.dtype == EM_FLOAT64 ? v.f : (double)v.i;
    /* PyTorch saves the number as a wrapped tensor for mul and div */
    n->number_saved = op == EM_B_MUL || op == EM_B_DIV;
    return out;
}

/* d where(c, a, b) = where(c, g, 0) ; where(c, 0, g) */
static em_status where_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const em_tensor *c = sc_saved(&s, n, 0);
    em_tensor *zero = sc_scalar(&s, EM_B_MUL, g, 0.0);
    if (em_node_needs(n, 1))
        gi[1] = em_scratch_take(&s, sc_sum_to(&s, sc_where(&s, c, g, zero), n->ndim[0], n->shape[0]));
    if (em_node_needs(n, 2))
        gi[2] = em_scratch_take(&s, sc_sum_to(&s, sc_where(&s, c, zero, g), n->ndim[1], n->shape[1]));
    return em_scratch_end(&s);
}

em_tensor *em_where(em_tensor *cond, em_tensor *a, em_tensor *b)
{
    em_tensor *out = em_op_where(cond, a, b);
    if (!out || !em_any_requires_grad(a, b, NULL) || !em_dtype_is_float(out->dtype)) return out;
    em_tensor *ins[3] = {cond, a, b};
    em_node *n = em_record("WhereBackward0", where_backward, out, 3, ins);
    if (!n || em_node_save(n, 0, cond) != EM_OK) {
        em_tensor_release(out);
        return NULL;
    }
    em_node_record_input(n, 0, a);
    em_node_record_input(n, 1, b);
    return out;
}
