-- ember.pretty — human-readable printing.
-- pretty.tensor(t) gives exactly what PyTorch 1.13 prints for print(t) (same number
-- formats, summarisation, wrapping and suffixes); set_printoptions keeps its options.
-- pretty.value(v) renders any Lua value for the REPL. Uses only the public tensor API;
-- output is for people, not a serialisation format (nothing here parses it back).
-- Strings are shown through torch.io.escape, the one escaping of text for the
-- terminal: a string loaded from a file cannot set the title or clear the screen.

local pretty = {}

local PROFILES = {
  default = {precision = 4, threshold = 1000, edgeitems = 3, linewidth = 80},
  short = {precision = 2, threshold = 1000, edgeitems = 2, linewidth = 80},
  full = {precision = 4, threshold = math.huge, edgeitems = 3, linewidth = 80},
}
local OPTION_NAMES = {"precision", "threshold", "edgeitems", "linewidth"}

-- sci_mode: nil = automatic, true/false = forced.
local opts = {precision = 4, threshold = 1000, edgeitems = 3, linewidth = 80, sci_mode = nil}

local GAP = setmetatable({}, {__name = "ember.pretty.GAP"}) -- marks elided elements

local function torch_module()
  return rawget(_G, "torch") or package.loaded.torch
end

local SET_PRINTOPTIONS = require("torch.options").spec("torch.set_printoptions",
  "precision threshold edgeitems linewidth sci_mode profile")
--- torch.set_printoptions{precision =, threshold =, edgeitems =, ...}
-- Sets how print(tensor) shows tensors, as PyTorch's set_printoptions (an
-- options table instead of keyword arguments). Options and defaults:
-- precision = 4, threshold = 1000, edgeitems = 3, linewidth = 80,
-- sci_mode = nil (automatic), profile = "default" | "short" | "full"
-- (applied first). As in PyTorch, sci_mode goes back to automatic unless given.
-- Example:
--   torch.set_printoptions{precision = 2}
--   print(torch.tensor{1/3})  --> tensor([0.33])
function pretty.set_printoptions(o)
  o = SET_PRINTOPTIONS:check(o)
  if o.profile ~= nil then
    local p = PROFILES[o.profile]
    if not p then
      error("set_printoptions: unknown profile '" .. tostring(o.profile)
        .. "' (expected default, short or full)", 2)
    end
    for k, v in pairs(p) do opts[k] = v end
  end
  for _, k in ipairs(OPTION_NAMES) do
    local v = o[k]
    if v ~= nil then
      if type(v) ~= "number" or v < 0 or (v ~= math.huge and math.floor(v) ~= v) then
        error("set_printoptions: " .. k .. " must be a non-negative integer, got "
          .. tostring(v), 2)
      end
      opts[k] = v
    end
  end
  if o.sci_mode ~= nil and type(o.sci_mode) ~= "boolean" then
    error("set_printoptions: sci_mode must be true, false or nil", 2)
  end
  opts.sci_mode = o.sci_mode
end

-- A copy of the current options.
function pretty.get_printoptions()
  local c = {}
  for k, v in pairs(opts) do c[k] = v end
  return c
end

---------------------------------------------------------------------------
-- Gathering the shown elements: nested Lua lists as tolist() gives them, with
-- GAP where summarisation leaves elements out. Only the edges are copied.

local function needs_cut(t, edge)
  for d = 1, t:dim() do
    if t:size(d) > 2 * edge then return true end
  end
  return false
end

