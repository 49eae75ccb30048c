-- Layers without parameters and the Sequential container: ReLU, Sigmoid,
-- Tanh, Softmax, LogSoftmax, Dropout, Flatten, Identity, MaxPool2d,
-- Sequential. Each is a few lines over a tensor op.
local torch = require "torch"
local Module = require("torch.nn.module").Module

local simple = {}

local function activation(name, fn)
  local A = Module:extend(name)
  function A:__init() Module.__init(self) end
  A.forward = function(_, x) return fn(x) end
  simple[name] = A
end

activation("ReLU", function(x) return x:relu() end)
activation("Sigmoid", function(x) return x:sigmoid() end)
activation("Tanh", function(x) return x:tanh() end)
activation("Identity", function(x) return x end)

local function with_dim(name, fn)
  local A = Module:extend(name)
  function A:__init(dim)
    Module.__init(self)
    self.dim = dim
  end
  function A:forward(x)
    if self.dim == nil then error("nn." .. name .. ": give the dim explicitly, e.g. nn." .. name .. "(2)", 2) end
    return fn(x, self.dim)
  end
  function A:extra_repr() return "dim=" .. tostring(self.dim) end
  simple[name] = A
end

with_dim("Softmax", function(x, d) return torch.softmax(x, d) end)
with_dim("LogSoftmax", function(x, d) return torch.log_softmax(x, d) end)

--- nn.Dropout([p=0.5]): in training, zeroes each element with probability p
--- and scales the rest by 1/(1-p); does nothing in eval mode.
local Dropout = Module:extend("Dropout")
function Dropout:__init(p)
  Module.__init(self)
  p = p or 0.5
  if type(p) ~= "number" or p < 0 or p > 1 then
    error("nn.Dropout: dropout probability has to be between 0 and 1, but got " .. tostring(p), 3)
  end
  self.p = p
end
function Dropout:forward(x) return torch.dropout(x, self.p, self.training) end
function Dropout:extra_repr() return string.format("p=%s, inplace=False", tostring(self.p)) end
simple.Dropout = Dropout

--- nn.Flatten([start_dim=2[, end_dim=-1]]): (N, C, H, W) -> (N, C*H*W).
--- Dims are 1-based: the default keeps the batch dim 1.
local Flatten = Module:extend("Flatten")
function Flatten:__init(start_dim, end_dim)
  Module.__init(self)
  self.start_dim, self.end_dim = start_dim or 2, end_dim or -1
end
function Flatten:forward(x) return x:flatten(self.start_dim, self.end_dim) end
function Flatten:extra_repr() return string.format("start_dim=%d, end_dim=%d", self.start_dim, self.end_dim) end
simple.Flatten = Flatten

--- nn.MaxPool2d(kernel_size[, stride=kernel_size[, padding=0]])
local MaxPool2d = Module:extend("MaxPool2d")
function MaxPool2d:__init(kernel_size, stride, padding)
  Module.__init(self)
  if type(stride) == "table" and stride.stride == nil and stride[1] == nil then stride = nil end
  self.kernel_size, self.stride, self.padding = kernel_size, stride or kernel_size, padding or 0
end
function MaxPool2d:forward(x) return torch.max_pool2d(x, self.kernel_size, self.stride, self.padding) end
function MaxPool2d:extra_repr()
  local function s(v) return type(v) == "table" and ("(" .. v[1] .. ", " .. (v[2] or v[1]) .. ")") or tostring(v) end
  return string.format("kernel_size=%s, stride=%s, padding=%s, dilation=1, ceil_mode=False",
    s(self.kernel_size), s(self.stride), s(self.padding))
end
simple.MaxPool2d = MaxPool2d

--- nn.Sequential(m1, m2, ...): children named "0", "1", ...
--- as in PyTorch (state-dict keys must match: features.0.weight); forward
--- feeds each child's output to the next. seq:at(i) is the i-th module
--- (1-based); seq["0"] is the child named "0".
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
function Sequential:forward(x)
  for _, m in ipairs(self:children()) do x = m(x) end
  return x
end
--- append(m): adds m as the next child.
function Sequential:append(m)
  self:add_module(tostring(#self:children()), m)
  return self
end
function Sequential:len() return #self:children() end
--- at(i): the i-th child, 1-based (named i-1).
function Sequential:at(i)
  local children = self:children()
  if i < 0 then i = #children + i + 1 end
  return children[i]
end
simple.Sequential = Sequential

return simple
