-- bench/common.lua — shared by the ember twins: the bundled digits as float
-- tensors, the machine-readable result lines bench/run.py parses, and the
-- best-of timing of ops.lua and kernels.lua.
local sys = require "ember.sys"
local M = {}

function M.digits()
  local ds = data.datasets.MNIST{train = true}
  return ds.data:float():div(255):view(-1, 1, 28, 28), ds.targets
end

function M.now() return sys.time() end

-- The fastest of reps calls of fn, in seconds, after three warm-up calls
-- (as timeit does: steady-state buffers).
function M.best_of(fn, reps)
  for _ = 1, 3 do fn() end
  local best = math.huge
  for _ = 1, reps do
    local t = sys.time(); fn(); best = math.min(best, sys.time() - t)
  end
  return best
end

function M.report(seconds)
  print(string.format("TIME %.6f", seconds))
  local f = io.open("/proc/self/status", "r")
  local hwm = f and f:read("a"):match("VmHWM:%s*(%d+)") or "0"
  if f then f:close() end
  print("RSS_KB " .. hwm)
end

return M
