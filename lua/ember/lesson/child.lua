-- ember.lesson.child — the process that runs ONE lesson or exercise for
-- `ember lesson test` and `ember exercise check`, so each run starts from a
-- fresh Lua state (random generator, default dtype and device, globals) in
-- its own temporary current folder. The parent (batch.lua) starts it as
--   cd TMP && ember lesson __run lesson|exercise FILE RESULT.json [--echo]
-- and reads RESULT.json; a run that dies leaves no result, which the parent
-- reports with the log. Not here: choosing what runs, printing summaries.
local json = require "ember.lesson.json"
local env = require "ember.lesson.env"
local parse = require "ember.lesson.parse"
local fs = require "ember.lesson.fs"

local child = {}

local function cut(s, n)
  s = tostring(s or "")
  if #s > n then return s:sub(1, n) .. "\n[... " .. (#s - n) .. " more bytes]" end
  return s
end

--- child.run_lesson(path, opts) -> result table
-- Runs every cell in order in one environment and stops at the first
-- failure: {ok, cells_total, cells_run, failure = {id, line, stage, kind,
-- message, report, output}, outputs = {what each cell printed, in order}}
-- (the outputs are compared with the Python twins: twin.lua).
function child.run_lesson(path, opts)
  local lesson, err = parse.file(path, fs.basename(path))
  if not lesson then return {ok = false, cells_total = 0, cells_run = 0, error = err} end
  local E, state = env.new()
  local result = {ok = true, cells_total = #lesson.cells, cells_run = 0, outputs = {}}
  for _, cell in ipairs(lesson.cells) do
    local r = env.run_cell(E, state, cell, {echo = opts.echo})
    result.cells_run = result.cells_run + 1
    result.outputs[#result.outputs + 1] = cut(r.output, 65536)
    if not r.ok then
      result.ok = false
      result.failure = {id = cell.id, line = cell.line, stage = r.stage, kind = r.kind,
                        message = cut(r.message, 4000), report = r.report and cut(r.report, 8000),
                        output = cut(r.output, 8000),
                        check_line = cell.check_line}
      break
    end
  end
  return result
end

--- child.run_exercise(path, opts) -> {ok, kind, message, output}
function child.run_exercise(path, opts)
  local text, err = fs.read(path)
  if not text then return {ok = false, kind = "error", message = err} end
  local E, state = env.new()
  local name = opts.name or fs.short(path)
  local r = env.run_code(E, state, text, "@" .. name, {echo = opts.echo})
  return {ok = r.ok, kind = r.kind, message = r.message and cut(r.message, 4000),
          output = cut(r.output, 8000)}
end

--- child.main(args): `ember lesson __run KIND FILE RESULT [--echo] [--name N]`
function child.main(args)
  local kind, file, out = args[2], args[3], args[4]
  local opts = {}
  local i = 5
  while args[i] do
    if args[i] == "--echo" then opts.echo = true
    elseif args[i] == "--name" then opts.name = args[i + 1]; i = i + 1 end
    i = i + 1
  end
  if not (kind and file and out) then
    io.stderr:write("usage: ember lesson __run lesson|exercise FILE RESULT.json [--echo]\n")
    return 2
  end
  local result
  if kind == "lesson" then result = child.run_lesson(file, opts)
  elseif kind == "exercise" then result = child.run_exercise(file, opts)
  else
    io.stderr:write("ember lesson __run: unknown kind '" .. kind .. "'\n")
    return 2
  end
  io.stdout:flush()
  local ok, text = pcall(json.encode, result)
  if not ok then text = json.encode({ok = false, kind = "error", message = "cannot record the result: " .. text}) end
  local written, werr = fs.write(out, text)
  if not written then
    io.stderr:write("ember lesson __run: ", tostring(werr), "\n")
    return 3
  end
  return result.ok and 0 or 1
end

return child
