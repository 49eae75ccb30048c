/* test_pickle.c — the restricted unpickler (src/io/pickle_read.c) on
** hand-made byte strings: values, memo, duplicate keys, tensors from a
** test storage callback, and every refusal (truncation at each byte, bad
** memo, deep nesting, huge lengths, cycles, exponential sharing, globals,
** opcodes, structure errors). Also the zip reader (src/io/zip_read.c) on a
** fixture damaged in memory: CRC, compression, names, truncation. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "io/pickle_read.h"
#include "io/zip_read.h"

typedef struct buf {
    unsigned char *p;
    size_t len, cap;
} buf;

static void put(buf *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}
static void op(buf *b, unsigned char c) { put(b, &c, 1); }
static void str(buf *b, const char *s)
{
    uint32_t n = (uint32_t)strlen(s);
    unsigned char h[5] = {'X', (unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16),
                          (unsigned char)(n >> 24)};
    put(b, h, 5);
    put(b, s, n);
}
static void int1(buf *b, unsigned char v) { op(b, 'K'), op(b, v); }
static void text(buf *b, const char *s) { put(b, s, strlen(s)); }

/* storage callback: key "0".."9" -> a float32 storage 0, 1, 2, ... cached per key */
static em_tensor *cache[10];
static int loads;
static em_tensor *test_storage(void *ctx, em_pt_stype type, const char *key, const char *loc, int64_t numel)
{
    (void)ctx, (void)type, (void)loc;
    int k = key[0] - '0';
    if (!cache[k]) {
        cache[k] = em_tensor_empty(1, &numel, EM_FLOAT32, NULL);
        for (int64_t i = 0; i < numel; i++) ((float *)cache[k]->storage->data)[i] = (float)i;
        loads++;
    }
    em_tensor_retain(cache[k]);
    return cache[k];
}

static em_status run(const buf *b, em_pyval **out)
{
    em_unpickle_opts o = {test_storage, NULL, "test", NULL};
    return em_pickle_read(b->p, b->len, &o, out);
}

/* Runs b, expects a refusal whose message contains want. */
static void refused(const buf *b, const char *want)
{
    em_pyval *v = (em_pyval *)1;
    em_status st = run(b, &v);
    CHECK(st != EM_OK);
    CHECK(v == NULL);
    if (!strstr(em_last_error(), want)) {
        fprintf(stderr, "message '%s' lacks '%s'\n", em_last_error(), want);
        CHECK(0);
    }
}

static void start(buf *b)
{
    b->len = 0;
    op(b, 0x80), op(b, 2);
}

