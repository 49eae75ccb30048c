/* test_device.c — devices and the device registry (src/backend/device.c):
** parsing with PyTorch 1.13's rules and messages, printing (str and repr),
** comparison, em_backend_for (the CPU; CUDA's "not available" status), the
** host-memory property, and a tensor's device. */
#include <string.h>

#include "backend/device.h"
#include "core/tensor.h"
#include "harness.h"

static bool parses(const char *s, em_device_type type, int index)
{
    em_device d = {EM_CUDA, 99};
    return em_device_parse(s, &d) == EM_OK && d.type == type && d.index == index;
}

/* the parse fails with msg in the status */
static bool rejects(const char *s, const char *msg)
{
    em_device d;
    return em_device_parse(s, &d) == EM_ERR_VALUE && strstr(em_last_error(), msg) != NULL;
}

static void test_parse(void)
{
    CHECK(parses("cpu", EM_CPU, -1));
    CHECK(parses("cuda", EM_CUDA, -1));
    CHECK(parses("cuda:1", EM_CUDA, 1));      /* said without a GPU, as in PyTorch */
    CHECK(parses("cpu:0", EM_CPU, 0));
    CHECK(parses("cuda:10", EM_CUDA, 10));
    CHECK(rejects("cuda:-1", "Invalid device string: 'cuda:-1'"));
    CHECK(rejects("cuda:x", "Invalid device string: 'cuda:x'"));
    CHECK(rejects("cuda:", "Invalid device string: 'cuda:'"));
    CHECK(rejects("cuda:01", "Invalid device string: 'cuda:01'"));
    CHECK(rejects("cuda:+1", "Invalid device string"));
    CHECK(rejects("cuda:1:2", "Invalid device string"));
    CHECK(rejects(" cpu", "Invalid device string"));
    CHECK(rejects("", "Device string must not be empty"));
    CHECK(rejects("gpu", "device type at start of device string: gpu"));
    CHECK(rejects("gpu:0", "device type at start of device string: gpu)"));
    CHECK(rejects("CPU", "unknown device 'CPU'"));
    CHECK(rejects("cuda:99999999999", "Could not parse device index"));
    em_device d;
    CHECK(em_device_make("cuda", 1, &d) == EM_OK && d.type == EM_CUDA && d.index == 1);
    CHECK(em_device_make("cuda:1", 1, &d) == EM_ERR_VALUE && strstr(em_last_error(), "must not include an index"));
    CHECK(em_device_make("cuda", -2, &d) == EM_ERR_VALUE && strstr(em_last_error(), "must not be negative"));
}

static void test_print_compare(void)
{
    char buf[EM_DEVICE_BUF];
    em_device c1 = {EM_CUDA, 1}, c = {EM_CUDA, -1}, c0 = {EM_CUDA, 0};
    CHECK(strcmp(em_device_str(c1, buf, sizeof buf), "cuda:1") == 0);
    CHECK(strcmp(em_device_repr(c1, buf, sizeof buf), "device(type='cuda', index=1)") == 0);
    CHECK(strcmp(em_device_str(EM_DEVICE_CPU, buf, sizeof buf), "cpu") == 0);
    CHECK(strcmp(em_device_repr(EM_DEVICE_CPU, buf, sizeof buf), "device(type='cpu')") == 0);
    CHECK(em_device_equal(c1, (em_device){EM_CUDA, 1}));
    CHECK(!em_device_equal(c, c0));          /* "cuda" != "cuda:0", as in PyTorch */
    CHECK(!em_device_equal(EM_DEVICE_CPU, (em_device){EM_CPU, 0}));
}

static void test_registry(void)
{
    const em_backend *cpu = em_backend_for(em_default_device());
    CHECK(cpu != NULL && cpu->type == EM_CPU && cpu == em_backend_get(EM_CPU));
    CHECK(em_backend_for((em_device){EM_CPU, 3}) == cpu);   /* a CPU index is ignored */
    CHECK(em_backend_host_memory(cpu));
    CHECK(em_backend_for((em_device){EM_CUDA, 1}) == NULL);
    CHECK(em_last_status() == EM_ERR_DEVICE && strstr(em_last_error(), "CUDA is not available") &&
          strstr(em_last_error(), "'cuda:1'"));
    CHECK(em_host_backend_for("read_idx", em_default_device()) == cpu);
    CHECK(em_host_backend_for("read_idx", (em_device){EM_CUDA, 0}) == NULL &&
          em_last_status() == EM_ERR_DEVICE);
}

static void test_tensor_device(void)
{
    int64_t shape[1] = {3};
    em_tensor *t = em_tensor_empty(1, shape, EM_FLOAT32, NULL);
    CHECK(t && em_tensor_device(t).type == EM_CPU && em_tensor_device(t).index == -1);
    CHECK(t && em_tensor_backend(t) == em_backend_for(EM_DEVICE_CPU));
    em_tensor *u = em_tensor_empty_on(1, shape, EM_FLOAT32, (em_device){EM_CPU, 1});
    CHECK(u && em_device_equal(em_tensor_device(u), EM_DEVICE_CPU));   /* cpu:1 -> cpu, as PyTorch */
    em_tensor *v = em_tensor_empty_on(1, shape, EM_FLOAT32, (em_device){EM_CUDA, 1});
    CHECK(v == NULL && em_last_status() == EM_ERR_DEVICE);
    em_tensor_release(t);
    em_tensor_release(u);
}

TEST_MAIN(RUN(test_parse); RUN(test_print_compare); RUN(test_registry); RUN(test_tensor_device);)
