/* safetensors.c — reading .safetensors files (see safetensors.h): the header
** checks in the reference library's order (size, header length, UTF-8, JSON
** shape, offsets walked in data order, sizes, full coverage) plus our own
** (nesting, value count, integer-only numbers, unique names, rank), then the
** tensor bytes, converted to an ember dtype where that is exact. The JSON is
** parsed by cJSON after a lexical pre-scan. Not here: the writer
** (safetensors_write.c), Lua (bind/lua_safetensors.c). */
#include "safetensors.h"

#include "../core/runtime.h"
#include "text.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_DEPTH 64               /* a valid header needs 3 */
#define MAX_VALUES 4000000u        /* bounds cJSON's memory (~64 bytes a value) */
#define MAX_NAME 65536u
#define EXACT_LIMIT 9007199254740992.0   /* 2^53: integers below are exact in a double */
#define BIG_DIM ((int64_t)1 << 53)

typedef struct st_dtype {
    const char *name;
    int bits;
    int ember;          /* the ember dtype it loads as, -1: refused */
} st_dtype;

static const st_dtype DTYPES[] = {
    {"BOOL", 8, EM_BOOL}, {"U8", 8, EM_UINT8}, {"I8", 8, EM_INT32},
    {"I16", 16, EM_INT32}, {"U16", 16, EM_INT32}, {"F16", 16, EM_FLOAT16},
    {"BF16", 16, EM_BFLOAT16}, {"I32", 32, EM_INT32}, {"U32", 32, EM_INT64},
    {"F32", 32, EM_FLOAT32}, {"F64", 64, EM_FLOAT64}, {"I64", 64, EM_INT64},
    {"U64", 64, -1}, {"C64", 64, -1},
    {"F8_E5M2", 8, -1}, {"F8_E4M3", 8, -1}, {"F8_E8M0", 8, -1},
    {"F8_E4M3FNUZ", 8, -1}, {"F8_E5M2FNUZ", 8, -1},
    {"F6_E2M3", 6, -1}, {"F6_E3M2", 6, -1}, {"F4", 4, -1},
};
#define N_DTYPES (sizeof DTYPES / sizeof DTYPES[0])

static const st_dtype *find_dtype(const char *name)
{
    for (size_t i = 0; i < N_DTYPES; i++)
        if (strcmp(DTYPES[i].name, name) == 0) return &DTYPES[i];
    return NULL;
}

int em_st_entry_dtype(const em_st_entry *e)
{
    const st_dtype *d = find_dtype(e->dtype);
    return d ? d->ember : -1;
}

void em_st_header_free(em_st_header *h)
{
    for (int i = 0; i < h->n; i++) free(h->entries[i].name);
    for (int i = 0; i < h->n_meta; i++) {
        free(h->meta_keys[i]);
        free(h->meta_values[i]);
    }
    free(h->entries);
    free(h->meta_keys);
    free(h->meta_values);
    memset(h, 0, sizeof *h);
}

/* --- errors: "<what>: <path>: <reason>" --- */
typedef struct reader {
    const char *path, *what;
} reader;

/* The reason quotes the file's names and keys: escaped (text.h), so a name
** cannot drive the terminal when the message is shown. */
__attribute__((format(printf, 2, 3)))
static em_status fail(const reader *r, const char *fmt, ...)
{
    char reason[512], shown[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return em_fail(EM_ERR_IO, "%s: %s: %s", r->what, r->path, em_text_safe(reason, strlen(reason), shown, sizeof shown));
}

/* --- rule 4: UTF-8 (no overlongs, no surrogates, at most U+10FFFF) --- */
static size_t bad_utf8_at(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) { i++; continue; }
        else if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else return i;
        if (i + len > n) return i;
        if (s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t k = 2; k < len; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF) return i;
        i += len;
    }
    return n;
}

