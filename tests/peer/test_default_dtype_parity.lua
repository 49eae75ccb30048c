-- torch.set_default_dtype against PyTorch 1.13: after setting float64 (and
-- float32 again) every creation function, integer operation with a float
-- result, layer parameter and optimizer step counter of the reference
-- (tests/peer/make_default_dtype_reference.py, which holds each case's Lua
-- expression too) has PyTorch's dtype; the integer and boolean dtypes are
-- refused by both; float32 is restored after each case, even on a failure.
local T = require "ember.test"
local ref = dofile(assert(arg[1], "usage: test_default_dtype_parity.lua REFERENCE.lua"))

local I = torch.tensor({1, 2})
local function adam_step_dtype()
  local w = nn.Parameter(torch.ones(2))
  local opt = optim.Adam({w}, {lr = 0.1})
  w.grad = torch.ones(2)
  opt:step()
  return opt.state[w].step.dtype
end
local env = setmetatable({I = I, adam_step_dtype = adam_step_dtype}, {__index = _G})

local function dtype_name(v)
  local d = torch.is_tensor(v) and v.dtype or v
  return (tostring(d):gsub("^torch%.", ""))
end

for _, c in ipairs(ref.cases) do
  T.test(string.format("default %s: %s (%s)", c.default, c.name, c.lua), function()
    local f = assert(load("return " .. c.lua, c.name, "t", env))
    torch.set_default_dtype(torch[c.default])
    local ok, v = pcall(f)
    torch.set_default_dtype(torch.float32)
    if not ok then error(v, 0) end
    T.eq(dtype_name(v), c.dtype, "ember's dtype vs PyTorch's")
  end)
end

for name, refused in pairs(ref.refused) do
  T.test("set_default_dtype(torch." .. name .. ") is refused by both", function()
    T.ok(refused, "PyTorch accepted " .. name)
    local ok, err = pcall(torch.set_default_dtype, torch[name])
    T.ok(not ok, "ember accepted " .. name)
    T.ok(tostring(err):find("torch." .. name, 1, true), "the error does not name torch." .. name .. ": " .. tostring(err))
    T.eq(torch.get_default_dtype(), torch.float32)
  end)
end

T.test("the default is float32 at the start and after the cases", function()
  T.eq(torch.get_default_dtype(), torch.float32)
  T.eq(torch.tensor(1.5).dtype, torch.float32)
end)

T.run()