static void test_values(void)
{
    buf b = {0};
    start(&b);
    op(&b, '}'), op(&b, 'q'), op(&b, 0), op(&b, '(');
    str(&b, "a"), int1(&b, 1);
    str(&b, "neg"), op(&b, 'J'), put(&b, "\xfe\xff\xff\xff", 4);                       /* -2 */
    str(&b, "big"), op(&b, 0x8a), op(&b, 6), put(&b, "\0\0\0\0\0\x01", 6);              /* 2^40 */
    str(&b, "m1"), op(&b, 0x8a), op(&b, 1), op(&b, 0xff);                                /* -1 */
    str(&b, "f"), op(&b, 'G'), put(&b, "\x3f\x84\x7a\xe1\x47\xae\x14\x7b", 8);          /* 0.01 */
    str(&b, "t"), op(&b, 'N'), op(&b, 0x88), op(&b, 0x86);                               /* (None, True) */
    str(&b, "l"), op(&b, ']'), op(&b, '('), int1(&b, 7), str(&b, "x"), op(&b, 'e');
    str(&b, "a"), int1(&b, 3);                                                           /* duplicate key */
    int1(&b, 0), op(&b, 'h'), op(&b, 0), op(&b, 'h'), op(&b, 0), op(&b, 0x86);  /* (dict, dict): memo 0 is the dict */
    op(&b, 'u'), op(&b, '.');
    /* the last pair uses the dict itself inside a tuple: a cycle, refused */
    refused(&b, "contains itself");

    start(&b);
    op(&b, '}'), op(&b, '(');
    str(&b, "a"), int1(&b, 1);
    str(&b, "neg"), op(&b, 'J'), put(&b, "\xfe\xff\xff\xff", 4);
    str(&b, "big"), op(&b, 0x8a), op(&b, 6), put(&b, "\0\0\0\0\0\x01", 6);
    str(&b, "m1"), op(&b, 0x8a), op(&b, 1), op(&b, 0xff);
    str(&b, "f"), op(&b, 'G'), put(&b, "\x3f\x84\x7a\xe1\x47\xae\x14\x7b", 8);
    str(&b, "t"), op(&b, 'N'), op(&b, 0x88), op(&b, 0x86);
    str(&b, "l"), op(&b, ']'), op(&b, 'q'), op(&b, 1), op(&b, '('), int1(&b, 7), str(&b, "x"), op(&b, 'e');
    str(&b, "a"), int1(&b, 3);
    str(&b, "l2"), op(&b, 'h'), op(&b, 1);                   /* the same list again (memo) */
    op(&b, 'u'), op(&b, '.');
    em_pyval *v = NULL;
    CHECK(run(&b, &v) == EM_OK);
    CHECK(v && v->kind == EM_PY_DICT && v->u.map.len == 8);
    if (v && v->kind == EM_PY_DICT && v->u.map.len == 8) {
        CHECK(em_pyval_dict_get(v, "a")->u.i == 3);                  /* last value ... */
        CHECK(v->u.map.keys[0]->u.s.data[0] == 'a');                 /* ... first position */
        CHECK(em_pyval_dict_get(v, "neg")->u.i == -2);
        CHECK(em_pyval_dict_get(v, "big")->u.i == (int64_t)1 << 40);
        CHECK(em_pyval_dict_get(v, "m1")->u.i == -1);
        CHECK(em_pyval_dict_get(v, "f")->u.f == 0.01);
        em_pyval *t = em_pyval_dict_get(v, "t");
        CHECK(t->kind == EM_PY_TUPLE && t->u.seq.len == 2 && t->u.seq.items[0]->kind == EM_PY_NONE &&
              t->u.seq.items[1]->u.b);
        em_pyval *l = em_pyval_dict_get(v, "l"), *l2 = em_pyval_dict_get(v, "l2");
        CHECK(l->kind == EM_PY_LIST && l->u.seq.len == 2 && l->u.seq.items[0]->u.i == 7);
        CHECK(l2->kind == EM_PY_LIST && l2->u.seq.len == 2 && l2 != l);
    }
    em_pyval_free(v);
    free(b.p);
}

static void test_torch_globals(void)
{
    buf b = {0};
    start(&b);
    op(&b, ']'), op(&b, '(');
    text(&b, "ctorch.torch_version\nTorchVersion\n"), str(&b, "1.13.1"), op(&b, 0x85), op(&b, 0x81);
    text(&b, "ctorch\ndevice\n"), str(&b, "cuda"), int1(&b, 0), op(&b, 0x86), op(&b, 'R');
    text(&b, "c_codecs\nencode\n"), str(&b, "a\xc3\xbf"), str(&b, "latin1"), op(&b, 0x86), op(&b, 'R');
    text(&b, "ccollections\nOrderedDict\n"), op(&b, ')'), op(&b, 'R');
    op(&b, '}'), str(&b, "_metadata"), int1(&b, 5), op(&b, 's'), op(&b, 'b');
    op(&b, 'e'), op(&b, '.');
    em_pyval *v = NULL;
    CHECK(run(&b, &v) == EM_OK);
    if (v && v->u.seq.len == 4) {
        CHECK(v->u.seq.items[0]->kind == EM_PY_STR && strcmp(v->u.seq.items[0]->u.s.data, "1.13.1") == 0);
        CHECK(strcmp(v->u.seq.items[1]->u.s.data, "cuda:0") == 0);
        CHECK(v->u.seq.items[2]->kind == EM_PY_BYTES && v->u.seq.items[2]->u.s.len == 2 &&
              (unsigned char)v->u.seq.items[2]->u.s.data[1] == 0xff);
        CHECK(v->u.seq.items[3]->kind == EM_PY_ODICT && v->u.seq.items[3]->u.map.metadata &&
              v->u.seq.items[3]->u.map.metadata->u.i == 5);
    } else {
        CHECK(0);
    }
    em_pyval_free(v);
    free(b.p);
}

