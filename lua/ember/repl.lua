-- ember.repl — the interactive loop behind bare `ember` (and the lesson
-- runner's `r`): Lua 5.4's REPL rules (an expression is printed, unfinished
-- input continues on a `..` prompt, a trailing `;` hides the echo), results
-- printed with ember.pretty, `?x` / `x?` for help, `%time` to time every
-- statement, persistent history, tab completion (complete.lua), colours on a
-- terminal, and Ctrl-C that stops the running statement and returns here.
--
--   require("ember.repl").run{env = _G, prompt = "ember> ", banner = true}
--   ok, ... = require("ember.repl").call(fn, ...)   -- Ctrl-C-aware pcall
--
-- Not here: line editing (C, src/app/readline.c), signal handling (C,
-- src/app/interrupt.c), what help says (ember.help).
local rl = require "ember.readline"
local interrupt = require "ember.interrupt"
local sys = require "ember.sys"

local repl = {}

-- Colours: only on a terminal, never with NO_COLOR or TERM=dumb.
local function colours_on()
  local nc = os.getenv("NO_COLOR")
  return sys.isatty("stdout") and (nc == nil or nc == "") and os.getenv("TERM") ~= "dumb"
end

local palette = {prompt = "\27[1;32m", cont = "\27[32m", error = "\27[31m", dim = "\27[2m", reset = "\27[0m"}

local function painter(on)
  return function(kind, s)
    if not on then return s end
    return palette[kind] .. s .. palette.reset
  end
end

-- A prompt with its colour codes wrapped in \1..\2, so libedit does not count
-- them as visible characters.
local function prompt_str(paint_on, kind, text)
  if not paint_on then return text end
  return "\1" .. palette[kind] .. "\2" .. text .. "\1" .. palette.reset .. "\2"
end

---------------------------------------------------------------------------
-- History: one line per entry, appended as entered (several sessions at once
-- each add theirs), trimmed to the last `max_history` lines at start.
---------------------------------------------------------------------------
local max_history = 1000

function repl.history_path()
  local explicit = os.getenv("EMBER_HISTORY")
  if explicit and explicit ~= "" then return explicit end
  local state = os.getenv("XDG_STATE_HOME")
  if not state or state == "" then
    local home = os.getenv("HOME")
    if not home or home == "" then return nil end
    state = home .. "/.local/state"
  end
  return state .. "/ember/history"
end

local function make_parents(path)
  local dir = path:match("^(.*)/[^/]*$")
  if not dir or dir == "" then return end
  local sofar = dir:sub(1, 1) == "/" and "" or "."
  for part in dir:gmatch("[^/]+") do
    sofar = sofar .. "/" .. part
    sys.mkdir(sofar)
  end
end

local function load_history(path)
  local f = path and io.open(path, "r")
  if not f then return end
  local lines = {}
  for line in f:lines() do lines[#lines + 1] = line end
  f:close()
  local first = math.max(1, #lines - max_history + 1)
  for i = first, #lines do rl.add_history(lines[i]) end
  if first > 1 then                          -- trim the file
    local out = io.open(path, "w")
    if out then
      out:write(table.concat(lines, "\n", first), "\n")
      out:close()
    end
  end
end

local function history_appender(path)
  if not path then return function() end end
  make_parents(path)
  local last
  return function(line)
    if line:match("^%s*$") or line == last then return end
    last = line
    rl.add_history(line)
    local f = io.open(path, "a")
    if f then
      f:write(line, "\n")
      f:close()
    end
  end
end

---------------------------------------------------------------------------
-- Running code
---------------------------------------------------------------------------

--- repl.call(fn, ...) -> true, results... | false, message, interrupted
-- Runs fn with Ctrl-C armed: a press stops it (Lua code at the next
-- instruction, long kernels at their next poll) and call returns
-- false, "interrupted (Ctrl-C)", true. Errors come back with a short traceback.
function repl.call(fn, ...)
  return interrupt.call(fn, ...)
end

-- True when the chunk failed only because the input ended early.
local function incomplete(msg)
  return msg and msg:sub(-5) == "<eof>"
end

local function pack(...) return {n = select("#", ...), ...} end

local function print_results(results)
  local pretty = require "ember.pretty"
  local parts = {}
  for i = 2, results.n do
    local v = results[i]
    local ok, s = pcall(pretty.value, v)
    parts[#parts + 1] = ok and s or tostring(v)
  end
  if #parts > 0 then io.write(table.concat(parts, "\t"), "\n") end
  io.stdout:flush()
end

local function format_seconds(s)
  if s >= 1 then return string.format("%.3g s", s) end
  if s >= 1e-3 then return string.format("%.3g ms", s * 1e3) end
  return string.format("%.3g µs", s * 1e6)
end
repl.format_seconds = format_seconds

-- `?x`, `x?`, `??x` -> the expression x for help; nil when not a help line
local function help_target(line)
  local s = line:match("^%s*%?%??%s*(.-)%s*$")
  if s and line:match("^%s*%?") then return s end
  s = line:match("^%s*(.-)%s*%?%??%s*$")
  if s and s ~= "" and not s:find("[\"']") then return s end
  return nil
end

---------------------------------------------------------------------------
-- The loop
---------------------------------------------------------------------------

--- repl.run{env = table, prompt = "ember> ", banner = bool}
-- Reads, evaluates and prints until Ctrl-D (or end of input). Never raises:
-- errors in the user's code are printed and the loop goes on.
function repl.run(options)
  options = options or {}
  local env = options.env or _G
  local tty_in = sys.isatty("stdin")
  local paint_on = colours_on()
  local paint = painter(paint_on)
  local main_prompt = prompt_str(paint_on, "prompt", options.prompt or "ember> ")
  local cont_prompt = prompt_str(paint_on, "cont", ".. ")
  local remember = tty_in and history_appender(repl.history_path()) or function() end
  local timing = false

  interrupt.track_coroutines()
  interrupt.clear()
  if tty_in then
    load_history(repl.history_path())
    local complete = require "ember.complete"
    rl.set_completer(function(before, word) return complete.candidates(env, before, word) end)
  end
  if options.banner and tty_in then
    io.write(paint("dim", "ember " .. (require("torch").__version__ or "") ..
      " — torch, nn, optim, F, data and plot are loaded. help() for help, Ctrl-D to leave.\n"))
  end

  local function report(msg, interrupted)
    if interrupted then
      -- the terminal echoed ^C without a newline
      io.stderr:write(tty_in and "\n" or "", paint("error", "Interrupted (Ctrl-C)"), "\n")
    else
      io.stderr:write(paint("error", "error: " .. tostring(msg)), "\n")
    end
    io.stderr:flush()
  end

  -- Reads one statement (with continuation lines); returns the compiled
  -- function and whether the echo is suppressed, or nil at end of input,
  -- or false after a cancelled line or a syntax error (already reported).
  local function read_statement()
    local line = rl.readline(main_prompt)
    if line == nil then return nil end
    if line == false then
      io.write("\n")
      return false
    end
    remember(line)
    if line:match("^%s*%%time%s*$") then
      timing = not timing
      io.write("per-statement timing ", timing and "on" or "off", "\n")
      return false
    end
    if line:match("^%s*exit%s*$") or line:match("^%s*quit%s*$") or line:match("^%s*exit%(%)%s*$") then
      return nil
    end
    local target = help_target(line)
    if target then
      line = target == "" and "help()" or ("help(" .. target .. ")")
    end
    local quiet = line:match(";%s*$") ~= nil
    local fn = load("return " .. line, "=stdin", "t", env)
    if fn then return fn, quiet end
    local chunk = line
    while true do
      local f, err = load(chunk, "=stdin", "t", env)
      if f then return f, quiet end
      if not incomplete(err) then
        report(err)
        return false
      end
      local more = rl.readline(cont_prompt)
      if more == nil then
        report(err)
        return nil
      end
      if more == false then
        io.write("\n")
        return false
      end
      remember(more)
      chunk = chunk .. "\n" .. more
      quiet = more:match(";%s*$") ~= nil
    end
  end

  -- one statement: false at the end of input
  local function step()
    local fn, quiet = read_statement()
    if fn == nil then return false end
    if fn then
      local t0 = sys.time()
      local results = pack(repl.call(fn))
      local elapsed = sys.time() - t0
      if results[1] then
        if not quiet then print_results(results) end
      else
        report(results[2], results[3])
      end
      if timing then io.write(paint("dim", "time: " .. format_seconds(elapsed)), "\n") end
      io.stdout:flush()
    end
    return true
  end

  while true do
    -- the loop itself must survive anything (out of memory under a budget)
    local ok, go_on = pcall(step)
    if not ok then
      collectgarbage("collect")
      pcall(report, go_on)
    elseif not go_on then
      break
    end
  end
  if tty_in then io.write("\n") end
  rl.set_completer(nil)
end

return repl
