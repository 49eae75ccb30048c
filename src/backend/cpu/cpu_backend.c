/* cpu_backend.c — the CPU device: the table of CPU kernels (host memory:
** cpu_alloc.c). The kernels themselves live in the other cpu_*.c
** files; this file only wires them up and says which optional fused kernels
** the CPU offers (all of them, for float32 and float64, and softmax for
** float16 / bfloat16 through widen.h, unless EMBER_FUSED=0 asks for the
** primitives-only mode); the device registry (../device.c)
** hands the table out. */
#include <stdlib.h>
#include <string.h>

#include "cpu_alloc.h"
#ifdef EMBER_HAVE_DNNL
#include "cpu_dnnl.h"
#endif
#include "cpu_iter.h"
#include "cpu_nn.h"
#include "cpu_optim.h"
#include "../widen.h"

static em_status cpu_memcpy(void *dst, const void *src, size_t nbytes)
{
    if (nbytes) memmove(dst, src, nbytes);
    return EM_OK;
}

/* EMBER_FUSED=0: every optional kernel reports unsupported, so src/ops
** composes them from the required tier (a new device's situation). Read
** once, at the CPU's first answer; -1 until then. */
static int fused_on = -1;

static void read_fused_mode(void)
{
    const char *e = getenv("EMBER_FUSED");
    fused_on = !(e && strcmp(e, "0") == 0);
}

static bool cpu_supports(em_fused_op op, em_dtype dt)
{
    if (fused_on < 0) read_fused_mode();
    if (!fused_on) return false;
    if (em_dtype_is_reduced_float(dt)) return op == EM_FUSED_SOFTMAX || op == EM_FUSED_LOG_SOFTMAX;   /* widen.h */
    if (dt != EM_FLOAT32 && dt != EM_FLOAT64) return false;
#ifndef EMBER_HAVE_DNNL
    if (op == EM_FUSED_CONV2D) return false;
#endif
    return op >= 0 && op < EM_FUSED_NUM_OPS;
}

/* The compute kernels take float16 / bfloat16 views through float32 (widen.h). */
static const em_backend cpu;
EM_WIDEN_KERNELS(cpu, &cpu, em_cpu_)

static const em_backend cpu = {
    .name = "cpu",
    .type = EM_CPU,
    .alloc = em_cpu_alloc,
    .free = em_cpu_free,
    .copy_from_host = cpu_memcpy,
    .copy_to_host = cpu_memcpy,
    .synchronize = NULL,
    .supports = cpu_supports,
    .fill = em_cpu_fill,
    .copy = em_cpu_copy,
    .unary = cpu_unary,
    .binary = cpu_binary,
    .binary_scalar = cpu_binary_scalar,
    .where = cpu_where,
    .reduce = cpu_reduce,
    .scan = cpu_scan,
    .gemm = cpu_gemm,
    .index_select = cpu_index_select,
    .index_add = cpu_index_add,
    .gather = cpu_gather,
    .scatter_add = cpu_scatter_add,
#ifdef EMBER_HAVE_DNNL
    .conv2d = em_cpu_conv2d_dnnl,
#endif
    .im2col = cpu_im2col,
    .col2im = cpu_col2im,
    .max_pool2d = em_cpu_max_pool2d,
    .max_pool2d_backward = em_cpu_max_pool2d_backward,
    .softmax = cpu_softmax,
    .class_loss = em_cpu_class_loss,
    .class_loss_backward = em_cpu_class_loss_backward,
    .bn_stats = em_cpu_bn_stats,
    .channel_affine = em_cpu_channel_affine,
    .bn_backward_reduce = em_cpu_bn_backward_reduce,
    .adam_step = em_cpu_adam_step,
    .sgd_step = em_cpu_sgd_step,
};

const em_backend *em_cpu_backend(void) { return &cpu; }