/* collections.Counter({3: 1, 8: 2}) as Counter.__reduce__ pickles it (a
** dict in a 1-tuple): read as that plain dict (MultiStepLR's milestones);
** Counter() is an empty dict; other arguments are refused. */
static void test_counter(void)
{
    buf b = {0};
    start(&b);
    op(&b, ']'), op(&b, '(');
    text(&b, "ccollections\nCounter\n"), op(&b, '}'), op(&b, '(');
    int1(&b, 3), int1(&b, 1), int1(&b, 8), int1(&b, 2), op(&b, 'u'), op(&b, 0x85), op(&b, 'R');
    text(&b, "ccollections\nCounter\n"), op(&b, ')'), op(&b, 'R');
    op(&b, 'e'), op(&b, '.');
    em_pyval *v = NULL;
    CHECK(run(&b, &v) == EM_OK);
    if (v && v->kind == EM_PY_LIST && v->u.seq.len == 2) {
        em_pyval *c = v->u.seq.items[0];
        CHECK(c->kind == EM_PY_DICT && c->u.map.len == 2);
        if (c->kind == EM_PY_DICT && c->u.map.len == 2) {
            CHECK(c->u.map.keys[0]->u.i == 3 && c->u.map.values[0]->u.i == 1);
            CHECK(c->u.map.keys[1]->u.i == 8 && c->u.map.values[1]->u.i == 2);
        }
        CHECK(v->u.seq.items[1]->kind == EM_PY_DICT && v->u.seq.items[1]->u.map.len == 0);
    } else {
        CHECK(0);
    }
    em_pyval_free(v);
    start(&b), text(&b, "ccollections\nCounter\nN\x85R.");
    refused(&b, "unexpected arguments");
    free(b.p);
}

/* GLOBAL _rebuild_tensor_v2 ( (storage FloatStorage key cpu numel) Q offset size stride False OrderedDict() ) R */
static void tensor(buf *b, const char *key, int numel, int offset, int s0, int s1, int st0, int st1)
{
    text(b, "ctorch._utils\n_rebuild_tensor_v2\n(("), str(b, "storage"), text(b, "ctorch\nFloatStorage\n");
    str(b, key), str(b, "cpu"), int1(b, (unsigned char)numel), op(b, 't'), op(b, 'Q');
    int1(b, (unsigned char)offset), int1(b, (unsigned char)s0), int1(b, (unsigned char)s1), op(b, 0x86);
    int1(b, (unsigned char)st0), int1(b, (unsigned char)st1), op(b, 0x86), op(b, 0x89);
    text(b, "ccollections\nOrderedDict\n)Rt"), op(b, 'R');
}

