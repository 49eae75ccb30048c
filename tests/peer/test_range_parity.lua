-- float32 torch.arange against PyTorch 1.13, bit for bit (compared as
-- 9-significant-digit strings, which identify a float32 exactly). The
-- lessons build their data with arange, so their printed numbers depend on it.
local T = require "ember.test"
local cases = dofile(assert(arg[1], "usage: test_range_parity.lua REFERENCE.lua"))

for _, c in ipairs(cases) do
  T.test(string.format("arange(%g, %g, %g)", c.start, c.stop, c.step), function()
    local a = torch.arange(c.start, c.stop, c.step)
    T.eq(a:numel(), #c.values)
    for i = 1, #c.values do
      local got = string.format("%.9g", a[i]:item())
      if got ~= c.values[i] then
        error(string.format("element %d: ember %s, PyTorch %s", i, got, c.values[i]), 0)
      end
    end
  end)
end

T.run()
