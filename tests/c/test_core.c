/* test_core.c — tensors, storage and views: shapes, strides, broadcasting,
** views sharing storage, refcounts, type promotion and size checks. Memory
** is checked by running the suite under ASan's leak checker. */
#include <string.h>

#include "core/promote.h"
#include "core/runtime.h"
#include "core/tensor.h"
#include "harness.h"
#include "ops/ops.h"

static em_tensor *arange_f(int ndim, const int64_t *shape)
{
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) n *= shape[i];
    em_tensor *r = em_op_arange(0, (double)n, 1, EM_FLOAT32);
    em_tensor *t = em_op_view(r, ndim, shape);
    em_tensor_release(r);
    return t;
}

static double at(const em_tensor *t, int64_t flat)
{
    double v = -999;
    em_tensor_get_double(t, flat, &v);
    return v;
}

static void test_contiguous_strides(void)
{
    int64_t shape[3] = {2, 3, 4};
    em_tensor *t = em_tensor_empty(3, shape, EM_FLOAT32, NULL);
    CHECK(t != NULL);
    CHECK(t->stride[0] == 12 && t->stride[1] == 4 && t->stride[2] == 1);
    CHECK(em_tensor_numel(t) == 24);
    CHECK(em_tensor_is_contiguous(t));
    CHECK(t->storage->nbytes == 24 * 4);
    em_tensor_release(t);
}

static void test_size_checks(void)
{
    int64_t huge[2] = {(int64_t)1 << 62, 4};
    CHECK(em_tensor_empty(2, huge, EM_FLOAT32, NULL) == NULL);
    CHECK(em_last_status() == EM_ERR_MEMORY);
    CHECK(strstr(em_last_error(), "too large") != NULL);
    int64_t neg[1] = {-1};
    CHECK(em_tensor_empty(1, neg, EM_FLOAT32, NULL) == NULL);
    CHECK(em_last_status() == EM_ERR_VALUE);
    CHECK(em_tensor_empty(EM_MAX_DIMS + 1, neg, EM_FLOAT32, NULL) == NULL);
    int64_t zero[2] = {0, 5};
    em_tensor *t = em_tensor_empty(2, zero, EM_FLOAT32, NULL);
    CHECK(t && em_tensor_numel(t) == 0);
    em_tensor_release(t);
}

static void test_broadcast_shapes(void)
{
    int64_t a[2] = {2, 1}, b[1] = {3}, out[EM_MAX_DIMS];
    int n;
    CHECK(em_broadcast_shapes("add", 2, a, 1, b, &n, out) == EM_OK);
    CHECK(n == 2 && out[0] == 2 && out[1] == 3);
    int64_t c[2] = {2, 3}, d[2] = {4, 3};
    CHECK(em_broadcast_shapes("add", 2, c, 2, d, &n, out) == EM_ERR_SHAPE);
    CHECK(strstr(em_last_error(), "[2, 3] and [4, 3]") != NULL);
    /* a broadcast operand gets stride 0 */
    int64_t s[2] = {2, 1};
    em_tensor *t = arange_f(2, s);
    int64_t target[3] = {5, 2, 3};
    em_kview kv;
    em_broadcast_kview(t, 3, target, &kv);
    CHECK(kv.ndim == 3 && kv.stride[0] == 0 && kv.stride[1] == 1 && kv.stride[2] == 0);
    em_tensor_release(t);
}

static void test_views_share_storage(void)
{
    int64_t s[2] = {2, 3};
    em_tensor *x = arange_f(2, s);
    em_tensor *t = em_op_transpose(x, 0, 1);
    CHECK(t->storage == x->storage);
    CHECK(t->shape[0] == 3 && t->stride[0] == 1 && t->stride[1] == 3);
    CHECK(!em_tensor_is_contiguous(t));
    CHECK(at(t, 1) == 3.0);                 /* t[0][1] = x[1][0] */
    em_tensor *row = em_op_select(x, 0, 1); /* x[1] */
    CHECK(row->offset == 3 && row->ndim == 1);
    CHECK(em_op_fill_(row, 7.0) == EM_OK);  /* writing through a view ... */
    CHECK(at(x, 3) == 7.0 && at(x, 5) == 7.0 && at(x, 2) == 2.0);   /* ... is seen by the base */
    CHECK(x->storage->refcount == 3);
    em_tensor_release(row);
    em_tensor_release(t);
    CHECK(x->storage->refcount == 1);
    em_tensor_release(x);
}

