-- ember.help — help(x) and `?x` in the REPL: the documentation of any
-- public function, class, method or module of torch, nn, optim, data and
-- plot, and a list of topics for help() alone.
--
-- Where the text comes from:
--   * Lua functions and classes: the comment block directly above their
--     definition in the source (`--- signature` then `-- text` lines), found
--     with debug.getinfo; classes record where they were made (__defined_at,
--     set by nn.Module:extend and optim.Optimizer.define).
--   * Functions written in C (torch.zeros, Tensor methods, ...): the tables in
--     lua/torch/doc/, looked up by qualified name ("torch.zeros", "Tensor.view").
-- Reading sources is ember.help_source, names ember.help_index, layout
-- ember.help_format. Not here: colours and the `?x` syntax (the REPL), the
-- texts themselves. Loaded on first use (ember.prelude installs a stub), so
-- startup stays fast.
local source = require "ember.help_source"
local format = require "ember.help_format"
local names = require "ember.help_index"

local help = {}

local WIDTH = format.WIDTH
local source_lines, block_above, doc_at = source.source_lines, source.block_above, source.doc_at
local file_header, assignment_doc = source.file_header, source.assignment_doc
local clip, summary, listing, columns = format.clip, format.summary, format.listing, format.columns
local is_public, get_index, normalise = names.is_public, names.get, names.normalise
local names_of, short_name = names.names_of, names.short_name
help.summary = summary

---------------------------------------------------------------------------
-- The C documentation tables (lua/torch/doc), loaded on first use
---------------------------------------------------------------------------

local cdocs
local function cdoc(name)
  cdocs = cdocs or require "torch.doc"
  return cdocs.get(name)
end

---------------------------------------------------------------------------
-- What a value is
---------------------------------------------------------------------------

local function torch_loaded() return package.loaded["torch"] end

local function is_tensor(v)
  local torch = torch_loaded()
  return torch and type(v) == "userdata" and torch.is_tensor(v)
end

local function is_module_instance(v)
  local m = package.loaded["torch.nn.module"]
  return m and m.Module.is_module(v)
end

-- A class: made by a class helper, or a table of methods that can be called.
local function is_class(v)
  if type(v) ~= "table" then return false end
  if rawget(v, "__defined_at") then return true end
  local mt = getmetatable(v)
  if rawget(v, "__index") == v or type(mt) == "table" and mt.__call then
    for k, f in pairs(v) do
      if is_public(k) and type(f) == "function" then return true end
    end
  end
  return false
end

