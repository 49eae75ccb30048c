-- ember.lesson.env — where lesson cells and exercises run: a fresh
-- environment per lesson (a table whose __index is _G, so torch, nn, optim,
-- F, data and plot are there, and what a cell defines stays in the lesson),
-- the check() function, capture of what print/io.write/io.stdout:write
-- print (for comparing with ```output), and running one cell with its
-- expected output and check. Not here: showing anything (runner.lua,
-- batch.lua) or deciding what runs next.
local compare = require "ember.lesson.compare"

local M = {}

M.default_tol = 1e-6
M.output_limit = 1 << 20          -- bytes of captured output kept per run

---------------------------------------------------------------------------
-- check(cond, msg), check.close(a, b, tol, msg), check.eq(a, b, msg),
-- lesson_file(name) (the path of lessons/assets/name)
---------------------------------------------------------------------------

-- A check failure is raised as a string (so any error handler shows it
-- sensibly) and recorded in state.failure, which tells it apart from an error.
local function fail(state, msg)
  state.failure = tostring(msg)
  error(state.failure, 0)
end

local function fmt(v)
  if math.type(v) == "float" then return string.format("%.6g", v) end
  return tostring(v)
end

local function to_tensor(v)
  if torch.is_tensor(v) then return v:detach():cpu():double() end
  if type(v) == "number" or type(v) == "table" then
    local ok, t = pcall(torch.tensor, v, {dtype = torch.float64})
    if ok then return t end
  end
  return nil
end

local function short_values(t)
  if t:numel() > 12 then return "" end
  local ok, list = pcall(function() return t:reshape(-1):tolist() end)
  if not ok then return "" end
  local parts = {}
  for i, x in ipairs(list) do parts[i] = fmt(x) end
  return " {" .. table.concat(parts, ", ") .. "}"
end

local function close(state, a, b, tol, msg)
  tol = tol or M.default_tol
  msg = msg or "values differ"
  if type(tol) ~= "number" then fail(state, msg .. " (check.close: tol must be a number)") end
  if type(a) == "number" and type(b) == "number" then
    local d = math.abs(a - b)
    if not (d <= tol) then
      fail(state, string.format("%s — expected %s ± %s, got %s", msg, fmt(b), fmt(tol), fmt(a)))
    end
    return true
  end
  if not (torch.is_tensor(a) or torch.is_tensor(b)) and
     not (type(a) == "table" and type(b) == "table") then
    fail(state, string.format("%s — expected %s ± %s, got %s", msg,
      type(b) == "number" and fmt(b) or type(b), fmt(tol), a == nil and "nil" or type(a)))
  end
  local ta, tb = to_tensor(a), to_tensor(b)
  if not ta then fail(state, msg .. " — got " .. (a == nil and "nil" or type(a)) .. ", expected a tensor") end
  if not tb then fail(state, msg .. " — check.close: the expected value is not numbers or a tensor") end
  if tb:dim() > 0 and tostring(ta:size()) ~= tostring(tb:size()) then
    fail(state, string.format("%s — expected shape %s, got shape %s", msg, tostring(tb:size()),
      tostring(ta:size())))
  end
  if ta:numel() == 0 then return true end
  local d = (ta - tb):abs():max():item()
  if not (d <= tol) then
    fail(state, string.format("%s — largest difference %s > tol %s (expected%s, got%s)", msg,
      fmt(d), fmt(tol), short_values(tb), short_values(ta)))
  end
  return true
end

--- M.make_check(state) -> the check object of one environment
function M.make_check(state)
  local check = {}
  setmetatable(check, {__call = function(_, cond, msg)
    if not cond then fail(state, msg or "a check failed") end
    return true
  end})
  check.close = function(a, b, tol, msg) return close(state, a, b, tol, msg) end
  check.eq = function(a, b, msg)
    if a ~= b then
      fail(state, string.format("%s — expected %s, got %s", msg or "values differ", fmt(b), fmt(a)))
    end
    return true
  end
  return check
end

--- M.new() -> env, state: a fresh lesson environment
function M.new()
  local state = {}
  local env = setmetatable({}, {__index = _G})
  env.check = M.make_check(state)
  -- lesson_file("x.pt"): a file shipped with the lessons (lessons/assets/),
  -- an absolute path, since cells run in a work or temporary folder
  env.lesson_file = function(name)
    return require("ember.lesson.fs").lessons_dir() .. "/assets/" .. name
  end
  return env, state
end

---------------------------------------------------------------------------
-- Output capture
---------------------------------------------------------------------------

local function num_or_string(v, i)
  local t = type(v)
  if t == "string" then return v end
  if t == "number" then
    return math.type(v) == "integer" and string.format("%d", v) or string.format("%.14g", v)
  end
  error(string.format("bad argument #%d to 'write' (string expected, got %s)", i, t), 3)
end

--- M.capture(fn, echo) -> results of fn (it is called unprotected), output
-- While fn runs, print, io.write and io.stdout:write go to a buffer (and
-- also to the real stdout when echo is true, or to echo(s) when it is a
-- function). Always restored, and the
-- caller's pcall sees any error; the output so far is in M.last_output.
function M.capture(fn, echo)
  local real_print, real_write, real_stdout = _G.print, io.write, io.stdout
  local buf, size = {}, 0
  local function emit(s)
    if size < M.output_limit then
      buf[#buf + 1] = s
      size = size + #s
    end
    if type(echo) == "function" then echo(s)     -- a writer (the runner wraps lines)
    elseif echo then real_stdout:write(s) end
  end
  local proxy = setmetatable({}, {
    __index = function(_, k)
      if k == "write" then
        return function(self, ...)
          for i = 1, select("#", ...) do emit(num_or_string(select(i, ...), i)) end
          return self
        end
      end
      local f = real_stdout[k]
      if type(f) == "function" then return function(_, ...) return f(real_stdout, ...) end end
      return f
    end,
    __tostring = function() return tostring(real_stdout) end,
    __name = "FILE*",
  })
  _G.print = function(...)
    local n = select("#", ...)
    local parts = {}
    for i = 1, n do parts[i] = tostring((select(i, ...))) end
    emit(table.concat(parts, "\t") .. "\n")
  end
  io.write = function(...)
    for i = 1, select("#", ...) do emit(num_or_string(select(i, ...), i)) end
    return proxy
  end
  io.stdout = proxy
  local res = table.pack(pcall(fn))
  _G.print, io.write, io.stdout = real_print, real_write, real_stdout
  if echo then real_stdout:flush() end
  M.last_output = table.concat(buf)
  if not res[1] then error(res[2], 0) end
  return table.unpack(res, 2, res.n)
end

---------------------------------------------------------------------------
-- Running code
---------------------------------------------------------------------------

-- A traceback that stops where the runner's own frames begin.
local function handler(msg)
  if type(msg) ~= "string" then
    local mt = getmetatable(msg)
    msg = (mt and mt.__tostring) and tostring(msg) or ("(error object is a " .. type(msg) .. " value)")
  end
  local hint = require("ember.interrupt").error_hint(msg)
  if hint then msg = msg .. "\n" .. hint end
  local tb = debug.traceback(msg, 2)
  local keep = {}
  for line in tb:gmatch("[^\n]+") do
    if line:find("ember/lesson/", 1, true) or line:find("in function 'xpcall'", 1, true) then break end
    keep[#keep + 1] = line
  end
  return table.concat(keep, "\n")
end

local function protected(fn, interruptible)
  if interruptible then
    local ok, repl = pcall(require, "ember.repl")
    if ok and type(repl) == "table" and repl.call then return repl.call(fn) end
  end
  return xpcall(fn, handler)
end

--- M.run_code(env, state, code, chunkname, opts) -> result
-- opts: echo (print output as it comes), interruptible (Ctrl-C stops it).
-- result: {ok, kind = "ok"|"syntax"|"error"|"check"|"interrupted", message,
--          output}
function M.run_code(env, state, code, chunkname, opts)
  opts = opts or {}
  local fn, err = load(code, chunkname, "t", env)
  if not fn then return {ok = false, kind = "syntax", message = err, output = ""} end
  state.failure = nil
  M.last_output = ""
  local ok, msg, interrupted
  local cap_ok, cap_err = pcall(M.capture, function()
    ok, msg, interrupted = protected(fn, opts.interruptible)
  end, opts.echo)
  local output = M.last_output or ""
  if not cap_ok then return {ok = false, kind = "error", message = tostring(cap_err), output = output} end
  if ok then return {ok = true, kind = "ok", output = output} end
  if state.failure then
    return {ok = false, kind = "check", message = state.failure, output = output}
  end
  if interrupted then
    return {ok = false, kind = "interrupted", message = "interrupted (Ctrl-C)", output = output}
  end
  return {ok = false, kind = "error", message = tostring(msg), output = output}
end

--- M.run_cell(env, state, cell, opts) -> result
-- Runs the cell, compares its output with cell.output (unless
-- opts.ignore_output), then runs cell.check. result: {ok, stage =
-- "run"|"output"|"check", kind, message, output, report, output_mismatch}.
function M.run_cell(env, state, cell, opts)
  opts = opts or {}
  local code = cell.edited or cell.code
  local r = M.run_code(env, state, code, "=" .. cell.id, opts)
  r.stage = "run"
  if not r.ok then return r end
  if cell.output then
    local same, report = compare.output(cell.output, r.output)
    if not same then
      r.report = report
      r.output_mismatch = true
      if not opts.ignore_output then
        r.ok, r.stage, r.kind = false, "output", "output"
        r.message = "the output differs from the expected output"
        return r
      end
    end
  end
  if cell.check then
    local c = M.run_code(env, state, cell.check, "=" .. cell.id .. " check", opts)
    if not c.ok then
      r.ok, r.stage, r.kind, r.message = false, "check", c.kind, c.message
      if c.kind == "check" then r.message = c.message end
      return r
    end
  end
  return r
end

return M
