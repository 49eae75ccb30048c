-- Layers without parameters and the Sequential container: ReLU, Sigmoid,
-- Tanh, Softmax, LogSoftmax, Softmin, Dropout, Flatten, Unflatten, Identity, MaxPool2d,
-- AvgPool2d, Sequential. Each is a few lines over a tensor op; their
-- options are declared once each (torch.nn.args), in PyTorch's order.
local torch = require "torch"
local Module = require("torch.nn.module").Module
local args = require "torch.nn.args"

local simple = {}

-- inplace = true would modify the input; ember's layers return a new tensor.
local function no_inplace(decl, o)
  if o.inplace ~= false then decl:error("inplace=%s is not implemented in ember (only inplace=false)", tostring(o.inplace)) end
end

local function activation(name, fn, params, pytorch_only)
  local A = Module:extend(name)
  local decl = args.declare("nn." .. name, params or {}, pytorch_only)
  function A:__init(...)
    Module.__init(self)
    local o = decl:parse(...)
    if o.inplace ~= nil then no_inplace(decl, o) end
  end
  --- act:forward(x) -> Tensor
  -- The activation of x, elementwise, same shape; call the layer itself, act(x).
  A.forward = function(_, x) return fn(x) end
  simple[name] = A
end

--- nn.ReLU([inplace = false])
-- max(0, x) elementwise, as a layer (F.relu / x:relu() as functions).
-- inplace = true is PyTorch's, not ember's (an error).
-- Example: nn.ReLU()(torch.tensor{-1, 2})  --> tensor([0, 2])
activation("ReLU", function(x) return x:relu() end, {{"inplace", false}})