local function gather(t, edge)
  if t:dim() == 0 or not needs_cut(t, edge) then return t:tolist() end
  local len, out = t:size(1), {}
  local function add(from, to)
    for i = from, to do out[#out + 1] = gather(t:select(1, i), edge) end
  end
  if t:dim() == 1 then -- len > 2 * edge here
    for _, v in ipairs(t:narrow(1, 1, edge):tolist()) do out[#out + 1] = v end
    out[#out + 1] = GAP
    for _, v in ipairs(t:narrow(1, len - edge + 1, edge):tolist()) do out[#out + 1] = v end
  elseif len > 2 * edge then
    add(1, edge)
    out[#out + 1] = GAP
    add(len - edge + 1, len)
  else
    add(1, len)
  end
  return out
end

local function each_value(data, fn)
  if type(data) ~= "table" then fn(data) return end
  for _, v in ipairs(data) do
    if v ~= GAP then each_value(v, fn) end
  end
end

---------------------------------------------------------------------------
-- Formatters: one per tensor, chosen from the shown values, as PyTorch's _Formatter.

local function is_finite(v) return v == v and v ~= math.huge and v ~= -math.huge end

local function nonfinite_str(v)
  if v ~= v then return "nan" end
  return v > 0 and "inf" or "-inf"
end

local function pad(s, width)
  if #s >= width then return s end
  return string.rep(" ", width - #s) .. s
end

local function plain_str(v)
  if type(v) == "boolean" then return v and "True" or "False" end
  local i = math.tointeger(v)
  if i then return string.format("%d", i) end
  return string.format("%.0f", v) -- an int dtype given back as floats: still whole numbers
end

local function int_formatter(data)
  local width = 1
  each_value(data, function(v) width = math.max(width, #plain_str(v)) end)
  return function(v) return pad(plain_str(v), width) end, width
end

local function float_formatter(data, o)
  local fixed_fmt, sci_fmt = "%." .. o.precision .. "f", "%." .. o.precision .. "e"
  local nonzero, lo, hi, int_mode = {}, math.huge, 0, true
  each_value(data, function(v)
    if v ~= 0 and is_finite(v) then
      nonzero[#nonzero + 1] = v
      local a = math.abs(v)
      lo, hi = math.min(lo, a), math.max(hi, a)
      if math.floor(v) ~= v then int_mode = false end
    end
  end)
  local sci, width = false, 1
  if #nonzero > 0 then
    local fmt, extra = fixed_fmt, 0
    if int_mode then
      sci = hi / lo > 1000 or hi > 1e8
      fmt, extra = sci and sci_fmt or "%.0f", sci and 0 or 1 -- room for the "."
    else
      sci = hi / lo > 1000 or hi > 1e8 or lo < 1e-4
      fmt = sci and sci_fmt or fixed_fmt
    end
    for _, v in ipairs(nonzero) do width = math.max(width, #string.format(fmt, v) + extra) end
    if o.sci_mode ~= nil then sci = o.sci_mode end -- forced; widths stay as measured
  end
  return function(v)
    local s
    if not is_finite(v) then s = nonfinite_str(v)
    elseif sci then s = string.format(sci_fmt, v)
    elseif int_mode then s = string.format("%.0f", v) .. "."
    else s = string.format(fixed_fmt, v) end
    return pad(s, width)
  end, width
end

---------------------------------------------------------------------------
-- Layout.

local function vector_str(list, indent, fmt, width, o)
  local per_line = math.max(1, math.floor((o.linewidth - indent) / (width + 2)))
  local lines, line = {}, {}
  for _, v in ipairs(list) do
    line[#line + 1] = (v == GAP) and " ..." or fmt(v)
    if #line == per_line then
      lines[#lines + 1] = table.concat(line, ", ")
      line = {}
    end
  end
  if #line > 0 then lines[#lines + 1] = table.concat(line, ", ") end
  return "[" .. table.concat(lines, ",\n" .. string.rep(" ", indent + 1)) .. "]"
end

local function body_str(data, dim, indent, fmt, width, o)
  if dim == 0 then return fmt(data) end
  if dim == 1 then return vector_str(data, indent, fmt, width, o) end
  local slices = {}
  for i, sub in ipairs(data) do
    slices[i] = (sub == GAP) and "..." or body_str(sub, dim - 1, indent + 1, fmt, width, o)
  end
  local sep = "," .. string.rep("\n", dim - 1) .. string.rep(" ", indent + 1)
  return "[" .. table.concat(slices, sep) .. "]"
end

local function add_suffixes(s, suffixes, indent, o)
  local parts = {s}
  local last_nl = s:match(".*()\n") -- position of the last newline, or nil
  -- PyTorch's len(s) - s.rfind("\n") + 1, counted with its 0-based rfind (-1 if none)
  local last_len = #s - (last_nl and last_nl - 1 or -1) + 1
  for _, suffix in ipairs(suffixes) do
    if last_len + #suffix + 2 > o.linewidth then
      parts[#parts + 1] = ",\n" .. string.rep(" ", indent) .. suffix
      last_len = indent + #suffix
    else
      parts[#parts + 1] = ", " .. suffix
      last_len = last_len + #suffix + 2
    end
  end
  parts[#parts + 1] = ")"
  return table.concat(parts)
end

local function size_tuple(t)
  local dims = {}
  for d = 1, t:dim() do dims[d] = tostring(t:size(d)) end
  if #dims == 1 then return "(" .. dims[1] .. ",)" end
  return "(" .. table.concat(dims, ", ") .. ")"
end

local function default_float_name()
  local torch = torch_module()
  if torch and torch.get_default_dtype then return tostring(torch.get_default_dtype()) end
  return "torch.float32"
end

local function is_float_dtype(name)
  return name:find("float", 1, true) ~= nil or name:find("half", 1, true) ~= nil
    or name:find("double", 1, true) ~= nil
end

-- The string PyTorch prints for a tensor: tensor([...], dtype=..., grad_fn=<...>).
function pretty.tensor(t)
  local o = opts
  local prefix, indent = "tensor(", 7
  local suffixes, body = {}, nil
  local dtype, default_float = tostring(t.dtype), default_float_name()
  local device = tostring(t.device)
  if device ~= "cpu" then suffixes[#suffixes + 1] = "device='" .. device .. "'" end
  if t:numel() == 0 then
    if t:dim() ~= 1 then suffixes[#suffixes + 1] = "size=" .. size_tuple(t) end
    if dtype ~= default_float then suffixes[#suffixes + 1] = "dtype=" .. dtype end
    body = "[]"
  else
    if dtype ~= default_float and dtype ~= "torch.int64" and dtype ~= "torch.bool" then
      suffixes[#suffixes + 1] = "dtype=" .. dtype
    end
    local plain = t.requires_grad and t:detach() or t
    local edge = (t:numel() > o.threshold) and o.edgeitems or math.huge
    local data = gather(plain, edge)
    local fmt, width
    if is_float_dtype(dtype) then fmt, width = float_formatter(data, o)
    else fmt, width = int_formatter(data) end
    body = body_str(data, t:dim(), indent, fmt, width, o)
  end
  if t.grad_fn ~= nil then
    suffixes[#suffixes + 1] = "grad_fn=<" .. t.grad_fn:name() .. ">"
  elseif t.requires_grad then
    suffixes[#suffixes + 1] = "requires_grad=True"
  end
  return add_suffixes(prefix .. body, suffixes, indent, o)
end

---------------------------------------------------------------------------
-- pretty.value: any Lua value, for the REPL.

local function is_tensor(v)
  local torch = torch_module()
  return torch ~= nil and torch.is_tensor ~= nil and torch.is_tensor(v)
end

local function key_order(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end

-- A string as a Lua literal with every control character, stray byte and
-- text-reordering code point escaped ("\27]0;x\7"): src/io/text.c.
local function quoted(s)
  return require("torch.core").io.escape(s, '"')
end

local function scalar_str(v)
  if type(v) == "string" then
    return quoted(v)
  elseif type(v) == "number" and v ~= v then
    return "nan"
  end
  return tostring(v)
end

local function is_ordered_dict(v)
  local od = package.loaded["torch.ordered_dict"]
  return od ~= nil and od.is(v)
end

local function is_tuple(v)
  local torch = torch_module()
  return torch ~= nil and torch.is_tuple ~= nil and torch.is_tuple(v)
end

-- What an OrderedDict's or a tuple's __tostring shows (OrderedDict([("k", v)]),
-- (a, b)), with strings quoted and escaped, at any depth; other values as
-- tostring shows them. active: the containers being shown (cycles).
local function container_str(x, active)
  if active[x] then return "<cycle>" end
  active[x] = true
  local function item(v)
    if type(v) == "string" then return quoted(v) end
    if type(v) == "number" and v ~= v then return "nan" end
    if is_ordered_dict(v) or is_tuple(v) then return container_str(v, active) end
    return tostring(v)
  end
  local parts = {}
  local s
  if is_ordered_dict(x) then
    for k, v in pairs(x) do parts[#parts + 1] = "(" .. quoted(tostring(k)) .. ", " .. item(v) .. ")" end
    s = "OrderedDict([" .. table.concat(parts, ", ") .. "])"
  else
    for i = 1, #x do parts[i] = item(x[i]) end
    s = "(" .. table.concat(parts, ", ") .. (#parts == 1 and ",)" or ")")
  end
  active[x] = nil
  return s
end

-- Renders v readably: tables as {1, 2, key = v} with sorted keys, nested up to
-- options.depth (default 3) levels, at most options.items (default 100) entries
-- each, cycles as <cycle>; tensors as pretty.tensor; OrderedDicts and tuples as
-- their own tostring shows them; other values with __tostring via tostring.
-- Every string, at any depth, is quoted and escaped.
function pretty.value(v, options)
  options = options or {}
  local max_depth, max_items, width = options.depth or 3, options.items or 100, 80
  local active = {}
  -- indent: the indentation of x's line; col: the column x starts at (for tensors)
  local function render(x, depth, indent, col)
    if is_tensor(x) then
      return (pretty.tensor(x):gsub("\n", "\n" .. string.rep(" ", col)))
    end
    if type(x) ~= "table" then return scalar_str(x) end
    if is_ordered_dict(x) or is_tuple(x) then return container_str(x, active) end
    local mt = getmetatable(x)
    if type(mt) == "table" and mt.__tostring then return tostring(x) end
    if active[x] then return "<cycle>" end
    if next(x) == nil then return "{}" end
    if depth >= max_depth then return "{...}" end
    active[x] = true
    local n, keys, items = #x, {}, {}
    for k in pairs(x) do
      if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
    end
    table.sort(keys, key_order)
    local inner = indent + 2
    for i = 1, n do
      if #items >= max_items then break end
      items[#items + 1] = render(x[i], depth + 1, inner, inner)
    end
    for _, k in ipairs(keys) do
      if #items >= max_items then break end
      local ks = (type(k) == "string" and k:match("^[%a_][%w_]*$")) and k
        or ("[" .. render(k, max_depth, inner, inner + 1) .. "]")
      items[#items + 1] = ks .. " = " .. render(x[k], depth + 1, inner, inner + #ks + 3)
    end
    if n + #keys > #items then items[#items + 1] = "..." end
    active[x] = nil
    local one_line = "{" .. table.concat(items, ", ") .. "}"
    if #one_line + indent <= width and not one_line:find("\n", 1, true) then return one_line end
    local pad_in = string.rep(" ", inner)
    return "{\n" .. pad_in .. table.concat(items, ",\n" .. pad_in) .. ",\n"
      .. string.rep(" ", indent) .. "}"
  end
  return render(v, 0, 0, 0)
end

return pretty
