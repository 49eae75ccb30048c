/* cpu_dnnl.c — ember's use of oneDNN (Debian's libdnnl, the library behind
** PyTorch's CPU convolutions): conv2d, and float32 matrix products through
** its sgemm (cpu_gemm.c decides which products come here).
**
** conv2d: oneDNN's JIT kernels work on blocked layouts (nChw16c and
** friends) and run the lesson CNN's convolutions about twice as fast as
** im2col + gemm; they take every stride, padding (asymmetric too),
** dilation and groups ember's conv2d has. ember's tensors stay NCHW: each call reorders its inputs
** into the layouts the kernel chose and its result back, as PyTorch does for
** plain tensors. float32 only. Primitives are cached by shape (a training
** loop repeats the same few). A call that oneDNN cannot take (another dtype,
** a library error, no memory for the blocked copies) returns false, and
** ops/nn.c falls back to im2col + gemm, which also serves float64 and builds
** without oneDNN.
**
** Signals: oneDNN 2.6's JIT gemm kernels point the stack pointer into a heap
** buffer while they run, so a signal handled on that thread (Ctrl-C) writes
** its frame into the heap and corrupts it (oneDNN issue #4845, fixed in 3.11;
** tests/lua/test_signals.lua). Every oneDNN call here therefore runs with
** the calling thread's signals blocked (a Ctrl-C waits for the call, then
** is handled as usual), and em_cpu_dnnl_start_workers creates OpenMP's
** worker threads with all signals blocked, so one never lands on them.
**
** oneDNN runs on OpenMP threads; em_set_num_threads sets their number
** (cpu_gemm.c).
** Not here: the fallback (ops/nn.c, cpu_nn.c), autograd (grad_nn.c). */
#include <oneapi/dnnl/dnnl.h>
#include <omp.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "cpu_alloc.h"
#include "cpu_dnnl.h"

/* Blocks every signal on this thread; `old` gets the mask to restore. */
static void hold_signals(sigset_t *old)
{
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, old);
}

