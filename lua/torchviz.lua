-- torchviz — draws the autograd graph behind a tensor, as the Python
-- package torchviz (pytorchviz) does for PyTorch: make_dot(y) walks
-- y.grad_fn and its next_functions and returns the graph in Graphviz's DOT
-- language, with torchviz's nodes, labels and colours (grey boxes: backward
-- nodes by their PyTorch names, AddmmBackward0; light blue: leaves that
-- require grad, named by params; green: the output; orange: saved tensors
-- with show_saved). g:render(path) runs Graphviz's `dot` to write an SVG,
-- PNG or PDF. torchviz.print(y) shows the same graph as an indented tree in
-- the terminal, for a learner without an image viewer.
--
--   local torchviz = require "torchviz"
--   local g = torchviz.make_dot(model(x), {params = model:named_parameters()})
--   print(g)                  -- the DOT source
--   g:render("model.svg")     -- needs Graphviz (Debian: graphviz)
--   torchviz.print(loss)
--
-- Not here: the graph itself (the engine's grad_fn nodes, bind/lua_info.c),
-- stepping through backward (torch.autograd.explain).
local torch = require "torch"
local core = require "torch.core"
local options = require "torch.options"

local torchviz = {}

local MAKE_DOT = options.spec("torchviz.make_dot", "params show_attrs show_saved max_attr_chars show_grads")
local PRINT = options.spec("torchviz.print", "params show_saved show_grads file")
local RENDER = options.spec("torchviz.Dot.render", "format")

-- torchviz's node attributes and graph size, as its make_dot sets them.
local NODE_ATTR = 'align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled'

local function is_tensor(v) return torch.is_tensor(v) end

local function level() return options.user_level() end

-- {[tensor id] = name} from params: a list of {name, tensor} pairs
-- (model:named_parameters()) or a table name -> tensor (Python's dict).
local function param_names(params, fn)
  local map = {}
  if params == nil then return map end
  if type(params) ~= "table" then
    error(fn .. ": params must be model:named_parameters() or a table name -> tensor, got " .. type(params), level())
  end
  for k, v in pairs(params) do
    local name, t = k, v
    if math.type(k) == "integer" and type(v) == "table" then name, t = v[1], v[2] end
    if type(name) ~= "string" or not is_tensor(t) then
      error(fn .. ": params must map names to tensors (entry " .. tostring(k) .. " does not)", level())
    end
    map[core._tensor_id(t)] = name
  end
  return map
end

-- torchviz's size_to_str: (64, 10); () for a 0-dim tensor.
local function size_str(shape)
  local parts = {}
  for i = 1, #shape do parts[i] = tostring(shape[i]) end
  return "(" .. table.concat(parts, ", ") .. ")"
end

local function grad_norm(t)
  local g = t.grad
  if g == nil then return nil end
  return g:double():norm():item()
end

-- The graph as a list of statements, in the order torchviz's make_dot adds
-- them (nodes and edges interleaved), with sequential node ids in order of
-- first mention. Each statement: {kind = "node", id, label, color} or
-- {kind = "edge", from, to, attrs}.
local function walk(roots, opts, names)
  local body, ids, seen, n = {}, {}, {}, 0
  local function id(key)
    if not ids[key] then
      n = n + 1
      ids[key] = tostring(n)
    end
    return ids[key]
  end
  local function node(key, label, color) body[#body + 1] = {kind = "node", id = id(key), label = label, color = color} end
  local function edge(a, b, attrs) body[#body + 1] = {kind = "edge", from = id(a), to = id(b), attrs = attrs} end
  local function var_label(t, name, leaf)
    local label = (name or names[core._tensor_id(t)] or "") .. "\n " .. size_str(t.shape)
    if leaf and opts.show_grads then
      local g = grad_norm(t)
      label = label .. "\n grad norm " .. (g and string.format("%.4g", g) or "none")
    end
    return label
  end
  local function fn_label(fn)
    local name = fn:name()
    if name == "torch::autograd::AccumulateGrad" then name = "AccumulateGrad" end
    if not opts.show_attrs then return name end
    -- ember's nodes expose their saved tensors; PyTorch's non-tensor
    -- attributes (sizes, scalars) are not recorded by name
    local attrs = {}
    for _, s in ipairs(fn._saved) do attrs[#attrs + 1] = {s[1], "[saved tensor]"} end
    if #attrs == 0 then return name end
    table.sort(attrs, function(a, b) return a[1] < b[1] end)
    local maxc = math.max(opts.max_attr_chars or 50, 3)
    local w1, w2 = 0, 0
    for _, a in ipairs(attrs) do w1, w2 = math.max(w1, #a[1]), math.max(w2, #a[2]) end
    w2 = math.min(w2, maxc)
    local lines = {}
    for _, a in ipairs(attrs) do
      local v = #a[2] > w2 and a[2]:sub(1, w2 - 3) .. "..." or a[2]
      lines[#lines + 1] = string.format("%-" .. w1 .. "s: %" .. w2 .. "s", a[1], v)
    end
    return name .. "\n" .. string.rep("-", math.max(w1 + w2 + 2, #name)) .. "\n" .. table.concat(lines, "\n")
  end
  local function add_nodes(fn)
    local key = "f" .. tostring(fn._id)
    if seen[key] then return end
    seen[key] = true
    if opts.show_saved then
      for _, s in ipairs(fn._saved) do
        local skey = "s" .. tostring(core._tensor_id(s[2]))
        seen[skey] = true
        edge(key, skey, "dir=none")
        node(skey, var_label(s[2], s[1]), "orange")
      end
    end
    local var = fn.variable
    if var ~= nil then
      local vkey = "t" .. tostring(core._tensor_id(var))
      seen[vkey] = true
      node(vkey, var_label(var, nil, true), "lightblue")
      edge(vkey, key)
    end
    node(key, fn_label(fn))
    for _, pair in ipairs(fn.next_functions) do
      local u = pair[1]
      if u then
        edge("f" .. tostring(u._id), key)
        add_nodes(u)
      end
    end
  end
  local function add_base_tensor(t, color)
    local key = "t" .. tostring(core._tensor_id(t))
    if seen[key] then return end
    seen[key] = true
    node(key, var_label(t, nil, t.grad_fn == nil), color or "darkolivegreen1")
    local fn = t.grad_fn
    if fn then
      add_nodes(fn)
      edge("f" .. tostring(fn._id), key)
    end
    local base = core._view_base(t)
    if base then
      add_base_tensor(base, "darkolivegreen3")
      edge("t" .. tostring(core._tensor_id(base)), key, "style=dotted")
    end
  end
  for _, t in ipairs(roots) do add_base_tensor(t) end
  return body
end

-- DOT's quoted string: backslash and quote escaped, a newline as \n.
local function quote(s) return '"' .. s:gsub('[\\"]', "\\%0"):gsub("\n", "\\n") .. '"' end

local Dot = {}
Dot.__index = Dot
Dot.__name = "torchviz.Dot"

--- tostring(g) -> string
-- The graph in Graphviz's DOT language (what Python's make_dot(...).source
-- gives): paste it into any Graphviz viewer, or g:render(path).
function Dot.__tostring(g)
  local out = {"digraph {", string.format('\tgraph [size="%s"]', g.size), "\tnode [" .. NODE_ATTR .. "]"}
  for _, s in ipairs(g.body) do
    if s.kind == "node" then
      out[#out + 1] = string.format("\t%s [label=%s%s]", s.id, quote(s.label),
        s.color and " fillcolor=" .. s.color or "")
    else
      out[#out + 1] = string.format("\t%s -> %s%s", s.from, s.to, s.attrs and " [" .. s.attrs .. "]" or "")
    end
  end
  out[#out + 1] = "}"
  return table.concat(out, "\n") .. "\n"
end

-- g.source: the DOT text, the same as tostring(g) (Python's Digraph.source).
function Dot:__index(k)
  if k == "source" then return tostring(self) end
  return Dot[k]
end

-- Whether Graphviz's dot runs (checked once per program name).
local have_dot = {}
local function dot_available()
  local cmd = torchviz.dot
  if have_dot[cmd] == nil then have_dot[cmd] = os.execute(cmd .. " -V >/dev/null 2>&1") == true end
  return have_dot[cmd]
end

local FORMATS = {svg = true, png = true, pdf = true}

--- g:render(path[, {format = "svg"|"png"|"pdf"}]) -> path
-- Writes the drawing with Graphviz's `dot` program to path; the format is
-- the path's extension unless given. Unlike Python's Digraph.render (which
-- writes a DOT file named path and the drawing as path.FORMAT), path is the
-- picture itself; tostring(g) is the DOT source. Without Graphviz installed
-- it is an error saying so (Debian: apt-get install graphviz).
-- Example: torchviz.make_dot(loss):render("graph.svg")
function Dot:render(path, opts)
  opts = RENDER:check(opts)
  if type(path) ~= "string" or path == "" then error("render: expected a file path, got " .. type(path), 2) end
  local format = opts.format or path:lower():match("%.(%a+)$")
  if not FORMATS[format] then
    error("render: the format must be svg, png or pdf (from the path's extension or {format = ...}), got "
      .. tostring(format), 2)
  end
  if not dot_available() then
    error("render: Graphviz's `dot` program was not found (install the Debian package graphviz, e.g. "
      .. "bash scripts/install-deps.sh); tostring(g) gives the DOT source without it", 2)
  end
  local src, errf = os.tmpname(), os.tmpname()
  local f = assert(io.open(src, "w"))
  f:write(tostring(self))
  f:close()
  local q = function(s) return "'" .. s:gsub("'", "'\\''") .. "'" end
  local ok = os.execute(string.format("%s -T%s %s -o %s 2>%s", torchviz.dot, format, q(src), q(path), q(errf)))
  local ef = io.open(errf)
  local err = ef and ef:read("a") or ""
  if ef then ef:close() end
  os.remove(src)
  os.remove(errf)
  if not ok then error("render: dot failed writing " .. path .. ":\n" .. err, 2) end
  return path
end

--- torchviz.dot: the Graphviz program render runs ("dot"; a path to use another).
torchviz.dot = "dot"

local function roots_of(var, fn)
  if is_tensor(var) then return {var} end
  if type(var) == "table" and #var > 0 then
    for i, t in ipairs(var) do
      if not is_tensor(t) then error(fn .. ": output " .. i .. " is not a tensor", level()) end
    end
    return var
  end
  error(fn .. ": expected a tensor (or a list of tensors), got " .. type(var), level())
end

--- torchviz.make_dot(y[, {params =, show_attrs = false, show_saved = false, max_attr_chars = 50, show_grads = false}]) -> graph
-- The autograd graph that computed y (a tensor or a list of tensors), as
-- torchviz draws it: a grey box per backward node named as in PyTorch
-- (AddmmBackward0, ReluBackward0, AccumulateGrad), a light-blue box per
-- leaf that requires grad with its name from params (model:named_parameters()
-- or a table name -> tensor) and shape, a green box for y with its shape
-- (dark green with a dotted edge for the tensor a view y was made from).
-- show_saved adds the tensors each node keeps for backward (orange; named
-- "result" for the node's own output, else "saved 1", "saved 2": ember's
-- nodes do not record PyTorch's argument names); show_attrs lists them
-- inside the node's box. show_grads (ember's) adds each leaf's .grad norm
-- (after backward()). tostring(g) is the DOT source; g:render(path) draws it.
-- Example:
--   local torchviz = require "torchviz"
--   local a = torch.ones(2, {requires_grad = true})
--   local g = torchviz.make_dot((a * 3):sum(), {params = {a = a}})
--   tostring(g):match("SumBackward0") ~= nil  --> true
function torchviz.make_dot(var, opts)
  opts = MAKE_DOT:check(opts)
  local roots = roots_of(var, "make_dot")
  local names = param_names(opts.params, "make_dot")
  local body = walk(roots, opts, names)
  -- torchviz's resize_graph: 0.15 inch per statement, at least 12
  -- (written as Python writes the number: 12, or the shortest digits of 12.45)
  local size, size_s = #body * 0.15, "12"
  if size > 12 then
    for digits = 15, 17 do
      size_s = string.format("%." .. digits .. "g", size)
      if tonumber(size_s) == size then break end
    end
  end
  return setmetatable({body = body, size = size_s .. "," .. size_s}, Dot)
end

-- The terminal tree: each node under the node it feeds, a node seen before
-- shown once more as "(see above)".
local function tree_lines(roots, opts, names)
  local lines, seen = {}, {}
  local function shape_of(fn)
    local s = fn._shape
    return s and #s > 0 and table.concat(s, "x") or "scalar"
  end
  local function tensor_desc(t)
    local s = t.shape
    return #s > 0 and table.concat(s, "x") or "scalar"
  end
  local function leaf_text(t)
    local name = names[core._tensor_id(t)]
    local text = (name and name .. " " or "leaf ") .. tensor_desc(t)
    if opts.show_grads then
      local g = grad_norm(t)
      text = text .. (g and string.format("  grad norm %.4g", g) or "  (no grad yet)")
    end
    return text
  end
  local function visit(fn, prefix, last)
    local branch = last and "└─ " or "├─ "
    local key = tostring(fn._id)
    local var = fn.variable
    local name = fn:name()
    local text
    if var ~= nil then
      text = "AccumulateGrad ← " .. leaf_text(var)
    else
      text = name .. " → " .. shape_of(fn)
    end
    if seen[key] and var == nil then
      lines[#lines + 1] = prefix .. branch .. text .. "  (see above)"
      return
    end
    seen[key] = true
    lines[#lines + 1] = prefix .. branch .. text
    local child_prefix = prefix .. (last and "   " or "│  ")
    local items = {}
    if opts.show_saved then
      for _, s in ipairs(fn._saved) do items[#items + 1] = {saved = s} end
    end
    for _, pair in ipairs(fn.next_functions) do
      if pair[1] then items[#items + 1] = {fn = pair[1]} end
    end
    for i, it in ipairs(items) do
      if it.saved then
        local b = i == #items and "└┄ " or "├┄ "
        lines[#lines + 1] = child_prefix .. b .. "[" .. (it.saved[1] == "result" and "saved result" or it.saved[1])
          .. "] " .. tensor_desc(it.saved[2])
      else
        visit(it.fn, child_prefix, i == #items)
      end
    end
  end
  for _, t in ipairs(roots) do
    lines[#lines + 1] = "output " .. tensor_desc(t) .. (t.dtype ~= torch.float32 and " " .. tostring(t.dtype) or "")
    if t.grad_fn then
      visit(t.grad_fn, "", true)
    elseif t.requires_grad then
      lines[#lines + 1] = "└─ (a leaf: " .. leaf_text(t) .. ")"
    else
      lines[#lines + 1] = "└─ (no graph: the tensor does not require grad)"
    end
  end
  return lines
end

--- torchviz.print(y[, {params =, show_saved = false, show_grads = false, file = io.stdout}])
-- Prints the graph that computed y as an indented tree, the output at the
-- top and each node under the one it feeds: a backward node with the shape
-- of what its op produced (AddmmBackward0 → 64x10), a leaf as
-- "AccumulateGrad ← name shape" (names from params, as make_dot). A node
-- reached a second time is marked (see above) instead of repeated.
-- show_saved lists each node's saved tensors (┄ branches); show_grads adds
-- each leaf's .grad norm after backward(). ember's own (torchviz draws only
-- pictures); returns the lines as a list.
-- Example:
--   local torchviz = require "torchviz"
--   local a = torch.ones(2, {requires_grad = true})
--   #torchviz.print((a * 3):sum(), {params = {a = a}, file = false})  --> 4
function torchviz.print(var, opts)
  opts = PRINT:check(opts)
  local lines = tree_lines(roots_of(var, "torchviz.print"), opts, param_names(opts.params, "torchviz.print"))
  local out = opts.file
  if out == nil then out = io.stdout end
  if out then
    for _, l in ipairs(lines) do out:write(l, "\n") end
  end
  return lines
end

return torchviz