static void test_view_and_reshape(void)
{
    int64_t s[2] = {2, 3}, flat[1] = {-1}, bad[1] = {4};
    em_tensor *x = arange_f(2, s);
    em_tensor *v = em_op_view(x, 1, flat);
    CHECK(v && v->shape[0] == 6 && v->storage == x->storage);
    CHECK(em_op_view(x, 1, bad) == NULL && em_last_status() == EM_ERR_SHAPE);
    em_tensor *t = em_op_transpose(x, 0, 1);
    CHECK(em_op_view(t, 1, flat) == NULL);           /* needs a copy */
    em_tensor *r = em_op_reshape(t, 1, flat);        /* so reshape copies */
    CHECK(r && r->storage != x->storage);
    CHECK(at(r, 1) == 3.0 && at(r, 2) == 1.0);
    em_tensor *n = em_op_narrow(x, 1, 1, 2);
    CHECK(n && n->shape[1] == 2 && n->offset == 1 && at(n, 0) == 1.0 && at(n, 3) == 5.0);
    CHECK(em_op_narrow(x, 1, 2, 2) == NULL && em_last_status() == EM_ERR_INDEX);
    em_tensor *u = em_op_unsqueeze(x, 0);
    CHECK(u && u->ndim == 3 && u->shape[0] == 1);
    em_tensor *sq = em_op_squeeze(u, 0, true);
    CHECK(sq && sq->ndim == 2);
    int64_t big[3] = {4, 2, 3};
    em_tensor *e = em_op_expand(x, 3, big);
    CHECK(e && e->stride[0] == 0 && at(e, 6 * 3 + 4) == at(x, 4));
    em_tensor *c = em_op_contiguous(e);
    CHECK(c && c->storage != x->storage && em_tensor_is_contiguous(c) && at(c, 22) == 4.0);
    em_tensor *tt[] = {v, r, n, u, sq, e, c, t};
    for (size_t i = 0; i < sizeof tt / sizeof tt[0]; i++) em_tensor_release(tt[i]);
    CHECK(x->storage->refcount == 1);
    em_tensor_release(x);
}

static void test_binary_broadcast_values(void)
{
    int64_t sa[2] = {2, 1}, sb[1] = {3};
    em_tensor *a = arange_f(2, sa), *b = arange_f(1, sb);   /* [[0],[1]] + [0,1,2] */
    em_tensor *c = em_op_binary(EM_B_ADD, a, b);
    CHECK(c && c->ndim == 2 && c->shape[0] == 2 && c->shape[1] == 3);
    double want[6] = {0, 1, 2, 1, 2, 3};
    for (int i = 0; i < 6; i++) CHECK(at(c, i) == want[i]);
    em_tensor *cmp = em_op_binary(EM_B_GT, c, b);
    CHECK(cmp && cmp->dtype == EM_BOOL && at(cmp, 3) == 1.0 && at(cmp, 0) == 0.0);
    em_tensor_release(a);
    em_tensor_release(b);
    em_tensor_release(c);
    em_tensor_release(cmp);
}

static void test_promotion(void)
{
    int64_t s[1] = {2};
    em_tensor *i64 = em_op_full(1, s, 1, EM_INT64, NULL), *f32 = em_op_full(1, s, 1, EM_FLOAT32, NULL);
    em_tensor *f64s = em_op_scalar(0.5, EM_FLOAT64, NULL, true), *i64s = em_op_scalar(2, EM_INT64, NULL, true);
    em_tensor *f64d = em_op_scalar(0.5, EM_FLOAT64, NULL, false);
    const em_tensor *p1[2] = {i64, f32}, *p2[2] = {f32, f64s}, *p3[2] = {i64, i64s}, *p4[2] = {i64, f64s};
    const em_tensor *p5[2] = {i64, f64d};
    CHECK(em_result_type(2, p1) == EM_FLOAT32);   /* int64 + float32 -> float32 */
    CHECK(em_result_type(2, p2) == EM_FLOAT32);   /* float32 + python float -> float32 */
    CHECK(em_result_type(2, p3) == EM_INT64);     /* int64 + python int -> int64 */
    CHECK(em_result_type(2, p4) == EM_FLOAT32);   /* int64 + python float -> default float */
    CHECK(em_result_type(2, p5) == EM_FLOAT64);   /* int64 + 0-dim float64 tensor -> float64 */
    em_tensor *d = em_op_binary(EM_B_DIV, i64, i64s);
    CHECK(d && d->dtype == EM_FLOAT32 && at(d, 0) == 0.5);   /* true division */
    em_tensor *tt[] = {i64, f32, f64s, i64s, f64d, d};
    for (size_t i = 0; i < sizeof tt / sizeof tt[0]; i++) em_tensor_release(tt[i]);
}

