-- Benchmark 5, ember side: 1024^3 matmul in GFLOP/s and elementwise /
-- reduction throughput in GB/s (bytes read + written), best of 7 after three
-- warm-up calls.
package.path = arg[0]:match("^(.*)/[^/]*$") .. "/?.lua;" .. package.path
local best_of = require("common").best_of
local a, b = torch.rand(1024, 1024), torch.rand(1024, 1024)
a:matmul(b)
print(string.format("MATMUL_GFLOPS %.2f", 2 * 1024^3 / best_of(function() return a:matmul(b) end, 7) / 1e9))
for _, n in ipairs({1000000, 10000000}) do
  local x, y = torch.rand(n), torch.rand(n)
  local bytes = 4 * n
  local tag = n == 1000000 and "1E6" or "1E7"
  print(string.format("ADD_%s_GBS %.2f", tag, 3 * bytes / best_of(function() return x + y end, 7) / 1e9))
  print(string.format("MUL_%s_GBS %.2f", tag, 3 * bytes / best_of(function() return x * y end, 7) / 1e9))
  print(string.format("RELU_%s_GBS %.2f", tag, 2 * bytes / best_of(function() return x:relu() end, 7) / 1e9))
  print(string.format("SUM_%s_GBS %.2f", tag, bytes / best_of(function() return x:sum() end, 7) / 1e9))
end