/* --- rule 5, before cJSON: what serde_json refuses and cJSON would let
** through (control characters, NUL escapes, trailing bytes), plus our limits
** (nesting, value count) and integer-only numbers. Sets *start and *end to the
** object's first and one-past-last byte. */
static bool is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static em_status prescan(const reader *r, const unsigned char *s, size_t n, size_t *start, size_t *end)
{
    size_t i = 0;
    while (i < n && is_ws(s[i])) i++;
    if (i == n) return fail(r, "invalid JSON in header: EOF while parsing a value");
    if (s[i] != '{') return fail(r, "invalid JSON in header: expected a JSON object at byte %zu", i);
    *start = i;
    int depth = 0;
    size_t values = 0;
    bool in_string = false;
    for (; i < n; i++) {
        unsigned char c = s[i];
        if (in_string) {
            if (c < 0x20) return fail(r, "invalid JSON in header: control character in a string at byte %zu", i);
            if (c == '\\') {
                if (i + 1 < n && s[i + 1] == 'u' && i + 5 < n && memcmp(s + i + 2, "0000", 4) == 0)
                    return fail(r, "invalid JSON in header: NUL character (\\u0000) in a string at byte %zu", i);
                i++;
            } else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
            values++;
        } else if (c == '{' || c == '[') {
            if (++depth > MAX_DEPTH)
                return fail(r, "invalid JSON in header: nested deeper than %d levels", MAX_DEPTH);
            values++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) {
                *end = i + 1;
                for (size_t k = i + 1; k < n; k++)
                    if (!is_ws(s[k]))
                        return fail(r, "invalid JSON in header: trailing characters at byte %zu", k);
                return EM_OK;
            }
        } else if (c == '.' || c == '+' || ((c == 'e' || c == 'E') && i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')) {
            return fail(r, "invalid JSON in header: a non-integer number at byte %zu (only integers are expected)", i);
        } else if (c < 0x20 && !is_ws(c)) {
            return fail(r, "invalid JSON in header: control character at byte %zu", i);
        } else if (c >= '0' && c <= '9' && !(i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')) {
            values++;
        }
        if (values > MAX_VALUES)
            return fail(r, "invalid JSON in header: more than %u values", MAX_VALUES);
    }
    return fail(r, "invalid JSON in header: EOF while parsing an object");
}

/* --- rule 5: the header's shape --- */
static const char *json_type(const cJSON *v)
{
    if (cJSON_IsString(v)) return "string";
    if (cJSON_IsNumber(v)) return "integer";
    if (cJSON_IsBool(v)) return "boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "sequence";
    return "map";
}

/* A non-negative integer below 2^53 (the pre-scan allowed integers only).
** Returns 0 ok, 1 negative, 2 too large, 3 not a number. */
static int get_uint(const cJSON *v, uint64_t *out)
{
    if (!cJSON_IsNumber(v)) return 3;
    double d = v->valuedouble;
    if (d < 0) return 1;
    if (d >= EXACT_LIMIT) return 2;
    *out = (uint64_t)d;
    return 0;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

static em_status parse_metadata(const reader *r, const cJSON *m, em_st_header *h)
{
    if (!cJSON_IsObject(m))
        return fail(r, "invalid JSON in header: invalid type: %s for `__metadata__`, expected a map", json_type(m));
    int count = cJSON_GetArraySize(m);
    h->meta_keys = calloc((size_t)count + 1, sizeof *h->meta_keys);
    h->meta_values = calloc((size_t)count + 1, sizeof *h->meta_values);
    if (!h->meta_keys || !h->meta_values) return em_fail(EM_ERR_MEMORY, "%s: out of memory", r->what);
    for (const cJSON *kv = m->child; kv; kv = kv->next) {
        if (cJSON_IsNumber(kv))
            return fail(r, "invalid JSON in header: invalid type: integer `%.0f`, expected a string "
                        "(`__metadata__` key `%.200s`)", kv->valuedouble, kv->string);
        if (!cJSON_IsString(kv))
            return fail(r, "invalid JSON in header: invalid type: %s, expected a string (`__metadata__` key `%.200s`)",
                        json_type(kv), kv->string);
        for (int i = 0; i < h->n_meta; i++)
            if (strcmp(h->meta_keys[i], kv->string) == 0)
                return fail(r, "invalid JSON in header: duplicate `__metadata__` key `%.200s`", kv->string);
        int i = h->n_meta;
        h->meta_keys[i] = dup_str(kv->string);
        h->meta_values[i] = dup_str(kv->valuestring);
        h->n_meta++;
        if (!h->meta_keys[i] || !h->meta_values[i]) return em_fail(EM_ERR_MEMORY, "%s: out of memory", r->what);
    }
    return EM_OK;
}

/* Fills e from the tensor info object v. A dim too large to be exact is kept
** as 2^53 and reported as an overflow later, in data order, as the library
** reports it. */
static em_status parse_entry(const reader *r, const cJSON *v, em_st_entry *e)
{
    const char *name = v->string;
    if (!cJSON_IsObject(v))
        return fail(r, "invalid JSON in header: invalid type: %s for tensor `%.200s`, expected struct TensorInfo",
                    json_type(v), name);
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(v, "dtype");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(v, "shape");
    const cJSON *offs = cJSON_GetObjectItemCaseSensitive(v, "data_offsets");
    const char *missing = !dt ? "dtype" : !shape ? "shape" : !offs ? "data_offsets" : NULL;
    if (missing) return fail(r, "invalid JSON in header: missing field `%s` in tensor `%.200s`", missing, name);
    if (!cJSON_IsString(dt))
        return fail(r, "invalid JSON in header: invalid type: %s for the dtype of tensor `%.200s`, expected a string",
                    json_type(dt), name);
    const st_dtype *d = find_dtype(dt->valuestring);
    if (!d)
        return fail(r, "invalid JSON in header: unknown variant `%.40s` for the dtype of tensor `%.200s` "
                    "(dtypes are upper case: F32, F64, I64, I32, U8, BOOL, F16, BF16, ...)", dt->valuestring, name);
    snprintf(e->dtype, sizeof e->dtype, "%s", d->name);
    e->bits = d->bits;
    if (!cJSON_IsArray(shape))
        return fail(r, "invalid JSON in header: invalid type: %s for the shape of tensor `%.200s`, expected a sequence",
                    json_type(shape), name);
    int ndim = cJSON_GetArraySize(shape);
    if (ndim > EM_MAX_DIMS)
        return fail(r, "tensor `%.200s` has %d dims; ember holds at most %d", name, ndim, EM_MAX_DIMS);
    e->ndim = 0;
    for (const cJSON *x = shape->child; x; x = x->next) {
        uint64_t dim = 0;
        int bad = get_uint(x, &dim);
        if (bad == 1)
            return fail(r, "invalid JSON in header: invalid value: integer `%.0f`, expected usize (shape of tensor `%.200s`)",
                        x->valuedouble, name);
        if (bad == 3)
            return fail(r, "invalid JSON in header: invalid type: %s, expected usize (shape of tensor `%.200s`)",
                        json_type(x), name);
        e->shape[e->ndim++] = bad == 2 ? BIG_DIM : (int64_t)dim;
    }
    if (!cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2)
        return fail(r, "invalid JSON in header: data_offsets of tensor `%.200s` must be a pair [BEGIN, END]", name);
    uint64_t be[2] = {0, 0};
    int k = 0;
    for (const cJSON *x = offs->child; x; x = x->next, k++) {
        int bad = get_uint(x, &be[k]);
        if (bad == 1 || bad == 3)
            return fail(r, "invalid JSON in header: data_offsets of tensor `%.200s` must be non-negative integers", name);
        if (bad == 2)   /* no file is 2^53 bytes long: the coverage walk would refuse it */
            return fail(r, "invalid offset for tensor `%.200s`", name);
    }
    e->begin = be[0];
    e->end = be[1];
    return EM_OK;
}

static int by_offsets(const void *pa, const void *pb)
{
    const em_st_entry *a = pa, *b = pb;
    if (a->begin != b->begin) return a->begin < b->begin ? -1 : 1;
    if (a->end != b->end) return a->end < b->end ? -1 : 1;
    return strcmp(a->name, b->name);   /* empty tensors may share an offset */
}

/* Rules 6-10 on the sorted entries. */
static em_status check_layout(const reader *r, const em_st_header *h)
{
    uint64_t start = 0;
    for (int i = 0; i < h->n; i++) {
        const em_st_entry *e = &h->entries[i];
        if (e->begin != start || e->end < e->begin) return fail(r, "invalid offset for tensor `%.200s`", e->name);
        start = e->end;
        uint64_t count = 1, bits;
        bool over = false;
        for (int d = 0; d < e->ndim && !over; d++)
            over = e->shape[d] >= BIG_DIM || __builtin_mul_overflow(count, (uint64_t)e->shape[d], &count);
        if (over || __builtin_mul_overflow(count, (uint64_t)e->bits, &bits))
            return fail(r, "overflow computing buffer size from shape and/or element type (tensor `%.200s`)", e->name);
        if (bits % 8 != 0) return fail(r, "MisalignedSlice (tensor `%.200s`: %s elements do not fill whole bytes)",
                                       e->name, e->dtype);
        if (e->end - e->begin != bits / 8) {
            char shape[EM_SHAPE_BUF];
            em_shape_str(e->ndim, e->shape, shape, sizeof shape);
            return fail(r, "invalid shape, data type, or offset for tensor `%.200s` (%s %s needs %llu bytes, "
                        "data_offsets give %llu)", e->name, e->dtype, shape, (unsigned long long)(bits / 8),
                        (unsigned long long)(e->end - e->begin));
        }
    }
    if (8 + h->header_len + start != h->file_size)
        return fail(r, "incomplete metadata, file not fully covered (the data ends at byte %llu, the file has %llu)",
                    (unsigned long long)(8 + h->header_len + start), (unsigned long long)h->file_size);
    return EM_OK;
}

/* Parses the JSON text (already UTF-8 checked) into h. */
static em_status parse_header(const reader *r, char *text, size_t n, em_st_header *h)
{
    size_t start = 0, end = 0;
    em_status st = prescan(r, (const unsigned char *)text, n, &start, &end);
    if (st != EM_OK) return st;
    text[end] = '\0';
    const char *err = NULL;
    cJSON *root = cJSON_ParseWithOpts(text + start, &err, 1);
    if (!root) {
        size_t at = err ? (size_t)(err - text) : 0;
        return fail(r, "invalid JSON in header: syntax error at byte %zu", at);
    }
    int count = cJSON_GetArraySize(root);
    h->entries = calloc((size_t)count + 1, sizeof *h->entries);
    if (!h->entries) {
        cJSON_Delete(root);
        return em_fail(EM_ERR_MEMORY, "%s: out of memory reading the header of %s", r->what, r->path);
    }
    bool seen_meta = false;
    for (const cJSON *v = root->child; v && st == EM_OK; v = v->next) {
        if (strcmp(v->string, "__metadata__") == 0) {
            if (seen_meta) st = fail(r, "invalid JSON in header: duplicate field `__metadata__`");
            else st = parse_metadata(r, v, h);
            seen_meta = true;
            continue;
        }
        if (strlen(v->string) > MAX_NAME) {
            st = fail(r, "a tensor name is longer than %u bytes", MAX_NAME);
            break;
        }
        for (int i = 0; i < h->n && st == EM_OK; i++)
            if (strcmp(h->entries[i].name, v->string) == 0)
                st = fail(r, "duplicate tensor name `%.200s` (the format forbids it)", v->string);
        if (st != EM_OK) break;
        em_st_entry *e = &h->entries[h->n];
        st = parse_entry(r, v, e);
        if (st != EM_OK) break;
        e->name = dup_str(v->string);
        if (!e->name) st = em_fail(EM_ERR_MEMORY, "%s: out of memory", r->what);
        else h->n++;
    }
    cJSON_Delete(root);
    if (st == EM_OK) {
        qsort(h->entries, (size_t)h->n, sizeof *h->entries, by_offsets);
        st = check_layout(r, h);
    }
    return st;
}

/* fopen(path, "rb") that does not wait on a FIFO (refused as not a regular file). */
static FILE *open_read(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f && fd >= 0) close(fd);
    return f;
}

static em_status read_header_fp(const reader *r, FILE *f, em_st_header *h)
{
    memset(h, 0, sizeof *h);
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0) return fail(r, "%s", strerror(errno));
    if (!S_ISREG(sb.st_mode)) return fail(r, "not a regular file");
    h->file_size = (uint64_t)sb.st_size;
    unsigned char len8[8];
    if (h->file_size < 8 || fread(len8, 1, 8, f) != 8)
        return fail(r, "header too small (%llu bytes; a safetensors file starts with an 8-byte header length)",
                    (unsigned long long)h->file_size);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = n << 8 | len8[i];
    if (n > EM_ST_MAX_HEADER) return fail(r, "header too large (%llu bytes, the limit is %u)",
                                          (unsigned long long)n, EM_ST_MAX_HEADER);
    if (8 + n > h->file_size)
        return fail(r, "invalid header length (%llu bytes, but the file has %llu)", (unsigned long long)n,
                    (unsigned long long)h->file_size);
    h->header_len = n;
    if (em_mem_budget_check((size_t)n + 1) != EM_OK) {      /* up to 100 MB of JSON text: counted */
        char why[400];
        snprintf(why, sizeof why, "%s", em_last_error());
        return em_fail(EM_ERR_MEMORY, "%s: %s: refusing to read a %llu-byte header: %s", r->what, r->path,
                       (unsigned long long)n, why);
    }
    char *text = malloc((size_t)n + 1);
    if (!text) return em_fail(EM_ERR_MEMORY, "%s: %s: out of memory for a %llu-byte header", r->what, r->path,
                              (unsigned long long)n);
    em_status st = EM_OK;
    if (fread(text, 1, (size_t)n, f) != (size_t)n) st = fail(r, "read error: %s", strerror(errno));
    size_t bad = st == EM_OK ? bad_utf8_at((const unsigned char *)text, (size_t)n) : n;
    if (st == EM_OK && bad < n) st = fail(r, "invalid UTF-8 in header at byte %zu", bad);
    if (st == EM_OK) st = parse_header(r, text, (size_t)n, h);
    free(text);
    if (st != EM_OK) {
        em_status code = em_last_status();
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", em_last_error());
        em_st_header_free(h);
        em_fail(code, "%s", msg);
    }
    return st;
}

