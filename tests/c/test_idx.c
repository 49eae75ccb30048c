/* test_idx.c — the IDX reader and writer (src/io/idx.c): every fixture in
** shared/fixtures/idx/ as its expected.json says (values are repeated here,
** the C tests have no JSON parser), writer round trips for every dtype, plain
** and gzip, and the Fashion-MNIST CRC from formats/idx.md when Debian's
** dataset-fashion-mnist is installed. Fixtures: $EMBER_IDX_FIXTURES, else
** shared/ beside the repository. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "harness.h"
#include "io/idx.h"
#include "ops/ops.h"

static char fixture_dir[1024];
static char tmp_dir[256];

static const char *fixture(const char *name)
{
    static char buf[1200];
    snprintf(buf, sizeof buf, "%s/%s", fixture_dir, name);
    return buf;
}

static const char *tmp_path(const char *name)
{
    static char buf[400];
    snprintf(buf, sizeof buf, "%s/%s", tmp_dir, name);
    return buf;
}

static const void *data_of(const em_tensor *t)
{
    return (const char *)t->storage->data + t->offset * (int64_t)em_dtype_size(t->dtype);
}

static bool shape_is(const em_tensor *t, int ndim, const int64_t *shape)
{
    if (t->ndim != ndim) return false;
    for (int d = 0; d < ndim; d++)
        if (t->shape[d] != shape[d]) return false;
    return true;
}

static void check_tiny_images(const char *name)
{
    em_tensor *t = em_idx_read(fixture(name));
    CHECK(t != NULL);
    if (!t) {
        fprintf(stderr, "  %s\n", em_last_error());
        return;
    }
    int64_t shape[3] = {3, 4, 5};
    CHECK(t->dtype == EM_UINT8);
    CHECK(shape_is(t, 3, shape));
    const unsigned char *p = data_of(t);
    int bad = 0;
    for (int i = 0; i < 3; i++)
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 5; c++)
                if (p[i * 20 + r * 5 + c] != (i * 20 + r * 5 + c) * 3 % 256) bad++;
    CHECK(bad == 0);
    CHECK(crc32(0, p, 60) == 0x0442018c);
    em_tensor_release(t);
}

static void test_valid_uint8(void)
{
    check_tiny_images("tiny-images-idx3-ubyte");
    check_tiny_images("tiny-images-idx3-ubyte.gz");
    const char *labels[] = {"tiny-labels-idx1-ubyte", "tiny-labels-idx1-ubyte.gz"};  /* .gz has FNAME */
    for (int k = 0; k < 2; k++) {
        em_tensor *t = em_idx_read(fixture(labels[k]));
        CHECK(t != NULL);
        if (!t) continue;
        const unsigned char *p = data_of(t);
        CHECK(t->dtype == EM_UINT8 && t->ndim == 1 && t->shape[0] == 3);
        CHECK(p[0] == 7 && p[1] == 0 && p[2] == 9);
        em_tensor_release(t);
    }
}

static void test_valid_wide(void)
{
    em_tensor *f = em_idx_read(fixture("tiny-float-idx2"));
    CHECK(f != NULL);
    if (f) {
        int64_t shape[2] = {2, 3};
        const float want[6] = {1.5f, -2.0f, 0.25f, 3e38f, -0.0f, 1e-3f};
        CHECK(f->dtype == EM_FLOAT32 && shape_is(f, 2, shape));
        CHECK(memcmp(data_of(f), want, sizeof want) == 0);   /* bit exact, -0.0 included */
        em_tensor_release(f);
    }
    em_tensor *i = em_idx_read(fixture("tiny-int-idx1"));
    CHECK(i != NULL);
    if (i) {
        const int32_t want[4] = {1, -1, 2147483647, -2147483647 - 1};
        CHECK(i->dtype == EM_INT32 && i->ndim == 1 && i->shape[0] == 4);
        CHECK(memcmp(data_of(i), want, sizeof want) == 0);
        em_tensor_release(i);
    }
    em_tensor *s = em_idx_read(fixture("tiny-short-idx1"));
    CHECK(s != NULL);
    if (s) {
        const int32_t want[3] = {-32768, 1, 32767};   /* int16 widened to int32 */
        CHECK(s->dtype == EM_INT32 && s->ndim == 1 && s->shape[0] == 3);
        CHECK(memcmp(data_of(s), want, sizeof want) == 0);
        em_tensor_release(s);
    }
}

/* Each invalid fixture is refused with EM_ERR_IO and a message that names
** the file and says what is wrong. */
static void refused(const char *name, const char *says)
{
    em_tensor *t = em_idx_read(fixture(name));
    CHECK(t == NULL);
    em_tensor_release(t);
    CHECK(em_last_status() == EM_ERR_IO);
    const char *msg = em_last_error();
    if (!strstr(msg, name) || !strstr(msg, says))
        HARNESS_FAIL_("%s: message \"%s\" lacks the file name or \"%s\"", name, msg, says);
    else
        harness_passed++;
}

