-- ember.complete — what Tab offers in the REPL: globals and keywords, the
-- fields of a table (`torch.ra` -> rand, randint, randn, randperm), methods
-- through metatables (`model:sta` -> state_dict; tensor methods and
-- properties; a module's parameters and children), and file paths inside a
-- string (`torch.load("chec` -> "checkpoints/"). Completion only looks
-- values up (rawget and metatable chains); it never calls user code.
--
-- Not here: reading keys (src/app/readline.c) or printing the list.
local complete = {}

local keywords = {
  "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
  "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
}

-- Tensor fields served by the C __index besides the methods in torch.Tensor.
local tensor_properties = {
  "shape", "dtype", "device", "grad", "grad_fn", "requires_grad", "is_leaf", "data", "ndim", "T",
}

local function is_tensor(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__name") == "torch.Tensor"
end

-- Adds the string keys of table t (and of its __index chain) to `into`.
local function add_table_keys(t, into, seen, depth)
  if type(t) ~= "table" or seen[t] or depth > 16 then return end
  seen[t] = true
  for k in next, t do
    if type(k) == "string" then into[k] = true end
  end
  local mt = getmetatable(t)
  if type(mt) ~= "table" then return end
  local lazy = rawget(mt, "__lazy_names")    -- names that load on first use (torch.lazy)
  if type(lazy) == "table" then
    for _, k in ipairs(lazy) do if type(k) == "string" then into[k] = true end end
  end
  local class = rawget(mt, "__class")        -- nn.Module instances
  if class then add_table_keys(class, into, seen, depth + 1) end
  local index = rawget(mt, "__index")
  if type(index) == "table" then add_table_keys(index, into, seen, depth + 1) end
end

local function is_ordered_dict(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__name") == "torch.OrderedDict"
end

local ordered_dict_methods = {"keys", "values", "set", "remove", "contains", "len", "is_none"}

-- The keys of an OrderedDict (its own ordered __pairs) and its methods.
local function add_ordered_dict(d, into, with_methods)
  for k in pairs(d) do
    if type(k) == "string" then into[k] = true end
  end
  if with_methods then
    for _, m in ipairs(ordered_dict_methods) do into[m] = true end
  end
end

-- A module's parameters, buffers and children (kept in OrderedDicts).
local function add_module_members(v, into)
  for _, field in ipairs({"_parameters", "_buffers", "_modules"}) do
    local d = rawget(v, field)
    if is_ordered_dict(d) then add_ordered_dict(d, into, false) end
  end
end

-- The names reachable with `.` (all) or `:` (methods only) on v.
local function members(v, methods_only)
  local names = {}
  if is_tensor(v) then
    local torch = package.loaded.torch
    if torch and type(torch.Tensor) == "table" then add_table_keys(torch.Tensor, names, {}, 0) end
    if not methods_only then
      for _, p in ipairs(tensor_properties) do names[p] = true end
    end
  elseif is_ordered_dict(v) then
    add_ordered_dict(v, names, true)
  elseif type(v) == "table" then
    add_table_keys(v, names, {}, 0)
    add_module_members(v, names)
  elseif type(v) == "string" then
    add_table_keys(string, names, {}, 0)
  end
  local list = {}
  for k in pairs(names) do
    local ok, member
    if type(v) == "table" then ok, member = pcall(rawget, v, k) end
    if not k:match("^__") and k:match("^[%a_][%w_]*$") then
      if not methods_only or type(v) ~= "table" or member == nil or type(member) == "function" then
        list[#list + 1] = k
      end
    end
  end
  return list
end

-- Resolves a dotted path ("torch.nn") without calling anything but __index
-- functions of tensors (C, side-effect free) — nil if a step is missing.
local function resolve(env, path)
  local v = env
  for part in path:gmatch("[^%.:]+") do
    if type(v) == "table" then
      local ok, nxt = pcall(function() return v[part] end)
      if not ok then return nil end
      v = nxt
    elseif is_tensor(v) then
      local ok, nxt = pcall(function() return v[part] end)
      if not ok then return nil end
      v = nxt
    else
      return nil
    end
    if v == nil then return nil end
  end
  return v
end

local function sorted_matching(names, prefix, decorate)
  local out, seen = {}, {}
  for _, n in ipairs(names) do
    if n:sub(1, #prefix) == prefix and not seen[n] then
      seen[n] = true
      out[#out + 1] = decorate(n)
    end
  end
  table.sort(out)
  return out
end

-- Paths for a partial file name inside a string.
local function path_candidates(word)
  local sys = require "ember.sys"
  local dir, base = word:match("^(.*/)([^/]*)$")
  if not dir then dir, base = "", word end
  local listing = sys.listdir(dir == "" and "." or dir)
  if not listing then return {} end
  local out = {}
  for _, name in ipairs(listing) do
    if name:sub(1, #base) == base and (base:sub(1, 1) == "." or name:sub(1, 1) ~= ".") then
      local full = dir .. name
      local d = io.open(full .. "/.", "r")   -- a folder opens as "/.", a file does not
      if d then
        d:close()
        full = full .. "/"
      end
      out[#out + 1] = full
    end
  end
  table.sort(out)
  return out
end

-- True when the cursor is inside an unclosed string literal.
local function in_string(before)
  local quote = nil
  local i = 1
  while i <= #before do
    local c = before:sub(i, i)
    if quote then
      if c == "\\" then
        i = i + 1
      elseif c == quote then
        quote = nil
      end
    elseif c == '"' or c == "'" then
      quote = c
    elseif c == "-" and before:sub(i, i + 1) == "--" then
      return false
    end
    i = i + 1
  end
  return quote ~= nil
end

--- complete.candidates(env, before, word) -> list of replacements for word
-- before: the line up to the cursor; word: the text being completed (from
-- the last space, quote or bracket). Each candidate replaces word whole.
function complete.candidates(env, before, word)
  env = env or _G
  if in_string(before) then return path_candidates(word) end
  local base, sep, prefix = word:match("^(.*)([%.:])([%w_]*)$")
  if base then
    if base == "" then return {} end
    local v = resolve(env, base)
    if v == nil then return {} end
    local names = members(v, sep == ":")
    return sorted_matching(names, prefix, function(n) return base .. sep .. n end)
  end
  if not word:match("^[%a_][%w_]*$") and word ~= "" then return {} end
  local names = {}
  local seen = {}
  local t = env
  while type(t) == "table" and not seen[t] do    -- env, then what it inherits
    seen[t] = true
    for k in next, t do
      if type(k) == "string" and k:match("^[%a_][%w_]*$") then names[#names + 1] = k end
    end
    local mt = getmetatable(t)
    t = type(mt) == "table" and rawget(mt, "__index") or nil
  end
  for _, k in ipairs(keywords) do names[#names + 1] = k end
  return sorted_matching(names, word, function(n) return n end)
end

return complete
