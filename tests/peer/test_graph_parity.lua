-- torchviz.make_dot against real PyTorch 1.13: each case is the twin of the
-- one with the same name in make_graph_reference.py, which walks PyTorch's
-- grad_fn graph in torchviz's order. ember's DOT text is parsed back into
-- statements (node ids renumbered by first mention, labels unescaped) and
-- must equal PyTorch's statement by statement: the same backward-node names
-- (AddmmBackward0, TBackward0, AccumulateGrad, ...), the same edges in the
-- same order, the same leaf names and shapes, the same colours and size.
-- One declared difference: ember's cross_entropy is one NllLossBackward0
-- node, where PyTorch's graph has NllLossBackward0 -> LogSoftmaxBackward0;
-- the reference's LogSoftmaxBackward0 feeding an NllLossBackward0 is taken
-- out (its input's edge goes to the NllLossBackward0) before comparing.
local T = require "ember.test"
local torchviz = require "torchviz"
local ref = dofile(assert(arg[1], "usage: test_graph_parity.lua REFERENCE.lua"))

package.path = "tests/lua/lib/?.lua;" .. package.path
local MNISTClassifier = require("models").MNISTClassifier

local function leaf(values, dtype)
  return torch.tensor(values, {requires_grad = true, dtype = dtype or torch.float32})
end

local C = {}

local function mnist(train)
  torch.manual_seed(0)
  local model = MNISTClassifier()
  model:train(train)
  local y = model(torch.zeros(64, 784))
  if train then y = F.cross_entropy(y, torch.zeros(64, {dtype = torch.int64})) end
  return {y}, model:named_parameters()
end

C.mnist_eval = function() return mnist(false) end
C.mnist_train_loss = function() return mnist(true) end

function C.expr_twice()
  local a, b = leaf({2, -1, 3}), leaf({0.5, 0.25, 2})
  local y = ((a * b + a):tanh() * 2):sum()
  return {y}, {a = a, b = b}
end

function C.expr_neuron()
  local o = {dtype = torch.float64, requires_grad = true}
  local x1, x2 = torch.tensor(2.0, o), torch.tensor(0.0, o)
  local w1, w2 = torch.tensor(-3.0, o), torch.tensor(1.0, o)
  local b = torch.tensor(6.8813735870195432, o)
  local y = (x1 * w1 + x2 * w2 + b):tanh()
  return {y}, {x1 = x1, x2 = x2, w1 = w1, w2 = w2, b = b}
end

function C.expr_two_outputs_view()
  local a = leaf({{1, 2}, {3, 4}})
  local w = leaf({{0.5}, {-1}})
  local h = a:mm(w)
  local s = (h ^ 2):mean()
  local v = h:view(2)
  return {s, v}, {a = a, w = w}
end

function C.expr_no_params()
  local a = leaf({1, 2, 3})
  local y = a:exp():log():sum() / 3
  return {y}
end

local function unescape(s) return (s:gsub("\\(.)", function(c) return c == "n" and "\n" or c end)) end

-- The statements of ember's DOT text, ids renumbered in order of first mention.
local function parse(dot)
  local ids, n, out, size = {}, 0, {}, nil
  local function num(k)
    if not ids[k] then n = n + 1; ids[k] = n end
    return ids[k]
  end
  for line in dot:gmatch("[^\n]+") do
    local s = line:match('^%s*graph %[size="([^"]*)"%]$')
    if s then size = s end
    local a, b, attrs = line:match("^%s*(%w+) %-> (%w+)%s*(.*)$")
    if a then
      out[#out + 1] = {kind = "edge", from = num(a), to = num(b), attrs = attrs:match("^%[(.*)%]$")}
    else
      local id, label, rest = line:match('^%s*(%w+) %[label="(.-)"%s*(.*)%]$')
      if id and id ~= "node" and id ~= "graph" then
        out[#out + 1] = {kind = "node", id = num(id), label = unescape(label), color = rest:match("fillcolor=(%S+)")}
      end
    end
  end
  return out, size
end

-- The reference without LogSoftmaxBackward0 nodes that feed an
-- NllLossBackward0 (see the top), renumbered by first mention.
local function fuse_log_softmax(statements)
  local label, consumer = {}, {}
  for _, st in ipairs(statements) do if st.kind == "node" then label[st.id] = st.label end end
  for _, st in ipairs(statements) do
    if st.kind == "edge" and label[st.from] == "LogSoftmaxBackward0" and label[st.to] == "NllLossBackward0" then
      consumer[st.from] = st.to
    end
  end
  local out, ids, n = {}, {}, 0
  local function num(k)
    if not ids[k] then n = n + 1; ids[k] = n end
    return ids[k]
  end
  for _, st in ipairs(statements) do
    if st.kind == "node" then
      if not consumer[st.id] then out[#out + 1] = {kind = "node", id = num(st.id), label = st.label, color = st.color} end
    elseif not consumer[st.from] then
      local to = consumer[st.to] or st.to
      out[#out + 1] = {kind = "edge", from = num(st.from), to = num(to), attrs = st.attrs}
    end
  end
  return out
end

local function show(s)
  if s.kind == "node" then return string.format("node %d %q %s", s.id, s.label, tostring(s.color)) end
  return string.format("edge %d -> %d %s", s.from, s.to, tostring(s.attrs))
end

for _, c in ipairs(ref) do
  T.test(c.name, function()
    local make = assert(C[c.name], "no Lua case " .. c.name)
    local outputs, params = make()
    local g = torchviz.make_dot(#outputs == 1 and outputs[1] or outputs, {params = params})
    local got, size = parse(tostring(g))
    local statements = fuse_log_softmax(c.statements)
    for i = 1, math.max(#got, #statements) do
      local want = statements[i] and show(statements[i]) or "(nothing)"
      local have = got[i] and show(got[i]) or "(nothing)"
      T.eq(have, want, c.name .. " statement " .. i)
    end
    T.eq(size, c.size, c.name .. " graph size")
  end)
end

T.test("every Lua case has a PyTorch reference", function()
  local names = {}
  for _, c in ipairs(ref) do names[c.name] = true end
  for name in pairs(C) do T.ok(names[name], "no reference for " .. name) end
end)

-- Graphviz's dot parses ember's DOT: the MNISTClassifier's graph renders to
-- an SVG, with every option on (saved tensors, attributes, grad norms).
T.test("dot renders make_dot's graph", function()
  if os.execute("dot -V >/dev/null 2>&1") ~= true then
    print("SKIP dot renders: Graphviz's dot is not installed (Debian package graphviz)")
    return
  end
  local outputs, params = mnist(true)
  outputs[1]:backward()
  local g = torchviz.make_dot(outputs[1], {params = params, show_saved = true, show_attrs = true,
                                           show_grads = true})
  local path = os.tmpname() .. ".svg"
  T.eq(g:render(path), path)
  local f = assert(io.open(path))
  local svg = f:read("a")
  f:close()
  os.remove(path)
  T.ok(svg:find("<svg", 1, true), "render wrote no SVG")
  T.ok(svg:find("AddmmBackward0", 1, true) and svg:find("classifier.weight", 1, true),
    "the SVG lacks the node names")
end)

T.run()
