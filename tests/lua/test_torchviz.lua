-- torchviz (lua/torchviz.lua) without PyTorch: the DOT text's shape and
-- options (saved tensors, attributes, grad norms), the terminal tree,
-- render's errors and its output through Graphviz when dot is installed,
-- and the grad_fn fields it reads (_id, _shape, _saved). The comparison
-- with PyTorch's graphs is tests/peer/test_graph_parity.lua.
local T = require "ember.test"
local torchviz = require "torchviz"

local function leaf(values) return torch.tensor(values, {requires_grad = true, dtype = torch.float32}) end

local function lines_of(s)
  local out = {}
  for l in s:gmatch("[^\n]+") do out[#out + 1] = l end
  return out
end

local function count(s, pat)
  local n = 0
  for _ in s:gmatch(pat) do n = n + 1 end
  return n
end

T.test("grad_fn's private fields: one id per node and per leaf, output shapes, saved tensors", function()
  local a = leaf({{1, 2, 3}, {4, 5, 6}})
  local y = (a * a):sum(2)
  local mul = y.grad_fn.next_functions[1][1]
  T.eq(y.grad_fn:name(), "SumBackward1")
  T.eq(table.concat(y.grad_fn._shape, "x"), "2")
  T.eq(table.concat(mul._shape, "x"), "2x3")
  local l1, l2 = mul.next_functions[1][1], mul.next_functions[2][1]
  T.ok(l1._id == l2._id, "the same leaf's AccumulateGrad has one id")
  T.ok(l1._id ~= mul._id, "a node and a leaf differ")
  T.eq(#mul._saved, 2, "MulBackward0 keeps both inputs")
  T.eq(mul._saved[1][1], "saved 1")
  T.eq(tostring(mul._saved[1][2]:size()), "torch.Size([2, 3])")
  local e = a:exp()
  T.eq(e.grad_fn._saved[1][1], "result", "ExpBackward0 keeps its output")
  y:backward(torch.ones(2))
  T.eq(#mul._saved, 0, "backward frees the saved tensors")
  T.ok(require('torch.core')._tensor_id(a) == require('torch.core')._tensor_id(l1.variable), "the same tensor, the same id")
end)

T.test("make_dot: torchviz's header, statements and colours", function()
  local a, b = leaf({2, -1, 3}), leaf({0.5, 0.25, 2})
  local y = ((a * b + a):tanh() * 2):sum()
  local g = torchviz.make_dot(y, {params = {a = a, b = b}})
  local dot = tostring(g)
  T.eq(g.source, dot)
  local l = lines_of(dot)
  T.eq(l[1], "digraph {")
  T.eq(l[2], '\tgraph [size="12,12"]')
  T.eq(l[3], "\tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled]")
  T.eq(l[4], '\t1 [label="\\n ()" fillcolor=darkolivegreen1]')
  T.eq(l[#l], "}")
  T.eq(count(dot, "fillcolor=lightblue"), 2, "one leaf node per parameter, though a is used twice")
  T.ok(dot:find('label="a\\n (3)" fillcolor=lightblue', 1, true), dot)
  T.eq(count(dot, 'label="AccumulateGrad"'), 2)
  T.eq(count(dot, 'label="MulBackward0"'), 2)
  T.eq(count(dot, " %-> "), 10, "edges: " .. dot)
  T.ok(not dot:find("orange", 1, true), "no saved tensors unless asked")
end)

T.test("make_dot: show_saved, show_attrs, show_grads", function()
  local a = leaf({1, 2})
  local y = a:exp():sum()
  local dot = tostring(torchviz.make_dot(y, {params = {a = a}, show_saved = true, show_attrs = true}))
  T.ok(dot:find('[label="result\\n (2)" fillcolor=orange]', 1, true), dot)
  T.ok(dot:find(" [dir=none]", 1, true), "saved tensors hang from their node without an arrow")
  T.ok(dot:find('label="ExpBackward0\\n----------------------\\nresult: [saved tensor]"', 1, true), dot)
  T.ok(dot:find("grad norm", 1, true) == nil)
  y:backward()
  local after = tostring(torchviz.make_dot(y, {params = {a = a}, show_grads = true}))
  local norm = a.grad:norm():item()
  T.ok(after:find(string.format('label="a\\n (2)\\n grad norm %.4g"', norm), 1, true), after)
end)

T.test("make_dot: two outputs, a view's base, params as named_parameters, a big graph's size", function()
  local a = leaf({{1, 2}, {3, 4}})
  local h = a * 2
  local dot = tostring(torchviz.make_dot({h:sum(), h:view(4)}))
  T.eq(count(dot, "fillcolor=darkolivegreen1"), 2)
  T.eq(count(dot, "fillcolor=darkolivegreen3"), 1, "the view's base")
  T.eq(count(dot, "style=dotted"), 1)
  local model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
  local y = model(torch.zeros(5, 3))
  local d2 = tostring(torchviz.make_dot(y, {params = model:named_parameters()}))
  for _, name in ipairs({"0.weight\\n (4, 3)", "0.bias\\n (4)", "2.weight\\n (2, 4)", "2.bias\\n (2)"}) do
    T.ok(d2:find('label="' .. name .. '"', 1, true), "no " .. name .. " in\n" .. d2)
  end
  T.ok(d2:find('label="TBackward0"', 1, true), "the weight goes through w.t(), as in PyTorch")
  -- torchviz's resize_graph: 0.15 inch per statement once past 80 statements
  local x = leaf({1})
  local z = x
  for _ = 1, 45 do z = z * 1.5 end
  local big = torchviz.make_dot(z)
  local n = #big.body
  T.ok(n > 80, n .. " statements")
  local w, h = tostring(big):match('size="([^,]+),([^"]+)"')
  T.eq(tonumber(w), n * 0.15)
  T.eq(w, h)
  T.ok(#w <= 6, "written as Python writes it, the shortest digits: " .. w)
end)

T.test("torchviz.print: a tree with shapes, names, (see above) and saved tensors", function()
  local x = torch.tensor({{1.0, 2.0}, {3.0, 4.0}})
  local W = leaf({{0.5, -1, 0.25}, {1.5, 0.5, -0.5}})
  local h = x:mm(W)
  local y = (h + h:relu()):sum()
  local lines = torchviz.print(y, {params = {W = W}, file = false})
  T.eq(lines[1], "output scalar")
  T.eq(lines[2], "└─ SumBackward0 → scalar")
  T.eq(lines[3], "   └─ AddBackward0 → 2x3")
  T.eq(lines[4], "      ├─ MmBackward0 → 2x3")
  T.eq(lines[5], "      │  └─ AccumulateGrad ← W 2x3")
  T.eq(lines[6], "      └─ ReluBackward0 → 2x3")
  T.eq(lines[7], "         └─ MmBackward0 → 2x3  (see above)")
  T.eq(#lines, 7)
  local saved = torchviz.print(y, {params = {W = W}, show_saved = true, file = false})
  T.ok(table.concat(saved, "\n"):find("├┄ [saved result] 2x3", 1, true), table.concat(saved, "\n"))
  y:backward()
  local g = torchviz.print(y, {params = {W = W}, show_grads = true, file = false})
  T.eq(g[5], string.format("      │  └─ AccumulateGrad ← W 2x3  grad norm %.4g", W.grad:norm():item()))
  T.eq(torchviz.print(W, {file = false})[2], "└─ (a leaf: leaf 2x3)")
  T.eq(torchviz.print(x, {file = false})[2], "└─ (no graph: the tensor does not require grad)")
  T.eq(torchviz.print(torch.zeros(2, {dtype = torch.float64, requires_grad = true}):sum(), {file = false})[1],
    "output scalar torch.float64")
end)

T.test("bad arguments and options are errors", function()
  local y = leaf({1}):sum()
  T.error(function() torchviz.make_dot(y, {show_saveed = true}) end, "unknown option 'show_saveed'")
  T.error(function() torchviz.make_dot(3) end, "make_dot: expected a tensor")
  T.error(function() torchviz.make_dot(y, {params = {a = 3}}) end, "params must map names to tensors")
  T.error(function() torchviz.print(y, {colour = true}) end, "unknown option 'colour'")
  local g = torchviz.make_dot(y)
  T.error(function() g:render("graph.gif") end, "the format must be svg, png or pdf")
  T.error(function() g:render("graph.svg", {dpi = 3}) end, "unknown option 'dpi'")
end)

T.test("render: through dot when installed; a clear error when it is missing", function()
  local y = (leaf({1, 2}) * 3):sum()
  local g = torchviz.make_dot(y)
  local saved_dot = torchviz.dot
  torchviz.dot = "/nonexistent/dot-for-test"
  local ok, err = pcall(g.render, g, os.tmpname() .. ".svg")
  torchviz.dot = saved_dot
  T.ok(not ok and err:find("install the Debian package graphviz", 1, true), tostring(err))
  if os.execute("dot -V >/dev/null 2>&1") ~= true then
    print("SKIP render through dot: Graphviz's dot is not installed (Debian package graphviz)")
    return
  end
  for _, ext in ipairs({"svg", "png"}) do
    local path = os.tmpname() .. "." .. ext
    T.eq(g:render(path), path)
    local f = assert(io.open(path, "rb"))
    local head = f:read(8)
    f:close()
    os.remove(path)
    T.ok(ext == "svg" and head:find("<", 1, true) or head:sub(2, 4) == "PNG", ext .. " file written")
  end
end)

T.run()
