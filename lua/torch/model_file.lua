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
-- and plain tables of those.
--
-- A file chooses the constructor arguments, so it chooses how much memory
-- rebuilding allocates. The tree is therefore built under a memory cap
-- derived from the weights the file holds (every stored value at 8 bytes,
-- plus room for the modules' Lua tables), through ember.budget, before any
-- weight is checked: a layer declared larger than the stored weights can
-- fill is refused at its allocation, never made. Shared tables (which ember
-- never writes) are refused, so a few nested entries cannot multiply into
-- 2^depth modules; child names go through Module:add_module, which refuses
-- the names PyTorch refuses. Not here: the file format (torch.save/load).
local torch = require "torch"
local core = require "torch.core"
local Module = require("torch.nn.module").Module

local M = {}

local FORMAT, VERSION = "ember.model", 1
local MAX_DEPTH = 100
-- the memory cap while rebuilding: bytes per stored weight value (the widest
-- dtype a module may hold it in), per module (its Lua tables, generously),
-- and for everything else a load allocates on the way
local BYTES_PER_VALUE, BYTES_PER_MODULE, BYTES_BASE = 8, 64 * 1024, 32 * 1024 * 1024

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

-- The error text without a "file:line: " prefix Lua added.
local function plain(err)
  return (tostring(err):gsub("^[^:\n]+%.lua:%d+: ", ""))
end

local function is_memory_error(msg)
  msg = tostring(msg)
  return msg:find("memory budget of", 1, true) ~= nil or msg:find("not enough memory", 1, true) ~= nil
end

-- Every table of the architecture is visited once: a table met again is a
-- shared one, which ember never writes and which would multiply the work.
local function visit(ctx, t, where)
  if ctx.seen[t] then
    error(where .. ": the same entry appears twice in the architecture (a model file is a tree; ember never " ..
      "writes shared entries)", 0)
  end
  ctx.seen[t] = true
end

local function decode_value(v, where, depth, ctx)
  if depth > MAX_DEPTH then error(where .. ": nested too deeply", 0) end
  local t = type(v)
  if t == "number" or t == "string" or t == "boolean" or v == nil then return v end
  if t ~= "table" or torch.is_tensor(v) then error(where .. ": unexpected " .. t .. " in a constructor argument", 0) end
  visit(ctx, v, where)
  if v.__module__ ~= nil then return decode_module(v.__module__, where, depth + 1, ctx) end
  if v.__none__ == true then return torch.None end   -- written by encode_value (BatchNorm's momentum = None)
  if v.__dtype__ ~= nil then
    local dt = type(v.__dtype__) == "string" and rawget(torch, v.__dtype__)
    if not is_dtype(dt) then error(where .. ": unknown dtype " .. tostring(v.__dtype__), 0) end
    return dt
  end
  local out = {}
  for k, x in pairs(v) do
    if type(k) ~= "string" and math.type(k) ~= "integer" then error(where .. ": bad key " .. tostring(k), 0) end
    out[k] = decode_value(x, where .. "." .. tostring(k), depth + 1, ctx)
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

-- "Linear(30000, 30000)": a constructor call as the file declares it
local function call_text(name, list, nargs)
  local parts = {}
  for i = 1, math.min(nargs, 8) do
    local a = list[i]
    parts[i] = math.type(a) == "integer" and string.format("%d", a) or type(a) == "number" and string.format("%.6g", a)
      or type(a) == "string" and string.format("%q", a) or tostring(a) == "nil" and "nil"
      or Module.is_module(a) and a:class_name() or type(a)
  end
  if nargs > 8 then parts[#parts + 1] = "..." end
  return name .. "(" .. table.concat(parts, ", ") .. ")"
end

-- The refusal when the cap (not the user's own budget) stopped an allocation.
local function too_big(ctx, where, what)
  return string.format("%s: %s declares more memory than the file's weights hold (%d values stored; at most " ..
    "%.1f MB may be allocated to rebuild the model): refused before allocating it; the architecture does not " ..
    "match the weights (a damaged or crafted file)", where, what, ctx.values, ctx.allowance / 1048576)
end

function decode_module(spec, where, depth, ctx)
  if depth > MAX_DEPTH then error(where .. ": modules nested too deeply", 0) end
  if type(spec) ~= "table" then error(where .. ": a module entry is not a table", 0) end
  visit(ctx, spec, where)
  local name = field(spec, "class", "string", where)
  local cls = Module.registered_class(name)
  if not cls then
    error(string.format("%s: the file needs module class '%s', which is not registered; define it " ..
      "(nn.Module:extend(\"%s\")) or load the file that defines it before torch.load", where, name, name), 0)
  end
  local nargs = field(spec, "nargs", "number", where)
  if math.type(nargs) ~= "integer" or nargs < 0 or nargs > 64 then error(where .. ": bad argument count", 0) end
  local args = field(spec, "args", "table", where)
  visit(ctx, args, where)
  local list = {}
  for i = 1, nargs do
    list[i] = decode_value(args[tostring(i)], string.format("%s (%s) argument %d", where, name, i), depth, ctx)
  end
  local ok, m = pcall(cls, table.unpack(list, 1, nargs))
  if not ok then
    if ctx.capped and is_memory_error(m) then error(too_big(ctx, where, call_text(name, list, nargs)), 0) end
    error(string.format("%s: rebuilding %s failed: %s", where, name, tostring(m)), 0)
  end
  -- children exactly as saved (a constructor's defaults may have been replaced)
  local saved = field(spec, "children", "table", where)
  visit(ctx, saved, where)
  local keep = {}
  for _, entry in ipairs(saved) do
    if type(entry) ~= "table" then error(where .. ": a child entry is not a table", 0) end
    visit(ctx, entry, where)
    local child_name = entry[1]
    if type(child_name) ~= "string" then error(where .. ": a child without a name", 0) end
    local child = decode_module(entry[2], where .. "." .. child_name, depth + 1, ctx)
    -- add_module refuses what PyTorch refuses: "", "a.b", "forward", "training", ...
    local added, aerr = pcall(m.add_module, m, child_name, child)
    if not added then error(string.format("%s: child %q: %s", where, child_name, plain(aerr)), 0) end
    keep[child_name] = true
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
        rawset(m, k, t == "table" and decode_value(v, where .. "." .. k, depth + 1, ctx) or v)
      end
    end
  end
  rawset(m, "training", spec.training ~= false)
  return m
end

-- Stored weight values (elements of the state dict's tensors) and module
-- entries (tables with a class name) in the file: what the cap is made of.
local function count(sd, arch)
  local values = 0
  for _, t in pairs(sd) do
    if torch.is_tensor(t) then values = values + t:numel() end
  end
  local modules, seen = 0, {}
  local function walk(t, depth)
    if depth > MAX_DEPTH * 4 or seen[t] then return end
    seen[t] = true
    if type(t.class) == "string" then modules = modules + 1 end
    for _, x in pairs(t) do
      if type(x) == "table" and not torch.is_tensor(x) then walk(x, depth + 1) end
    end
  end
  if type(arch) == "table" then walk(arch, 0) end
  return values, modules
end

-- Runs fn(...) with the memory budget lowered to what the file's weights
-- justify (kept when the user's own budget is lower), then restores it.
-- Without ember.budget (ember's Lua built as a module for stock Lua) there is
-- no budget to lower and fn runs as it is.
local function under_cap(sd, arch, fn, ...)
  local has_budget, budget = pcall(require, "ember.budget")
  local ctx = {seen = {}, capped = false, values = 0, allowance = 0}
  if not has_budget then return pcall(fn, ctx, ...) end
  local values, modules = count(sd, arch)
  ctx.values = values
  ctx.allowance = values * BYTES_PER_VALUE + modules * BYTES_PER_MODULE + BYTES_BASE
  local cap = core.memory_allocated() + budget.lua_bytes() + ctx.allowance
  local user = budget.get()
  ctx.capped = user == 0 or cap < user
  budget.set(ctx.capped and math.floor(cap) or user)
  local results = table.pack(pcall(fn, ctx, ...))
  budget.set(user)
  if not results[1] and ctx.capped and is_memory_error(results[2]) and not tostring(results[2]):find("declares") then
    results[2] = too_big(ctx, (...), "the architecture")
  end
  return table.unpack(results, 1, results.n)
end

--- torch.model_file.decode(v[, where]) -> model
-- Rebuilds the module tree of a whole-model dict from registered classes,
-- under a memory cap set by the weights the file holds (a layer declared
-- larger than they can fill is refused before it is allocated), loads its
-- state dict (strict) and sets each module's training mode.
function M.decode(v, where)
  where = where or "torch.load"
  if v.format_version ~= VERSION then
    error(string.format("%s: whole-model format version %s; this ember reads version %d", where,
      tostring(v.format_version), VERSION), 0)
  end
  local sd = v.state_dict
  if type(sd) ~= "table" or torch.is_tensor(sd) then error(where .. ": the file has no state_dict", 0) end
  local built, model = under_cap(sd, v.architecture, function(ctx, at)
    return decode_module(v.architecture, at, 0, ctx)
  end, where .. ": model")
  if not built then error(model, 0) end
  local ok, err = pcall(model.load_state_dict, model, sd)
  if not ok then error(where .. ": the weights do not fit the rebuilt model: " .. tostring(err), 0) end
  return model
end

return M