static void test_reductions(void)
{
    int64_t s[2] = {2, 3};
    em_tensor *x = arange_f(2, s);
    em_tensor *all = em_op_reduce(EM_R_SUM, x, 0, false);
    CHECK(all && all->ndim == 0 && at(all, 0) == 15.0);
    em_tensor *rows = em_op_reduce(EM_R_SUM, x, 1u << 1, true);
    CHECK(rows && rows->ndim == 2 && rows->shape[1] == 1 && at(rows, 0) == 3.0 && at(rows, 1) == 12.0);
    em_tensor *v = NULL, *i = NULL;
    CHECK(em_op_reduce_dim_idx(EM_R_MAX, x, 0, false, &v, &i) == EM_OK);
    CHECK(v->ndim == 1 && at(v, 2) == 5.0 && i->dtype == EM_INT64 && at(i, 2) == 1.0);
    em_tensor *var = em_op_var(x, 0, false, 1.0);
    CHECK_CLOSE(at(var, 0), 3.5, 1e-6);
    int64_t g[2] = {3, 2};
    em_tensor *ones = em_op_full(2, g, 1, EM_FLOAT32, NULL);
    em_tensor *summed = em_op_sum_to(ones, 1, (int64_t[]){2});   /* backward of broadcasting */
    CHECK(summed && summed->ndim == 1 && at(summed, 0) == 3.0);
    em_tensor *tt[] = {x, all, rows, v, i, var, ones, summed};
    for (size_t k = 0; k < sizeof tt / sizeof tt[0]; k++) em_tensor_release(tt[k]);
}

static void test_matmul(void)
{
    int64_t sa[2] = {2, 3}, sb[2] = {3, 2}, bad[2] = {4, 5};
    em_tensor *a = arange_f(2, sa), *b = arange_f(2, sb);
    em_tensor *c = em_op_matmul(a, b);          /* [[10,13],[28,40]] */
    CHECK(c && at(c, 0) == 10 && at(c, 1) == 13 && at(c, 2) == 28 && at(c, 3) == 40);
    em_tensor *bt = em_op_transpose(b, 0, 1), *btt = em_op_transpose(bt, 0, 1);   /* strided operand */
    em_tensor *c2 = em_op_matmul(a, btt);
    CHECK(c2 && at(c2, 3) == 40);
    em_tensor *w = em_op_full(2, bad, 1, EM_FLOAT32, NULL);
    CHECK(em_op_matmul(a, w) == NULL && strstr(em_last_error(), "[2, 3] and [4, 5]"));
    em_tensor *tt[] = {a, b, c, bt, btt, c2, w};
    for (size_t i = 0; i < sizeof tt / sizeof tt[0]; i++) em_tensor_release(tt[i]);
}

static void test_memory_counter(void)
{
    size_t before = em_mem_live();
    int64_t s[1] = {1000};
    em_tensor *t = em_tensor_empty(1, s, EM_FLOAT64, NULL);
    CHECK(em_mem_live() == before + 8000);
    em_tensor_release(t);
    CHECK(em_mem_live() == before);
    em_mem_fail_after(1);                    /* injected allocation failure */
    CHECK(em_tensor_empty(1, s, EM_FLOAT32, NULL) == NULL && em_last_status() == EM_ERR_MEMORY);
}

TEST_MAIN(RUN(test_contiguous_strides); RUN(test_size_checks); RUN(test_broadcast_shapes);
          RUN(test_views_share_storage); RUN(test_view_and_reshape); RUN(test_binary_broadcast_values);
          RUN(test_promotion); RUN(test_reductions); RUN(test_matmul); RUN(test_memory_counter);)
