/* test_fused_ops.c — the backend's two tiers (backend.h): the CPU offers
** every optional fused kernel for float32 and float64 (conv2d only when a
** convolution library is built in), none for other dtypes, and none at all
** when EMBER_FUSED=0; every op of EM_FUSED_OPS has a name and is covered by
** tests/lua/test_fused_fallback.lua (a "covers:" comment there names it),
** which checks that its composed fallback gives the fused kernel's results. */
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "harness.h"

static bool fused_mode(void)
{
    const char *e = getenv("EMBER_FUSED");
    return !(e && strcmp(e, "0") == 0);
}

static void test_cpu_answers(void)
{
    const em_backend *be = em_cpu_backend();
    bool on = fused_mode();
    CHECK(be->supports != NULL);
    for (int op = 0; op < EM_FUSED_NUM_OPS; op++) {
        bool kernel = op != EM_FUSED_CONV2D || be->conv2d != NULL;
        CHECK(em_backend_supports(be, (em_fused_op)op, EM_FLOAT32) == (on && kernel));
        CHECK(em_backend_supports(be, (em_fused_op)op, EM_FLOAT64) == (on && kernel));
        CHECK(!em_backend_supports(be, (em_fused_op)op, EM_INT64));
    }
    /* a device without fused kernels says no to everything */
    em_backend bare = *be;
    bare.supports = NULL;
    CHECK(!em_backend_supports(&bare, EM_FUSED_SOFTMAX, EM_FLOAT32));
}

/* The "covers:" lines of the Lua test, as one string. */
static char *covers_text(void)
{
    char path[4096];
    const char *here = __FILE__, *slash = strrchr(here, '/');
    int dir = slash ? (int)(slash - here) : 0;
    snprintf(path, sizeof path, "%.*s/../lua/test_fused_fallback.lua", dir, here);
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t cap = 1, n = 0;
    char *out = calloc(1, 1), line[1024];
    while (out && fgets(line, sizeof line, f)) {
        const char *c = strstr(line, "-- covers:");
        if (!c) continue;
        size_t len = strlen(c);
        char *grown = realloc(out, cap + len + 1);
        if (!grown) break;
        out = grown;
        memcpy(out + n, c, len + 1);
        n += len;
        cap += len + 1;
    }
    fclose(f);
    return out;
}

static void test_every_fused_op_covered(void)
{
    char *covers = covers_text();
    CHECK(covers != NULL);
    for (int op = 0; covers && op < EM_FUSED_NUM_OPS; op++) {
        const char *name = em_fused_op_name((em_fused_op)op);
        CHECK(name != NULL && strcmp(name, "?") != 0);
        /* the name as a whole word of a covers line */
        bool found = false;
        size_t len = strlen(name);
        for (const char *p = strstr(covers, name); p && !found; p = strstr(p + 1, name))
            found = (p == covers || !(p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z'))) &&
                    !(p[len] == '_' || (p[len] >= 'a' && p[len] <= 'z'));
        if (!found) fprintf(stderr, "fused op %s is not covered by test_fused_fallback.lua\n", name);
        CHECK(found);
    }
    CHECK(strcmp(em_fused_op_name(EM_FUSED_NUM_OPS), "?") == 0);
    free(covers);
}

TEST_MAIN(RUN(test_cpu_answers); RUN(test_every_fused_op_covered);)