static void test_tensors(void)
{
    buf b = {0};
    start(&b);
    op(&b, ']'), op(&b, '(');
    tensor(&b, "0", 12, 0, 3, 4, 4, 1);
    tensor(&b, "0", 12, 0, 4, 3, 1, 4);     /* a transposed view of the same storage */
    tensor(&b, "1", 3, 0, 2, 3, 0, 1);      /* expanded */
    op(&b, 'e'), op(&b, '.');
    em_pyval *v = NULL;
    loads = 0;
    if (run(&b, &v) != EM_OK) fprintf(stderr, "%s\n", em_last_error());
    CHECK(v != NULL);
    CHECK(loads == 2);
    if (v && v->u.seq.len == 3) {
        em_tensor *a = v->u.seq.items[0]->u.tensor.t, *t = v->u.seq.items[1]->u.tensor.t;
        CHECK(a->storage == t->storage);
        CHECK(t->shape[0] == 4 && t->stride[1] == 4 && t->offset == 0);
        CHECK(v->u.seq.items[2]->u.tensor.t->stride[0] == 0);
        CHECK(strcmp(v->u.seq.items[0]->u.tensor.location, "cpu") == 0);
    } else {
        CHECK(0);
    }
    em_pyval_free(v);

    start(&b);
    tensor(&b, "2", 6, 4, 2, 3, 3, 1);
    op(&b, '.');
    refused(&b, "6-element storage");
    start(&b);
    tensor(&b, "3", 6, 0, 2, 3, 10, 1);
    op(&b, '.');
    refused(&b, "reaches element 12");
    start(&b);
    text(&b, "ctorch._utils\n_rebuild_tensor_v2\n(("), str(&b, "storage"), text(&b, "ctorch\nFloatStorage\n");
    str(&b, "4"), str(&b, "cpu"), int1(&b, 6), text(&b, "tQ"), int1(&b, 0);
    op(&b, 0x8a), op(&b, 8), put(&b, "\0\0\0\0\0\0\0\x40", 8), op(&b, 0x8a), op(&b, 8), put(&b, "\0\0\0\0\0\0\0\x40", 8);
    op(&b, 0x86), int1(&b, 1), int1(&b, 1), op(&b, 0x86), op(&b, 0x89);
    text(&b, "ccollections\nOrderedDict\n)RtR.");
    refused(&b, "overflows");
    start(&b);
    text(&b, "(("), str(&b, "storage"), text(&b, "ctorch\nFloatStorage\n");
    str(&b, "../x"), str(&b, "cpu"), int1(&b, 6), text(&b, "tQ.");
    refused(&b, "not decimal digits");
    start(&b);
    str(&b, "module"), str(&b, "x"), op(&b, 0x86), text(&b, "Q.");
    refused(&b, "not a storage reference");
    for (int i = 0; i < 10; i++) {
        em_tensor_release(cache[i]);
        cache[i] = NULL;
    }
    free(b.p);
}

