/* test_autograd.c — the backward engine from C: gradients of a small graph,
** accumulation into leaves, shared inputs, a 1,000,000-op chain (iterative
** backward and release: no C stack overflow), and the errors for a freed
** graph and for a saved tensor modified in place: every in-place primitive
** bumps the version counter once, views and detached aliases share it, a
** saved output moved onto self by an in-place op is checked, the message
** names the grad_fn a saved input has when backward runs (also once that
** tensor is gone), and a second backward fails only where a freed tensor
** is unpacked. */
#include <string.h>

#include "autograd/autograd.h"
#include "autograd/node.h"
#include "core/runtime.h"
#include "harness.h"
#include "ops/ops.h"
#include "ops/optim.h"
#include "scalar_leaf.h"


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

static em_tensor *vec3(double a, double b, double c, bool grad)
{
    const float v[3] = {(float)a, (float)b, (float)c};
    int64_t s[1] = {3};
    em_tensor *t = em_op_from_host(v, 1, s, EM_FLOAT32, em_cpu_backend());
    if (grad) em_set_requires_grad(t, true);
    return t;
}

static uint64_t version(const em_tensor *t) { return t->storage->version; }

/* Each in-place primitive bumps once; views and detached aliases share the
** counter (it lives on the storage); out-of-place ops leave it alone. */
static void test_version_counter(void)
{
    em_tensor *x = vec3(1, 2, 3, false), *one = vec3(1, 1, 1, false);
    em_tensor *v = em_op_narrow(x, 0, 1, 2), *d = em_detach(x);
    CHECK(version(x) == 0);
    em_tensor *y = em_op_binary(EM_B_ADD, x, one);
    CHECK(version(x) == 0 && version(y) == 0);
    CHECK(em_op_unary_(EM_U_NEG, x, 0, 0) == EM_OK && version(x) == 1);
    CHECK(em_op_binary_(EM_B_MUL, x, one) == EM_OK && version(x) == 2);
    CHECK(em_op_fill_(v, 5) == EM_OK && version(x) == 3);
    CHECK(em_op_copy_(d, one) == EM_OK && version(x) == 4);
    CHECK(version(v) == 4 && version(d) == 4);
    CHECK(em_fill_(x, 0) == EM_OK && version(x) == 5);       /* through autograd, no graph */
    em_tensor *g = vec3(1, 1, 1, false), *m = vec3(0, 0, 0, false), *s = vec3(0, 0, 0, false);
    em_adam_args a = {.lr = 0.1, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .step = 1};
    CHECK(em_op_adam_step(x, g, m, s, &a) == EM_OK && version(x) == 6 && version(g) == 0);
    CHECK(em_op_sgd_step(x, g, 0.1, 0, false) == EM_OK && version(x) == 7);
    em_tensor *ts[] = {x, one, v, d, y, g, m, s};
    for (int i = 0; i < 8; i++) em_tensor_release(ts[i]);
}

/* h = p * 2; h.relu_(); h.mul_(3): ReluBackward0 saved self at version 1 */
static void test_saved_output_of_inplace(void)
{
    em_tensor *p = vec3(1, -2, 3, true), *two = em_op_scalar(2, EM_FLOAT32, NULL, true);
    em_tensor *three = em_op_scalar(3, EM_FLOAT32, NULL, true);
    em_tensor *h = em_binary(EM_B_MUL, p, two);
    CHECK(em_unary_(EM_U_RELU, h, 0, 0) == EM_OK && version(h) == 1);
    CHECK(strcmp(h->grad_fn->name, "ReluBackward0") == 0);
    CHECK(em_backward(h, NULL, true) != EM_OK);              /* not a scalar: unrelated error */
    CHECK(em_binary_(EM_B_MUL, h, three) == EM_OK && version(h) == 2);
    em_tensor *s = em_sum(h, 0, false);
    CHECK(em_backward(s, NULL, false) == EM_ERR_AUTOGRAD);
    CHECK(strcmp(em_last_error(), "one of the variables needed for gradient computation has been modified by "
                 "an inplace operation: [torch.FloatTensor [3]], which is output 0 of ReluBackward0, is at "
                 "version 2; expected version 1 instead. Hint: enable anomaly detection to find the operation "
                 "that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).") == 0);
    CHECK(p->grad == NULL);
    em_tensor *ts[] = {p, two, three, h, s};
    for (int i = 0; i < 5; i++) em_tensor_release(ts[i]);
}

/* y = a * b; a.add_(1) with grad: a now has AddBackward0, and the message
** says so even after a itself is released (PyTorch keeps a alive). */
static void test_saved_input_named_after_death(void)
{
    em_tensor *p = vec3(1, 2, 3, true), *b = vec3(4, 5, 6, true), *one = em_op_scalar(1, EM_FLOAT32, NULL, true);
    em_tensor *a = em_binary(EM_B_MUL, p, p);
    em_tensor *y = em_binary(EM_B_MUL, a, b);
    em_tensor *s = em_sum(y, 0, false);
    CHECK(em_binary_(EM_B_ADD, a, one) == EM_OK);
    CHECK(a->link != NULL);
    em_tensor_release(a);                                     /* a's link outlives it */
    CHECK(em_backward(s, NULL, false) == EM_ERR_AUTOGRAD);
    CHECK(strstr(em_last_error(), "[torch.FloatTensor [3]], which is output 0 of AddBackward0, is at version 1; "
                 "expected version 0 instead.") != NULL);
    em_tensor *ts[] = {p, b, one, y, s};
    for (int i = 0; i < 5; i++) em_tensor_release(ts[i]);
}

/* A second backward without retain_graph: nodes that saved no tensor run
** again (AddBackward0, SumBackward0); MulBackward0 needs its freed ones. */
static void test_second_backward_rule(void)
{
    em_tensor *x = vec3(1, 2, 3, true), *one = em_op_scalar(1, EM_FLOAT32, NULL, true);
    em_tensor *y = em_binary(EM_B_ADD, x, one), *s = em_sum(y, 0, false);
    CHECK(em_backward(s, NULL, false) == EM_OK);
    CHECK(em_backward(s, NULL, false) == EM_OK);
    CHECK_CLOSE(val(x->grad), 2.0, 0);
    em_tensor *z = em_binary(EM_B_MUL, x, x), *t = em_sum(z, 0, false);
    CHECK(em_backward(t, NULL, false) == EM_OK);
    CHECK(em_backward(t, NULL, false) == EM_ERR_AUTOGRAD);
    CHECK(strstr(em_last_error(), "Trying to backward through the graph a second time") == em_last_error());
    em_tensor *ts[] = {x, one, y, s, z, t};
    for (int i = 0; i < 6; i++) em_tensor_release(ts[i]);
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
          RUN(test_leaf_inplace_refused); RUN(test_version_counter); RUN(test_saved_output_of_inplace);
          RUN(test_saved_input_named_after_death); RUN(test_second_backward_rule); RUN(test_deep_chain);)
