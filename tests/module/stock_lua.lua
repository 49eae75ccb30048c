-- stock_lua.lua — run by test_module.sh under stock lua5.4 with torch.so:
-- what `require "torch"` gives outside the ember program, and what only the
-- program provides (its globals, REPL, Ctrl-C, memory budget) reported as
-- missing. arg[1]: an empty folder to write files in.
local torch = require "torch"    -- first: it puts ember's lua/ folder on package.path
local T = require "ember.test"
local dir = assert(arg[1], "usage: lua5.4 stock_lua.lua DIR")

T.test("require 'torch' gives ember's module and sets no globals", function()
  T.eq(package.loaded.torch, torch)
  T.eq(require "torch", torch, "a second require")
  T.eq(torch.__version__, "0.1.0")
  for _, name in ipairs({"torch", "nn", "optim", "F", "data", "help", "plot", "timeit"}) do
    T.eq(rawget(_G, name), nil, "global " .. name)
  end
  T.eq(type(torch.nn.Linear), "table")
  T.eq(tostring(torch.tensor({1.5, 2})), "tensor([1.5000, 2.0000])")
end)

T.test("what only the ember program has is reported missing by name", function()
  for _, name in ipairs({"ember.readline", "ember.interrupt", "ember.budget"}) do
    T.error(function() require(name) end, "module '" .. name .. "' not found")
  end
  -- the REPL's entry point needs the program's line editor
  T.error(function() require("ember.repl") end, "module 'ember.readline' not found")
end)

T.test("pure-Lua parts load: torch.checkpoint (with ember/sys.so), torch.data, torch.save", function()
  torch.manual_seed(1)
  local model = torch.nn.Linear(2, 1)
  local opt = torch.optim.SGD(model:parameters(), {lr = 0.1})
  local path = torch.checkpoint.save_rotating(dir, 7, {model = model, optimizer = opt}, {keep = 1})
  T.ok(path:find(dir, 1, true) == 1, path)
  local other = torch.nn.Linear(2, 1)
  torch.checkpoint.load(path, {model = other})
  T.ok(torch.equal(other.weight, model.weight), "weights after checkpoint.load")
  local names = torch.checkpoint.list(dir)
  T.eq(#names, 1)
  -- a whole model through torch.save/torch.load (no memory budget to lower here)
  torch.save(model, dir .. "/model.pt")
  local back = torch.load(dir .. "/model.pt")
  T.ok(torch.equal(back.bias, model.bias), "bias after torch.load")
  local ds = torch.utils.data.TensorDataset(torch.arange(4), torch.arange(4))
  T.eq(#ds, 4)
end)

T.test("loaded twice into one state: both copies work together", function()
  local x = torch.ones(3, {requires_grad = true})
  package.loaded.torch, package.loaded["torch.core"] = nil, nil
  local again = require "torch"
  T.ok(again ~= torch, "a new module table")
  local y = again.full({3}, 2.0)
  local s = (x * y):sum()
  s:backward()
  T.eq(s:item(), 6)
  T.eq(tostring(x.grad), "tensor([2., 2., 2.])")
  package.loaded.torch = torch
  collectgarbage("collect")
end)

T.run()