static void test_refusals(void)
{
    buf b = {0};
    start(&b), text(&b, "cos\nsystem\n"), str(&b, "true"), text(&b, "\x85R.");
    refused(&b, "os.system, which could run code");
    start(&b), op(&b, 0x8c), op(&b, 8), text(&b, "builtins"), op(&b, 0x8c), op(&b, 4), text(&b, "eval\x93.");
    refused(&b, "builtins.eval, which could run code");      /* STACK_GLOBAL: the same allowlist as GLOBAL */
    start(&b), op(&b, 0x8c), op(&b, 3), text(&b, "o\x1bs"), op(&b, 0x8c), op(&b, 1), text(&b, "x\x93.");
    refused(&b, "printable ASCII");
    start(&b), text(&b, "ctorch\nload\n.");
    refused(&b, "torch.load");
    start(&b), text(&b, "h\x05.");
    refused(&b, "memo index 5 was never stored");
    start(&b), text(&b, "N"), op(&b, 'r'), put(&b, "\xff\xff\xff\xff", 4), op(&b, '.');
    refused(&b, "larger than the pickle");
    start(&b), op(&b, 'X'), put(&b, "\xff\xff\xff\xff", 4), text(&b, "abc.");
    refused(&b, "truncated");
    start(&b), op(&b, 0x8a), op(&b, 200), text(&b, ".");
    refused(&b, "truncated");
    start(&b), op(&b, 0x8a), op(&b, 9), put(&b, "\0\0\0\0\0\0\0\0\x01", 9), op(&b, '.');   /* 2^64 */
    refused(&b, "outside the 64-bit range");
    start(&b), op(&b, 0x8a), op(&b, 9), put(&b, "\0\0\0\0\0\0\0\x80\0", 9), op(&b, '.');   /* 2^63 */
    refused(&b, "outside the 64-bit range");
    start(&b), op(&b, 0x8a), op(&b, 9), put(&b, "\xff\xff\xff\xff\xff\xff\xff\x7f\xff", 9), op(&b, '.');
    refused(&b, "outside the 64-bit range");                  /* -2^63 - 1 */
    start(&b), op(&b, 0x8a), op(&b, 10), put(&b, "\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10), op(&b, '.');
    refused(&b, "outside the 64-bit range");                  /* the legacy magic number, as a value */
    start(&b), op(&b, 0x8b), put(&b, "\x09\0\0\0", 4), put(&b, "\0\0\0\0\0\0\0\0\x01", 9), op(&b, '.');
    refused(&b, "outside the 64-bit range");                  /* LONG4 */
    start(&b), op(&b, 0x8f), op(&b, '.');
    refused(&b, "Python set");
    start(&b), op(&b, 0x80), op(&b, 6), op(&b, 'N'), op(&b, '.');
    refused(&b, "protocol 6");
    start(&b), op(&b, 0x95), put(&b, "\x10\0\0\0\0\0\0\0", 8), op(&b, 'N'), op(&b, '.');
    refused(&b, "FRAME");                                     /* a frame longer than the rest */
    start(&b), text(&b, "ctorch.torch_version\nTorchVersion\n"), str(&b, "1"), op(&b, 0x85), op(&b, '}');
    op(&b, 0x92), op(&b, '.');
    refused(&b, "NEWOBJ_EX");
    start(&b), str(&b, "\xc3\x28"), op(&b, '.');
    refused(&b, "UTF-8");
    start(&b), op(&b, '.');
    refused(&b, "empty stack");
    start(&b), op(&b, 'N');
    refused(&b, "without STOP");
    start(&b), op(&b, 'R');
    refused(&b, "underflow");
    start(&b), text(&b, "N(R.");
    refused(&b, "underflow");          /* the callable is below the mark */
    start(&b), text(&b, "u.");
    refused(&b, "MARK");
    start(&b), text(&b, "NNN)R.");
    refused(&b, "not callable");
    start(&b), text(&b, "]}b.");
    refused(&b, "BUILD on a list");
    start(&b), text(&b, "}(NNNu.");
    refused(&b, "odd number");
    start(&b), text(&b, "}Na.");
    refused(&b, "appending to a dict");
    start(&b), text(&b, "]NNs.");
    refused(&b, "setting items on a list");
    start(&b), text(&b, "}]Ns.");
    refused(&b, "not hashable");
    start(&b), text(&b, "ccollections\nOrderedDict\nN\x85R.");
    refused(&b, "unexpected arguments");
    start(&b), text(&b, "ctorch\nFloatStorage\n.");
    refused(&b, "bare global");
    start(&b), text(&b, "cos\nsystem"), op(&b, '.');
    refused(&b, "truncated");
    start(&b), text(&b, "N(Q.");
    refused(&b, "underflow");
    start(&b), text(&b, "I1\n.");
    refused(&b, "INT");
    start(&b), op(&b, ']'), op(&b, 'q'), op(&b, 0), op(&b, 'h'), op(&b, 0), text(&b, "a.");
    refused(&b, "contains itself");
    free(b.p);
}

/* What protocols 3 to 5 add (torch.save(..., pickle_protocol=N) of PyTorch
** writes them): FRAME, MEMOIZE, SHORT_BINUNICODE, BINUNICODE8, STACK_GLOBAL
** of an allowed global, bytes; and exact 64-bit ints in long encodings. */
static void test_protocols(void)
{
    buf b = {0};
    b.len = 0;
    op(&b, 0x80), op(&b, 4), op(&b, 0x95), put(&b, "\x40\0\0\0\0\0\0\0", 8);
    op(&b, ']'), op(&b, 0x94), op(&b, '(');                                       /* list, memo 0 */
    op(&b, 0x8c), op(&b, 2), text(&b, "hi"), op(&b, 0x94);                        /* 'hi', memo 1 */
    op(&b, 0x8d), put(&b, "\x03\0\0\0\0\0\0\0", 8), text(&b, "abc");
    op(&b, 'C'), op(&b, 2), put(&b, "\0\xff", 2);                                 /* b'\x00\xff' */
    op(&b, 'h'), op(&b, 1);                                                      /* 'hi' again */
    op(&b, 0x8c), op(&b, 11), text(&b, "collections"), op(&b, 0x8c), op(&b, 11), text(&b, "OrderedDict");
    op(&b, 0x93), op(&b, ')'), op(&b, 'R');                                       /* OrderedDict() */
    op(&b, 0x8a), op(&b, 9), put(&b, "\xff\xff\xff\xff\xff\xff\xff\xff\xff", 9);   /* -1 in 9 bytes */
    op(&b, 0x8a), op(&b, 8), put(&b, "\0\0\0\0\0\0\0\x80", 8);                   /* -2^63 */
    op(&b, 0x8a), op(&b, 9), put(&b, "\xff\xff\xff\xff\xff\xff\xff\x7f\0", 9);   /* 2^63 - 1 */
    op(&b, 0x8a), op(&b, 8), put(&b, "\x01\0\0\0\0\0\x20\0", 8);                 /* 2^53 + 1 */
    op(&b, 'e'), op(&b, '.');
    em_pyval *v = NULL;
    CHECK(run(&b, &v) == EM_OK);
    CHECK(v && v->kind == EM_PY_LIST && v->u.seq.len == 9);
    if (v && v->kind == EM_PY_LIST && v->u.seq.len == 9) {
        em_pyval **it = v->u.seq.items;
        CHECK(it[0]->kind == EM_PY_STR && strcmp(it[0]->u.s.data, "hi") == 0);
        CHECK(it[1]->kind == EM_PY_STR && strcmp(it[1]->u.s.data, "abc") == 0);
        CHECK(it[2]->kind == EM_PY_BYTES && it[2]->u.s.len == 2 && (unsigned char)it[2]->u.s.data[1] == 0xff);
        CHECK(it[3]->kind == EM_PY_STR && strcmp(it[3]->u.s.data, "hi") == 0);
        CHECK(it[4]->kind == EM_PY_ODICT);
        CHECK(it[5]->kind == EM_PY_INT && it[5]->u.i == -1);
        CHECK(it[6]->kind == EM_PY_INT && it[6]->u.i == INT64_MIN);
        CHECK(it[7]->kind == EM_PY_INT && it[7]->u.i == INT64_MAX);
        CHECK(it[8]->kind == EM_PY_INT && it[8]->u.i == ((int64_t)1 << 53) + 1);
    }
    em_pyval_free(v);
    /* a pickle followed by more bytes: the prefix reader says where it stopped */
    start(&b), int1(&b, 5), op(&b, '.'), text(&b, "more");
    em_unpickle_opts o = {test_storage, NULL, "test", NULL};
    size_t used = 0;
    CHECK(em_pickle_read_prefix(b.p, b.len, &o, &v, &used) == EM_OK && used == 5 && v && v->u.i == 5);
    em_pyval_free(v);
    /* running out of bytes is told apart from other refusals */
    bool short_buf = false;
    o.ran_out = &short_buf;
    start(&b), op(&b, ']'), op(&b, '('), int1(&b, 1);
    CHECK(em_pickle_read_prefix(b.p, b.len, &o, &v, &used) != EM_OK && short_buf);
    short_buf = false;
    start(&b), text(&b, "cos\nsystem\n.");
    CHECK(em_pickle_read_prefix(b.p, b.len, &o, &v, &used) != EM_OK && !short_buf);
    /* legacy storage ids: a sixth element, view_metadata, which must be None */
    start(&b);
    text(&b, "ctorch._utils\n_rebuild_tensor_v2\n(("), str(&b, "storage"), text(&b, "ctorch\nFloatStorage\n");
    str(&b, "3"), str(&b, "cpu"), int1(&b, 4), text(&b, "NtQ"), int1(&b, 0), int1(&b, 4), op(&b, 0x85);
    int1(&b, 1), op(&b, 0x85), op(&b, 0x89), text(&b, "ccollections\nOrderedDict\n)RtR.");
    CHECK(run(&b, &v) == EM_OK && v && v->kind == EM_PY_TENSOR && v->u.tensor.t->shape[0] == 4);
    em_pyval_free(v);
    start(&b);
    text(&b, "("), str(&b, "storage"), text(&b, "ctorch\nFloatStorage\n"), str(&b, "3"), str(&b, "cpu");
    int1(&b, 4), text(&b, "("), str(&b, "3"), int1(&b, 0), int1(&b, 4), text(&b, "ttQ.");
    refused(&b, "view of another storage");
    start(&b), str(&b, "\x1b]0;pwned\x07"), str(&b, "x"), op(&b, 0x86), text(&b, "Q.");
    refused(&b, "'\\27]0;pwned\\7' is not a storage reference");   /* file text is escaped in messages */
    for (int i = 0; i < 10; i++) {
        em_tensor_release(cache[i]);
        cache[i] = NULL;
    }
    free(b.p);
}

static void test_limits(void)
{
    buf b = {0};
    start(&b);                                    /* 200000 nested MARKs */
    for (int i = 0; i < 200000; i++) op(&b, '(');
    op(&b, '.');
    refused(&b, "nested MARKs");
    start(&b);                                    /* a tuple nested 5000 deep */
    for (int i = 0; i < 5000; i++) op(&b, '(');
    op(&b, ')');
    for (int i = 0; i < 5000; i++) op(&b, 't');
    op(&b, '.');
    refused(&b, "nested deeper than");
    start(&b);                                    /* 2^40 leaves through shared memo entries */
    op(&b, ']'), op(&b, 'q'), op(&b, 0);
    for (int i = 1; i <= 40; i++) {
        op(&b, ']'), op(&b, '('), op(&b, 'h'), op(&b, (unsigned char)(i - 1)), op(&b, 'h');
        op(&b, (unsigned char)(i - 1)), op(&b, 'e'), op(&b, 'q'), op(&b, (unsigned char)i);
    }
    op(&b, '.');
    refused(&b, "over and over");
    free(b.p);
}

/* Every prefix of a valid pickle is refused (no crash, no leak under ASan). */
static void test_truncation(void)
{
    buf b = {0};
    start(&b);
    op(&b, ']'), op(&b, '(');
    tensor(&b, "0", 12, 0, 3, 4, 4, 1);
    str(&b, "text"), op(&b, 'G'), put(&b, "\x3f\x84\x7a\xe1\x47\xae\x14\x7b", 8);
    op(&b, 'e'), op(&b, '.');
    em_pyval *v = NULL;
    CHECK(run(&b, &v) == EM_OK);
    em_pyval_free(v);
    int bad = 0;
    for (size_t n = 0; n < b.len; n++) {
        buf c = {b.p, n, n};
        v = NULL;
        if (run(&c, &v) == EM_OK || v) bad++;
    }
    CHECK(bad == 0);
    em_tensor_release(cache[0]);
    cache[0] = NULL;
    free(b.p);
}

/* --- the zip reader on a real fixture, damaged in memory --- */
static unsigned char *read_fixture(const char *name, size_t *len)
{
    char path[1200], src[1024];
    const char *dir = getenv("EMBER_PT_FIXTURES");
    if (dir) {
        snprintf(path, sizeof path, "%s/%s", dir, name);
    } else {            /* __FILE__ is .../tests/c/test_pickle.c; shared/ sits beside the repository */
        snprintf(src, sizeof src, "%s", __FILE__);
        char *slash = strrchr(src, '/');
        if (slash) *slash = '\0';
        snprintf(path, sizeof path, "%s/../../../shared/fixtures/pytorch/%s", slash ? src : ".", name);
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s (set EMBER_PT_FIXTURES)\n", path);
        return NULL;
    }
    unsigned char *p = malloc(1 << 20);
    *len = fread(p, 1, 1 << 20, f);
    fclose(f);
    return p;
}

static void zip_refused(const unsigned char *p, size_t len, const char *want)
{
    em_zip_reader *z = em_zip_open_memory(p, len, "zip");
    /* the structure is checked at open; a record's CRC when it is read */
    em_status st = EM_OK;
    for (size_t i = 0; z && i < em_zip_count(z) && st == EM_OK; i++) st = em_zip_stream(z, i, NULL, NULL);
    CHECK(z == NULL || st != EM_OK);
    em_zip_close(z);
    if (!strstr(em_last_error(), want)) {
        fprintf(stderr, "message '%s' lacks '%s'\n", em_last_error(), want);
        CHECK(0);
    }
}

static void test_zip(void)
{
    size_t len;
    unsigned char *p = read_fixture("linear_state.pt", &len);
    CHECK(p != NULL);
    if (!p) return;
    em_zip_reader *z = em_zip_open_memory(p, len, "zip");
    CHECK(z && em_zip_count(z) == 4);
    unsigned char *d = NULL;
    size_t n = 0;
    CHECK(z && em_zip_load(z, "linear_state/version", &d, &n) == EM_OK && n == 2 && d[0] == '3');
    free(d);
    CHECK(z && em_zip_index(z, "linear_state/nope") < 0);
    CHECK(z && em_zip_load(z, "linear_state/nope", &d, &n) != EM_OK && strstr(em_last_error(), "no linear_state/nope"));
    /* a record read straight into the caller's memory, CRC checked */
    long w = z ? em_zip_index(z, "linear_state/data/0") : -1;
    CHECK(w >= 0);
    if (w >= 0) {
        unsigned char *rec = malloc(em_zip_size(z, (size_t)w) + 1);
        CHECK(em_zip_read(z, (size_t)w, rec) == EM_OK);
        free(rec);
    }
    em_zip_close(z);
    unsigned char *q = malloc(len);
    /* a flipped data byte: CRC mismatch (data/0 starts at 448 in every 1.13 file of this layout) */
    memcpy(q, p, len), q[450] ^= 1;
    zip_refused(q, len, "CRC-32 mismatch");
    z = em_zip_open_memory(q, len, "zip");        /* opening reads no record: the damage shows when read */
    CHECK(z != NULL);
    long bad = z ? em_zip_index(z, "linear_state/data/0") : -1;
    if (bad >= 0) {
        unsigned char *rec = malloc(em_zip_size(z, (size_t)bad) + 1);
        CHECK(em_zip_read(z, (size_t)bad, rec) != EM_OK && strstr(em_last_error(), "CRC-32 mismatch"));
        free(rec);
    }
    em_zip_close(z);
    /* method 8 in the first central entry */
    size_t cd = 0;
    for (size_t i = len - 22; i > 0; i--)
        if (memcmp(q + i, "PK\1\2", 4) == 0) cd = i;
    memcpy(q, p, len), q[cd + 10] = 8;
    zip_refused(q, len, "compressed");
    memcpy(q, p, len), memcpy(q + cd + 46, "../", 3);
    zip_refused(q, len, "unsafe");
    zip_refused(p, len / 2, "no end of central directory");
    zip_refused((const unsigned char *)"hello world, not a zip", 22, "PK\\3\\4");
    for (size_t cut = 0; cut < len; cut += 7) {     /* truncations and no crash */
        z = em_zip_open_memory(p, cut, "zip");
        CHECK(z == NULL);
        em_zip_close(z);
    }
    free(q);
    free(p);
}

TEST_MAIN(RUN(test_values); RUN(test_torch_globals); RUN(test_counter); RUN(test_tensors); RUN(test_refusals); RUN(test_protocols);
          RUN(test_limits); RUN(test_truncation); RUN(test_zip);)