static void test_invalid(void)
{
    refused("bad-magic-idx1", "not an IDX file");
    refused("bad-type-idx1", "type code 0x0A");
    refused("truncated-images-idx3", "7 missing");
    refused("trailing-labels-idx1", "2 unexpected bytes");
    refused("huge-dims-idx3", "impossibly large");
    refused("truncated.gz", "truncated");
    refused("no-such-file", "No such file");
}

static void write_bytes(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fwrite(b, 1, n, f);
    fclose(f);
}

/* Cases the fixtures do not cover: header cut short, 0 dims, a gzip stream
** whose CRC is wrong, a gzip header that lies about its size. */
static void test_invalid_more(void)
{
    const unsigned char short_hdr[6] = {0, 0, 8, 3, 0, 0};
    write_bytes(tmp_path("short"), short_hdr, sizeof short_hdr);
    CHECK(em_idx_read(tmp_path("short")) == NULL && strstr(em_last_error(), "ends inside"));
    const unsigned char zero_dims[4] = {0, 0, 8, 0};
    write_bytes(tmp_path("zero-dims"), zero_dims, sizeof zero_dims);
    CHECK(em_idx_read(tmp_path("zero-dims")) == NULL && strstr(em_last_error(), "0 dimensions"));
    write_bytes(tmp_path("empty"), "", 0);
    CHECK(em_idx_read(tmp_path("empty")) == NULL && em_last_status() == EM_ERR_IO);
    CHECK(em_idx_read(tmp_dir) == NULL && strstr(em_last_error(), "not a regular file"));

    /* 1 MB of ones: more than zlib inflates ahead while reading the header,
    ** so that the ISIZE check (not zlib) sees the lie */
    int64_t shape[1] = {1000000};
    unsigned char *ones = malloc(1000000);
    memset(ones, 1, 1000000);
    em_tensor *t = em_op_from_host(ones, 1, shape, EM_UINT8, em_cpu_backend());
    free(ones);
    CHECK(em_idx_write(tmp_path("ok.gz"), t, true) == EM_OK);
    em_tensor_release(t);
    FILE *f = fopen(tmp_path("ok.gz"), "rb");
    unsigned char buf[4096];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f) fclose(f);
    CHECK(n > 20);
    buf[n - 8] ^= 0xff;   /* CRC32 of the trailer */
    write_bytes(tmp_path("badcrc.gz"), buf, n);
    CHECK(em_idx_read(tmp_path("badcrc.gz")) == NULL && strstr(em_last_error(), "corrupt gzip"));
    buf[n - 8] ^= 0xff;
    buf[n - 4] ^= 0x01;   /* ISIZE: the size check refuses before allocating */
    write_bytes(tmp_path("badsize.gz"), buf, n);
    CHECK(em_idx_read(tmp_path("badsize.gz")) == NULL && strstr(em_last_error(), "gzip trailer"));
}

/* Every prefix of a valid file (plain and gzip) is refused, never read. */
static void test_every_truncation(void)
{
    const char *names[] = {"tiny-images-idx3-ubyte", "tiny-images-idx3-ubyte.gz", "tiny-float-idx2"};
    for (int k = 0; k < 3; k++) {
        FILE *f = fopen(fixture(names[k]), "rb");
        unsigned char buf[256];
        size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
        if (f) fclose(f);
        CHECK(n > 0);
        int accepted = 0;
        for (size_t len = 0; len < n; len++) {
            write_bytes(tmp_path("prefix"), buf, len);
            em_tensor *t = em_idx_read(tmp_path("prefix"));
            if (t || em_last_status() != EM_ERR_IO) accepted++;
            em_tensor_release(t);
        }
        CHECK(accepted == 0);
    }
}

static em_tensor *round_trip(const em_tensor *t, const char *name, bool gzip)
{
    CHECK(em_idx_write(tmp_path(name), t, gzip) == EM_OK);
    em_tensor *r = em_idx_read(tmp_path(name));
    CHECK(r != NULL);
    if (!r) fprintf(stderr, "  %s: %s\n", name, em_last_error());
    return r;
}

static void test_round_trip(void)
{
    int64_t shape[3] = {2, 3, 4};
    em_dtype types[] = {EM_UINT8, EM_INT32, EM_FLOAT32, EM_FLOAT64};
    for (int k = 0; k < 4; k++) {
        for (int gz = 0; gz < 2; gz++) {
            double start = types[k] == EM_UINT8 ? 230 : -5.5;   /* 230..253 / negatives, halves */
            em_tensor *a = em_op_arange(start, start + 24, 1, EM_FLOAT64);
            em_tensor *b = em_op_to_dtype(a, types[k]);
            em_tensor_release(a);
            em_tensor *v = em_op_view(b, 3, shape);
            em_tensor_release(b);
            char name[32];
            snprintf(name, sizeof name, "rt-%d-%d%s", k, gz, gz ? ".gz" : "");
            em_tensor *r = round_trip(v, name, gz);
            if (r) {
                CHECK(r->dtype == types[k] && shape_is(r, 3, shape));
                size_t nb = 24 * em_dtype_size(types[k]);
                CHECK(memcmp(data_of(r), data_of(v), nb) == 0);
            }
            em_tensor_release(r);
            em_tensor_release(v);
        }
    }
}

