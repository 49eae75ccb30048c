-- torch.model_file — saving a whole model (architecture and weights) and
-- rebuilding it, for torch.save(model, path) and torch.load(path).
--
-- PyTorch pickles the module object itself, so loading runs whatever the
-- file names. ember writes data only: a plain dict that real PyTorch also
-- loads (torch.load(path, weights_only=True) gives the dict),
--   {format = "ember.model", format_version = 1, ember_version = "0.1.0",
--    architecture = SPEC, state_dict = OrderedDict of tensors}
--   SPEC = {class = "Linear", nargs = 2, args = {["1"] = 784, ["2"] = 256},
--           attributes = {in_features = 784, ...}, training = true,
--           children = {{"0", SPEC}, {"1", SPEC}, ...}}
-- and rebuilds the tree by calling registered classes (nn.registered_class:
-- every built-in layer and every nn.Module:extend(name) class) with the
-- constructor arguments recorded when the model was made. A file naming a
-- class that is not registered is refused; nothing in the file is run.
-- Constructor arguments may be numbers, strings, booleans, dtypes, modules
-- and plain tables of those. Not here: the file format (torch.save/load).
local torch = require "torch"
local Module = require("torch.nn.module").Module

local M = {}

local FORMAT, VERSION = "ember.model", 1
local MAX_DEPTH = 100

local function is_dtype(v)
  if type(v) ~= "userdata" then return false end
  local name = tostring(v):match("^torch%.(%w+)$")
  return name ~= nil and rawequal(rawget(torch, name), v)
end

-- --- saving --------------------------------------------------------------------

local encode_module

-- A constructor argument as plain data; `where` names it in errors.
local function encode_value(v, where, depth)
  if depth > MAX_DEPTH then error(where .. ": nested too deeply", 0) end
  local t = type(v)
  if t == "number" or t == "string" or t == "boolean" then return v end
  if Module.is_module(v) then return {__module__ = encode_module(v, where, depth + 1)} end
  if is_dtype(v) then return {__dtype__ = tostring(v):match("^torch%.(%w+)$")} end
  if rawequal(v, torch.None) then return {__none__ = true} end   -- e.g. BatchNorm's momentum = None
  if t == "table" and getmetatable(v) == nil then
    local n = #v
    local out = {}
    if n > 0 then
      for i = 1, n do out[i] = encode_value(v[i], where .. "[" .. i .. "]", depth + 1) end
      for k in pairs(v) do
        if math.type(k) ~= "integer" or k < 1 or k > n then
          error(where .. ": a table mixing a list and other keys cannot be saved", 0)
        end
      end
      return out
    end
    for k, x in pairs(v) do
      if type(k) ~= "string" then error(where .. ": only string keys can be saved, found " .. tostring(k), 0) end
      out[k] = encode_value(x, where .. "." .. k, depth + 1)
    end
    return out
  end
  error(string.format("%s is a %s, which a model file cannot hold (numbers, strings, booleans, dtypes, " ..
    "modules and plain tables of those can be saved; save model:state_dict() instead)",
    where, torch.is_tensor(v) and "tensor" or t), 0)
end

-- Fields of the instance that are plain settings (Dropout's p, a layer's
-- sizes), restored after the constructor runs, so later changes survive.
local function plain_attributes(m)
  local out = {}
  for k, v in pairs(m) do
    if type(k) == "string" and k:sub(1, 1) ~= "_" and k ~= "training" then
      local t = type(v)
      if t == "number" or t == "string" or t == "boolean" then
        out[k] = v
      elseif t == "table" and getmetatable(v) == nil and #v > 0 then
        local ok = true
        for i, x in pairs(v) do
          if math.type(i) ~= "integer" or (type(x) ~= "number" and type(x) ~= "string") then ok = false end
        end
        if ok then out[k] = v end
      end
    end
  end
  return out
end