em_status em_st_read_header(const char *path, const char *what, em_st_header *h)
{
    reader r = {path, what};
    memset(h, 0, sizeof *h);
    FILE *f = open_read(path);
    if (!f) return fail(&r, "%s", strerror(errno));
    em_status st = read_header_fp(&r, f, h);
    fclose(f);
    return st;
}

/* --- the data --- */
static bool host_is_big_endian(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 0;
}

/* Little-endian element i of size k at p, as an unsigned integer. */
static uint64_t le_uint(const unsigned char *p, size_t k)
{
    uint64_t v = 0;
    for (size_t b = k; b-- > 0;) v = v << 8 | p[b];
    return v;
}

/* Converts count elements of the file's dtype (I8, I16, U16, U32)
** at src into dst, whose dtype is em_st_entry_dtype's. */
static void convert(const char *name, const unsigned char *src, void *dst, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(name, "I8") == 0) ((int32_t *)dst)[i] = (int8_t)src[i];
        else if (strcmp(name, "I16") == 0) ((int32_t *)dst)[i] = (int16_t)le_uint(src + 2 * i, 2);
        else if (strcmp(name, "U16") == 0) ((int32_t *)dst)[i] = (int32_t)le_uint(src + 2 * i, 2);
        else if (strcmp(name, "U32") == 0) ((int64_t *)dst)[i] = (int64_t)le_uint(src + 4 * i, 4);
    }
}