static void test_write_layouts(void)
{
    /* a transposed (non-contiguous) int64 view: written row-major as int32 */
    int64_t shape[2] = {2, 3};
    const int64_t vals[6] = {0, 1, 2, 3, 4, 5};
    em_tensor *a = em_op_from_host(vals, 2, shape, EM_INT64, em_cpu_backend());
    em_tensor *t = em_op_transpose(a, 0, 1);
    em_tensor *r = round_trip(t, "transposed", false);
    if (r) {
        const int32_t want[6] = {0, 3, 1, 4, 2, 5};
        CHECK(r->dtype == EM_INT32 && r->shape[0] == 3 && r->shape[1] == 2);
        CHECK(memcmp(data_of(r), want, sizeof want) == 0);
    }
    em_tensor_release(r);
    em_tensor_release(t);
    em_tensor_release(a);

    const int64_t big[1] = {(int64_t)1 << 40};
    int64_t one[1] = {1};
    em_tensor *b = em_op_from_host(big, 1, one, EM_INT64, em_cpu_backend());
    CHECK(em_idx_write(tmp_path("big"), b, false) == EM_ERR_VALUE);
    CHECK(strstr(em_last_error(), "does not fit") != NULL);
    CHECK(access(tmp_path("big"), F_OK) != 0);   /* nothing left behind */
    em_tensor_release(b);
    em_tensor *s = em_op_scalar(1, EM_FLOAT32, em_cpu_backend(), false);
    CHECK(em_idx_write(tmp_path("scalar"), s, false) == EM_ERR_SHAPE);
    em_tensor_release(s);
    em_tensor *u = em_op_full(1, one, 7, EM_UINT8, em_cpu_backend());
    CHECK(em_idx_write("/nonexistent-dir/x.idx", u, false) == EM_ERR_IO);
    CHECK(strstr(em_last_error(), "/nonexistent-dir/x.idx") != NULL);
    em_tensor_release(u);
}

/* formats/idx.md: CRC-32 of the Fashion-MNIST test pixels, image 0's sum. */
static void test_fashion_mnist(void)
{
    const char *path = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
    if (access(path, R_OK) != 0) {
        printf("test_idx: dataset-fashion-mnist not installed: Fashion-MNIST check skipped\n");
        return;
    }
    em_tensor *t = em_idx_read(path);
    CHECK(t != NULL);
    if (!t) return;
    int64_t shape[3] = {10000, 28, 28};
    CHECK(t->dtype == EM_UINT8 && shape_is(t, 3, shape));
    const unsigned char *p = data_of(t);
    CHECK(crc32(0, p, 7840000) == 0x12728439);
    long sum = 0;
    for (int i = 0; i < 784; i++) sum += p[i];
    CHECK(sum == 33456);
    em_tensor_release(t);
}

static void setup(void)
{
    const char *env = getenv("EMBER_IDX_FIXTURES");
    if (env) snprintf(fixture_dir, sizeof fixture_dir, "%s", env);
    else {
        /* __FILE__ is .../tests/c/test_idx.c; shared/ sits beside the repository */
        char src[800];
        snprintf(src, sizeof src, "%s", __FILE__);
        char *slash = strrchr(src, '/');
        if (slash) *slash = '\0';
        snprintf(fixture_dir, sizeof fixture_dir, "%s/../../../shared/fixtures/idx", slash ? src : ".");
    }
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/ember-test-idx-XXXXXX");
    if (!mkdtemp(tmp_dir)) {
        fprintf(stderr, "test_idx: cannot make a temporary folder\n");
        exit(1);
    }
}

static void cleanup(void)
{
    const char *names[] = {"short", "zero-dims", "empty", "ok.gz", "badcrc.gz", "badsize.gz",
                           "transposed", "big", "scalar", "prefix"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) unlink(tmp_path(names[i]));
    for (int k = 0; k < 4; k++)
        for (int gz = 0; gz < 2; gz++) {
            char name[32];
            snprintf(name, sizeof name, "rt-%d-%d%s", k, gz, gz ? ".gz" : "");
            unlink(tmp_path(name));
        }
    rmdir(tmp_dir);
}

int main(void)
{
    setup();
    if (access(fixture("expected.json"), R_OK) != 0) {
        printf("test_idx: fixtures not found in %s (set EMBER_IDX_FIXTURES): fixture checks skipped\n",
               fixture_dir);
    } else {
        RUN(test_valid_uint8);
        RUN(test_valid_wide);
        RUN(test_invalid);
        RUN(test_every_truncation);
    }
    RUN(test_invalid_more);
    RUN(test_round_trip);
    RUN(test_write_layouts);
    RUN(test_fashion_mnist);
    cleanup();
    return harness_report(__FILE__);
}
