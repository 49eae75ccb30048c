-- nn.Module — the base of every layer and model, as in PyTorch: parameters,
-- buffers and child modules registered in insertion order by plain
-- assignment (self.fc = nn.Linear(4, 2)), forward called through model(x),
-- train()/eval(), state_dict()/load_state_dict() with PyTorch's key names,
-- and print(model) showing the module tree.
--
-- Defining a model (the class helper):
--   local Net = nn.Module:extend("Net")
--   function Net:__init(hidden)
--     nn.Module.__init(self)            -- always first
--     self.fc1 = nn.Linear(784, hidden)
--     self.fc2 = nn.Linear(hidden, 10)
--   end
--   function Net:forward(x) return self.fc2(self.fc1(x):relu()) end
--   local model = Net(128)
local torch = require "torch"
local OrderedDict = require "torch.ordered_dict"
local options = require "torch.options"
local backward_hooks = require "torch.nn.backward_hooks"

local Parameter = {}
local is_param = setmetatable({}, {__mode = "k"})

--- nn.Parameter(t[, requires_grad = true]) -> tensor
-- Marks a tensor as a trainable parameter: a leaf sharing t's data, with
-- requires_grad on (unless false is given). Assigned to a module field
-- (self.w = nn.Parameter(...)) it is registered: it shows up in
-- parameters(), state_dict() and the optimizer. Prints as "Parameter containing:".
-- Example: self.scale = nn.Parameter(torch.ones(1))
function Parameter.new(t, requires_grad)
  if not torch.is_tensor(t) then error("nn.Parameter: expected a tensor, got " .. type(t), 2) end
  local p = t:detach()
  if requires_grad ~= false then p:requires_grad_(true) end
  is_param[p] = true
  return p
end

--- nn.is_parameter(v) -> boolean
-- True when v is a tensor made by nn.Parameter (or registered by a module).
function Parameter.is(v) return is_param[v] == true end