-- The other activations are rows of the op table (src/core/op_table.h, its
-- nn column): nn.Sigmoid, nn.Tanh, ... each a layer over the op, its
-- constructor taking the op's parameters in PyTorch's order (nn.Softplus(beta,
-- threshold), nn.LeakyReLU(negative_slope, inplace)); help shows the op's
-- text. A parameter whose default is not a number (inplace=false,
-- approximate='none') is a PyTorch option of which ember implements only
-- that value: any other is an error, as the op's own binding says.
for _, row in ipairs(require("torch.core")._ops) do
  if row.nn and not simple[row.nn] then
    local params, names, fixed, shown = {}, {}, {}, {}
    for _, p in ipairs(row.param_list) do
      params[#params + 1] = {p.name, p.default}
      if p.fixed then
        fixed[#fixed + 1] = {p.name, p.default}
        -- PyTorch's repr shows a string option (approximate='none'), not inplace=False
        if type(p.default) == "string" then shown[#shown + 1] = p.name end
      else
        names[#names + 1] = p.name
        shown[#shown + 1] = p.name
      end
    end
    local A = Module:extend(row.nn)
    local decl = args.declare("nn." .. row.nn, params)
    local fn = row.fn
    function A:__init(...)
      Module.__init(self)
      local o = decl:parse(...)
      for _, f in ipairs(fixed) do
        local name, only = f[1], f[2]
        if o[name] ~= only then
          local function py(v) return type(v) == "string" and "'" .. v .. "'" or tostring(v) end
          decl:error("%s=%s is not implemented in ember (only %s=%s)", name, py(o[name]), name, py(only))
        end
        self[name] = only
      end
      for _, name in ipairs(names) do self[name] = o[name] end
    end
    --- act:forward(x) -> Tensor
    -- The op applied to x, elementwise, same shape; call the layer itself, act(x).
    A.forward = function(self, x)
      if #names == 0 then return fn(x) end
      if #names == 1 then return fn(x, self[names[1]]) end
      return fn(x, self[names[1]], self[names[2]])
    end
    if #shown > 0 then
      --- act:extra_repr() -> "name=value, ..."
      -- The layer's parameters as print(layer) shows them: Softplus(beta=1, threshold=20).
      function A:extra_repr()
        local parts = {}
        for _, name in ipairs(shown) do
          local v = self[name]
          parts[#parts + 1] = name .. "=" .. (type(v) == "string" and "'" .. v .. "'" or tostring(v))
        end
        return table.concat(parts, ", ")
      end
    end
    simple[row.nn] = A
  end
end

--- nn.Identity(...)
-- Returns its input unchanged: a placeholder layer (e.g. to switch a layer
-- off). As PyTorch's, it accepts any constructor arguments and ignores them
-- (so it can stand in for a layer without changing the call).
-- Example: nn.Identity(54, {unused = 0.1})(torch.ones(2)) --> tensor([1., 1.])
local Identity = Module:extend("Identity")
function Identity:__init() Module.__init(self) end
--- identity:forward(x) -> x
-- Its input, the same tensor; call identity(x).
function Identity:forward(x) return x end
simple.Identity = Identity

local function with_dim(name, fn)
  local A = Module:extend(name)
  local decl = args.declare("nn." .. name, {{"dim", args.NONE}})
  function A:__init(...)
    Module.__init(self)
    local o = decl:parse(...)
    if o.dim ~= nil and math.type(o.dim) ~= "integer" then decl:error("dim must be an integer, got %s", tostring(o.dim)) end
    self.dim = o.dim
  end
  --- layer:forward(x) -> Tensor
  -- The function along self.dim (1-based), same shape as x; call layer(x).
  function A:forward(x)
    if self.dim == nil then error("nn." .. name .. ": give the dim explicitly, e.g. nn." .. name .. "(2)", 2) end
    return fn(x, self.dim)
  end
  --- layer:extra_repr() -> "dim=N"
  -- What print(layer) shows inside the parentheses.
  function A:extra_repr() return "dim=" .. (self.dim == nil and "None" or tostring(self.dim)) end
  simple[name] = A
end

--- nn.Softmax(dim)
-- exp(x) / sum(exp(x)) along dim (1-based: rows of (N, C) logits are dim 2),
-- so each slice sums to 1. dim is required (PyTorch's implicit dim is deprecated).
-- Example: nn.Softmax(2)(torch.tensor{{1.0, 1.0}})  --> tensor([[0.5000, 0.5000]])
with_dim("Softmax", function(x, d) return torch.softmax(x, d) end)

--- nn.LogSoftmax(dim)
-- log(softmax(x)) along dim (1-based), computed stably; pair it with
-- nn.NLLLoss (or use nn.CrossEntropyLoss on the raw logits, which does both).
with_dim("LogSoftmax", function(x, d) return torch.log_softmax(x, d) end)

--- nn.Softmin(dim)
-- softmax(-x) along dim (1-based): exp(-x) / sum(exp(-x)), so each slice
-- sums to 1 and the smallest value gets the largest weight. F.softmin too.
-- Example: nn.Softmin(2)(torch.tensor{{0.0, 0.0}})  --> tensor([[0.5000, 0.5000]])
with_dim("Softmin", function(x, d) return torch.softmax(-x, d) end)

local DROPOUT = args.declare("nn.Dropout", {{"p", 0.5}, {"inplace", false}})

--- nn.Dropout([p = 0.5]) or nn.Dropout({p = 0.5})
-- In training mode zeroes each element with probability p and scales the
-- rest by 1/(1-p), so the expected value stays; in eval mode (model:eval())
-- it returns its input. Draws from the global generator (torch.manual_seed).
-- inplace = true is PyTorch's, not ember's (an error).
local Dropout = Module:extend("Dropout")
function Dropout:__init(...)
  Module.__init(self)
  local o = DROPOUT:parse(...)
  local p = o.p
  if type(p) ~= "number" or not (p >= 0 and p <= 1) then   -- NaN fails too
    DROPOUT:error("dropout probability has to be between 0 and 1, but got %s", tostring(p))
  end
  no_inplace(DROPOUT, o)
  self.p = p
end
--- dropout:forward(x) -> Tensor
-- x with elements dropped when self.training; call dropout(x).
function Dropout:forward(x) return torch.dropout(x, self.p, self.training) end
--- dropout:extra_repr() -> "p=0.5, inplace=False"
function Dropout:extra_repr() return string.format("p=%s, inplace=False", tostring(self.p)) end
simple.Dropout = Dropout

-- 1-based dims: start_dim 2 is PyTorch's start_dim=1 (the batch dim stays)
local FLATTEN = args.declare("nn.Flatten", {{"start_dim", 2}, {"end_dim", -1}})

--- nn.Flatten([start_dim = 2[, end_dim = -1]])
-- Merges dims start_dim..end_dim into one: (N, C, H, W) -> (N, C*H*W).
-- Dims are 1-based, so the default keeps the batch dim 1 (PyTorch's
-- start_dim=1). Also nn.Flatten({start_dim =, end_dim =}).
-- Example: nn.Flatten()(torch.ones(2, 3, 4)):size()  --> torch.Size([2, 12])
local Flatten = Module:extend("Flatten")
function Flatten:__init(...)
  Module.__init(self)
  local o = FLATTEN:parse(...)
  for _, k in ipairs({"start_dim", "end_dim"}) do
    if math.type(o[k]) ~= "integer" then FLATTEN:error("%s must be an integer, got %s", k, tostring(o[k])) end
  end
  self.start_dim, self.end_dim = o.start_dim, o.end_dim
end
--- flatten:forward(x) -> Tensor
-- x:flatten(start_dim, end_dim); call flatten(x).
function Flatten:forward(x) return x:flatten(self.start_dim, self.end_dim) end
--- flatten:extra_repr() -> "start_dim=2, end_dim=-1"
function Flatten:extra_repr() return string.format("start_dim=%d, end_dim=%d", self.start_dim, self.end_dim) end
simple.Flatten = Flatten

local UNFLATTEN = args.declare("nn.Unflatten", {})

--- nn.Unflatten(dim, unflattened_size)
-- Splits dim (1-based; negative counts from the end) into the sizes of
-- unflattened_size, a table whose product is that dim's size (one entry may
-- be -1: inferred): nn.Unflatten(2, {2, 3}) makes (N, 6) into (N, 2, 3).
-- The inverse of nn.Flatten.
-- Example: nn.Unflatten(2, {2, 3})(torch.ones(4, 6)):size()  --> torch.Size([4, 2, 3])
local Unflatten = Module:extend("Unflatten")
function Unflatten:__init(dim, unflattened_size, ...)
  Module.__init(self)
  UNFLATTEN:parse(...)
  if math.type(dim) ~= "integer" then UNFLATTEN:error("dim must be an integer, got %s", tostring(dim)) end
  local ok = type(unflattened_size) == "table" and getmetatable(unflattened_size) == nil and #unflattened_size > 0
  for _, v in ipairs(ok and unflattened_size or {}) do
    if math.type(v) ~= "integer" or (v < 0 and v ~= -1) then ok = false end
  end
  if not ok then
    UNFLATTEN:error("unflattened_size must be a table of integers such as {2, 3} (-1 for one inferred size), got %s",
      type(unflattened_size) == "table" and "a table" or tostring(unflattened_size))
  end
  self.dim = dim
  self.unflattened_size = {table.unpack(unflattened_size)}
end
--- unflatten:forward(x) -> Tensor
-- x with dim split into unflattened_size (a view where possible); call unflatten(x).
function Unflatten:forward(x)
  local n = x:dim()
  local d = self.dim < 0 and n + self.dim + 1 or self.dim
  if d < 1 or d > n then
    error(string.format("nn.Unflatten: dim %d is out of range for input of shape %s", self.dim,
      tostring(x:size())), 2)
  end
  local known, infer = 1, false
  for _, v in ipairs(self.unflattened_size) do
    if v == -1 then infer = true else known = known * v end
  end
  if (infer and (known == 0 or x:size(d) % known ~= 0)) or (not infer and known ~= x:size(d)) then
    error(string.format("nn.Unflatten: unflattened_size (%s) does not match dim %d of size %d (input shape %s)",
      table.concat(self.unflattened_size, ", "), self.dim, x:size(d), tostring(x:size())), 2)
  end
  local shape = {}
  for i = 1, d - 1 do shape[#shape + 1] = x:size(i) end
  for _, v in ipairs(self.unflattened_size) do shape[#shape + 1] = v end
  for i = d + 1, n do shape[#shape + 1] = x:size(i) end
  return x:reshape(shape)
end
--- unflatten:extra_repr() -> "dim=2, unflattened_size=(2, 3)"
function Unflatten:extra_repr()
  local s = self.unflattened_size
  return string.format("dim=%d, unflattened_size=(%s%s)", self.dim, table.concat(s, ", "), #s == 1 and "," or "")
end
simple.Unflatten = Unflatten

-- A pooling size as print(pool) shows it: 2, or (2, 3) for a table.
local function size_repr(v)
  if type(v) == "table" then return "(" .. tostring(v[1]) .. ", " .. tostring(v[2] or v[1]) .. ")" end
  return tostring(v)
end
local function py(v) return type(v) == "boolean" and (v and "True" or "False") or size_repr(v) end

-- Both poolings: the parameters after kernel_size in PyTorch's order;
-- stride None (the default) is the kernel size.
local MAXPOOL2D = args.declare("nn.MaxPool2d", {{"stride", args.NONE}, {"padding", 0}, {"dilation", 1},
  {"return_indices", false}, {"ceil_mode", false}})
local AVGPOOL2D = args.declare("nn.AvgPool2d", {{"stride", args.NONE}, {"padding", 0}, {"ceil_mode", false},
  {"count_include_pad", true}, {"divisor_override", args.NONE}})

local function pool_init(self, decl, kernel_size, ...)
  Module.__init(self)
  if kernel_size == nil then decl:error("kernel_size is required") end
  local o = decl:parse(...)
  for _, k in ipairs({"return_indices", "ceil_mode", "count_include_pad"}) do
    if o[k] ~= nil and type(o[k]) ~= "boolean" then decl:error("%s must be a boolean, got %s", k, tostring(o[k])) end
  end
  self.kernel_size = kernel_size
  if o.stride == nil or (type(o.stride) == "table" and #o.stride == 0) then o.stride = kernel_size end
  for _, k in ipairs(decl.names) do
    if k ~= "divisor_override" or o[k] ~= nil then self[k] = o[k] end
  end
end

--- nn.MaxPool2d(kernel_size[, stride[, padding[, dilation[, return_indices[, ceil_mode]]]]])
-- The maximum of each kernel_size window of (N, C, H, W) input, moving by
-- stride (default: kernel_size): (N, C, H, W) -> (N, C, H', W'). Sizes are
-- numbers or {h, w}; padding (0, at most half the kernel) counts as -inf;
-- dilation (1) spaces the window's taps; ceil_mode (false) rounds the
-- output size up, so a last partial window counts (it must start inside
-- the input or the left padding); return_indices (false) also returns the
-- flat position of each max in its plane. PyTorch's positional order, or
-- a trailing table: nn.MaxPool2d(2, {stride = 2, ceil_mode = true}).
-- Example:
--   nn.MaxPool2d(2)(torch.ones(1, 1, 4, 4)):size()  --> torch.Size([1, 1, 2, 2])
local MaxPool2d = Module:extend("MaxPool2d")
function MaxPool2d:__init(kernel_size, ...) pool_init(self, MAXPOOL2D, kernel_size, ...) end
--- pool:forward(x) -> Tensor[, indices]
-- torch.max_pool2d with the layer's options; call pool(x).
function MaxPool2d:forward(x)
  return torch.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
    self.return_indices)
end
--- pool:extra_repr() -> "kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False"
function MaxPool2d:extra_repr()
  return string.format("kernel_size=%s, stride=%s, padding=%s, dilation=%s, ceil_mode=%s", size_repr(self.kernel_size),
    size_repr(self.stride), size_repr(self.padding), size_repr(self.dilation), py(self.ceil_mode))
end
simple.MaxPool2d = MaxPool2d

--- nn.AvgPool2d(kernel_size[, stride[, padding[, ceil_mode[, count_include_pad[, divisor_override]]]]])
-- The mean of each kernel_size window of (N, C, H, W) input, moving by
-- stride (default: kernel_size). padding (0, at most half the kernel) adds
-- zeros, counted in the mean unless count_include_pad = false; ceil_mode
-- as nn.MaxPool2d; divisor_override divides every sum by that number.
-- Options positionally in PyTorch's order or as a trailing table.
-- Example:
--   nn.AvgPool2d(2)(torch.ones(1, 1, 4, 4)):size()  --> torch.Size([1, 1, 2, 2])
local AvgPool2d = Module:extend("AvgPool2d")
function AvgPool2d:__init(kernel_size, ...) pool_init(self, AVGPOOL2D, kernel_size, ...) end
--- pool:forward(x) -> Tensor
-- torch.avg_pool2d with the layer's options; call pool(x).
function AvgPool2d:forward(x)
  return torch.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
    self.divisor_override)
end
--- pool:extra_repr() -> "kernel_size=2, stride=2, padding=0"
function AvgPool2d:extra_repr()
  return string.format("kernel_size=%s, stride=%s, padding=%s", size_repr(self.kernel_size), size_repr(self.stride),
    size_repr(self.padding))
end
simple.AvgPool2d = AvgPool2d

--- nn.Sequential(m1, m2, ...) or nn.Sequential{m1, m2, ...}
-- A container calling its modules in order, each output the next input.
-- Children are named "0", "1", ... as in PyTorch, so state-dict keys match
-- ("0.weight"). seq:at(i) is the i-th module (1-based); seq["0"] is the
-- child named "0".
-- Example:
--   local model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
local Sequential = Module:extend("Sequential")
function Sequential:__init(...)
  Module.__init(self)
  local mods = {...}
  if #mods == 1 and type(mods[1]) == "table" and not Module.is_module(mods[1]) then mods = mods[1] end
  for i, m in ipairs(mods) do
    if not Module.is_module(m) then
      error(string.format("nn.Sequential: argument %d is a %s, not a Module", i, type(m)), 3)
    end
    self:add_module(tostring(i - 1), m)
  end
end
--- seq:forward(x) -> output
-- Feeds x through every child in order; call seq(x).
function Sequential:forward(x)
  for _, m in ipairs(self:children()) do x = m(x) end
  return x
end
--- seq:append(m) -> seq
-- Adds module m as the last child (named by its 0-based position).
function Sequential:append(m)
  self:add_module(tostring(#self:children()), m)
  return self
end
--- seq:len() -> number of child modules
-- PyTorch's len(seq).
function Sequential:len() return #self:children() end
Sequential.__len = Sequential.len   -- #seq
--- seq:at(i) -> module
-- The i-th child, 1-based (the child named i-1); negative i counts from
-- the end (-1 is the last). PyTorch's seq[i - 1]; seq[i] is the same.
-- Position 0 and positions past either end are errors.
function Sequential:at(i)
  local children = self:children()
  if math.type(i) ~= "integer" then error("seq:at: expected an integer position, got " .. tostring(i), 2) end
  if i == 0 then
    error("positions in a Sequential are 1-based in ember: seq:at(1) (or seq[1]) is PyTorch's seq[0]", 2)
  end
  local j = i < 0 and #children + i + 1 or i
  if j < 1 or j > #children then
    error(string.format("seq:at(%d): index out of range (the Sequential holds %d modules)", i, #children), 2)
  end
  return children[j]
end
-- seq[i] with an integer: seq:at(i), except that past the end is nil (as in
-- a Lua list); seq[0] is the 1-based error. seq["0"] is the child named "0".
function Sequential:__getitem(i)
  local n = #self:children()
  if i ~= 0 and (i > n or i < -n) then return nil end
  return self:at(i)
end
simple.Sequential = Sequential

return simple