static em_status read_entry(const reader *r, FILE *f, const em_st_entry *e, em_tensor **out)
{
    int dt = em_st_entry_dtype(e);
    if (dt < 0)
        return fail(r, "tensor `%.200s` has dtype %s, which ember cannot hold (it loads F32, F64, I64, I32, U8, BOOL; "
                    "F16, BF16; I8, I16, U16 as int32; U32 as int64)", e->name, e->dtype);
    /* the file is read straight into the tensor: host memory only */
    const em_backend *be = em_host_backend_for(r->what, em_default_device());
    em_tensor *t = be ? em_tensor_empty(e->ndim, e->shape, (em_dtype)dt, be) : NULL;
    if (!t) return em_last_status();
    size_t nbytes = (size_t)(e->end - e->begin), count = (size_t)em_tensor_numel(t);
    size_t elsize = (size_t)e->bits / 8;
    bool native = em_dtype_size((em_dtype)dt) == elsize && strcmp(e->dtype, "U16") != 0 && strcmp(e->dtype, "I16") != 0;
    unsigned char *dst = t->storage->data;
    unsigned char *buf = native ? dst : malloc(nbytes ? nbytes : 1);
    char nm[200];
    em_status st = buf ? EM_OK : em_fail(EM_ERR_MEMORY, "%s: out of memory reading tensor `%s`", r->what,
                                         em_text_safe(e->name, strlen(e->name), nm, sizeof nm));
    if (st == EM_OK && nbytes && fread(buf, 1, nbytes, f) != nbytes)
        st = fail(r, "the file ended inside tensor `%.200s` (did it change while being read?)", e->name);
    if (st == EM_OK && native && elsize > 1 && host_is_big_endian()) {
        for (size_t i = 0; i < count; i++)
            for (size_t a = 0, b = elsize - 1; a < b; a++, b--) {
                unsigned char tmp = dst[i * elsize + a];
                dst[i * elsize + a] = dst[i * elsize + b];
                dst[i * elsize + b] = tmp;
            }
    }
    if (st == EM_OK && !native) convert(e->dtype, buf, dst, count);
    if (!native) free(buf);
    if (st != EM_OK) {
        em_tensor_release(t);
        return st;
    }
    *out = t;
    return EM_OK;
}

