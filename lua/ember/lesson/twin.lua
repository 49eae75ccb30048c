-- ember.lesson.twin — a lesson's Python twins (the ```python block after
-- each cell) run in real PyTorch and their printed output compared with
-- ember's, cell by cell and line by line.
--   * Python: one process per lesson (/usr/bin/python3 or $EMBER_PYTHON),
--     every twin executed in order in one namespace, stdout captured per
--     cell, in a fresh temporary folder; lesson_file(name) is defined there
--     as in the lesson environment, and MNIST_DIR (ember's bundled MNIST
--     files, what data.datasets.MNIST reads).
--   * A line MATCHES when it is identical after normalising whitespace
--     (leading/trailing removed, runs of spaces and tabs made one space),
--     or when it is identical except for numbers, which must agree within
--     the precision of the less precise of the two printed numbers (half a
--     unit in its last printed digit), and Lua's true/false/nil, which
--     stand for Python's True/False/None.
--   * Lines are aligned by a longest common subsequence of matching lines;
--     the unmatched lines between two matched ones are paired up as
--     DIFFERING, the rest are PYTHON-ONLY or EMBER-ONLY.
--   * Differences are unexpected unless the twin says why, in a comment
--     line of its own:  `#| differs: REASON` (any line of this cell may
--     differ) or `#| differs 2,3: REASON` (lines 2 and 3 of the Python
--     output). A twin that raises is always a failure, and so is an
--     annotation on a line that matches (it would hide a later difference).
--   * Numbers that drift: `#| drifts: REASON` (any line) or `#| drifts 4,5:
--     REASON` lets those lines' numbers differ by up to 1% plus two units
--     in their last printed digit, the text around them still identical.
--     For results at the end of long training, where last-bit differences
--     between two engines' matrix products grow and how far depends on the
--     CPU (docs/DECISIONS.md): such a line may match exactly on one machine
--     and drift on another, so a drift annotation on a matching line is not
--     stale; a line that drifts further is still a failure.
-- Not here: running ember's cells (child.lua records their output), the
-- command line (init.lua, batch.lua).
local fs = require "ember.lesson.fs"
local json = require "ember.lesson.json"
local spawn = require "ember.lesson.spawn"

local twin = {}

--- twin.python() -> the Python that runs twins (it may lack torch)
function twin.python()
  local py = os.getenv("EMBER_PYTHON")
  if not py or py == "" then py = "/usr/bin/python3" end
  return py
end

--- twin.available() -> true | false, reason
function twin.available()
  return require("ember.lesson.manifest").need_ok("torch-python")
end

-- The driver: reads a JSON list of code strings, runs them in one namespace,
-- writes a JSON list of {output, error}. It stops at the first error.
local driver = [[
import contextlib, io, json, sys, traceback, types
cells_path, out_path, assets, mnist = sys.argv[1:5]
with open(cells_path) as f:
    cells = json.load(f)
main = types.ModuleType("__main__")   # so torch.save(model) pickles classes defined in twins
sys.modules["__main__"] = main
ns = main.__dict__
ns["lesson_file"] = lambda name: assets + "/" + name
ns["MNIST_DIR"] = mnist                 # ember's bundled MNIST files (data.datasets.MNIST)
results = []
for code in cells:
    buf = io.StringIO()
    err = None
    try:
        with contextlib.redirect_stdout(buf):
            exec(compile(code, "<twin %d>" % (len(results) + 1), "exec"), ns)
    except BaseException:
        err = traceback.format_exc(limit=-3)
    results.append({"output": buf.getvalue(), "error": err})
    if err:
        break
with open(out_path, "w") as f:
    json.dump(results, f)
]]

--- twin.annotations(code) -> {all = reason|nil, lines = {[k] = reason},
--   drift = {all = reason|nil, lines = {[k] = reason}}}
function twin.annotations(code)
  local a = {lines = {}, drift = {lines = {}}}
  for line in ((code or "") .. "\n"):gmatch("(.-)\n") do
    local word, nums, reason = line:match("^%s*#|%s*(%a+)%s*([%d,%s]*):%s*(.-)%s*$")
    local into = (word == "differs" and a) or (word == "drifts" and a.drift) or nil
    if into and reason then
      if nums:match("%d") then
        for k in nums:gmatch("%d+") do into.lines[tonumber(k)] = reason end
      else
        into.all = reason
      end
    end
  end
  return a
