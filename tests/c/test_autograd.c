/* test_autograd.c — the backward engine from C: gradients of a small graph,
** accumulation into leaves, shared inputs, a 1,000,000-op chain (iterative
** backward and release: no C stack overflow), and the errors for a freed
** graph and for a saved tensor modified in place. */
#include <string.h>

#include "autograd/autograd.h"
#include "autograd/node.h"
#include "core/runtime.h"
#include "harness.h"
#include "ops/ops.h"

static em_tensor *leaf(double v)
{
    int64_t s[1] = {1};
    em_tensor *t = em_op_full(1, s, v, EM_FLOAT32, NULL);
    em_set_requires_grad(t, true);
    return t;
}

static double val(const em_tensor *t)
{
    double v = -999;
    em_tensor_get_double(t, 0, &v);
    return v;
}

static void test_simple_graph(void)
{
    em_tensor *x = leaf(3.0), *w = leaf(2.0);
    em_tensor *y = em_binary(EM_B_MUL, x, w);           /* y = x w */
    em_tensor *z = em_binary(EM_B_ADD, y, x);           /* z = x w + x : x used twice */
    CHECK(z->grad_fn && strcmp(z->grad_fn->name, "AddBackward0") == 0);
    CHECK(em_backward(z, NULL, false) == EM_OK);
    CHECK_CLOSE(val(x->grad), 3.0, 1e-6);               /* dz/dx = w + 1 */
    CHECK_CLOSE(val(w->grad), 3.0, 1e-6);               /* dz/dw = x */
    CHECK(em_backward(z, NULL, false) != EM_OK);        /* the graph was freed */
    CHECK(strstr(em_last_error(), "second time") != NULL);
    em_tensor_release(z);
    em_tensor_release(y);
    em_tensor_release(x);
    em_tensor_release(w);
}

static void test_accumulation_and_retain(void)
{
    em_tensor *x = leaf(2.0);
    em_tensor *y = em_unary(EM_U_SQUARE, x, 0, 0);      /* y = x^2, dy/dx = 2x = 4 */
    CHECK(em_backward(y, NULL, true) == EM_OK);
    CHECK(em_backward(y, NULL, false) == EM_OK);        /* retained: a second pass works */
    CHECK_CLOSE(val(x->grad), 8.0, 1e-6);               /* and accumulates */
    em_tensor_release(y);
    em_tensor_release(x);
}

static void test_inplace_on_saved(void)
{
    em_tensor *x = leaf(2.0);
    em_tensor *y = em_unary(EM_U_EXP, x, 0, 0);         /* saves its output */
    em_tensor *z = em_binary(EM_B_MUL, y, y);
    bool was = em_set_grad_enabled(false);
    em_op_unary_(EM_U_NEG, y, 0, 0);                     /* modifies a saved tensor */
    em_set_grad_enabled(was);
    CHECK(em_backward(z, NULL, false) != EM_OK);
    CHECK(strstr(em_last_error(), "modified by an inplace operation") != NULL);
    em_tensor_release(z);
    em_tensor_release(y);
    em_tensor_release(x);
}

static void test_leaf_inplace_refused(void)
{
    em_tensor *x = leaf(1.0), *one = em_op_scalar(1.0, EM_FLOAT32, NULL, true);
    CHECK(em_binary_(EM_B_ADD, x, one) == EM_ERR_AUTOGRAD);
    bool was = em_set_grad_enabled(false);
    CHECK(em_binary_(EM_B_ADD, x, one) == EM_OK);       /* fine under no_grad */
    em_set_grad_enabled(was);
    CHECK_CLOSE(val(x), 2.0, 0);
    em_tensor_release(one);
    em_tensor_release(x);
}

static void test_deep_chain(void)
{
    em_tensor *x = leaf(1.0);
    em_tensor *y = x;
    em_tensor_retain(y);
    for (int i = 0; i < 1000000; i++) {                 /* y = y * 1.0000001 */
        em_tensor *c = em_op_scalar(1.0000001, EM_FLOAT32, NULL, true);
        em_tensor *n = em_binary(EM_B_MUL, y, c);
        em_tensor_release(c);
        em_tensor_release(y);
        y = n;
    }
    CHECK(em_backward(y, NULL, false) == EM_OK);
    CHECK(x->grad != NULL && val(x->grad) > 1.0);
    em_tensor_release(y);                                /* frees a million nodes iteratively */
    em_tensor_release(x);
}

TEST_MAIN(RUN(test_simple_graph); RUN(test_accumulation_and_retain); RUN(test_inplace_on_saved);
          RUN(test_leaf_inplace_refused); RUN(test_deep_chain);)