em_status em_st_load(const char *path, const char *what, em_st_header *h, em_tensor ***tensors)
{
    reader r = {path, what};
    *tensors = NULL;
    memset(h, 0, sizeof *h);
    FILE *f = open_read(path);
    if (!f) return fail(&r, "%s", strerror(errno));
    em_status st = read_header_fp(&r, f, h);
    em_tensor **ts = NULL;
    if (st == EM_OK) {
        ts = calloc((size_t)h->n + 1, sizeof *ts);
        if (!ts) st = em_fail(EM_ERR_MEMORY, "%s: out of memory", what);
    }
    int done = 0;
    for (; st == EM_OK && done < h->n; done++) st = read_entry(&r, f, &h->entries[done], &ts[done]);
    fclose(f);
    if (st != EM_OK) {
        if (ts)
            for (int i = 0; i < h->n; i++) em_tensor_release(ts[i]);
        free(ts);
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", em_last_error());
        em_st_header_free(h);
        return em_fail(st, "%s", msg);
    }
    *tensors = ts;
    return EM_OK;
}

em_status em_st_checksum(const char *path, const char *what, em_st_header *h)
{
    reader r = {path, what};
    FILE *f = open_read(path);
    if (!f) return fail(&r, "%s", strerror(errno));
    em_status st = fseek(f, (long)(8 + h->header_len), SEEK_SET) == 0 ? EM_OK : fail(&r, "%s", strerror(errno));
    unsigned char buf[1 << 16];
    for (int i = 0; i < h->n && st == EM_OK; i++) {
        em_st_entry *e = &h->entries[i];
        uLong crc = crc32(0L, Z_NULL, 0);
        for (uint64_t left = e->end - e->begin; left > 0 && st == EM_OK;) {
            size_t want = left < sizeof buf ? (size_t)left : sizeof buf;
            if (fread(buf, 1, want, f) != want) st = fail(&r, "the file ended inside tensor `%.200s`", e->name);
            crc = crc32(crc, buf, (uInt)want);
            left -= want;
        }
        e->crc32 = (uint32_t)crc;
    }
    fclose(f);
    return st;
}