static void release_signals(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

void em_cpu_dnnl_start_workers(int n)
{
    sigset_t old;
    hold_signals(&old);
    /* libgomp creates the team's threads here (they inherit this mask) and
    ** keeps them for every later region of at most n threads */
#pragma omp parallel num_threads(n)
    {
        (void)0;
    }
    release_signals(&old);
}

bool em_cpu_sgemm_dnnl(bool ta, bool tb, int m, int n, int k, float alpha, const float *a, int lda,
                       const float *b, int ldb, float beta, float *c, int ldc)
{
    sigset_t old;
    hold_signals(&old);
    dnnl_status_t st = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    release_signals(&old);
    return st == dnnl_success;
}

#define CACHE_ENTRIES 16
#define MAX_ARGS 4

/* One argument of a primitive: the caller's plain buffer and, when the
** kernel wants another layout, a blocked copy and the reorder between them
** (into the copy for inputs, out of it for the output). */
typedef struct conv_arg {
    int id;                    /* DNNL_ARG_... */
    bool out;
    dnnl_memory_t user, inner; /* inner NULL: the kernel reads the user buffer */
    dnnl_primitive_t reorder;
    size_t inner_bytes;
} conv_arg;

#define KEY_LEN 19

typedef struct conv_entry {
    int64_t key[KEY_LEN];
    dnnl_primitive_t prim;     /* NULL: oneDNN could not build it (kept, so it is not tried again) */
    conv_arg arg[MAX_ARGS];
    int nargs;
    unsigned long used;
} conv_entry;

static struct {
    int state;                 /* 0 not tried, 1 ready, -1 unavailable */
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    conv_entry entry[CACHE_ENTRIES];
    int n;
    unsigned long clock;
} dn;

static bool ready(void)
{
    if (dn.state == 0) {
        dnnl_set_verbose(0);
        bool ok = dnnl_engine_create(&dn.engine, dnnl_cpu, 0) == dnnl_success &&
                  dnnl_stream_create(&dn.stream, dn.engine, dnnl_stream_default_flags) == dnnl_success;
        dn.state = ok ? 1 : -1;
    }
    return dn.state == 1;
}

static void free_entry(conv_entry *e)
{
    for (int i = 0; i < e->nargs; i++) {
        conv_arg *a = &e->arg[i];
        if (a->reorder) dnnl_primitive_destroy(a->reorder);
        if (a->inner) dnnl_memory_destroy(a->inner);
        if (a->user) dnnl_memory_destroy(a->user);
    }
    if (e->prim) dnnl_primitive_destroy(e->prim);
    memset(e, 0, sizeof *e);
}

/* A float32 descriptor: plain (dnnl_nchw, dnnl_oihw, dnnl_x) or any layout
** the primitive likes (dnnl_format_tag_any). */
static bool md_init(dnnl_memory_desc_t *md, int ndim, const dnnl_dims_t dims, dnnl_format_tag_t tag)
{
    return dnnl_memory_desc_init_by_tag(md, ndim, dims, dnnl_f32, tag) == dnnl_success;
}

/* Adds argument id to e: user memory of the plain layout, and a blocked
** copy with its reorder when the primitive's layout (want) differs. */
static bool add_arg(conv_entry *e, int id, bool out, const dnnl_memory_desc_t *plain, const dnnl_memory_desc_t *want)
{
    conv_arg *a = &e->arg[e->nargs++];
    a->id = id;
    a->out = out;
    if (dnnl_memory_create(&a->user, plain, dn.engine, DNNL_MEMORY_NONE) != dnnl_success) return false;
    if (dnnl_memory_desc_equal(plain, want)) return true;
    a->inner_bytes = dnnl_memory_desc_get_size(want);
    if (dnnl_memory_create(&a->inner, want, dn.engine, DNNL_MEMORY_NONE) != dnnl_success) return false;
    dnnl_primitive_desc_t rpd;
    dnnl_status_t s = out ? dnnl_reorder_primitive_desc_create(&rpd, want, dn.engine, plain, dn.engine, NULL)
                          : dnnl_reorder_primitive_desc_create(&rpd, plain, dn.engine, want, dn.engine, NULL);
    if (s != dnnl_success) return false;
    s = dnnl_primitive_create(&a->reorder, rpd);
    dnnl_primitive_desc_destroy(rpd);
    return s == dnnl_success;
}

static const dnnl_memory_desc_t *md_of(dnnl_primitive_desc_t pd, dnnl_query_t q)
{
    return dnnl_primitive_desc_query_md(pd, q, 0);
}

/* Builds the primitive of one pass and its arguments' layouts. Groups:
** the weights are 5-D (groups, O / groups, C / groups, kh, kw), whose plain
** layout goihw is the bytes of ember's (O, C / groups, kh, kw). Dilation:
** oneDNN counts the gaps between taps, PyTorch the distance (d - 1 vs d). */
static bool build(conv_entry *e, em_conv_pass pass, const em_window2d *g, int64_t O, bool bias)
{
    /* (oneDNN reads its dims arguments as full dnnl_dims_t arrays) */
    int64_t G = g->groups;
    bool grouped = G > 1;
    dnnl_dims_t xd = {g->n, g->c, g->h, g->w}, yd = {g->n, O, g->oh, g->ow};
    dnnl_dims_t wd = {O, g->c, g->kh, g->kw}, gwd = {G, O / G, g->c / G, g->kh, g->kw};
    dnnl_dims_t bd = {O}, st = {g->sh, g->sw}, pl = {g->ph, g->pw}, dil = {g->dh - 1, g->dw - 1};
    /* right padding: what makes the output size come out, as PyTorch passes it
    ** (also the extra of padding="same" and the rows a stride leaves out) */
    dnnl_dims_t pr = {(g->oh - 1) * g->sh + (g->kh - 1) * g->dh + 1 - g->h - g->ph,
                      (g->ow - 1) * g->sw + (g->kw - 1) * g->dw + 1 - g->w - g->pw};
    dnnl_memory_desc_t px, pw, pb, py, ax, aw, ay;
    dnnl_format_tag_t any = dnnl_format_tag_any;
    int wn = grouped ? 5 : 4;
    const dnnl_dim_t *wdims = grouped ? gwd : wd;
    if (!md_init(&px, 4, xd, dnnl_nchw) || !md_init(&py, 4, yd, dnnl_nchw) || !md_init(&pb, 1, bd, dnnl_x) ||
        !md_init(&pw, wn, wdims, grouped ? dnnl_goihw : dnnl_oihw) || !md_init(&ax, 4, xd, any) ||
        !md_init(&aw, wn, wdims, any) || !md_init(&ay, 4, yd, any))
        return false;
    dnnl_convolution_desc_t fd, bdesc;
    dnnl_primitive_desc_t fpd = NULL, pd = NULL;
    bool ok = dnnl_dilated_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct, &ax,
                                                         &aw, bias && pass == EM_CONV_FORWARD ? &pb : NULL, &ay, st,
                                                         dil, pl, pr) == dnnl_success &&
              dnnl_primitive_desc_create(&fpd, &fd, NULL, dn.engine, NULL) == dnnl_success;
    if (ok && pass == EM_CONV_GRAD_INPUT)
        ok = dnnl_dilated_convolution_backward_data_desc_init(&bdesc, dnnl_convolution_direct, &ax, &aw, &ay, st, dil,
                                                              pl, pr) == dnnl_success &&
             dnnl_primitive_desc_create(&pd, &bdesc, NULL, dn.engine, fpd) == dnnl_success;
    else if (ok && pass == EM_CONV_GRAD_WEIGHT)
        ok = dnnl_dilated_convolution_backward_weights_desc_init(&bdesc, dnnl_convolution_direct, &ax, &aw, NULL, &ay,
                                                                 st, dil, pl, pr) == dnnl_success &&
             dnnl_primitive_desc_create(&pd, &bdesc, NULL, dn.engine, fpd) == dnnl_success;
    else if (ok) {
        pd = fpd;
        fpd = NULL;
    }
    if (ok) ok = dnnl_primitive_create(&e->prim, pd) == dnnl_success;
    if (ok && pass == EM_CONV_FORWARD)
        ok = add_arg(e, DNNL_ARG_SRC, false, &px, md_of(pd, dnnl_query_src_md)) &&
             add_arg(e, DNNL_ARG_WEIGHTS, false, &pw, md_of(pd, dnnl_query_weights_md)) &&
             (!bias || add_arg(e, DNNL_ARG_BIAS, false, &pb, &pb)) &&
             add_arg(e, DNNL_ARG_DST, true, &py, md_of(pd, dnnl_query_dst_md));
    else if (ok && pass == EM_CONV_GRAD_INPUT)
        ok = add_arg(e, DNNL_ARG_DIFF_DST, false, &py, md_of(pd, dnnl_query_diff_dst_md)) &&
             add_arg(e, DNNL_ARG_WEIGHTS, false, &pw, md_of(pd, dnnl_query_weights_md)) &&
             add_arg(e, DNNL_ARG_DIFF_SRC, true, &px, md_of(pd, dnnl_query_diff_src_md));
    else if (ok)
        ok = add_arg(e, DNNL_ARG_DIFF_DST, false, &py, md_of(pd, dnnl_query_diff_dst_md)) &&
             add_arg(e, DNNL_ARG_SRC, false, &px, md_of(pd, dnnl_query_src_md)) &&
             add_arg(e, DNNL_ARG_DIFF_WEIGHTS, true, &pw, md_of(pd, dnnl_query_diff_weights_md));
    if (fpd) dnnl_primitive_desc_destroy(fpd);
    if (pd) dnnl_primitive_desc_destroy(pd);
    return ok;
}

