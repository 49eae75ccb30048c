-- torch.set_default_dtype / get_default_dtype without PyTorch at hand (the
-- peer test tests/peer/test_default_dtype_parity.lua compares every creation
-- path with PyTorch 1.13): float64 reaches the C creators, type promotion
-- and the Lua layers; only float32 and float64 are accepted, and an error
-- names the dtype refused; float32 comes back.
local T = require "ember.test"

local function with_default(dt, fn)
  torch.set_default_dtype(dt)
  local ok, err = pcall(fn)
  torch.set_default_dtype(torch.float32)
  if not ok then error(err, 0) end
end

T.test("float32 is the default at the start", function()
  T.eq(torch.get_default_dtype(), torch.float32)
  T.eq(torch.tensor({1.5}).dtype, torch.float32)
end)

T.test("float64 as the default: creators, promotion and layers", function()
  with_default(torch.float64, function()
    T.eq(torch.get_default_dtype(), torch.float64)
    for _, x in ipairs({torch.tensor(0.1), torch.zeros(2), torch.randn(2), torch.full({2}, 0.5),
                        torch.arange(0, 1, 0.5), torch.linspace(0, 1, 3), torch.eye(2),
                        torch.tensor({1, 2}) / 2, torch.tensor({4}):sqrt(), nn.Linear(2, 2).weight}) do
      T.eq(x.dtype, torch.float64)
    end
    T.eq(torch.tensor({1, 2}).dtype, torch.int64)
    T.eq(torch.zeros(2, {dtype = torch.float32}).dtype, torch.float32)
    -- the values are float64's: 0.1 is not rounded to float32
    T.eq(torch.tensor(0.1):item(), 0.1)
  end)
  T.eq(torch.tensor(0.1).dtype, torch.float32)
end)

T.test("only float32 and float64; the error names the dtype refused", function()
  for _, name in ipairs({"float16", "bfloat16", "int64", "int32", "uint8", "bool"}) do
    T.error(function() torch.set_default_dtype(torch[name]) end,
      "set_default_dtype: only torch.float32 and torch.float64 can be the default dtype, got torch." .. name)
    T.eq(torch.get_default_dtype(), torch.float32)
  end
  T.error(function() torch.set_default_dtype(3) end, "set_default_dtype: bad argument #1")
end)

T.run()
