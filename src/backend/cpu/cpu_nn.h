/* cpu_nn.h — entry points of the CPU neural-network kernels (cpu_nn.c) that
** cpu_backend.c puts in the em_backend table; their contracts are in
** backend.h. Not a public header: nothing outside src/backend/cpu includes it. */
#ifndef EMBER_CPU_NN_H
#define EMBER_CPU_NN_H

#include "../backend.h"

em_status em_cpu_im2col(em_dtype dt, const em_window2d *g, const void *x, void *col);
em_status em_cpu_col2im(em_dtype dt, const em_window2d *g, const void *col, void *x);
em_status em_cpu_max_pool2d(em_dtype dt, const em_window2d *g, const void *x, void *out, int64_t *idx);
em_status em_cpu_max_pool2d_backward(em_dtype dt, int64_t planes, int64_t plane_n, int64_t L, const void *g,
                                     const int64_t *idx, void *dx);
em_status em_cpu_softmax(em_dtype dt, const void *x, void *y, int64_t outer, int64_t n, int64_t inner,
                         bool log);
em_status em_cpu_class_loss(em_dtype dt, const em_class_loss *a, const void *x, const int64_t *target,
                            const void *weight, void *loss, void *row_weight);
em_status em_cpu_class_loss_backward(em_dtype dt, const em_class_loss *a, const void *x,
                                     const int64_t *target, const void *weight, const void *grad,
                                     int64_t grad_stride, double scale, void *gx);
em_status em_cpu_bn_stats(em_dtype dt, const void *x, int64_t outer, int64_t c, int64_t inner, void *mean,
                          void *var);
em_status em_cpu_channel_affine(em_dtype dt, const void *a, const void *b, const void *center, int64_t outer,
                                int64_t c, int64_t inner, const void *sa, const void *sb, const void *shift,
                                void *y);
em_status em_cpu_bn_backward_reduce(em_dtype dt, const void *g, const void *x, const void *mean,
                                    int64_t outer, int64_t c, int64_t inner, void *sum_g, void *sum_gx);

#endif