/* The cached entry for this pass and shape, built on first use (the least
** recently used entry makes room); NULL when oneDNN cannot build it, then
** and on every later call for that shape. */
static conv_entry *lookup(em_conv_pass pass, const em_window2d *g, int64_t O, bool bias)
{
    /* the thread count too: oneDNN fixes a primitive's threads when it builds it */
    int64_t key[KEY_LEN] = {pass,  g->n,  g->c,  g->h,  g->w,  O,     g->kh, g->kw, g->sh, g->sw,
                            g->ph, g->pw, g->oh, g->ow, g->dh, g->dw, g->groups, bias, omp_get_max_threads()};
    dn.clock++;
    for (int i = 0; i < dn.n; i++)
        if (memcmp(dn.entry[i].key, key, sizeof key) == 0) {
            dn.entry[i].used = dn.clock;
            return dn.entry[i].prim ? &dn.entry[i] : NULL;
        }
    conv_entry fresh = {0};
    if (!build(&fresh, pass, g, O, bias)) free_entry(&fresh);
    int slot = dn.n;
    if (dn.n == CACHE_ENTRIES) {
        slot = 0;
        for (int i = 1; i < dn.n; i++)
            if (dn.entry[i].used < dn.entry[slot].used) slot = i;
        free_entry(&dn.entry[slot]);
    } else {
        dn.n++;
    }
    conv_entry *e = &dn.entry[slot];
    *e = fresh;
    memcpy(e->key, key, sizeof key);
    e->used = dn.clock;
    return e->prim ? e : NULL;
}

