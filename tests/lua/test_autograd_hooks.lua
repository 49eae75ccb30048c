-- The engine's call-outs: tensor hooks (errors, removal, replacement
-- checks, a hook's error leaving the engine usable), anomaly detection
-- (the node and the Lua line of the forward call for log(0), sqrt(-1),
-- 0/0), torch.autograd.grad's options and errors, full backward hooks'
-- handles, and torch.autograd.explain: the real engine (same .grad as
-- backward() on the lesson models, steps in the engine's order) and its
-- formula table generated from the C comments. Order and values against
-- PyTorch are in tests/peer/test_hooks_parity.lua.
local T = require "ember.test"

local function leaf(values) return torch.tensor(values, {requires_grad = true, dtype = torch.float32}) end
local function line_of(marker)
  local n = 0
  for l in io.lines(debug.getinfo(1, "S").short_src) do
    n = n + 1
    if l:find(marker, 1, true) and not l:find("line_of", 1, true) then return n end
  end
end

T.test("register_hook: needs requires_grad, a function; remove stops it; a second remove is harmless", function()
  T.error(function() torch.ones(2):register_hook(function() end) end,
    "cannot register a hook on a tensor that doesn't require gradient")
  local x = leaf({1, 2})
  T.error(function() x:register_hook(3) end, "expected a function")
  local calls = 0
  local h = x:register_hook(function() calls = calls + 1 end)
  x:sum():backward()
  h:remove()
  h:remove()
  x:sum():backward()
  T.eq(calls, 1)
  T.close(x.grad, torch.tensor({2.0, 2.0}))
end)

T.test("a hook may remove itself while it runs; the others still run", function()
  local x = leaf({1, 2})
  local y = x * 2
  local log = {}
  local h1
  h1 = y:register_hook(function() log[#log + 1] = "h1" h1:remove() end)
  y:register_hook(function() log[#log + 1] = "h2" end)
  y:sum():backward({retain_graph = true})
  y:sum():backward()
  T.eq(table.concat(log, " "), "h1 h2 h2")
end)

T.test("a replaced gradient must keep shape and dtype; the hook is named in the error", function()
  local x = leaf({1, 2})
  local y = x * 2
  y:register_hook(function(g) return g:double() end)
  T.error(function() y:sum():backward() end, "has changed the type of value (was torch.FloatTensor got torch.DoubleTensor)")
  local z = x * 3
  z:register_hook(function(g) return g:sum() end)
  T.error(function() z:sum():backward() end, "has changed the size of value (was [2], got [])")
  local w = x * 4
  w:register_hook(function() return "no" end)
  T.error(function() w:sum():backward() end, "expected Tensor, but hook 'function at ")
end)

T.test("a hook's Lua error comes out as it was raised, and the engine still works", function()
  local x = leaf({1, 2})
  local y = x:exp()
  local obj = {why = "planted"}
  y:register_hook(function() error(obj) end)
  local ok, err = pcall(function() y:sum():backward({retain_graph = true}) end)
  T.ok(not ok and err == obj, "the error object itself")
  T.eq(x.grad, nil)
  -- nothing is left half-done: a fresh graph runs, with a leaf hook too
  local calls = 0
  x:register_hook(function(g) calls = calls + 1 return g * 2 end)
  local l = (x * x):sum()
  l:backward()
  T.close(x.grad, torch.tensor({4.0, 8.0}))
  T.eq(calls, 1)
  -- a backward started inside a hook is refused, not a corrupted walk
  local u = leaf({1})
  local v = u * 2
  v:register_hook(function(g) local l2 = (u * 3):sum() l2:backward() end)
  T.error(function() v:sum():backward() end, "not reentrant")
  local l3 = (u * 5):sum()
  l3:backward()
  T.close(u.grad, torch.tensor({5.0}))
end)

local function nan_case(make, node, output)
  torch.autograd.set_detect_anomaly(true)
  local x = leaf({0.0})
  local ok, err = pcall(function() make(x):sum():backward() end)
  torch.autograd.set_detect_anomaly(false)
  T.ok(not ok, "expected an anomaly error")
  T.ok(err:find("Function '" .. node .. "' returned nan values in its " .. output .. "th output.", 1, true), err)
  return err
end

T.test("anomaly detection names the node and the forward call's Lua line", function()
  local me = debug.getinfo(1, "S").short_src
  local err = nan_case(function(x) return x:log() * 0 end, "LogBackward0", 0)   -- FORWARD-LOG
  T.ok(err:find(me .. ":" .. line_of("FORWARD-LOG"), 1, true), err)
  err = nan_case(function(x) return (x - 1):sqrt() end, "SqrtBackward0", 0)      -- FORWARD-SQRT
  T.ok(err:find(me .. ":" .. line_of("FORWARD-SQRT"), 1, true), err)
  err = nan_case(function(x) return x / x end, "DivBackward0", 1)                -- FORWARD-DIV
  T.ok(err:find(me .. ":" .. line_of("FORWARD-DIV"), 1, true), err)
  -- as PyTorch 1.13: inf is not checked (d log x at 0)
  torch.autograd.set_detect_anomaly(true)
  local x = leaf({0.0})
  x:log():sum():backward()
  torch.autograd.set_detect_anomaly(false)
  T.eq(x.grad:item(), math.huge)
end)

T.test("anomaly detection off: no check, no location recorded", function()
  T.eq(torch.autograd.is_anomaly_enabled(), false)
  local x = leaf({0.0})
  local y = x:log() * 0
  T.eq(require("torch.core")._node_trace(y.grad_fn), nil)
  y:sum():backward()
  T.ok(x.grad:isnan():all():item())
  torch.autograd.set_detect_anomaly(true, false)   -- check_nan = false: locations only
  local z = x:log() * 0
  T.ok(require("torch.core")._node_trace(z.grad_fn) ~= nil)
  z:sum():backward()
  torch.autograd.set_detect_anomaly(false)
end)

T.test("detect_anomaly: function form and guard restore the previous mode", function()
  local seen = torch.autograd.detect_anomaly(function(a) return torch.autograd.is_anomaly_enabled(), a end, 7)
  T.eq(seen, true)
  T.eq(torch.autograd.is_anomaly_enabled(), false)
  T.error(function() torch.autograd.detect_anomaly(function() error("inside") end) end, "inside")
  T.eq(torch.autograd.is_anomaly_enabled(), false)
  do
    local _ <close> = torch.autograd.detect_anomaly()
    T.eq(torch.autograd.is_anomaly_enabled(), true)
  end
  T.eq(torch.autograd.is_anomaly_enabled(), false)
  T.error(function() torch.autograd.set_detect_anomaly(1) end, "mode must be true or false")
end)

T.test("autograd.grad: no .grad changes; options and errors", function()
  local x = leaf({1, 2, 3})
  local w = leaf({2, 2, 2})
  local g = torch.autograd.grad((x * w):sum(), {x, w})
  T.close(g[1], torch.tensor({2.0, 2.0, 2.0}))
  T.close(g[2], torch.tensor({1.0, 2.0, 3.0}))
  T.eq(x.grad, nil)
  T.eq(w.grad, nil)
  -- a non-leaf input: its incoming gradient
  local h = x * 2
  T.close(torch.autograd.grad((h * h):sum(), h)[1], torch.tensor({4.0, 8.0, 12.0}))
  T.error(function() torch.autograd.grad((x * 2):sum(), x, {create_graph = true}) end, "double backward")
  T.error(function() torch.autograd.grad((x * 2):sum(), x, {is_grads_batched = true}) end, "is_grads_batched")
  T.error(function() torch.autograd.grad((x * 2):sum(), x, {retain_grpah = true}) end, "retain_graph")
  T.error(function() torch.autograd.grad((x * 2):sum(), torch.ones(2)) end, "does not require grad")
  T.error(function() torch.autograd.grad(x * 2, x) end, "grad can be implicitly created only for scalar outputs")
  local y = (x * x):sum()
  torch.autograd.grad(y, x)
  T.error(function() torch.autograd.grad(y, x) end, "backward through the graph a second time")
end)

T.test("full backward hooks: handle removal, non-tuple returns are errors", function()
  local lin = nn.Linear(2, 2)
  local calls = 0
  local h = lin:register_full_backward_hook(function() calls = calls + 1 end)
  local x = torch.randn(3, 2, {requires_grad = true})
  lin(x):sum():backward()
  h:remove()
  T.eq(lin(x).grad_fn:name(), "AddmmBackward0")
  lin(x):sum():backward()
  T.eq(calls, 1)
  local h2 = lin:register_full_backward_hook(function(m, gin) return gin[1] end)
  T.error(function() lin(x):sum():backward() end, "must return nil or a tuple")
  h2:remove()
  -- no recording, no wrapping
  lin:register_full_backward_hook(function() end)
  T.eq(torch.no_grad(function() return lin(x) end).grad_fn, nil)
end)

-- explain: the engine's order (hooks on every intermediate fire in it) and
-- the same .grad as backward()
local function hooked_order(build)
  local order = {}
  local tensors, y = build()
  for _, t in ipairs(tensors) do
    if t.grad_fn then
      local name = t.grad_fn:name()
      t:register_hook(function() order[#order + 1] = name end)
    end
  end
  y:backward()
  return order
end

T.test("explain: steps in the engine's order, the same .grad as backward()", function()
  local function build()
    local a, b = leaf({0.5, -1, 2}), leaf({1.5, 0.25, -3})
    local p = a * b
    local q = a:exp()
    local r = p:tanh() + q
    local s = r * p
    local y = s:sum()
    return {y, s, r, q, p}, y, a, b
  end
  local engine = hooked_order(build)
  local _, y, a, b = build()
  local steps = torch.autograd.explain(y, {out = false})
  local names = {}
  for i, st in ipairs(steps) do names[i] = st.name end
  -- every hooked tensor's node appears in explain's order (TanhBackward0's
  -- output has no hook here: compare the hooked subsequence)
  local j = 1
  for _, n in ipairs(names) do if engine[j] == n then j = j + 1 end end
  T.eq(j, #engine + 1, "explain " .. table.concat(names, " ") .. " vs engine " .. table.concat(engine, " "))
  local _, y2, a2, b2 = build()
  y2:backward()
  T.close(a.grad, a2.grad, {rtol = 0, atol = 0})
  T.close(b.grad, b2.grad, {rtol = 0, atol = 0})
  T.eq(steps[1].formula, "d sum(x) = g broadcast to x's shape")
end)

T.test("explain on the lesson models: linear regression and the MNIST MLP", function()
  torch.manual_seed(42)
  local X = torch.arange(0, 1, 0.02):unsqueeze(2)
  local target = X * 0.7 + 0.3
  local function linreg()
    torch.manual_seed(1)
    local w, b = torch.randn(1, {requires_grad = true}), torch.randn(1, {requires_grad = true})
    return ((X * w + b - target) ^ 2):mean(), {w, b}
  end
  local loss1, p1 = linreg()
  local loss2, p2 = linreg()
  loss1:backward()
  torch.autograd.explain(loss2, {out = false})
  for i = 1, 2 do T.close(p1[i].grad, p2[i].grad, {rtol = 0, atol = 0}) end

  local MNISTClassifier = nn.Module:extend("ExplainMNISTClassifier")
  function MNISTClassifier:__init()
    nn.Module.__init(self)
    self.features = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2), nn.Linear(256, 128), nn.ReLU(),
      nn.Dropout(0.2))
    self.classifier = nn.Linear(128, 10)
  end
  function MNISTClassifier:forward(x) return self.classifier(self.features(x)) end
  local x = torch.rand(8, 784)
  local labels = torch.tensor({1, 2, 3, 4, 5, 6, 7, 0})
  local function run(explain)
    torch.manual_seed(7)
    local model = MNISTClassifier()
    local loss = nn.CrossEntropyLoss()(model(x), labels)
    if explain then
      local lines = {}
      local out = {write = function(_, ...) for _, s in ipairs{...} do lines[#lines + 1] = s end end}
      local steps = torch.autograd.explain(loss, {out = out, params = model:named_parameters()})
      local text = table.concat(lines)
      T.ok(text:find("leaf classifier.weight (AccumulateGrad)", 1, true), "parameters named")
      T.ok(text:find("AddmmBackward0", 1, true) and text:find("formula  out = x @ w^T + b", 1, true), "formula shown")
      T.ok(#steps > 5)
    else
      loss:backward()
    end
    return model
  end
  local m1, m2 = run(false), run(true)
  local n1, n2 = m1:named_parameters(), m2:named_parameters()
  T.eq(#n1, 6)
  for i, np in ipairs(n1) do T.close(np[2].grad, n2[i][2].grad, {rtol = 0, atol = 0, msg = np[1]}) end
end)

T.test("explain: non-interactive output prints every step; errors are clear", function()
  local a = leaf({2})
  local lines = {}
  local out = {write = function(_, ...) for _, s in ipairs{...} do lines[#lines + 1] = s end end}
  torch.autograd.explain((a * a):sum(), {out = out})
  local text = table.concat(lines)
  T.ok(text:find("step 1  SumBackward0", 1, true) and text:find("step 2  MulBackward0", 1, true), text)
  T.ok(text:find(".grad now shape [1]  values [4]", 1, true), text)
  T.error(function() torch.autograd.explain(torch.ones(2)) end, "does not require grad")
  T.error(function() torch.autograd.explain(a * 2, {gradient = torch.ones(1), colour = 1}) end, "unknown option")
end)

T.test("lua/torch/autograd_formulas.lua is what scripts/autograd_formulas.lua generates", function()
  local generated = assert(loadfile("scripts/autograd_formulas.lua"))("--return")
  local f = assert(io.open("lua/torch/autograd_formulas.lua", "rb"))
  local committed = f:read("a")
  f:close()
  T.ok(generated == committed, "stale: build/ember run scripts/autograd_formulas.lua > lua/torch/autograd_formulas.lua")
  local formulas = require "torch.autograd_formulas"
  for _, name in ipairs{"AddmmBackward0", "ReluBackward0", "MulBackward0", "LogBackward0", "MeanBackward0",
                        "NllLossBackward0", "LogSoftmaxBackward0", "PowBackward0", "SubBackward0", "TBackward0"} do
    T.ok(formulas[name] and formulas[name].formula:find("%S"), "a formula for " .. name)
  end
end)

T.run()
