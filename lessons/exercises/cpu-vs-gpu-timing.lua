-- title: CPU vs GPU timing
-- lesson: devices
-- hint: local sys = require "ember.sys"; local t0 = sys.time(); ...; cpu_seconds = sys.time() - t0.
-- hint: Move both matrices with :to("cuda") only when torch.cuda.is_available().
--
-- Time a 512x512 matrix product on the CPU (cpu_seconds, and keep the
-- result in cpu_result). When a GPU is available, do the same there
-- (gpu_seconds, gpu_result); otherwise leave them nil: the check skips that
-- part and says so.
local sys = require "ember.sys"
torch.manual_seed(0)
local a, b = torch.randn(512, 512), torch.randn(512, 512)
local cpu_seconds, cpu_result, gpu_seconds, gpu_result
-- BEGIN SOLUTION
--starter -- TODO: time a:matmul(b) on the CPU
local t0 = sys.time()
cpu_result = a:matmul(b)
cpu_seconds = sys.time() - t0
if torch.cuda.is_available() then
  local ga, gb = a:to("cuda"), b:to("cuda")
  ga:matmul(gb)                                 -- warm-up
  t0 = sys.time()
  gpu_result = ga:matmul(gb):to("cpu")
  gpu_seconds = sys.time() - t0
end
-- END SOLUTION

check(type(cpu_seconds) == "number" and cpu_seconds > 0, "cpu_seconds should be the measured time (> 0)")
check(cpu_result ~= nil and cpu_result.shape[1] == 512, "keep the CPU product in cpu_result")
check.close(cpu_result:narrow(1, 1, 2), a:narrow(1, 1, 2):matmul(b), 1e-4, "cpu_result should be a:matmul(b)")
if torch.cuda.is_available() then
  check(gpu_result ~= nil, "on a GPU machine, also time the product there")
  check.close(gpu_result, cpu_result, 1e-3, "the GPU result should match the CPU one")
  print(string.format("CPU %.2f ms, GPU %.2f ms", cpu_seconds * 1e3, gpu_seconds * 1e3))
else
  print(string.format("CPU %.2f ms; no GPU here, the GPU part is skipped", cpu_seconds * 1e3))
end