bool em_cpu_conv2d_dnnl(em_conv_pass pass, em_dtype dt, const em_window2d *g, int64_t O, const void *a,
                        const void *b, const void *bias, void *out)
{
    if (dt != EM_FLOAT32 || !ready()) return false;
    conv_entry *e = lookup(pass, g, O, bias != NULL);
    if (!e) return false;
    const void *user[MAX_ARGS] = {a, b};
    int k = 2;
    if (bias) user[k++] = bias;
    user[k] = out;
    void *inner[MAX_ARGS] = {0};
    dnnl_exec_arg_t args[MAX_ARGS];
    bool ok = true;
    sigset_t old;
    hold_signals(&old);
    for (int i = 0; i < e->nargs && ok; i++) {
        conv_arg *c = &e->arg[i];
        ok = dnnl_memory_set_data_handle(c->user, (void *)user[i]) == dnnl_success;
        if (ok && c->inner) {
            inner[i] = em_cpu_alloc(c->inner_bytes);
            ok = inner[i] && dnnl_memory_set_data_handle(c->inner, inner[i]) == dnnl_success;
            if (ok && !c->out) {
                dnnl_exec_arg_t r[2] = {{DNNL_ARG_FROM, c->user}, {DNNL_ARG_TO, c->inner}};
                ok = dnnl_primitive_execute(c->reorder, dn.stream, 2, r) == dnnl_success;
            }
        }
        args[i] = (dnnl_exec_arg_t){c->id, c->inner ? c->inner : c->user};
    }
    if (ok) ok = dnnl_primitive_execute(e->prim, dn.stream, e->nargs, args) == dnnl_success;
    for (int i = 0; i < e->nargs && ok; i++) {
        conv_arg *c = &e->arg[i];
        if (c->inner && c->out) {
            dnnl_exec_arg_t r[2] = {{DNNL_ARG_FROM, c->inner}, {DNNL_ARG_TO, c->user}};
            ok = dnnl_primitive_execute(c->reorder, dn.stream, 2, r) == dnnl_success;
        }
    }
    if (dnnl_stream_wait(dn.stream) != dnnl_success) ok = false;
    release_signals(&old);
    for (int i = 0; i < e->nargs; i++) em_cpu_free(inner[i], e->arg[i].inner_bytes);
    return ok;
}