end

--- twin.run_python(lesson) -> {{output, error}, ...} (one per cell with a twin, in
-- cell order, keyed by cell index) | nil, message
function twin.run_python(lesson)
  local root, err = fs.tempdir()
  if not root then return nil, "cannot make a temporary folder: " .. tostring(err) end
  local codes, index = {}, {}
  for _, c in ipairs(lesson.cells) do
    if c.python then
      codes[#codes + 1] = c.python
      index[#codes] = c.index
    end
  end
  local work = root .. "/work"
  require("ember.sys").mkdir(work)
  fs.write(root .. "/driver.py", driver)
  fs.write(root .. "/cells.json", json.encode(codes))
  local ok_ds, datasets = pcall(require, "torch.datasets")
  local mnist = ok_ds and datasets.dirs and datasets.dirs.mnist or ""
  local cmd = string.format("cd %s && %s%s %s %s %s %s %s >%s 2>&1 </dev/null", fs.quote(work), spawn.timeout_prefix(),
    fs.quote(twin.python()), fs.quote(root .. "/driver.py"), fs.quote(root .. "/cells.json"),
    fs.quote(root .. "/out.json"), fs.quote(fs.lessons_dir() .. "/assets"), fs.quote(mnist), fs.quote(root .. "/log.txt"))
  os.execute(cmd)
  local text = fs.read(root .. "/out.json")
  local log = fs.read(root .. "/log.txt") or ""
  fs.remove_tree(root)
  if not text then return nil, "python ended without a result:\n" .. log:sub(-2000) end
  local list, jerr = json.decode(text)
  if type(list) ~= "table" then return nil, "python's result is unreadable: " .. tostring(jerr) end
  local by_cell = {}
  for k, r in ipairs(list) do by_cell[index[k]] = r end
  return by_cell
end

---------------------------------------------------------------------------
-- Line comparison
---------------------------------------------------------------------------

local function squash(line)
  return (line:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", ""))
end

local literal = {["true"] = "True", ["false"] = "False", ["nil"] = "None"}

-- "a 1.25 b" -> {"a ", "b"} (text between numbers), {"1.25"}
local numpat = "%-?%d+%.?%d*[eE][%-+]?%d+"
local function tokens(line)
  local texts, nums = {}, {}
  local pos = 1
  while true do
    local s, e = line:find(numpat, pos)
    local s2, e2 = line:find("%-?%d+%.?%d*", pos)
    if s2 and (not s or s2 < s) then s, e = s2, e2 end
    if s and s > 1 and line:sub(s - 1, s - 1):match("[%w_]") then
      -- a digit inside a word (float32, x1): part of the text
      texts[#texts + 1] = line:sub(pos, e)
      pos = e + 1
    elseif s then
      texts[#texts + 1] = line:sub(pos, s - 1)
      nums[#nums + 1] = line:sub(s, e)
      pos = e + 1
    else
      texts[#texts + 1] = line:sub(pos)
      break
    end
  end
  -- glue text pieces that were split around in-word digits
  return table.concat(texts, "\1", 1, #texts), nums
end

-- half a unit in the last printed digit
local function half_ulp(s)
  local mant, exp = s:match("^%-?([%d%.]+)[eE]([%-+]?%d+)$")
  mant = mant or s:match("^%-?([%d%.]+)$") or "0"
  local decimals = #(mant:match("%.(%d*)$") or "")
  return 0.5 * 10 ^ (-decimals + (tonumber(exp) or 0))
end

-- how far a drifting number may be: 1% plus two units in the last digit
local function drift_tol(se, sp, a, b)
  return 0.01 * math.max(math.abs(a), math.abs(b)) + 4 * math.max(half_ulp(se), half_ulp(sp))
end

--- twin.same_line(ember_line, python_line[, drift]) -> "exact" | "close" | nil
-- drift: numbers may differ as a `#| drifts` annotation allows.
function twin.same_line(e, p, drift)
  e, p = squash(e), squash(p)
  if e == p then return "exact" end
  local te, ne = tokens(e)
  local tp, np = tokens(p)
  -- the texts between numbers must agree (with the in-word digits in place),
  -- word by word, where Lua's true/false/nil may stand for True/False/None
  if #ne ~= #np then return nil end
  local function pieces(t)
    local out = {}
    for word, other in (t:gsub("\1", "") .. "\0"):gmatch("([%a_]*)([^%a_]*)") do
      if word ~= "" then out[#out + 1] = word end
      if other ~= "" then out[#out + 1] = other end
    end
    return out
  end
  local pe, pp = pieces(te), pieces(tp)
  if #pe ~= #pp then return nil end
  for k = 1, #pe do
    if pe[k] ~= pp[k] and literal[pe[k]] ~= pp[k] then return nil end
  end
  for k = 1, #ne do
    local a, b = tonumber(ne[k]), tonumber(np[k])
    if not a or not b then return nil end
    local tol = drift and drift_tol(ne[k], np[k], a, b)
                or math.max(half_ulp(ne[k]), half_ulp(np[k])) * (1 + 1e-9)
    if math.abs(a - b) > tol then return nil end
  end
  return "close"
end

local function split_lines(s)
  local lines = {}
  s = tostring(s or ""):gsub("\r\n", "\n")
  if s == "" then return lines end
  if s:sub(-1) ~= "\n" then s = s .. "\n" end
  for line in s:gmatch("(.-)\n") do lines[#lines + 1] = line end
  return lines
end

--- twin.diff(ember_output, python_output, annotations) -> rows, counts
-- rows: {{kind = "match"|"close"|"differ"|"python-only"|"ember-only",
--         ember = line, python = line, pline = k, allowed = reason}}
-- counts: {match, close, differ, python_only, ember_only, allowed, unexpected}
function twin.diff(eout, pout, ann)
  ann = ann or {lines = {}}
  local E, P = split_lines(eout), split_lines(pout)
  local n, m = #E, #P
  -- LCS table over matching lines
  local L = {}
  for i = n + 1, 1, -1 do
    L[i] = {}
    for j = m + 1, 1, -1 do
      if i > n or j > m then L[i][j] = 0
      elseif twin.same_line(E[i], P[j]) then L[i][j] = L[i + 1][j + 1] + 1
      else L[i][j] = math.max(L[i + 1][j], L[i][j + 1]) end
    end
  end
  local rows = {}
  local pend_e, pend_p = {}, {}
  local function flush()
    local k = math.max(#pend_e, #pend_p)
    for t = 1, k do
      local ei, pj = pend_e[t], pend_p[t]
      if ei and pj then
        rows[#rows + 1] = {kind = "differ", ember = E[ei], python = P[pj], pline = pj}
      elseif pj then
        rows[#rows + 1] = {kind = "python-only", python = P[pj], pline = pj}
      else
        rows[#rows + 1] = {kind = "ember-only", ember = E[ei]}
      end
    end
    pend_e, pend_p = {}, {}
  end
  local i, j = 1, 1
  while i <= n or j <= m do
    local how = i <= n and j <= m and twin.same_line(E[i], P[j])
    if how and L[i][j] == L[i + 1][j + 1] + 1 then
      flush()
      rows[#rows + 1] = {kind = how == "exact" and "match" or "close", ember = E[i], python = P[j], pline = j}
      i, j = i + 1, j + 1
    elseif j <= m and (i > n or L[i][j + 1] >= L[i + 1][j]) then
      pend_p[#pend_p + 1] = j
      j = j + 1
    else
      pend_e[#pend_e + 1] = i
      i = i + 1
    end
  end
  flush()
  local c = {match = 0, close = 0, drift = 0, differ = 0, python_only = 0, ember_only = 0, allowed = 0, unexpected = 0}
  local used = {}
  for _, r in ipairs(rows) do
    c[r.kind:gsub("%-", "_")] = c[r.kind:gsub("%-", "_")] + 1
    local drift = ann.drift and (ann.drift.all or (r.pline and ann.drift.lines[r.pline]))
    if r.kind == "differ" and drift and twin.same_line(r.ember, r.python, true) then
      r.kind, r.drift = "drift", drift
      c.differ = c.differ - 1
      c.drift = c.drift + 1
    elseif r.kind ~= "match" and r.kind ~= "close" then
      r.allowed = ann.all or (r.pline and ann.lines[r.pline])
      if r.allowed then
        c.allowed = c.allowed + 1
        used[ann.all and "all" or r.pline] = true
      else
        c.unexpected = c.unexpected + 1
      end
    end
  end
  -- an annotation for a line that matches is stale: it would hide a future difference
  c.stale = {}
  if ann.all and not used.all then c.stale[#c.stale + 1] = "'#| differs:' but every line matches" end
  for k in pairs(ann.lines) do
    if not used[k] then c.stale[#c.stale + 1] = "'#| differs " .. k .. ":' but line " .. k .. " matches (or is not there)" end
  end
  table.sort(c.stale)
  c.unexpected = c.unexpected + #c.stale
  return rows, c
end

---------------------------------------------------------------------------
-- A whole lesson
---------------------------------------------------------------------------

--- twin.compare_lesson(lesson, ember_outputs[, opts]) -> report
-- ember_outputs[k]: what cell k printed in ember (nil when it did not run).
-- report = {ok, text = {lines}, summary, totals}; opts.verbose lists every line.
function twin.compare_lesson(lesson, ember_outputs, opts)
  opts = opts or {}
  local out, totals = {}, {match = 0, close = 0, drift = 0, differ = 0, python_only = 0, ember_only = 0,
                           allowed = 0, unexpected = 0, cells = 0, missing = 0}
  local missing = {}
  for _, c in ipairs(lesson.cells) do if not c.python then missing[#missing + 1] = c.id end end
  if #missing == #lesson.cells then
    return {ok = true, skipped = true, summary = "no Python twins in this lesson", text = {}, totals = totals}
  end
  local py, perr = twin.run_python(lesson)
  if not py then return {ok = false, summary = "python failed: " .. perr, text = {perr}, totals = totals} end
  local ok = true
  for _, c in ipairs(lesson.cells) do
    if c.python then
      local where = string.format("cell %s (line %d)", c.id, c.python_line)
      local r = py[c.index]
      local eo = ember_outputs[c.index]
      if not r then
        out[#out + 1] = where .. ": not run (an earlier twin raised)"
        ok = false
      elseif r.error and r.error ~= json.null then
        out[#out + 1] = where .. ": the Python twin raised:"
        for l in tostring(r.error):gmatch("[^\n]+") do out[#out + 1] = "    | " .. l end
        ok = false
      elseif eo == nil then
        out[#out + 1] = where .. ": ember did not run this cell"
        ok = false
      else
        totals.cells = totals.cells + 1
        local rows, cnt = twin.diff(eo, r.output, twin.annotations(c.python))
        for k, v in pairs(cnt) do if type(v) == "number" then totals[k] = totals[k] + v end end
        if cnt.unexpected > 0 then ok = false end
        local show_cell = opts.verbose or cnt.unexpected > 0 or (opts.annotated and cnt.allowed + cnt.drift > 0)
        if show_cell then
          out[#out + 1] = string.format("%s: %d match, %d differ, %d python-only, %d ember-only%s", where,
            cnt.match + cnt.close, cnt.differ, cnt.python_only, cnt.ember_only,
            cnt.allowed > 0 and string.format(" (%d annotated)", cnt.allowed) or "")
          local reasons, seen = {}, {}
          for _, row in ipairs(rows) do
            local why = row.allowed or (row.drift and "drifts: " .. row.drift)
            if why and not seen[why] then
              seen[why] = true
              reasons[#reasons + 1] = why
            end
          end
          for _, why in ipairs(reasons) do out[#out + 1] = "    annotated: " .. why end
          for _, row in ipairs(rows) do
            local tag = row.allowed and "  [annotated]" or ""
            if row.kind == "match" or row.kind == "close" then
              if opts.verbose then
                out[#out + 1] = (row.kind == "match" and "    = " or "    ≈ ") .. row.ember
              end
            elseif row.kind == "drift" then
              if opts.verbose or opts.annotated then
                out[#out + 1] = "    ~ ember:  " .. row.ember .. "  [drifts]"
                out[#out + 1] = "    ~ python: " .. row.python
              end
            elseif row.kind == "differ" then
              out[#out + 1] = "    ember:  " .. row.ember .. tag
              out[#out + 1] = "    python: " .. row.python
            elseif row.kind == "python-only" then
              out[#out + 1] = "    python only: " .. row.python .. tag
            else
              out[#out + 1] = "    ember only:  " .. row.ember .. tag
            end
          end
          for _, st in ipairs(cnt.stale) do out[#out + 1] = "    stale annotation: " .. st end
        end
      end
    end
  end
  if #missing > 0 then
    out[#out + 1] = "cells without a Python twin: " .. table.concat(missing, ", ")
    ok = false
  end
  local drifted = totals.drift > 0 and string.format(", %d drift within 1%% as annotated", totals.drift) or ""
  local summary = string.format("%d cells; %d lines match PyTorch (%d within printing precision%s), " ..
    "%d differ, %d python-only, %d ember-only; %d annotated, %d unexpected", totals.cells,
    totals.match + totals.close + totals.drift, totals.close, drifted, totals.differ, totals.python_only, totals.ember_only,
    totals.allowed, totals.unexpected)
  return {ok = ok, text = out, summary = summary, totals = totals}
end

--- twin.check_file(path, ember_result[, opts]) -> report (compare_lesson's)
-- ember_result: the child's result for the lesson (its outputs per cell).
function twin.check_file(path, ember_result, opts)
  local lesson, err = require("ember.lesson.parse").file(path, fs.basename(path))
  if not lesson then return {ok = false, summary = tostring(err), text = {}} end
  local outputs = {}
  for k, o in ipairs(ember_result.outputs or {}) do outputs[k] = o end
  -- a failed ember cell printed something, but it did not finish: not compared
  if not ember_result.ok and ember_result.cells_run then outputs[ember_result.cells_run] = nil end
  return twin.compare_lesson(lesson, outputs, opts)
end

--- twin.command(list, args) -> exit code: `ember lesson compare [-v] [ID ...]`
function twin.command(list, args)
  local manifest = require "ember.lesson.manifest"
  local opts, wanted = {}, {}
  for i = 2, #args do
    if args[i] == "-v" or args[i] == "--verbose" then opts.verbose = true
    elseif args[i] == "-a" or args[i] == "--annotated" then opts.annotated = true
    else wanted[#wanted + 1] = args[i] end
  end
  local ok, why = twin.available()
  if not ok then
    io.write("ember lesson compare: skipped — ", tostring(why), ".\n",
      "Install PyTorch for that Python (Debian: apt install python3-torch) or set $EMBER_PYTHON.\n")
    return 0
  end
  local entries = {}
  if #wanted == 0 then entries = list
  else
    for _, w in ipairs(wanted) do
      local e, ferr = manifest.find(list, w)
      if not e then io.stderr:write("ember lesson compare: ", ferr, "\n") return 2 end
      entries[#entries + 1] = e
    end
  end
  local failed = 0
  for _, e in ipairs(entries) do
    local what = string.format("lesson %s (%s)", e.id, e.file)
    local missing = manifest.missing(e)
    if missing then
      io.write("SKIP  ", what, ": ", missing, "\n")
    else
      local r = spawn.run("lesson", e.path)
      local rep = twin.check_file(e.path, r, opts)
      local tag = rep.skipped and "SKIP" or (rep.ok and "PASS" or "FAIL")
      if not rep.ok then failed = failed + 1 end
      io.write(tag, "  ", what, ": ", rep.summary, "\n")
      if not r.ok then io.write("      (ember stopped at a failing cell: `ember lesson test ", e.id, "` shows it)\n") end
      for _, l in ipairs(rep.text or {}) do io.write("      ", l, "\n") end
      io.stdout:flush()
    end
  end
  return failed > 0 and 1 or 0
end

return twin
