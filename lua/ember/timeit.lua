-- ember.timeit — IPython's %timeit for Lua: runs a function in loops,
-- repeats the measurement, and reports mean ± standard deviation per call.
--
--   timeit(function() return a:matmul(b) end)
--   --> 1.21 ms ± 35.2 µs per loop (mean ± std. dev. of 7 runs, 100 loops each)
--   local r = timeit(fn, {number = 10, ["repeat"] = 3, output = true})
--   -- r.mean, r.std, r.best, r.number, r.runs, r.times (seconds per loop)
--   -- (like IPython's -o; without output = true nothing is returned, so the
--   -- REPL does not echo a second line)
--
-- Without `number` the loop count grows 1, 2, 5, 10, 20, 50, ... until one
-- run takes at least 0.2 s, as IPython does. Ctrl-C stops it like any
-- statement. Not a benchmark harness (bench/ compares with PyTorch).
local sys = require "ember.sys"
local opt_spec = require("torch.options").spec("timeit", "number repeat quiet output")

local function format_seconds(s)
  if s >= 1 then return string.format("%.3g s", s) end
  if s >= 1e-3 then return string.format("%.3g ms", s * 1e3) end
  if s >= 1e-6 then return string.format("%.3g µs", s * 1e6) end
  return string.format("%.3g ns", s * 1e9)
end

local function run_loops(fn, number)
  local t0 = sys.time()
  for _ = 1, number do fn() end
  return sys.time() - t0
end

local function auto_number(fn)
  local steps = {1, 2, 5}
  local scale = 1
  while true do
    for _, s in ipairs(steps) do
      local number = s * scale
      if run_loops(fn, number) >= 0.2 or number >= 1e9 then return number end
    end
    scale = scale * 10
  end
end

--- timeit(fn[, {number =, ["repeat"] = 7, quiet = false, output = false}])
-- Times fn() like IPython's %timeit: `repeat` runs of `number` calls each
-- (number chosen automatically so a run takes >= 0.2 s) and prints
-- "mean ± std per loop (...)". With output = true (or quiet = true, which
-- also skips the print) returns {mean=, std=, best=, number=, runs=, times=}
-- in seconds per call.
-- Example: timeit(function() return torch.randn(256, 256):matmul(w) end)
local function timeit(fn, options)
  if type(fn) ~= "function" then
    error("timeit: expected a function to time, e.g. timeit(function() return x:sum() end), got " .. type(fn), 2)
  end
  options = opt_spec:check(options)
  local number = options.number
  if number ~= nil and (math.type(number) ~= "integer" or number < 1) then
    error("timeit: number must be a positive integer, got " .. tostring(number), 2)
  end
  local runs = options["repeat"] or 7
  if math.type(runs) ~= "integer" or runs < 1 then
    error("timeit: repeat must be a positive integer, got " .. tostring(runs), 2)
  end
  number = number or auto_number(fn)
  local times = {}
  for i = 1, runs do times[i] = run_loops(fn, number) / number end
  local sum, best = 0, math.huge
  for _, t in ipairs(times) do
    sum = sum + t
    best = math.min(best, t)
  end
  local mean = sum / runs
  local var = 0
  for _, t in ipairs(times) do var = var + (t - mean) ^ 2 end
  local std = runs > 1 and math.sqrt(var / runs) or 0
  if not options.quiet then
    print(string.format("%s ± %s per loop (mean ± std. dev. of %d run%s, %d loop%s each)",
      format_seconds(mean), format_seconds(std), runs, runs == 1 and "" or "s",
      number, number == 1 and "" or "s"))
  end
  if not (options.output or options.quiet) then return end
  return setmetatable({mean = mean, std = std, best = best, number = number, runs = runs, times = times},
    {__tostring = function(r)
      return string.format("<timeit: %s ± %s per loop>", format_seconds(r.mean), format_seconds(r.std))
    end})
end

return timeit
