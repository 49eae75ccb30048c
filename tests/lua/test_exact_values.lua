-- Values that must never be silently wrong (issue "Trust"): Lua integers
-- reach int64 storage exactly, a number that a double cannot hold is an
-- error where it would be rounded, div's rounding_mode and the reductions'
-- dtype= do what PyTorch does (numbers: tests/peer/test_exact_parity.lua),
-- and their errors name the function and the problem.
local T = require "ember.test"

T.test("Lua integers reach int64 storage exactly and come back exactly", function()
  local vals = {math.maxinteger, 9007199254740993, math.mininteger, -9007199254740993}
  local t = torch.tensor(vals)
  for i, v in ipairs(vals) do
    T.eq(t[i]:item(), v)
    T.eq(t:tolist()[i], v)
    T.eq(math.type(t[i]:item()), "integer")
  end
  T.eq(torch.full({2}, 9007199254740993):tolist()[2], 9007199254740993)
  T.eq(torch.full_like(torch.zeros(2, {dtype = torch.int64}), math.maxinteger)[1]:item(), math.maxinteger)
  local x = torch.zeros(3, {dtype = torch.int64})
  x[2] = 9007199254740993
  T.eq(x[2]:item(), 9007199254740993)
  x:fill_(math.mininteger)
  T.eq(x[3]:item(), math.mininteger)
  T.eq((torch.tensor({1}) + 9007199254740992)[1]:item(), 9007199254740993)
  T.eq(tostring(torch.tensor({math.maxinteger})), "tensor([9223372036854775807])")
end)

T.test("an integer a double cannot hold is an error where it would be rounded", function()
  T.error(function() torch.ones(2):clamp(0, 9007199254740993) end, "beyond 2^53")
  T.error(function() torch.arange(0, 9007199254740993) end, "arange: the integer 9007199254740993")
  T.error(function() torch.ones(2):add(1, {alpha = 9007199254740993}) end, "beyond 2^53")
  -- 2^53 itself and every integer below are exact
  T.eq(torch.ones(1, {dtype = torch.float64}):mul(9007199254740992)[1]:item(), 9007199254740992.0)
end)

T.test("div rounding_mode: results, dtypes, errors", function()
  local a, b = torch.tensor({-7, -7, 7, 7, 0}), torch.tensor({2, -2, 2, -2, 1})
  T.eq(table.concat(torch.div(a, b, {rounding_mode = "floor"}):tolist(), " "), "-4 3 3 -4 0")
  T.eq(table.concat(torch.div(a, b, {rounding_mode = "trunc"}):tolist(), " "), "-3 3 3 -3 0")
  T.eq(tostring(a:div(b, {rounding_mode = "floor"}).dtype), "torch.int64")
  T.eq(tostring(a:div(b).dtype), "torch.float32")   -- true division without rounding_mode
  T.eq(tostring(torch.div(a, b, {rounding_mode = torch.None}).dtype), "torch.float32")
  T.eq(table.concat(torch.floor_divide(a, 2):tolist(), " "), "-4 -4 3 3 0")
  local y = torch.tensor({-7, 7})
  y:div_(2, {rounding_mode = "trunc"})
  T.eq(table.concat(y:tolist(), " "), "-3 3")
  T.error(function() torch.div(a, torch.tensor({1, 0, 1, 1, 1}), {rounding_mode = "floor"}) end,
    "ZeroDivisionError")
  T.error(function() torch.div(a, 0, {rounding_mode = "trunc"}) end, "ZeroDivisionError")
  T.error(function() torch.div(a, b, {rounding_mode = "flor"}) end,
    "expected rounding_mode to be one of torch.None, 'trunc', or 'floor' but found 'flor'")
  T.error(function() torch.div(a, b, {rounding_mod = "floor"}) end,
    "div: unknown option 'rounding_mod' (did you mean 'rounding_mode'?)")
  T.error(function() torch.div(torch.tensor({true}), torch.tensor({true}), {rounding_mode = "floor"}) end,
    "not supported for dtype bool")
  T.error(function() a:mul(b, {alpha = 2}) end, "mul: unknown option 'alpha' (it takes no options)")
  T.error(function() a:add(b, {out = a}) end, "add: option 'out' is PyTorch's but not implemented in ember")
end)

T.test("div rounding_mode: the gradient is zero (DivBackward2), even where the incoming one is inf", function()
  local a = torch.tensor({7.0, -7.0}, {requires_grad = true})
  local b = torch.tensor({2.0, 2.0}, {requires_grad = true})
  local y = torch.div(a, b, {rounding_mode = "floor"})
  T.eq(y.grad_fn:name(), "DivBackward2")
  y:backward(torch.tensor({math.huge, 0 / 0}))
  T.eq(table.concat(a.grad:tolist(), " "), "0.0 0.0")
  T.eq(table.concat(b.grad:tolist(), " "), "0.0 0.0")
end)

T.test("integer powers are exact", function()
  T.eq(torch.tensor({3}):pow(39)[1]:item(), 4052555153018976267)
  T.eq(torch.tensor({3}):pow(torch.tensor({39}))[1]:item(), 4052555153018976267)
  T.eq(torch.tensor({2}):pow(64)[1]:item(), 0)   -- wraps, as int64 does in PyTorch
  T.eq(tostring(torch.tensor({2}):pow(0.5).dtype), "torch.float32")
  T.error(function() torch.tensor({2}):pow(-1) end, "Integers to negative integer powers are not allowed")
  local x = torch.tensor({2, 3})
  x:pow_(3)
  T.eq(table.concat(x:tolist(), " "), "8 27")
end)

T.test("reductions: dtype= converts first; options are checked", function()
  local t = torch.tensor({1, 2, 3})
  T.eq(tostring(t:sum({dtype = torch.float64}).dtype), "torch.float64")
  T.eq(t:prod({dtype = torch.float32}):item(), 6.0)
  T.eq(t:mean({dtype = torch.float64}):item(), 2.0)
  T.eq(torch.tensor({1.5, 2.5}):sum({dtype = torch.int64}):item(), 3)
  T.eq(table.concat(t:sum(1, {keepdim = true}):size(), ","), "1")
  local x = torch.tensor({1.0, 2.0}, {requires_grad = true})
  local s = x:sum({dtype = torch.float64})
  s:backward()
  T.eq(tostring(x.grad.dtype), "torch.float32")
  T.eq(table.concat(x.grad:tolist(), " "), "1.0 1.0")
  T.error(function() t:sum({dtyp = torch.float64}) end, "sum: unknown option 'dtyp' (did you mean 'dtype'?)")
  T.error(function() t:sum(1, {dim = 1}) end, "sum: dim given twice")
  T.error(function() t:max({keepdim = true, dimm = 1}) end, "max: unknown option 'dimm' (did you mean 'dim'?)")
  T.error(function() torch.ones(2, 2):var({unbiased = false, correction = 0}) end, "not both")
  T.error(function() t:sum(1, "yes") end, "keepdim must be a boolean")
end)

T.test("creation options are checked", function()
  T.error(function() torch.zeros(2, {dtyp = torch.int64}) end,
    "torch.zeros: unknown option 'dtyp' (did you mean 'dtype'?)")
  T.error(function() torch.ones(2, {layout = 1}) end, "torch.ones: option 'layout' is PyTorch's but not implemented")
  T.error(function() torch.randint(5, {3}, {requires_grad = true}) end, "floating point")
  T.ok(torch.eye(2, {requires_grad = true}).requires_grad, "eye honours requires_grad")
  T.error(function() torch.full({2}, "x") end, "expected a fill value")
end)

T.run()
