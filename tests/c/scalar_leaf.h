/* scalar_leaf.h — one-element float32 tensors for the autograd tests in C:
** a leaf that requires grad, and the value of element 0. Not here: the test
** harness (harness.h). Include after ops/ops.h. */
#ifndef EMBER_TEST_SCALAR_LEAF_H
#define EMBER_TEST_SCALAR_LEAF_H

static em_tensor *leaf(double v)
{
    int64_t s[1] = {1};
    em_tensor *t = em_op_full(1, s, v, EM_FLOAT32, NULL);
    em_set_requires_grad(t, true);
    return t;
}

/* element 0 as a double (-999 when it cannot be read) */
static double val(const em_tensor *t)
{
    double v = -999;
    em_tensor_get_double(t, 0, &v);
    return v;
}

#endif
