-- ember.lesson.spawn — starts a child ember (child.lua) on one lesson or
-- exercise in a fresh temporary folder (or a given work folder, which is
-- kept), with a time limit, and brings back its result table; the temporary
-- folder is removed afterwards. Used by batch.lua and
-- exercise.lua. Not here: what the results mean.
local fs = require "ember.lesson.fs"
local json = require "ember.lesson.json"
local sys = require "ember.sys"

local spawn = {}

--- seconds a child may run: $EMBER_LESSON_TIMEOUT, default 300
function spawn.timeout()
  local t = tonumber(os.getenv("EMBER_LESSON_TIMEOUT") or "")
  return (t and t > 0) and t or 300
end

local has_timeout
--- spawn.timeout_prefix([seconds]) -> "timeout ... " to put before a shell command
-- (empty when coreutils' timeout is missing); seconds defaults to spawn.timeout().
function spawn.timeout_prefix(seconds)
  if has_timeout == nil then has_timeout = os.execute("command -v timeout >/dev/null 2>&1") and true or false end
  if not has_timeout then return "" end
  -- --foreground: the child stays in the terminal's process group, so Ctrl-C reaches it
  return string.format("timeout --foreground -k 5 %d ", math.ceil(seconds or spawn.timeout()))
end
local timeout_prefix = spawn.timeout_prefix

local function tail(text, n)
  local lines = {}
  for line in (text or ""):gmatch("[^\n]*") do lines[#lines + 1] = line end
  while #lines > 0 and lines[#lines] == "" do lines[#lines] = nil end
  local first = math.max(1, #lines - n + 1)
  return table.concat(lines, "\n", first)
end

--- spawn.run(kind, file, opts) -> result, info
-- kind: "lesson" | "exercise"; file: an absolute path. opts.echo: the
-- child's output goes to our stdout (else to a log, returned in info.log);
-- opts.name: the name errors show for the file; opts.workdir: run there
-- (kept afterwards) instead of in a temporary folder.
-- result is the child's table, or a made-up failure when it left none
-- (crash, time limit, Ctrl-C). info = {seconds, code, interrupted}.
function spawn.run(kind, file, opts)
  opts = opts or {}
  local root, err = fs.tempdir()
  if not root then return {ok = false, kind = "error", message = "cannot make a temporary folder: " .. err}, {} end
  local work, result_path, log = opts.workdir or (root .. "/work"), root .. "/result.json", root .. "/log.txt"
  if not opts.workdir then sys.mkdir(work) end
  local cmd = string.format("cd %s && NO_COLOR=1 COLUMNS=80 %s%s lesson __run %s %s %s%s%s",
    fs.quote(work), timeout_prefix(), fs.quote(fs.exe()), kind, fs.quote(file), fs.quote(result_path),
    opts.echo and " --echo" or "", opts.name and (" --name " .. fs.quote(opts.name)) or "") .. " </dev/null"
  if opts.echo then
    cmd = cmd .. " 2>" .. fs.quote(log)
  else
    cmd = cmd .. " >" .. fs.quote(log) .. " 2>&1"
  end
  io.stdout:flush()
  local t0 = sys.time()
  local _, how, code = os.execute(cmd)
  local info = {seconds = sys.time() - t0, code = code, log = fs.read(log) or ""}
  local text = fs.read(result_path)
  fs.remove_tree(root)
  if how == "signal" or code == 130 then
    info.interrupted = true
    return {ok = false, kind = "interrupted", message = "interrupted (signal " .. tostring(code) .. ")"}, info
  end
  local result, jerr
  if text then result, jerr = json.decode(text) end
  if type(result) ~= "table" then
    local why
    if code == 124 or code == 137 then
      why = string.format("timed out after %d s (EMBER_LESSON_TIMEOUT)", math.ceil(spawn.timeout()))
    elseif text then
      why = "its result file is unreadable: " .. tostring(jerr)
    else
      why = "the run ended without a result (exit code " .. tostring(code) .. ")"
    end
    local t = tail(info.log, 20)
    return {ok = false, kind = "crash", message = why .. (t ~= "" and ("\n" .. t) or "")}, info
  end
  return result, info
end

return spawn
