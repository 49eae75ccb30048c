/* test_engine_callouts.c — what the backward engine calls out to
** (autograd/engine.h), from C: the observer sees nodes latest-created first
** (PyTorch's order) and the gradients each one sends; capture (autograd.grad)
** fills its slots and leaves every .grad alone; anomaly mode names the node
** whose formula returned NaN; the identity node passes gradients through. */
#include <math.h>
#include <string.h>

#include "autograd/autograd.h"
#include "autograd/engine.h"
#include "autograd/node.h"
#include "core/runtime.h"
#include "harness.h"
#include "ops/ops.h"
#include "scalar_leaf.h"


typedef struct {
    const char *names[16];
    int n, after;
} seen;

static em_status before(void *ctx, em_node *n, const em_tensor *grad)
{
    seen *s = ctx;
    (void)grad;
    if (s->n < 16) s->names[s->n++] = n->name;
    return EM_OK;
}

static em_status after(void *ctx, em_node *n, const em_tensor *grad, em_tensor *const *grads)
{
    seen *s = ctx;
    (void)n;
    (void)grad;
    (void)grads;
    s->after++;
    return EM_OK;
}

static void test_observer_order(void)
{
    em_tensor *x = leaf(0.5);
    em_tensor *a = em_binary(EM_B_MUL, x, x);       /* made first */
    em_tensor *b = em_unary(EM_U_EXP, x, 0, 0);     /* then exp */
    em_tensor *c = em_unary(EM_U_TANH, a, 0, 0);    /* then tanh: newer than exp */
    em_tensor *d = em_binary(EM_B_ADD, b, c);
    seen s = {0};
    em_backward_observer ob = {&s, before, after};
    em_backward_opts o = {.observer = &ob};
    CHECK(em_backward_ex(1, &d, NULL, &o) == EM_OK);
    CHECK(s.n == 4 && s.after == 4);
    CHECK(strcmp(s.names[0], "AddBackward0") == 0);
    CHECK(strcmp(s.names[1], "TanhBackward0") == 0);   /* latest-created first */
    CHECK(strcmp(s.names[2], "ExpBackward0") == 0);    /* ready with a's older node: exp first */
    CHECK(strcmp(s.names[3], "MulBackward0") == 0);
    double t = tanh(0.25);
    CHECK_CLOSE(val(x->grad), exp(0.5) + (1 - t * t) * 1.0, 1e-5);
    em_tensor *ts[] = {x, a, b, c, d};
    for (int i = 0; i < 5; i++) em_tensor_release(ts[i]);
}

static void test_capture(void)
{
    em_tensor *x = leaf(3.0), *w = leaf(2.0);
    em_tensor *y = em_binary(EM_B_MUL, x, w);
    em_tensor *z = em_binary(EM_B_ADD, y, x);
    em_tensor *ins[2] = {x, y}, *got[2] = {NULL, NULL};
    em_backward_opts o = {.n_capture = 2, .capture = ins, .captured = got};
    CHECK(em_backward_ex(1, &z, NULL, &o) == EM_OK);
    CHECK(got[0] && got[1]);
    CHECK_CLOSE(val(got[0]), 3.0, 1e-6);     /* dz/dx = w + 1 */
    CHECK_CLOSE(val(got[1]), 1.0, 1e-6);     /* dz/dy */
    CHECK(x->grad == NULL && w->grad == NULL);
    em_tensor *ts[] = {got[0], got[1], x, w, y, z};
    for (int i = 0; i < 6; i++) em_tensor_release(ts[i]);
}

static void test_anomaly_nan(void)
{
    em_tensor *x = leaf(0.0), *zero = em_op_scalar(0, EM_FLOAT32, NULL, true);
    em_anomaly_enabled = true;
    em_tensor *l = em_unary(EM_U_LOG, x, 0, 0);
    em_tensor *y = em_binary(EM_B_MUL, l, zero);
    CHECK(em_backward(y, NULL, false) == EM_ERR_AUTOGRAD);
    CHECK(strstr(em_last_error(), "Function 'LogBackward0' returned nan values in its 0th output.") != NULL);
    em_anomaly_enabled = false;
    em_tensor *l2 = em_unary(EM_U_LOG, x, 0, 0), *y2 = em_binary(EM_B_MUL, l2, zero);
    CHECK(em_backward(y2, NULL, false) == EM_OK);        /* off: NaN goes through */
    CHECK(isnan(val(x->grad)));
    em_tensor *ts[] = {x, zero, l, y, l2, y2};
    for (int i = 0; i < 6; i++) em_tensor_release(ts[i]);
}

static void test_identity_node(void)
{
    em_tensor *x = leaf(2.0);
    em_tensor *i = em_identity_node(x, "BackwardHookFunctionBackward");
    CHECK(i && i->grad_fn && strcmp(i->grad_fn->name, "BackwardHookFunctionBackward") == 0);
    em_tensor *y = em_unary(EM_U_SQUARE, i, 0, 0);
    CHECK(em_backward(y, NULL, false) == EM_OK);
    CHECK_CLOSE(val(x->grad), 4.0, 1e-6);
    em_tensor *c = em_op_scalar(1, EM_FLOAT32, NULL, false);
    em_tensor *same = em_identity_node(c, "BackwardHookFunctionBackward");   /* nothing to record */
    CHECK(same == c && !same->grad_fn);
    em_tensor *ts[] = {x, i, y, c, same};
    for (int k = 0; k < 5; k++) em_tensor_release(ts[k]);
}

TEST_MAIN(RUN(test_observer_order); RUN(test_capture); RUN(test_anomaly_nan); RUN(test_identity_node);)