-- The module name under which package.loaded holds table t.
local function loaded_name(t)
  local best
  for name, mod in pairs(package.loaded) do
    if rawequal(mod, t) and (not best or #name < #best) then best = name end
  end
  return best
end


local function mentions(text, word)
  return text ~= nil and word ~= nil and text:find("%f[%w_]" .. word:gsub("%p", "%%%0") .. "%f[^%w_]") ~= nil
end

---------------------------------------------------------------------------
-- Documentation of functions and classes
---------------------------------------------------------------------------


local function function_doc(f, hint)
  local info = debug.getinfo(f, "S")
  if info.what ~= "C" then
    local d = doc_at(info.source, info.linedefined)
    if d then return d end
  end
  if info.what ~= "C" then
    local names = names_of(f, hint)
    if #names == 0 and hint then names = {hint} end
    for _, n in ipairs(names) do
      local d = assignment_doc(info.source, short_name(n), info.linedefined)
      if d then return d end
    end
  end
  for _, name in ipairs(names_of(f, hint)) do
    local d = cdoc(normalise(name))
    if d then return d end
  end
  return nil
end

-- The class a table was made from and its parent, for the method lists.
local function parent_of(cls)
  local super = rawget(cls, "__super")
  if super then return super end
  local mt = getmetatable(cls)
  if type(mt) == "table" and type(mt.__index) == "table" and mt.__index ~= cls then return mt.__index end
  return nil
end

local function class_name(cls, hint)
  local n = rawget(cls, "__name")
  if type(n) == "string" then return n end
  local names = names_of(cls)
  if names[1] then return short_name(names[1]) end
  if hint then return short_name(hint) end
  -- the name its methods are defined with: `function Figure:draw()`
  for _, f in pairs(cls) do
    if type(f) == "function" then
      local info = debug.getinfo(f, "S")
      local lines = info.what ~= "C" and source_lines(info.source)
      local line = lines and lines[info.linedefined]
      local found = line and line:match("^%s*function%s+([%a_][%w_]*)[:.]")
      if found then return found end
    end
  end
  return nil
end

-- Any source line where one of cls's methods lives (for the search below).
local function class_source(cls)
  for _, f in pairs(cls) do
    if type(f) == "function" then
      local info = debug.getinfo(f, "S")
      if info.what ~= "C" then return info.source end
    end
  end
  return nil
end

local function class_doc(cls, hint)
  local name = class_name(cls, hint)
  local candidates = {}
  local at = rawget(cls, "__defined_at")
  if type(at) == "table" then
    for _, info in ipairs(at) do
      if type(info) == "table" then
        candidates[#candidates + 1] = {info.source, info.currentline}
      end
    end
    local info = at[1]
    if type(info) == "table" and (info.linedefined or 0) > 0 then
      candidates[#candidates + 1] = {info.source, info.linedefined}
    end
  end
  -- a base class without a helper: the line `local Name = ...` in its file
  local src = class_source(cls)
  local lines = src and source_lines(src)
  if lines and name then
    local pat = "^%s*local%s+" .. name:gsub("%p", "%%%0") .. "%s*="
    for i, line in ipairs(lines) do
      if line:match(pat) then candidates[#candidates + 1] = {src, i} break end
    end
  end
  local fallback
  for _, c in ipairs(candidates) do
    local d = doc_at(c[1], c[2])
    if d then
      if mentions(d:match("^[^\n]*"), name) then return d end
      fallback = fallback or d
    end
  end
  for _, ctor in ipairs({"new", "__init"}) do
    local f = rawget(cls, ctor)
    if type(f) == "function" then
      local d = function_doc(f)
      if d and mentions(d:match("^[^\n]*"), name) then return d end
    end
  end
  for _, n in ipairs(names_of(cls, hint)) do
    local d = cdoc(normalise(n))
    if d then return d end
  end
  -- a class whose constructor is a function of the same name (data.DataLoader)
  if not fallback and name then
    local idx = get_index()
    for _, n in ipairs(idx.order) do
      if short_name(n) == name and type(idx.values[n]) == "function" then return function_doc(idx.values[n], n) end
    end
  end
  return fallback
end

--- help.methods_table(v) -> table or nil
-- The table of methods of an instance: its metatable's __index table, or
-- the table of functions its __index function reaches through an upvalue.
local function methods_table(v)
  local mt = getmetatable(v)
  if type(mt) ~= "table" then return nil end
  local idx = rawget(mt, "__index")
  if type(idx) == "table" then return idx end
  if type(idx) == "function" then
    for i = 1, 64 do
      local name, up = debug.getupvalue(idx, i)
      if name == nil then break end
      if type(up) == "table" and name ~= "_ENV" and up ~= _G then
        local n, funcs = 0, 0
        for k, f in pairs(up) do
          n = n + 1
          if type(k) == "string" and type(f) == "function" then funcs = funcs + 1 end
        end
        if funcs > 0 and funcs >= n / 2 then return up end
      end
    end
    -- e.g. TensorDataset: the metatable itself holds the methods
    return mt
  end
  return nil
end
help.methods_table = methods_table

-- The public methods of a class table (own ones; inherited ones separately).
local function own_methods(t)
  local out = {}
  for k, f in pairs(t) do
    if is_public(k) and type(f) == "function" then out[#out + 1] = k end
  end
  table.sort(out)
  return out
end

---------------------------------------------------------------------------
-- Instances and other values
---------------------------------------------------------------------------

local USERDATA_DOCS = {
  ["torch.Tensor"] = "Tensor", ["torch.dtype"] = "torch.dtype", ["torch.device"] = "torch.device",
  ["torch.Generator"] = "torch.Generator", ["torch.Node"] = "torch.Node", ["torch.Size"] = "torch.Size",
  ["NoneType"] = "torch.None",
}

-- For an instance: the class (table) or doc name it belongs to, and a label.
local function class_of(v)
  if is_tensor(v) then return nil, "Tensor" end
  if is_module_instance(v) then return getmetatable(v).__class end
  local mt = getmetatable(v)
  if type(mt) ~= "table" then return nil end
  local name = rawget(mt, "__name")
  if type(name) == "string" and USERDATA_DOCS[name] then return nil, USERDATA_DOCS[name] end
  if is_class(mt) or rawget(mt, "__defined_at") then return mt end
  if type(name) == "string" then
    -- a class or constructor with that name (data.TensorDataset for a TensorDataset)
    local idx = get_index()
    if idx.values[name] ~= nil then return nil, name end
    for _, n in ipairs(idx.order) do
      if short_name(n) == name and type(idx.values[n]) == "function" then return nil, n end
    end
    return nil, name
  end
  return nil
end

---------------------------------------------------------------------------
-- help.doc(x): the documentation text of x, or nil
---------------------------------------------------------------------------

local resolve_name

local function namespace_doc(t, hint)
  local modname = loaded_name(t)
  if modname then
    local path = package.searchpath(modname, package.path)
    local d = path and file_header(path)
    if d then return d end
  end
  for _, n in ipairs(names_of(t, hint)) do
    local d = cdoc(normalise(n))
    if d then return d end
  end
  if hint then return cdoc(normalise(hint)) end
  return nil
end

local function value_doc(x, hint)
  local tx = type(x)
  if tx == "function" then return function_doc(x, hint) end
  if rawequal(x, help) or rawequal(x, rawget(_G, "help")) then return cdoc("help") end
  if tx == "table" then
    if is_class(x) then return class_doc(x, hint) end
    local cls, docname = class_of(x)
    if cls then return class_doc(cls) end
    if docname then
      local v = get_index().values[docname]
      if type(v) == "function" then return function_doc(v, docname) end
      if is_class(v) then return class_doc(v, docname) end
      return cdoc(normalise(docname))
    end
    return namespace_doc(x, hint)
  end
  if tx == "userdata" then
    local cls, docname = class_of(x)
    if cls then return class_doc(cls) end
    if docname then return cdoc(docname) end
    for _, n in ipairs(names_of(x, hint)) do
      local d = cdoc(normalise(n))
      if d then return d end
    end
  end
  return nil
end

--- help.doc(x) -> string or nil
-- The documentation of x: a function, a class, a module, an instance (a
-- tensor, a layer, an optimizer, ...) or a name such as "torch.zeros",
-- "Tensor.view", "nn.Linear", "x:sum" or a topic ("autograd"). nil when
-- there is none.
function help.doc(x)
  local ok, d = pcall(function()
    if type(x) == "string" then return (resolve_name(x)) end
    return value_doc(x)
  end)
  return ok and d or nil
end

---------------------------------------------------------------------------
-- Names typed as strings
---------------------------------------------------------------------------

local topics_cache
local function topics()
  topics_cache = topics_cache or require "torch.doc.topics"
  return topics_cache
end

local function find_topic(name)
  for _, t in ipairs(topics()) do
    if t.id == name then return t end
  end
  return nil
end

-- Walks a dotted path from _G: returns the value, and the canonical name
-- to look up when the path goes through a tensor or an instance.
local function walk_path(name)
  local parts = {}
  for p in name:gmatch("[^.]+") do parts[#parts + 1] = p end
  if #parts == 0 then return nil end
  local v = rawget(_G, parts[1])
  if v == nil and parts[1] == "Tensor" and torch_loaded() then v = torch_loaded().Tensor end
  for i = 2, #parts do
    if v == nil then return nil end
    if is_tensor(v) then
      return nil, "Tensor." .. table.concat(parts, ".", i)
    end
    local ok, nv = pcall(function() return v[parts[i]] end)
    if not ok then return nil end
    v = nv
  end
  return v
end

-- help.doc for a string: a topic, a documented name, or a path from _G.
-- Returns doc, and the value the name stands for (if any).
resolve_name = function(name)
  if find_topic(name) then return help.topic_text(name) end
  local n = normalise(name)
  local v, redirect = walk_path(n)
  if v == nil and not redirect then v = get_index().values[n] end
  local d = cdoc(n)
  if d then return d, v end
  if redirect then return cdoc(redirect) end
  if v ~= nil and type(v) ~= "string" and type(v) ~= "number" and type(v) ~= "boolean" then
    d = value_doc(v, n)
    if d then return d, v end
  end
  local idx = get_index()
  if v == nil then
    -- short names: "zeros", "view", "Linear", "relu"; a full text before an alias
    cdocs = cdocs or require "torch.doc"
    for _, prefix in ipairs({"Tensor.", "torch."}) do
      if type(cdocs.raw(prefix .. n)) == "string" then return cdoc(prefix .. n) end
    end
    for _, prefix in ipairs({"torch.", "Tensor.", "nn.", "nn.functional.", "optim.", "data.", "plot."}) do
      local full = prefix .. n
      d = cdoc(full)
      if d then return d end
      local value = idx.values[full]
      if value ~= nil then
        d = value_doc(value, full)
        if d then return d, value end
      end
    end
  end
  return nil, v
end


local function type_label(v)
  if is_tensor(v) then return "a tensor" end
  local mt = getmetatable(v)
  if type(mt) == "table" and type(rawget(mt, "__name")) == "string" then return "a " .. mt.__name end
  return "a " .. type(v)
end

-- The method section of a class page.
local function methods_section(cls, hint)
  local parts = {}
  local own = {}
  for _, k in ipairs(own_methods(cls)) do
    own[#own + 1] = {k, function_doc(cls[k], hint and (hint .. "." .. k))}
  end
  if #own > 0 then parts[#parts + 1] = "Methods:\n" .. listing(own) end
  local seen = {}
  for _, k in ipairs(own_methods(cls)) do seen[k] = true end
  local parent = parent_of(cls)
  local depth = 0
  while parent and depth < 8 do
    local inherited = {}
    for _, k in ipairs(own_methods(parent)) do
      if not seen[k] then
        seen[k] = true
        inherited[#inherited + 1] = k
      end
    end
    if #inherited > 0 then
      local pname = class_name(parent) or "parent"
      parts[#parts + 1] = "Inherited from " .. pname .. ":\n" .. columns(inherited)
    end
    parent = parent_of(parent)
    depth = depth + 1
  end
  return table.concat(parts, "\n\n")
end

local function tensor_methods_section()
  local torch = torch_loaded()
  if not torch then return "" end
  local names = {}
  for k, f in pairs(torch.Tensor) do
    if is_public(k) and type(f) == "function" then names[#names + 1] = k end
  end
  table.sort(names)
  return "Methods (help(\"Tensor.NAME\") for one):\n" .. columns(names)
end

-- The members of a namespace table, with summaries (or in columns when many).
local function members_section(t, prefix)
  local keys = {}
  for k in pairs(t) do if is_public(k) then keys[#keys + 1] = k end end
  table.sort(keys)
  if #keys == 0 then return "" end
  if #keys > 40 then return "Members:\n" .. columns(keys) end
  local entries = {}
  for _, k in ipairs(keys) do
    local v = t[k]
    local d
    if type(v) == "function" or type(v) == "table" or type(v) == "userdata" then
      d = value_doc(v, prefix and (prefix .. "." .. k))
    end
    if d == nil and (type(v) == "string" or type(v) == "number" or type(v) == "boolean") then
      d = string.format("%s", tostring(v))
    end
    entries[#entries + 1] = {k, d}
  end
  return "Members:\n" .. listing(entries)
end

---------------------------------------------------------------------------
-- Topics
---------------------------------------------------------------------------

--- help.topic_text(id) -> string or nil
-- The page of a topic: its title, introduction and the documented names it
-- covers, one line each.
function help.topic_text(id)
  local t = find_topic(id)
  if not t then return nil end
  local parts = {t.title, "", t.intro}
  local entries = {}
  for _, name in ipairs(t.names or {}) do
    entries[#entries + 1] = {name, (resolve_name(name))}
  end
  if #entries > 0 then parts[#parts + 1] = "\n" .. listing(entries) end
  parts[#parts + 1] = "\nhelp(\"NAME\") shows one of them in full."
  return table.concat(parts, "\n")
end

--- help.topics_text() -> string
-- The list of topics that help() prints.
function help.topics_text()
  local entries = {}
  for _, t in ipairs(topics()) do entries[#entries + 1] = {t.id, t.title} end
  local w = 0
  for _, e in ipairs(entries) do w = math.max(w, #e[1]) end
  local out = {
    "ember help: PyTorch's names in Lua. Ask about anything:",
    "  help(torch.zeros)   help(\"Tensor.view\")   help(nn.Linear)   help(x)",
    "  ?torch.zeros        (in the REPL)",
    "",
    "Topics (help(\"TOPIC\")):",
  }
  for _, e in ipairs(entries) do
    out[#out + 1] = "  " .. e[1] .. string.rep(" ", w - #e[1]) .. "  " .. e[2]
  end
  out[#out + 1] = ""
  out[#out + 1] = "Conventions: dims and positions are 1-based (x:sum(1), x[1]); index"
  out[#out + 1] = "tensors (argmax, labels) are 0-based as in PyTorch; keyword arguments"
  out[#out + 1] = "go in a trailing table: torch.zeros(2, 3, {dtype = torch.int64})."
  return table.concat(out, "\n")
end

---------------------------------------------------------------------------
-- help.text(x): the whole page that help(x) prints
---------------------------------------------------------------------------

-- Close matches for an unknown name.
local function suggestions(name)
  local idx = get_index()
  local needle = short_name(normalise(name)) or name
  needle = needle:lower()
  local found = {}
  if #needle >= 2 then
    for _, n in ipairs(idx.order) do
      if (short_name(n) or n):lower():find(needle, 1, true) and #found < 8 then found[#found + 1] = n end
    end
  end
  return found
end

local function unknown_text(x, name)
  if name then
    local out = {string.format("No help for %q.", name)}
    local s = suggestions(name)
    if #s > 0 then out[#out + 1] = "Did you mean: " .. table.concat(s, ", ") .. "?" end
    out[#out + 1] = "help() lists the topics."
    return table.concat(out, "\n")
  end
  local tx = type(x)
  if tx == "nil" then return "help(nil): the value is nil (a misspelt name?). help() lists the topics." end
  if tx == "number" or tx == "boolean" then
    return string.format("%s is a %s%s. help() lists the topics.", tostring(x),
      tx == "number" and (math.type(x) == "integer" and "Lua integer" or "Lua float") or "boolean",
      tx == "number" and " (a number, not a tensor)" or "")
  end
  if tx == "table" then
    local keys = {}
    for k in pairs(x) do keys[#keys + 1] = tostring(k) end
    table.sort(keys)
    local out = {"No documentation: " .. type_label(x) .. " with " .. #keys .. " field" ..
                 (#keys == 1 and "" or "s") .. (#keys > 0 and ":" or ".")}
    if #keys > 0 then
      local shown = {}
      for i = 1, math.min(#keys, 60) do shown[i] = keys[i] end
      out[#out + 1] = columns(shown)
      if #keys > 60 then out[#out + 1] = "  ... and " .. (#keys - 60) .. " more" end
    end
    local m = methods_table(x)
    if m and m ~= x then
      local ms = own_methods(m)
      if #ms > 0 then out[#out + 1] = "Methods:\n" .. columns(ms) end
    end
    return table.concat(out, "\n")
  end
  return "No documentation for " .. type_label(x) .. ". help() lists the topics."
end

-- "math.floor" for a function of Lua's standard library, else nil.
local function lua_standard_name(f)
  for _, lib in ipairs({"_G", "string", "table", "math", "io", "os", "coroutine", "utf8", "debug", "package"}) do
    local t = lib == "_G" and _G or rawget(_G, lib)
    if type(t) == "table" then
      for k, v in pairs(t) do
        if rawequal(v, f) and type(k) == "string" then return lib == "_G" and k or (lib .. "." .. k) end
      end
    end
  end
  return nil
end

local text_of   -- the page of a value (below); help.text guards it

--- help.text([x]) -> string
-- What help(x) prints: the documentation of x with, for a class, its methods
-- and, for a module, its members; a helpful message when there is none.
-- With no argument, the list of topics.
function help.text(...)
  local ok, text = pcall(text_of, select("#", ...), ...)
  if ok then return format.wrap(text, WIDTH) end
  return "help could not describe this value: " .. tostring(text)
end

text_of = function(n, ...)
  if n == 0 then return help.topics_text() end
  local x = ...
  if type(x) == "string" then
    local d, v = resolve_name(x)
    if not d then return unknown_text(nil, x) end
    if find_topic(x) then return d end
    local name = normalise(x)
    if name == "Tensor" then return d .. "\n\n" .. tensor_methods_section() end
    if type(v) == "table" and is_class(v) then
      local m = methods_section(v, name)
      return m ~= "" and (d .. "\n\n" .. m) or d
    end
    if type(v) == "table" and not getmetatable(v) then
      local m = members_section(v, name)
      return m ~= "" and (d .. "\n\n" .. m) or d
    end
    -- a name for a value without a doc of its own (a model, a tensor): its page
    if v ~= nil and type(v) ~= "function" and not cdoc(name) then return text_of(1, v) end
    return d
  end
  local d = value_doc(x)
  if is_tensor(x) then
    local head = string.format("This is a tensor: shape (%s), dtype %s%s.", table.concat(x:size(), ", "),
      tostring(x.dtype), x.requires_grad and ", requires_grad" or "")
    return head .. "\n\n" .. (d or "") .. "\n\n" .. tensor_methods_section()
  end
  if not d and type(x) == "table" and not is_class(x) and class_of(x) then
    local cls = class_of(x)
    local m = methods_section(cls)
    return "An instance of " .. (class_name(cls) or "a class") .. " (no documentation for the class yet)." ..
      (m ~= "" and ("\n\n" .. m) or "")
  end
  if not d then
    local std = type(x) == "function" and lua_standard_name(x)
    if std then
      return std .. " is part of Lua's standard library, not of torch: see\n" ..
        "https://www.lua.org/manual/5.4/manual.html#pdf-" .. std
    end
    if type(x) == "function" then
      local info = debug.getinfo(x, "S")
      return "No documentation for this function (defined at " ..
        (info.what == "C" and "C code" or (info.short_src .. ":" .. info.linedefined)) ..
        "). Add a `--- signature` comment block directly above its definition."
    end
    if type(x) == "table" and is_class(x) then
      local m = methods_section(x)
      return "No documentation for class " .. (class_name(x) or "?") ..
        " (add a `--- Name(args)` comment block above the line that makes it)." ..
        (m ~= "" and ("\n\n" .. m) or "")
    end
    return unknown_text(x)
  end
  if type(x) == "table" then
    if is_class(x) then
      local m = methods_section(x)
      return m ~= "" and (d .. "\n\n" .. m) or d
    end
    local cls, docname = class_of(x)
    local label = "An instance of " .. (cls and class_name(cls) or docname or "?") .. "."
    if cls then
      local m = methods_section(cls)
      return label .. "\n\n" .. d .. (m ~= "" and ("\n\n" .. m) or "")
    end
    if docname then
      local mt = methods_table(x)
      local ms = mt and own_methods(mt) or {}
      local entries = {}
      for _, k in ipairs(ms) do entries[#entries + 1] = {k, function_doc(mt[k])} end
      return label .. "\n\n" .. d .. (#entries > 0 and ("\n\nMethods:\n" .. listing(entries)) or "")
    end
    local m = members_section(x, names_of(x)[1])
    return m ~= "" and (d .. "\n\n" .. m) or d
  end
  if type(x) == "userdata" and not names_of(x)[1] then
    local mt = getmetatable(x)
    local name = type(mt) == "table" and rawget(mt, "__name")
    if name then return "An instance of " .. name .. ".\n\n" .. d end
  end
  if type(x) == "function" then
    local names = names_of(x)
    if #names > 1 then
      local nice = {}
      for i, n in ipairs(names) do nice[i] = normalise(n) end
      return d .. "\n\n" .. clip("Names of this function: " .. table.concat(nice, ", "), 4 * WIDTH)
    end
  end
  return d
end

setmetatable(help, {
  __call = function(_, ...)
    print(help.text(...))
  end,
})

return help
