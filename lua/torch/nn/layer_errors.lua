-- torch.nn.layer_errors — an error raised inside a module's forward, told by
-- the layer that raised it. The message gets a first line naming the module
-- by its path from the module the user called (model.features.0) and its
-- class with its settings, the shapes of what it was given and, where the
-- layer knows, what it expected:
--
--   train.lua:12: model.classifier (Linear(in_features=128, out_features=10, bias=True)): got 64x784, expected last dim 128 (in_features)
--   linear: input [64, 784] and weight [10, 128] do not fit: ...
--
-- The op's own message follows unchanged. A layer says what it expects with
-- a method _expected_input(...) (nil when the input is fine; see layers.lua,
-- normalization.lua, loss.lua). The innermost module adds the line once; the
-- modules around it pass the error on unchanged. Only string errors are
-- told (an error object stays as it is). Not here: the module machinery
-- (module.lua calls forward through this file's forward).
local torch = require "torch"

local M = {}

local stack = {}        -- the modules whose forward is running, outermost first (stack[1..top])
local top = 0           -- how many are running
local told = nil        -- the message last told, passed on unchanged by the outer modules
-- "64x784", "scalar", with the dtype when it is not float32.
local function describe(v)
  if torch.is_tensor(v) then
    local s = v.shape
    local text = #s > 0 and table.concat(s, "x") or "scalar"
    if v.dtype ~= torch.float32 then text = text .. " (" .. tostring(v.dtype):gsub("^torch%.", "") .. ")" end
    return text
  end
  return type(v)
end

-- The name of child among parent's descendants ("0", "features.0"), or nil.
local function child_name(parent, child)
  for _, nm in ipairs(parent:named_modules()) do
    if nm[2] == child and nm[1] ~= "" then return nm[1] end
  end
  return nil
end

-- The level (for debug.getinfo, counted from the caller of this function)
-- of the user's frame that called the outermost module, and the name that
-- frame called it by ("model"), found by walking up past the frames of
-- ember's Lua library.
local libdir = debug.getinfo(1, "S").source:match("^@(.*)/torch/nn/layer_errors%.lua$")
local function user_call()
  local outer
  for level = 2, 200 do
    local info = debug.getinfo(level, "f")
    if not info then break end
    -- every running module waits in M.forward (the failed one too: its
    -- message handler runs before the stack unwinds)
    if info.func == M.forward then outer = level end
  end
  if not outer or not libdir then return nil end
  for level = outer + 1, 200 do
    local info = debug.getinfo(level, "Sl")
    if not info then break end
    if info.what ~= "C" and info.source:sub(2, #libdir + 1) ~= libdir then
      return level, info, M._name_in_frame(level, stack[1])
    end
  end
  return nil
end

-- The name the user's frame at level (counted from this function's caller)
-- holds m by: a local, an upvalue of the function running there, or a
-- global; nil when none does (self.model(x): "model" is used). Lua's own
-- name of the called function is lost: call_module passes the call on as a
-- tail call.
function M._name_in_frame(level, m)
  level = level + 1
  for i = 1, 250 do
    local k, v = debug.getlocal(level, i)
    if not k then break end
    if v == m and k:match("^[%a_][%w_]*$") then return k end
  end
  local f = debug.getinfo(level, "f").func
  local env = _G
  for i = 1, 250 do
    local k, v = debug.getupvalue(f, i)
    if not k then break end
    if k == "_ENV" and type(v) == "table" then env = v
    elseif v == m then return k end
  end
  -- the chunk's globals (a lesson's environment, or _G)
  for k, v in pairs(env) do
    if v == m and type(k) == "string" then return k end
  end
  if env ~= _G then
    for k, v in pairs(_G) do
      if v == m and type(k) == "string" then return k end
    end
  end
  return nil
end

local function one_line(m)
  local ok, repr = pcall(m._repr, m)
  if ok and type(repr) == "string" and not repr:find("\n", 1, true) then return repr end
  return m:class_name()
end

-- The first line for an error raised by forward of stack[depth].
local function header(depth, ...)
  local m = stack[depth]
  local _, where, root = user_call()
  local path = {root or "model"}
  for i = 2, depth do
    local name = child_name(stack[i - 1], stack[i])
    path[#path + 1] = name or ("<" .. stack[i]:class_name() .. ">")
  end
  local got = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if torch.is_tensor(v) then got[#got + 1] = describe(v) end
  end
  local text = table.concat(path, ".") .. " (" .. one_line(m) .. "): got "
    .. (#got > 0 and table.concat(got, " and ") or "no tensor")
  local ok, expected = pcall(function(...) return m._expected_input and m:_expected_input(...) end, ...)
  if ok and type(expected) == "string" then text = text .. ", " .. expected end
  if where and where.currentline and where.currentline > 0 then
    text = where.short_src .. ":" .. where.currentline .. ": " .. text
  end
  return text
end

-- The first three arguments the innermost running M.forward was given
-- (its varargs, read from its frame while the message handler runs: no
-- per-call copy), for the error's "got" shapes.
local function innermost_args()
  for level = 3, 400 do
    local info = debug.getinfo(level, "f")
    if not info then return end
    if info.func == M.forward then
      local _, a1 = debug.getlocal(level, -1)
      local _, a2 = debug.getlocal(level, -2)
      local _, a3 = debug.getlocal(level, -3)
      return a1, a2, a3
    end
  end
end

-- The message handler of each module's protected forward: runs where the
-- error was raised, before the stack unwinds, so the modules entered
-- (stack[1..top]) and the innermost one's arguments are still there. A
-- string not told yet gets the first line of stack[top]; anything else
-- passes unchanged. (Lua calls no handler for a memory error: it passes on
-- untold.)
local function tell(err)
  if type(err) ~= "string" or err == told or top < 1 then return err end
  local fine, line = pcall(function() return header(top, innermost_args()) end)
  if not fine then return err end
  -- the op's message, without a position inside ember's own Lua files
  if libdir and err:sub(1, #libdir) == libdir then err = err:gsub("^[^:]*:%d+: ", "", 1) end
  err = line .. "\n" .. err
  told = err
  return err
end

-- After the forward at depth returned (ok and its results, or false and the
-- error already told by tell): pops it.
local function finish(depth, ok, ...)
  top = depth - 1
  stack[depth] = nil
  if depth == 1 then told = nil end
  if ok then return ... end
  error((...), 0)
end
M._finish = finish   -- named in a traceback as before

--- layer_errors.forward(m, ...) -> m:forward(...)'s results
-- Runs m:forward(...); an error it raises gets the layer's first line (once).
-- Every module's forward is protected (a forward that catches its child's
-- error with pcall sees the told message, as before); the arguments are not
-- copied: the handler reads them from this frame when an error happens.
function M.forward(m, ...)
  local depth = top + 1
  top = depth
  stack[depth] = m
  return finish(depth, xpcall(m.forward, tell, m, ...))
end

return M
