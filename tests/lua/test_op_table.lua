-- The op table (src/core/op_table.h) is complete: every row has its Lua
-- names, a CPU kernel for each dtype its rule admits, a derivative (checked
-- against finite differences) unless the row says "not differentiable",
-- and a help text. The peer test (tests/peer/test_op_parity.lua) checks that
-- every row has a PyTorch case. Adding a row without one of these fails here.
local T = require "ember.test"
local core = require "torch.core"
local doc = require "torch.doc"
local gradcheck = require "torch.gradcheck"
local nn, F = torch.nn, torch.nn.functional

local ROWS = core._ops

-- Arguments after the tensor for the rows bound by hand (their signatures
-- are special); every other row takes its params' defaults.
local HAND_ARGS = {unary = {pow = {2.5}, clamp = {0.7, 1.6}}, binary = {pow = {}}}

local function user_names(row)
  local names = {row.name}
  for _, a in ipairs(row.aliases) do names[#names + 1] = a end
  return names
end

T.test("the table has rows and each row names itself once", function()
  T.ok(#ROWS > 20, "expected the elementwise rows, got " .. #ROWS)
  local seen = {}
  for _, row in ipairs(ROWS) do
    local key = row.kind .. ":" .. row.name
    T.ok(not seen[key], key .. " is in the table twice")
    seen[key] = true
  end
end)

T.test("every row's Lua names exist (torch.NAME, x:NAME, x:NAME_, F.NAME, nn.Module, operator)", function()
  local mt = getmetatable(torch.zeros(1))
  for _, row in ipairs(ROWS) do
    for _, n in ipairs(user_names(row)) do
      if row.func then T.ok(type(torch[n]) == "function", "torch." .. n .. " is missing") end
      if row.method then T.ok(type(torch.Tensor[n]) == "function", "Tensor." .. n .. " is missing") end
    end
    if row.inplace then T.ok(type(torch.Tensor[row.name .. "_"]) == "function", "Tensor." .. row.name .. "_ is missing") end
    if row.F then T.ok(type(F[row.name]) == "function", "F." .. row.name .. " is missing") end
    if row.nn then T.ok(nn[row.nn] ~= nil, "nn." .. row.nn .. " is missing") end
    if row.meta then T.ok(rawget(mt, row.meta) ~= nil, "the operator " .. row.meta .. " is missing") end
    T.ok(type(row.fn) == "function" or not (row.func or row.F), row.name .. ": no function in torch.core._ops")
  end
end)

-- An input of dtype dt for the kernel check: values 1..n (valid for every op).
local function input(dt) return torch.tensor({{1, 2, 3}, {4, 5, 6}}):to(dt) end

local function call(row, ...)
  local args = {...}
  if row.hand then
    for _, v in ipairs(HAND_ARGS[row.kind][row.name] or {}) do args[#args + 1] = v end
  end
  return row.fn(table.unpack(args))
end

T.test("every row with Lua names has a kernel for each dtype its rule admits", function()
  local floats = {torch.float32, torch.float64}
  local ints = {torch.int64, torch.int32, torch.uint8}
  for _, row in ipairs(ROWS) do
    if row.fn then
      T.ok(not row.hand or HAND_ARGS[row.kind][row.name], row.name .. ": a hand-bound row needs HAND_ARGS here")
      local dts = {}
      for _, dt in ipairs(floats) do dts[#dts + 1] = dt end
      -- integer inputs: integer kernels, or converted to float by the dtype rule
      for _, dt in ipairs(ints) do dts[#dts + 1] = dt end
      for _, dt in ipairs(dts) do
        if row.float_only and not dt.is_floating_point then
          -- the rule refuses integers (as PyTorch): an error that names the op
          T.error(function() call(row, input(dt)) end, "not supported for dtype")
          goto next_dtype
        end
        local ok, err = pcall(function()
          if row.kind == "unary" then return call(row, input(dt)) end
          local a, b = input(dt), input(dt)
          if row.params:match("rounding_mode") == nil and row.name:match("^logical") then a, b = a:gt(2), b:gt(4) end
          return call(row, a, b)
        end)
        T.ok(ok, row.name .. " on " .. tostring(dt) .. ": " .. tostring(err))
        if not ok then T.ok(not tostring(err):match("no CPU kernel"), tostring(err)) end
        ::next_dtype::
      end
    end
  end
end)

T.test("a missing kernel is an error, not garbage", function()
  -- float-only ops refuse integer in-place use instead of writing nothing
  T.error(function() torch.tensor({1, 2}):exp_() end, "exp_")
end)

T.test("every differentiable row's derivative matches finite differences", function()
  for _, row in ipairs(ROWS) do
    if row.fn and row.differentiable then
      local a = torch.tensor({{0.6, 1.3, 1.9}, {0.8, 1.1, 1.7}}, {dtype = torch.float64, requires_grad = true})
      local b = torch.tensor({{1.4, 0.7, 1.2}, {0.9, 1.6, 0.75}}, {dtype = torch.float64, requires_grad = true})
      local fn, inputs
      if row.kind == "unary" then
        fn, inputs = function(x) return call(row, x) end, {a}
      else
        fn, inputs = function(x, y) return call(row, x, y) end, {a, b}
      end
      local out = fn(table.unpack(inputs))
      T.ok(out.grad_fn ~= nil, row.name .. ": no grad_fn recorded")
      T.eq(out.grad_fn:name(), row.grad_node, row.name .. ": grad_fn name")
      local ok, err = pcall(gradcheck, fn, inputs)
      T.ok(ok and err ~= false, row.name .. ": gradcheck failed: " .. tostring(err))
    elseif row.fn and row.kind == "binary" then
      local a = torch.ones(2, {requires_grad = true})
      local out = call(row, a, a)
      T.ok(out.grad_fn == nil, row.name .. " is marked not differentiable but recorded a node")
    end
  end
end)

T.test("every row has a help text under its doc key", function()
  for _, row in ipairs(ROWS) do
    if row.fn or row.func or row.method then
      T.ok(doc.get(row.doc) ~= nil, row.name .. ": no help text under " .. row.doc .. " (lua/torch/doc/math.lua)")
    end
  end
end)

T.run()