--- nn.Module: the base class of every layer and model
-- Subclass it with nn.Module:extend("Name"), call nn.Module.__init(self) first
-- in __init, assign layers and nn.Parameters to fields (they are registered
-- in order, with PyTorch's state-dict names), define forward, call model(x).
-- Example: local Net = nn.Module:extend("Net")
--   function Net:__init() nn.Module.__init(self); self.fc = nn.Linear(4, 2) end
--   function Net:forward(x) return self.fc(x):relu() end
--   local model = Net()
--   model(torch.randn(3, 4)):size()  --> torch.Size([3, 2])
local Module = {__name = "Module"}
Module.__index = Module

-- An entry's value is read straight from the OrderedDict's values table
-- (nil for an absent key, NONE for one holding None): no call per lookup,
-- and its own methods (len, keys, set, ...) are never entries, so
-- seq:len() stays Sequential's.
local VALS, NONE = OrderedDict._internals()

-- Instances look fields up in: their own table, _parameters, _buffers,
-- _modules, then the class chain (one function per class, which holds it).
local function instance_index_of(cls)
  return function(self, k)
    local p = rawget(self, "_parameters")
    if p then
      local v = p[VALS][k]
      if v ~= nil and v ~= NONE then return v end
      -- set with _parameters by Module.__init: plain reads, no metamethod
      v = self._buffers[VALS][k]
      if v ~= nil and v ~= NONE then return v end
      v = self._modules[VALS][k]
      if v ~= nil and v ~= NONE then return v end
    end
    if cls.__getitem and math.type(k) == "integer" then return cls.__getitem(self, k) end   -- seq[i]
    return cls[k]
  end
end

-- Assignments register parameters and modules, as PyTorch's __setattr__ does.
local function instance_newindex(self, k, v)
  local params = rawget(self, "_parameters")
  if not params then rawset(self, k, v) return end
  local cls = getmetatable(self).__class
  if math.type(k) == "integer" and cls.__setitem then return cls.__setitem(self, k, v) end   -- list[i] = m
  if Parameter.is(v) then
    self:register_parameter(k, v)
  elseif Module.is_module(v) then
    self:add_module(k, v)
  elseif params:contains(k) then
    if v ~= nil and not torch.is_tensor(v) then
      error(string.format("cannot assign a %s as parameter '%s' (nn.Parameter or nil required)", type(v), k), 2)
    end
    params:set(k, v)
  elseif rawget(self, "_buffers"):contains(k) then
    rawget(self, "_buffers"):set(k, v)
  elseif rawget(self, "_modules"):contains(k) then
    rawget(self, "_modules"):set(k, v)
  else
    rawset(self, k, v)
  end
end

local class_mts = setmetatable({}, {__mode = "k"})

--- Class:extend(name) -> a new class
-- Makes a subclass of nn.Module (or of any Module class): calling the class,
-- Class(...), creates an instance and runs its __init(...); methods not
-- defined on it are inherited. name is shown by print(model).
-- Example:
--   local Net = nn.Module:extend("Net")  -- then define Net:__init and Net:forward
function Module:extend(name)
  if type(name) ~= "string" or not name:match("^[%a_][%w_%.]*$") then
    error("extend: the class needs a name made of letters, digits, '_' and '.', got " .. tostring(name), 2)
  end
  local cls = setmetatable({}, {__index = self, __call = function(c, ...) return c:_new(...) end,
                                __tostring = function() return "class " .. name end})
  cls.__name = name
  cls.__super = self
  cls.__defined_at = {debug.getinfo(2, "Sl"), debug.getinfo(3, "Sl")}   -- for help(): the doc above it
  Module._registry[name] = cls
  return cls
end

-- Every class made by extend, by name: what a whole-model file may name
-- (torch.load rebuilds a model only from these, never from code in the file).
-- The latest class defined under a name wins, so re-running a script in the
-- REPL replaces its classes.
Module._registry = {}

--- nn.registered_class(name) -> class | nil
-- The module class registered under name: every built-in layer and every
-- class made by nn.Module:extend(name). torch.load uses it to rebuild a
-- whole model saved with torch.save(model, path).
function Module.registered_class(name)
  local cls = Module._registry[name]
  if cls == nil and type(name) == "string" then
    -- a built-in class whose family nn has not loaded yet (torch.lazy): load them all
    require("torch.lazy").load_all(require "torch.nn")
    cls = Module._registry[name]
  end
  return cls
end

-- When set (by nn.summary and the ONNX tracer, for the length of one
-- forward pass), every module call goes through hook(module, ...) instead of
-- straight to forward. Nested hooks are not supported: one tracer at a time.
Module._call_hook = nil
-- forward runs through layer_errors.forward: an error gets a first line
-- naming the layer (its path, class, the shapes it got and expected).
local layer_errors = require "torch.nn.layer_errors"
local function run_forward(m, ...)
  local hook = Module._call_hook
  if hook then return hook(m, ...) end
  -- full backward hooks wrap forward's tensor inputs and outputs (inside the forward hooks, as PyTorch)
  if backward_hooks.active[m] then return backward_hooks.call(m, layer_errors.forward, ...) end
  return layer_errors.forward(m, ...)
end
-- model(x): forward, through the module's forward hooks when it has any
-- (torch.nn.module_hooks; one rawget each when it has none).
local module_hooks = require "torch.nn.module_hooks"
local function call_module(m, ...)
  if rawget(m, "_forward_pre_hooks") or rawget(m, "_forward_hooks") then
    return module_hooks.call(m, run_forward, ...)
  end
  return run_forward(m, ...)
end
module_hooks.install(Module)

function Module:_new(...)
  local mt = class_mts[self]
  if not mt then
    mt = {__index = instance_index_of(self), __newindex = instance_newindex, __class = self, __name = self.__name,
          __call = call_module,
          __tostring = function(m) return m:_repr() end,
          __len = self.__len}   -- #list: the containers'
    class_mts[self] = mt
  end
  local obj = setmetatable({}, mt)
  rawset(obj, "_init_args", table.pack(...))   -- what torch.save(model) records to rebuild it
  obj:__init(...)
  if not rawget(obj, "_parameters") then
    error(self.__name .. ":__init must call nn.Module.__init(self) first", 2)
  end
  return obj
end

--- nn.Module.is_module(v) -> boolean
-- True when v is a Module instance (a layer or a model), not a class.
function Module.is_module(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__class ~= nil and rawget(v, "_modules") ~= nil
end

--- model:class() -> the class
-- The class an instance was made from: nn.Linear(2, 3):class() == nn.Linear.
function Module:class() return getmetatable(self).__class end

--- model:class_name() -> string
-- The name of the instance's class, e.g. "Linear" (Python's type(m).__name__).
function Module:class_name() return getmetatable(self).__class.__name end

--- nn.Module.__init(self)
-- Sets up an instance (parameters, buffers, children, training = true).
-- Every subclass's __init must call it first, before assigning fields
-- (Python's super().__init__()).
function Module:__init()
  rawset(self, "_parameters", OrderedDict())
  rawset(self, "_buffers", OrderedDict())
  rawset(self, "_non_persistent", {})
  rawset(self, "_modules", OrderedDict())
  rawset(self, "training", true)
end

--- model:forward(...) -> output
-- The computation of a module; subclasses define it. Call the module itself,
-- model(x), which calls forward. The base version raises an error.
function Module:forward()
  error(self:class_name() .. ": forward is not implemented (define " .. self:class_name() .. ":forward(x))", 2)
end

--- model:register_parameter(name, p)
-- Registers p (a tensor, made an nn.Parameter if it is not one, or nil) as
-- parameter `name`. Assigning self.name = nn.Parameter(t) does the same;
-- nil keeps the name with no value, as Linear's bias with {bias = false}.
function Module:register_parameter(name, p)
  if p ~= nil and not torch.is_tensor(p) then
    error("register_parameter: expected a tensor or nil for '" .. name .. "'", 2)
  end
  if p ~= nil and not Parameter.is(p) then p = Parameter.new(p) end
  rawget(self, "_parameters"):set(name, p)
end

local REGISTER_BUFFER = options.spec("register_buffer", "persistent")
--- model:register_buffer(name, t[, {persistent = true}])
-- Registers t (a tensor or nil) as buffer `name`, read as self.name: state
-- that is not trained (BatchNorm's running_mean). Saved in the state dict
-- unless persistent = false; converted by to().
-- Example: self:register_buffer("mask", torch.ones(4))
function Module:register_buffer(name, t, opts)
  opts = REGISTER_BUFFER:check(opts)
  rawget(self, "_buffers"):set(name, t)
  rawget(self, "_non_persistent")[name] = opts.persistent == false or nil
end

-- Whether m is root or one of root's descendants.
local function contains_module(root, m)
  if root == m then return true end
  for _, child in pairs(rawget(root, "_modules")) do
    if child and contains_module(child, m) then return true end
  end
  return false
end

--- model:add_module(name, m)
-- Registers module m (or nil) as child `name`; the same as self[name] = m,
-- for names that are not identifiers (nn.Sequential uses "0", "1", ...).
-- As PyTorch, a name must not be empty, contain "." or be an attribute the
-- module already has (forward, training, _modules, ...); and a module cannot
-- contain itself (every walk over the tree would never end).
function Module:add_module(name, m)
  if m ~= nil and not Module.is_module(m) then
    error("add_module: '" .. tostring(name) .. "' is not a Module subclass (got " .. type(m) .. ")", 2)
  end
  if math.type(name) == "integer" then name = tostring(name) end
  if type(name) ~= "string" then error("add_module: module name should be a string. Got " .. type(name), 2) end
  if name == "" then error('add_module: module name can\'t be empty string ""', 2) end
  if name:find(".", 1, true) then error('add_module: module name can\'t contain ".", got: ' .. name, 2) end
  local modules = rawget(self, "_modules")
  if not modules:contains(name) and (rawget(self, name) ~= nil or getmetatable(self).__class[name] ~= nil
      or rawget(self, "_parameters"):contains(name) or rawget(self, "_buffers"):contains(name)) then
    error("add_module: attribute '" .. name .. "' already exists", 2)
  end
  if m ~= nil and contains_module(m, self) then
    error("add_module: '" .. name .. "' would make the module contain itself (a cycle: every walk over the "
      .. "tree, parameters() and state_dict() included, would never end)", 2)
  end
  modules:set(name, m)
end

-- Depth-first walk: fn(module, prefix) for self and every descendant.
local function walk(m, prefix, fn)
  fn(m, prefix)
  for name, child in pairs(rawget(m, "_modules")) do
    if child then walk(child, prefix == "" and name or (prefix .. "." .. name), fn) end
  end
end

--- model:named_parameters([prefix]) -> list of {name, tensor}
-- Every parameter of the module and its descendants with its state-dict
-- name ("0.weight"), in PyTorch's order, each once even when shared. prefix
-- is put before every name.
-- Example:
--   for _, np in ipairs(model:named_parameters()) do print(np[1], np[2].shape) end
function Module:named_parameters(prefix)
  local out, seen = {}, {}
  walk(self, prefix or "", function(m, p)
    for name, t in pairs(rawget(m, "_parameters")) do
      if t and not seen[t] then
        seen[t] = true
        out[#out + 1] = {p == "" and name or (p .. "." .. name), t}
      end
    end
  end)
  return out
end

--- model:parameters() -> list of tensors
-- Every parameter of the module and its descendants, in named_parameters'
-- order: what an optimizer takes. A Lua list, not an iterator.
-- Example: local opt = optim.SGD(model:parameters(), {lr = 0.1})
function Module:parameters()
  local out = {}
  for i, np in ipairs(self:named_parameters()) do out[i] = np[2] end
  return out
end

--- model:named_buffers() -> list of {name, tensor}
-- Every buffer of the module and its descendants with its state-dict name
-- ("bn.running_mean"), non-persistent ones included.
function Module:named_buffers()
  local out = {}
  walk(self, "", function(m, p)
    for name, t in pairs(rawget(m, "_buffers")) do
      if t then out[#out + 1] = {p == "" and name or (p .. "." .. name), t} end
    end
  end)
  return out
end

--- model:buffers() -> list of tensors
-- The tensors of named_buffers(), in the same order.
function Module:buffers()
  local out = {}
  for i, nb in ipairs(self:named_buffers()) do out[i] = nb[2] end
  return out
end

--- model:named_children() -> list of {name, module}
-- The direct child modules with their names, in registration order.
function Module:named_children()
  local out = {}
  for name, m in pairs(rawget(self, "_modules")) do
    if m then out[#out + 1] = {name, m} end
  end
  return out
end

--- model:children() -> list of modules
-- The direct child modules, in registration order (not their descendants).
function Module:children()
  local out = {}
  for i, nc in ipairs(self:named_children()) do out[i] = nc[2] end
  return out
end

--- model:named_modules() -> list of {name, module}
-- The module itself (named "") and every descendant ("features.0"), depth
-- first, as PyTorch lists them.
function Module:named_modules()
  local out = {}
  walk(self, "", function(m, p) out[#out + 1] = {p, m} end)
  return out
end

--- model:modules() -> list of modules
-- The module itself and every descendant, depth first.
function Module:modules()
  local out = {}
  for i, nm in ipairs(self:named_modules()) do out[i] = nm[2] end
  return out
end

--- model:train([mode = true]) -> model
-- Sets .training = mode on the module and every descendant: Dropout drops
-- and BatchNorm uses batch statistics only in training mode. Returns the model.
function Module:train(mode)
  if mode == nil then mode = true end
  for _, m in ipairs(self:modules()) do rawset(m, "training", mode) end
  return self
end

--- model:eval() -> model
-- The same as model:train(false): evaluation mode for every descendant
-- (Dropout off, BatchNorm uses its running statistics). Not torch.no_grad.
function Module:eval() return self:train(false) end

local ZERO_GRAD = options.spec("zero_grad", "set_to_none")
--- model:zero_grad([{set_to_none = true}])
-- Clears every parameter's .grad: set to nil (PyTorch 2's default), or
-- zeroed in place with {set_to_none = false}. Gradients accumulate across
-- backward() calls until cleared.
function Module:zero_grad(opts)
  opts = ZERO_GRAD:check(opts)
  local to_none = opts.set_to_none ~= false
  for _, p in ipairs(self:parameters()) do
    if p.grad ~= nil then
      if to_none then p.grad = nil else p.grad:zero_() end
    end
  end
end

--- model:requires_grad_([on = true]) -> model
-- Turns gradient recording on or off for every parameter; false freezes
-- the module (e.g. a pretrained part). Returns the model.
function Module:requires_grad_(on)
  if on == nil then on = true end
  for _, p in ipairs(self:parameters()) do p:requires_grad_(on) end
  return self
end

--- model:apply(fn) -> model
-- Calls fn(m) for every descendant and then the module itself (children
-- first, PyTorch's order), e.g. to initialise weights.
-- Example:
--   model:apply(function(m)
--     if m:class() == nn.Linear then nn.init.zeros_(m.bias) end
--   end)
function Module:apply(fn)
  for _, child in ipairs(self:children()) do child:apply(fn) end
  fn(self)
  return self
end

-- A device may be named without existing (torch.device("cuda:1")); moving
-- to it is the error, raised here as Tensor:to raises it.
local function check_device(device) torch.empty(0):to(torch.device(device)) end

--- model:to(dtype | device | {dtype =, device =}) -> model
-- Converts the floating-point parameters, their grads and buffers in place
-- (integer buffers stay), keeping the same parameter objects, so an
-- optimizer made before stays valid. Devices: only "cpu" in a build
-- without CUDA; an unavailable device raises an error.
-- Example: model:to(torch.float64)
function Module:to(target)
  local dtype
  if type(target) == "table" and not torch.is_tensor(target) and getmetatable(target) == nil then
    dtype = target.dtype
    if target.device then check_device(target.device) end
  elseif type(target) == "string" and not pcall(torch.device, target) then
    dtype = target
  elseif tostring(target):match("^torch%.") then
    dtype = target
  else
    check_device(target)                    -- errors clearly for an unavailable device
  end
  if dtype then
    local dt = type(dtype) == "string" and rawget(torch, (dtype:gsub("^torch%.", ""))) or dtype
    if type(dtype) == "string" and getmetatable(dt) ~= getmetatable(torch.float32) then
      torch.device(dtype)                   -- neither a dtype nor a device: its error names both
    end
    if type(dt) ~= "userdata" or not dt.is_floating_point then
      error("nn.Module.to only accepts floating point dtypes, but got desired dtype=" .. tostring(dt or dtype), 2)
    end
  end
  local function convert(t, float_only)
    if not t or not dtype then return end
    if float_only and not t:is_floating_point() then return end
    local c = t:to(dtype)
    if c ~= t then t.data = c end
  end
  torch.no_grad(function()
    for _, m in ipairs(self:modules()) do
      for _, p in pairs(rawget(m, "_parameters")) do
        convert(p, true)
        if p and p.grad then convert(p.grad, true) end
      end
      for _, b in pairs(rawget(m, "_buffers")) do convert(b, true) end
    end
  end)
  return self
end

--- model:float() -> model
-- The same as model:to(torch.float32).
function Module:float() return self:to(torch.float32) end
--- model:double() -> model
-- The same as model:to(torch.float64), e.g. for gradcheck.
function Module:double() return self:to(torch.float64) end
--- model:half() -> model
-- The same as model:to(torch.float16): parameters stored in 16 bits, ops
-- computed in float32 and rounded.
function Module:half() return self:to(torch.float16) end
--- model:bfloat16() -> model
-- The same as model:to(torch.bfloat16).
function Module:bfloat16() return self:to(torch.bfloat16) end
--- model:cpu() -> model
-- The same as model:to("cpu").
function Module:cpu() return self:to("cpu") end

--- model:cuda([device]) -> model
-- Same as model:to(device or "cuda"): moves parameters and buffers in place.
-- Raises an error that says why when no CUDA device is available.
function Module:cuda(device) return self:to(device or "cuda") end

-- The module's own version for _metadata (BatchNorm overrides with 2).
Module._version = 1

local STATE_DICT = options.spec("state_dict", "prefix keep_vars", "destination")
--- model:state_dict([{prefix = "", keep_vars = false}]) -> OrderedDict
-- Every parameter and persistent buffer under PyTorch's keys
-- ("features.0.weight"), as detached tensors sharing the data (keep_vars:
-- the parameters themselves), plus _metadata. torch.save writes it so that
-- PyTorch's load_state_dict accepts it.
-- Example: torch.save(model:state_dict(), "model.pt")
function Module:state_dict(opts)
  opts = STATE_DICT:check(opts)
  local sd, meta = OrderedDict(), OrderedDict()
  local root = opts.prefix and opts.prefix:gsub("%.$", "") or ""
  walk(self, root, function(m, p)
    meta[p] = {version = m._version}
    local pre = p == "" and "" or (p .. ".")
    for name, t in pairs(rawget(m, "_parameters")) do
      if t then sd[pre .. name] = opts.keep_vars and t or t:detach() end
    end
    local np = rawget(m, "_non_persistent")
    for name, t in pairs(rawget(m, "_buffers")) do
      if t and not np[name] then sd[pre .. name] = opts.keep_vars and t or t:detach() end
    end
  end)
  sd._metadata = meta
  return sd
end

local function size_str(t)
  return "torch.Size([" .. table.concat(t:size(), ", ") .. "])"
end

-- Quoted, comma-joined keys as PyTorch lists them.
local function quoted(keys)
  local q = {}
  for i, k in ipairs(keys) do q[i] = '"' .. k .. '"' end
  return table.concat(q, ", ")
end

local LOAD_STATE_DICT = options.spec("load_state_dict", "strict", "assign")
--- model:load_state_dict(sd[, {strict = true}]) -> {missing_keys =, ...}
-- Copies the tensors of sd (a state dict, e.g. from torch.load) into the
-- parameters and buffers in place. Raises PyTorch's errors for missing and
-- unexpected keys (strict only) and for size mismatches (always). Returns
-- {missing_keys =, unexpected_keys =} (lists of names).
-- Example: model:load_state_dict(torch.load("model.pt"))
function Module:load_state_dict(sd, opts)
  opts = LOAD_STATE_DICT:check(opts)
  local strict = opts.strict ~= false
  if type(sd) ~= "table" then
    error("load_state_dict: Expected state_dict to be dict-like, got " .. type(sd) .. ".", 2)
  end
  local meta = rawget(sd, "_metadata")
  local missing, unexpected, errors = {}, {}, {}
  local own = {}
  walk(self, "", function(m, p)
    local pre = p == "" and "" or (p .. ".")
    local np = rawget(m, "_non_persistent")
    local function load_one(name, t, is_buffer)
      if not t or (is_buffer and np[name]) then return end
      local key = pre .. name
      own[key] = true
      local v = sd[key]
      if v == nil then
        local version = meta and meta[p] and meta[p].version
        if name == "num_batches_tracked" and (version == nil or version < 2) then return end
        missing[#missing + 1] = key
        return
      end
      if not torch.is_tensor(v) then
        errors[#errors + 1] = string.format('While copying the parameter named "%s", expected torch.Tensor or '
          .. "Tensor-like object from checkpoint but received %s", key, type(v))
        return
      end
      if t:dim() == 0 and v:dim() == 1 and v:numel() == 1 then v = v:reshape({}) end
      if tostring(v:size()) ~= tostring(t:size()) then
        errors[#errors + 1] = string.format("size mismatch for %s: copying a param with shape %s from checkpoint, "
          .. "the shape in current model is %s.", key, size_str(v), size_str(t))
        return
      end
      torch.no_grad(function() t:copy_(v) end)
    end
    for name, t in pairs(rawget(m, "_parameters")) do load_one(name, t, false) end
    for name, t in pairs(rawget(m, "_buffers")) do load_one(name, t, true) end
  end)
  local function each_key(fn)
    if OrderedDict.is(sd) then for k in pairs(sd) do fn(k) end
    else
      local keys = {}
      for k in pairs(sd) do if type(k) == "string" and k ~= "_metadata" then keys[#keys + 1] = k end end
      table.sort(keys)
      for _, k in ipairs(keys) do fn(k) end
    end
  end
  each_key(function(k) if not own[k] then unexpected[#unexpected + 1] = k end end)
  local msgs = {}
  if strict and #missing > 0 then msgs[#msgs + 1] = "Missing key(s) in state_dict: " .. quoted(missing) .. ". " end
  if strict and #unexpected > 0 then
    msgs[#msgs + 1] = "Unexpected key(s) in state_dict: " .. quoted(unexpected) .. ". "
  end
  for _, e in ipairs(errors) do msgs[#msgs + 1] = e end
  if #msgs > 0 then
    error("Error(s) in loading state_dict for " .. self:class_name() .. ":\n\t" .. table.concat(msgs, "\n\t"), 2)
  end
  return {missing_keys = missing, unexpected_keys = unexpected}
end

--- model:extra_repr() -> string
-- The text print(model) shows inside the module's parentheses, e.g.
-- "in_features=2, out_features=3, bias=True"; "" by default. Override it in
-- your own modules to show their settings.
function Module:extra_repr() return "" end

-- PyTorch's Module.__repr__: the extra_repr lines, then "(name): child"
-- lines (each child's own lines indented by 2); on one line when the only
-- line is a one-line extra_repr.
function Module:_repr()
  local lines, n_extra = {}, 0
  local extra = self:extra_repr()
  if extra ~= "" then
    for line in (extra .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = line end
    n_extra = #lines
  end
  for _, nc in ipairs(self:named_children()) do
    local sub = nc[2]:_repr():gsub("\n", "\n  ")
    lines[#lines + 1] = "(" .. nc[1] .. "): " .. sub
  end
  if #lines == 0 then return self:class_name() .. "()" end
  if #lines == 1 and n_extra == 1 then return self:class_name() .. "(" .. lines[1] .. ")" end
  return self:class_name() .. "(\n  " .. table.concat(lines, "\n  ") .. "\n)"
end

backward_hooks.install(Module)   -- model:register_full_backward_hook

return {Module = Module, Parameter = Parameter}