function encode_module(m, where, depth)
  if depth > MAX_DEPTH then error(where .. ": modules nested too deeply", 0) end
  local cls = m:class()
  local name = cls.__name
  if Module.registered_class(name) ~= cls then
    error(string.format("%s: class '%s' is not the class registered under that name (it was redefined " ..
      "after this model was made); a whole-model file could not be loaded back", where, name), 0)
  end
  local init = rawget(m, "_init_args") or {n = 0}
  local args = {}
  for i = 1, init.n do
    if init[i] ~= nil then
      args[tostring(i)] = encode_value(init[i], string.format("%s (%s) constructor argument %d", where, name, i),
        depth)
    end
  end
  local children = {}
  for _, nc in ipairs(m:named_children()) do
    children[#children + 1] = {nc[1], encode_module(nc[2], where .. "." .. nc[1], depth + 1)}
  end
  return {class = name, nargs = init.n, args = args, attributes = plain_attributes(m),
          training = m.training, children = children}
end

--- torch.model_file.encode(model) -> table
-- The whole-model dict torch.save(model, path) writes: format marker,
-- architecture (classes, constructor arguments, plain attributes, children)
-- and the state dict. Raises an error naming any constructor argument that
-- is not plain data (a function, a tensor, ...).
function M.encode(model)
  local arch = encode_module(model, "torch.save: model", 0)
  return torch.dict{{"format", FORMAT}, {"format_version", VERSION}, {"ember_version", torch.__version__},
                    {"architecture", arch}, {"state_dict", model:state_dict()}}
end

-- --- loading ---------------------------------------------------------------------

--- torch.model_file.is_model_file(v) -> boolean
-- True when v (what torch.load read) is a whole-model dict.
function M.is_model_file(v)
  return type(v) == "table" and not torch.is_tensor(v) and v.format == FORMAT
end

local decode_module

local function decode_value(v, where, depth)
  if depth > MAX_DEPTH then error(where .. ": nested too deeply", 0) end
  local t = type(v)
  if t == "number" or t == "string" or t == "boolean" or v == nil then return v end
  if t ~= "table" or torch.is_tensor(v) then error(where .. ": unexpected " .. t .. " in a constructor argument", 0) end
  if v.__module__ ~= nil then return decode_module(v.__module__, where, depth + 1) end
  if v.__none__ == true then return torch.None end
  if v.__dtype__ ~= nil then
    local dt = type(v.__dtype__) == "string" and rawget(torch, v.__dtype__)
    if not is_dtype(dt) then error(where .. ": unknown dtype " .. tostring(v.__dtype__), 0) end
    return dt
  end
  local out = {}
  for k, x in pairs(v) do
    if type(k) ~= "string" and math.type(k) ~= "integer" then error(where .. ": bad key " .. tostring(k), 0) end
    out[k] = decode_value(x, where .. "." .. tostring(k), depth + 1)
  end
  return out
end

local function field(spec, key, kind, where)
  local v = spec[key]
  if type(v) ~= kind then
    error(string.format("%s: the architecture's '%s' should be a %s, got %s", where, key, kind, type(v)), 0)
  end
  return v
end

function decode_module(spec, where, depth)
  if depth > MAX_DEPTH then error(where .. ": modules nested too deeply", 0) end
  if type(spec) ~= "table" then error(where .. ": a module entry is not a table", 0) end
  local name = field(spec, "class", "string", where)
  local cls = Module.registered_class(name)
  if not cls then
    error(string.format("%s: the file needs module class '%s', which is not registered; define it " ..
      "(nn.Module:extend(\"%s\")) or load the file that defines it before torch.load", where, name, name), 0)
  end
  local nargs = field(spec, "nargs", "number", where)
  if math.type(nargs) ~= "integer" or nargs < 0 or nargs > 64 then error(where .. ": bad argument count", 0) end
  local args = field(spec, "args", "table", where)
  local list = {}
  for i = 1, nargs do
    list[i] = decode_value(args[tostring(i)], string.format("%s (%s) argument %d", where, name, i), depth)
  end
  local ok, m = pcall(cls, table.unpack(list, 1, nargs))
  if not ok then error(string.format("%s: rebuilding %s failed: %s", where, name, tostring(m)), 0) end
  -- children exactly as saved (a constructor's defaults may have been replaced)
  local saved = field(spec, "children", "table", where)
  local keep = {}
  for _, entry in ipairs(saved) do
    local child_name = type(entry) == "table" and entry[1]
    if type(child_name) ~= "string" then error(where .. ": a child without a name", 0) end
    keep[child_name] = true
    m:add_module(child_name, decode_module(entry[2], where .. "." .. child_name, depth + 1))
  end
  for _, nc in ipairs(m:named_children()) do
    if not keep[nc[1]] then rawget(m, "_modules"):set(nc[1], nil) end
  end
  local attrs = spec.attributes
  if type(attrs) == "table" then
    for k, v in pairs(attrs) do
      local t = type(v)
      if type(k) == "string" and k:sub(1, 1) ~= "_" and (t == "number" or t == "string" or t == "boolean"
          or (t == "table" and not torch.is_tensor(v))) and rawget(m, k) ~= nil then
        rawset(m, k, t == "table" and decode_value(v, where .. "." .. k, depth + 1) or v)
      end
    end
  end
  rawset(m, "training", spec.training ~= false)
  return m
end

--- torch.model_file.decode(v[, where]) -> model
-- Rebuilds the module tree of a whole-model dict from registered classes,
-- loads its state dict (strict) and sets each module's training mode.
function M.decode(v, where)
  where = where or "torch.load"
  if v.format_version ~= VERSION then
    error(string.format("%s: whole-model format version %s; this ember reads version %d", where,
      tostring(v.format_version), VERSION), 0)
  end
  local model = decode_module(v.architecture, where .. ": model", 0)
  local sd = v.state_dict
  if type(sd) ~= "table" then error(where .. ": the file has no state_dict", 0) end
  local ok, err = pcall(model.load_state_dict, model, sd)
  if not ok then error(where .. ": the weights do not fit the rebuilt model: " .. tostring(err), 0) end
  return model
end

return M
