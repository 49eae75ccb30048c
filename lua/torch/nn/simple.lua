-- Layers without parameters and the Sequential container: ReLU, Sigmoid,
-- Tanh, Softmax, LogSoftmax, Dropout, Flatten, Identity, MaxPool2d,
-- Sequential. Each is a few lines over a tensor op.
local torch = require "torch"
local Module = require("torch.nn.module").Module

local simple = {}

local function activation(name, fn)
  local A = Module:extend(name)
  function A:__init() Module.__init(self) end
  --- act:forward(x) -> Tensor
  -- The activation of x, elementwise, same shape; call the layer itself, act(x).
  A.forward = function(_, x) return fn(x) end
  simple[name] = A
end

--- nn.ReLU()
-- max(0, x) elementwise, as a layer (F.relu / x:relu() as functions).
-- Example: nn.ReLU()(torch.tensor{-1, 2})  --> tensor([0, 2])
activation("ReLU", function(x) return x:relu() end)

--- nn.Sigmoid()
-- 1 / (1 + e^-x) elementwise, as a layer (F.sigmoid / x:sigmoid()).
-- For a binary classifier's loss prefer nn.BCEWithLogitsLoss on the raw logits.
activation("Sigmoid", function(x) return x:sigmoid() end)

--- nn.Tanh()
-- tanh(x) elementwise, as a layer (F.tanh / x:tanh()).
activation("Tanh", function(x) return x:tanh() end)

--- nn.Identity()
-- Returns its input unchanged: a placeholder layer (e.g. to switch a layer off).
activation("Identity", function(x) return x end)

local function with_dim(name, fn)
  local A = Module:extend(name)
  function A:__init(dim)
    Module.__init(self)
    self.dim = dim
  end
  --- layer:forward(x) -> Tensor
  -- The function along self.dim (1-based), same shape as x; call layer(x).
  function A:forward(x)
    if self.dim == nil then error("nn." .. name .. ": give the dim explicitly, e.g. nn." .. name .. "(2)", 2) end
    return fn(x, self.dim)
  end
  --- layer:extra_repr() -> "dim=N"
  -- What print(layer) shows inside the parentheses.
  function A:extra_repr() return "dim=" .. tostring(self.dim) end
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

--- nn.Dropout([p = 0.5])
-- In training mode zeroes each element with probability p and scales the
-- rest by 1/(1-p), so the expected value stays; in eval mode (model:eval())
-- it returns its input. Draws from the global generator (torch.manual_seed).
local Dropout = Module:extend("Dropout")
function Dropout:__init(p)
  Module.__init(self)
  p = p or 0.5
  if type(p) ~= "number" or not (p >= 0 and p <= 1) then   -- NaN fails too
    error("nn.Dropout: dropout probability has to be between 0 and 1, but got " .. tostring(p), 3)
  end
  self.p = p
end
--- dropout:forward(x) -> Tensor
-- x with elements dropped when self.training; call dropout(x).
function Dropout:forward(x) return torch.dropout(x, self.p, self.training) end
--- dropout:extra_repr() -> "p=0.5, inplace=False"
function Dropout:extra_repr() return string.format("p=%s, inplace=False", tostring(self.p)) end
simple.Dropout = Dropout

--- nn.Flatten([start_dim = 2[, end_dim = -1]])
-- Merges dims start_dim..end_dim into one: (N, C, H, W) -> (N, C*H*W).
-- Dims are 1-based, so the default keeps the batch dim 1 (PyTorch's
-- start_dim=1).
-- Example: nn.Flatten()(torch.ones(2, 3, 4)):size()  --> torch.Size([2, 12])
local Flatten = Module:extend("Flatten")
function Flatten:__init(start_dim, end_dim)
  Module.__init(self)
  self.start_dim, self.end_dim = start_dim or 2, end_dim or -1
end
--- flatten:forward(x) -> Tensor
-- x:flatten(start_dim, end_dim); call flatten(x).
function Flatten:forward(x) return x:flatten(self.start_dim, self.end_dim) end
--- flatten:extra_repr() -> "start_dim=2, end_dim=-1"
function Flatten:extra_repr() return string.format("start_dim=%d, end_dim=%d", self.start_dim, self.end_dim) end
simple.Flatten = Flatten

--- nn.MaxPool2d(kernel_size[, stride = kernel_size[, padding = 0]])
-- The maximum of each kernel_size window of (N, C, H, W) input, moving by
-- stride: (N, C, H, W) -> (N, C, H', W'). Sizes are numbers or {h, w};
-- stride and padding may also come as an options table {stride =, padding =}.
-- Example:
--   nn.MaxPool2d(2)(torch.ones(1, 1, 4, 4)):size()  --> torch.Size([1, 1, 2, 2])
local MaxPool2d = Module:extend("MaxPool2d")
function MaxPool2d:__init(kernel_size, stride, padding)
  Module.__init(self)
  if type(stride) == "table" and stride[1] == nil then stride, padding = stride.stride, stride.padding end
  self.kernel_size, self.stride, self.padding = kernel_size, stride or kernel_size, padding or 0
end
--- pool:forward(x) -> Tensor
-- torch.max_pool2d(x, kernel_size, stride, padding); call pool(x).
function MaxPool2d:forward(x) return torch.max_pool2d(x, self.kernel_size, self.stride, self.padding) end
--- pool:extra_repr() -> "kernel_size=2, stride=2, padding=0, ..."
function MaxPool2d:extra_repr()
  local function s(v) return type(v) == "table" and ("(" .. v[1] .. ", " .. (v[2] or v[1]) .. ")") or tostring(v) end
  return string.format("kernel_size=%s, stride=%s, padding=%s, dilation=1, ceil_mode=False",
    s(self.kernel_size), s(self.stride), s(self.padding))
end
simple.MaxPool2d = MaxPool2d

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
--- seq:at(i) -> module
-- The i-th child, 1-based (the child named i-1); negative i counts from
-- the end (-1 is the last). PyTorch's seq[i - 1].
function Sequential:at(i)
  local children = self:children()
  if i < 0 then i = #children + i + 1 end
  return children[i]
end
simple.Sequential = Sequential

return simple
