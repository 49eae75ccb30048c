/* cpu_dnnl.h — conv2d through oneDNN when ember is built with it
** (EMBER_HAVE_DNNL); see cpu_dnnl.c. */
#ifndef EMBER_CPU_DNNL_H
#define EMBER_CPU_DNNL_H

#include "../backend.h"

/* One pass of a float32 conv2d (see em_backend.conv2d); false when oneDNN
** does not take it and the caller should use im2col + gemm. */
bool em_cpu_conv2d_dnnl(em_conv_pass pass, em_dtype dt, const em_window2d *g, int64_t O, const void *a,
                        const void *b, const void *bias, void *out);

#endif
