-- The lesson runner (lua/ember/lesson/, src/app/markdown.c): Markdown blocks,
-- lesson parsing and its error messages, output normalisation and `...`,
-- starter generation, check(), output capture, progress files (atomic
-- write, corrupt-file recovery), the JSON reader on bad input, batch mode on
-- the fixtures in tests/lessons/, and an interactive walk through a pipe.

local T = require "ember.test"
local markdown = require "ember.markdown"
local parse = require "ember.lesson.parse"
local compare = require "ember.lesson.compare"
local exfile = require "ember.lesson.exfile"
local env = require "ember.lesson.env"
local progress = require "ember.lesson.progress"
local json = require "ember.lesson.json"
local fs = require "ember.lesson.fs"
local render = require "ember.lesson.render"
local sys = require "ember.sys"

local source = debug.getinfo(1, "S").source
local here = fs.absolute(source:match("^@(.*)/") or "tests/lua")
local fixtures = fs.absolute(here .. "/../lessons")

---------------------------------------------------------------------------
-- Markdown
---------------------------------------------------------------------------
T.test("markdown: blocks, spans, lists and code", function()
  local b = markdown.parse("# Title *x*\n\nSome `code` and **bold**.\n\n- a\n- b\n\n```lua id=k\nx = 1\n```\n\n---\n")
  T.eq(b[1].type, "heading")
  T.eq(b[1].level, 1)
  T.eq(b[1].text, "Title x")
  T.eq(b[2].type, "paragraph")
  T.eq(b[2].text, "Some code and bold.")
  T.eq(b[2].spans[2].code, true)
  T.eq(b[2].spans[2].text, "code")
  T.eq(b[2].spans[4].strong, true)
  T.eq(b[3].bullet, "-")
  T.eq(b[3].indent, 1)
  T.eq(b[3].tight, true)
  T.eq(b[5].type, "code")
  T.eq(b[5].info, "lua id=k")
  T.eq(b[5].text, "x = 1\n")
  T.eq(b[5].line, 8)
  T.eq(b[6].type, "rule")
end)

T.test("markdown: limits give clear errors, odd input never crashes", function()
  T.error(function() markdown.parse(string.rep("> ", 200) .. "deep") end, "nesting deeper than")
  T.error(function() markdown.parse(string.rep("- ", 200) .. "deep") end, "nesting deeper than")
  T.error(function() markdown.parse(string.rep("x", markdown.max_bytes + 1)) end, "more than the limit")
  T.error(function() markdown.parse(nil) end, "string expected")
  local b = markdown.parse("bad \255\254 utf8 \0 nul")
  T.ok(utf8.len(b[1].text), "invalid UTF-8 is replaced")
  math.randomseed(8)
  local alphabet = "#*_`>-+1. \n[]()!<>\\~|=\t\0\255abc"
  for _ = 1, 300 do
    local t = {}
    for i = 1, math.random(0, 200) do
      local k = math.random(#alphabet)
      t[i] = alphabet:sub(k, k)
    end
    local ok, res = pcall(markdown.parse, table.concat(t))
    T.ok(ok or tostring(res):find("markdown:"), "parse raised: " .. tostring(res))
  end
end)

---------------------------------------------------------------------------
-- Lessons
---------------------------------------------------------------------------
T.test("parse: the fixture lesson", function()
  local l = assert(parse.file(fixtures .. "/01-basics.md"))
  T.eq(l.title, "Basics")
  T.eq(#l.cells, 3)
  T.eq(l.cells[1].id, "make")
  T.eq(l.cells[2].id, "step-2")
  T.eq(l.cells[3].id, "double")
  T.eq(l.cells[1].output, "6\n")
  T.ok(l.cells[1].check:find("check.close"), "check attached")
  T.ok(l.cells[1].hint:find("torch.tensor"), "hint attached")
  T.eq(l.cells[3].output, nil)
  T.eq(#l.cells[2].prose, 3, "prose between cells 1 and 2: a paragraph, two list items")
  T.eq(l.practice[1], "double-it")
end)

T.test("parse: malformed lessons give FILE:LINE messages", function()
  local function bad(text, pattern)
    local l, err = parse.lesson(text, "x.md")
    T.eq(l, nil, "should fail: " .. pattern)
    T.ok(err:find(pattern, 1, true), "got: " .. tostring(err))
  end
  bad("# T\n\n```output\n1\n```\n", "x.md:3: a ```output block must follow a ```lua cell")
  bad("# T\n\n```lua id=a\n```\n\n```lua id=a\n```\n", "x.md:6: cell id 'a' is used twice (also line 3)")
  bad("# T\n\n```lua\n```\n\n```check\n```\n\n```check\n```\n", "x.md:9: cell 'step-1' (line 3) already has a ```check block (line 6)")
  bad("no title\n\n```lua\n```\n", "needs a `# Title` heading")
  bad("# T\n\nno cells\n", "at least one ```lua cell")
  bad("# T\n\n```lua id=a;b\n```\n", "bad cell id")
  local l = assert(parse.lesson("# T\n```python\nx\n```\n```lua\nprint(1)\n```\n", "y.md"))
  T.eq(#l.cells, 1, "python blocks are prose, not cells")
end)

T.test("manifest: lookup by id or position, clear errors", function()
  local manifest = require "ember.lesson.manifest"
  local list = assert(manifest.load(fixtures))
  T.eq(#list, 3)
  T.eq(manifest.find(list, "2").id, "broken")
  T.eq(manifest.find(list, "basics").index, 1)
  local _, err = manifest.find(list, "basic")
  T.ok(err:find("did you mean basics", 1, true), err)
  _, err = manifest.find(list, "7")
  T.ok(err:find("numbered 1 to 3", 1, true), err)
  local dir = assert(fs.tempdir())
  local function bad(text, pattern)
    fs.write(dir .. "/manifest.lua", text)
    local l, e = manifest.load(dir)
    T.eq(l, nil)
    T.ok(e:find(pattern, 1, true), e)
  end
  bad('return {{id = "a", file = "a.md", title = "A"}, {id = "a", file = "b.md", title = "B"}}',
    "entry 2 (a): duplicate id (also entry 1)")
  bad('return {{id = "a", file = "a.md", title = "A", needs = {"tpu"}}}', "unknown need 'tpu'")
  bad('return {{id = "a", file = "../x.md", title = "A"}}', "file must be a file name")
  bad('while true do end', "takes too long to load")
  bad('return {', "unexpected symbol")
  bad('os.exit(3)', "attempt to index a nil value")
  fs.remove_tree(dir)
end)

---------------------------------------------------------------------------
-- Output comparison
---------------------------------------------------------------------------
T.test("compare: normalisation", function()
  T.eq(compare.normalise("\n\r\na  \r\nb\t\n\n"), "a\nb")
  T.eq(compare.normalise(""), "")
  T.ok(compare.output("x\r\n", "\nx   \n\n"))
end)

T.test("compare: ... matches any number of lines", function()
  local function m(e, g) return (compare.output(e, g)) end
  T.ok(m("a\n...\nd", "a\nb\nc\nd"))
  T.ok(m("a\n...\nd", "a\nd"), "zero lines")
  T.ok(m("...\nd", "x\ny\nd"), "at the start")
  T.ok(m("a\n...", "a\nb\nc"), "at the end")
  T.ok(m("...", ""), "only dots")
  T.ok(m("a\n...\nb\n...\nb", "a\nb\nx\nb"), "two wildcards, backtracking")
  T.ok(not m("a\n...\nd", "a\nb\nc"), "end must match")
  T.ok(not m("a\nb", "a\nb\nc"), "extra line")
  T.ok(not m("a ...", "a b c"), "... inside a line is literal")
  local ok, report = compare.output("1\n2\n3", "1\n5\n3")
  T.eq(ok, false)
  T.ok(report:find("expected output:", 1, true) and report:find("| 2", 1, true) and report:find("| 5", 1, true))
  T.ok(report:find('line 2: expected "2", got "5"', 1, true), report)
end)

---------------------------------------------------------------------------
-- Exercises: starters
---------------------------------------------------------------------------
T.test("exfile: starter generation", function()
  local text = table.concat({
    "-- title: T", "-- lesson: basics", "-- hint: one", "-- hint: two",
    "local a = 1",
    "-- BEGIN SOLUTION",
    "--starter local b = nil -- TODO",
    "local b = a + 1",
    "-- END SOLUTION",
    "function f()",
    "  -- BEGIN SOLUTION",
    "  return b * 2",
    "  -- END SOLUTION",
    "end",
    "check(f() == 4, 'f')",
  }, "\n")
  local ex = assert(exfile.parse(text, "t"))
  T.eq(ex.title, "T")
  T.eq(ex.lesson, "basics")
  T.eq(ex.hint, "one\ntwo")
  T.eq(#ex.regions, 2)
  local s = exfile.starter(ex)
  T.eq(s, table.concat({
    "-- title: T", "-- lesson: basics", "-- hint: one", "-- hint: two",
    "local a = 1",
    "local b = nil -- TODO",
    "function f()",
    "  -- TODO: your code here",
    "end",
    "check(f() == 4, 'f')",
  }, "\n") .. "\n")
end)

T.test("exfile: malformed exercises", function()
  local function bad(text, pattern)
    local ex, err = exfile.parse(text, "e")
    T.eq(ex, nil)
    T.ok(err:find(pattern, 1, true), err)
  end
  bad("-- title: t\n-- BEGIN SOLUTION\n", "e.lua:2: BEGIN SOLUTION without an END SOLUTION")
  bad("-- title: t\n-- END SOLUTION\n", "e.lua:2: END SOLUTION without a BEGIN SOLUTION")
  bad("-- title: t\n-- BEGIN SOLUTION\n-- BEGIN SOLUTION\n", "e.lua:3: BEGIN SOLUTION inside")
  bad("-- BEGIN SOLUTION\n-- END SOLUTION\n", "needs a `-- title:` line")
  bad("-- title: t\nx = 1\n", "at least one -- BEGIN SOLUTION")
end)

---------------------------------------------------------------------------
-- check() and output capture
---------------------------------------------------------------------------
T.test("env: check and check.close", function()
  local E, st = env.new()
  local r = env.run_code(E, st, "check(1 == 2, 'one is not two')", "=t")
  T.eq(r.kind, "check")
  T.eq(r.message, "one is not two")
  r = env.run_code(E, st, "check.close(1.5, 1.0, 0.1, 'near one')", "=t")
  T.eq(r.kind, "check")
  T.ok(r.message:find("near one — expected 1 ± 0.1, got 1.5", 1, true), r.message)
  r = env.run_code(E, st, "check.close(torch.ones(2), torch.ones(3), 0.1, 'shape')", "=t")
  T.ok(r.message:find("expected shape", 1, true), r.message)
  r = env.run_code(E, st, "check.close(torch.tensor({1, 2}), torch.tensor({1, 2.5}), 0.1, 'vals')", "=t")
  T.ok(r.message:find("largest difference 0.5", 1, true), r.message)
  r = env.run_code(E, st, "check.close(torch.tensor({1, 2}), {1, 2.05}, 0.1, 'table ok')", "=t")
  T.ok(r.ok, r.message)
  r = env.run_code(E, st, "check.close(nil, 1, 0.1, 'missing')", "=t")
  T.eq(r.kind, "check")
  T.ok(r.message:find("missing", 1, true))
  r = env.run_code(E, st, "check.close(0/0, 1, 0.1, 'nan')", "=t")
  T.eq(r.kind, "check", "NaN is never close")
  r = env.run_code(E, st, "error('boom')", "=t")
  T.eq(r.kind, "error")
  T.ok(r.message:find("t:1: boom", 1, true), r.message)
  r = env.run_code(E, st, "x = ", "=t")
  T.eq(r.kind, "syntax")
end)

T.test("env: cells share one environment, not _G", function()
  local E, st = env.new()
  T.ok(env.run_code(E, st, "lesson_value_xyz = 41", "=a").ok)
  T.ok(env.run_code(E, st, "lesson_value_xyz = lesson_value_xyz + 1", "=b").ok)
  T.eq(E.lesson_value_xyz, 42)
  T.eq(rawget(_G, "lesson_value_xyz"), nil)
  local E2, st2 = env.new()
  local r = env.run_code(E2, st2, "return lesson_value_xyz", "=c")
  T.ok(r.ok)
  T.eq(E2.lesson_value_xyz, nil, "a fresh environment")
end)

T.test("env: capture of print, io.write and io.stdout:write, restored after errors", function()
  local E, st = env.new()
  local p, w, o = print, io.write, io.stdout
  local r = env.run_code(E, st, "print(1, 'a', nil) io.write(2.0, ' ', 3, '\\n') io.stdout:write('z\\n')", "=t")
  T.ok(r.ok, r.message)
  T.eq(r.output, "1\ta\tnil\n2 3\nz\n", "io.write writes 2.0 as 2, as Lua does")
  r = env.run_code(E, st, "print('before') error('x')", "=t")
  T.eq(r.output, "before\n")
  T.ok(print == p and io.write == w and io.stdout == o, "restored")
  local cell = {id = "c", code = "print(6)", output = "7\n"}
  r = env.run_cell(E, st, cell, {})
  T.eq(r.stage, "output")
  T.ok(r.report:find("| 7", 1, true))
  cell.check = "check(false, 'nope')"
  r = env.run_cell(E, st, cell, {ignore_output = true})
  T.eq(r.stage, "check")
  T.eq(r.message, "nope")
end)

---------------------------------------------------------------------------
-- JSON and progress
---------------------------------------------------------------------------
T.test("json: round trip and bad input", function()
  local v = {a = {1, 2, 3}, b = "x\"y\n\1", c = true, d = {e = 1.5}, f = {}}
  local back = assert(json.decode(json.encode(v, true)))
  T.eq(back.b, v.b)
  T.eq(back.a[3], 3)
  T.eq(back.d.e, 1.5)
  T.eq(next(back.f), nil)
  for _, bad in ipairs({'{"a": ', '"abc', '{"a" 1}', '[1,,2]', '{1: 2}', string.rep("[", 100),
                        '{"a":1} x', '', 'nul', '"\\q"', '"\\u12"'}) do
    local r, err = json.decode(bad)
    T.eq(r, nil, "should fail: " .. bad)
    T.ok(type(err) == "string" and err:find("json:"), tostring(err))
  end
  T.eq(json.decode('"\\u00e9\\ud83d\\ude00"'), "é😀")
end)

local function tmpdir()
  return assert(fs.tempdir())
end

T.test("progress: atomic save, load, hash", function()
  local dir = tmpdir()
  local path = dir .. "/state/ember/progress.json"
  local s = progress.load(path)
  T.eq(next(s.lessons), nil)
  local rec = progress.lesson(s, "tensors")
  rec.step, rec.hash, rec.steps["step-1"] = "step-2", progress.hash("abc"), "done"
  s.current = "tensors"
  progress.exercise(s, "ex1").passed = true
  T.ok(progress.save(s, path))
  local names = sys.listdir(dir .. "/state/ember")
  T.eq(#names, 1, "no temporary file left: " .. table.concat(names, ","))
  local back = progress.load(path)
  T.eq(back.current, "tensors")
  T.eq(back.lessons.tensors.step, "step-2")
  T.eq(back.lessons.tensors.steps["step-1"], "done")
  T.eq(back.exercises.ex1.passed, true)
  T.ok(progress.hash("abc") ~= progress.hash("abd"))
  T.eq(#progress.hash(""), 16)
  fs.remove_tree(dir)
end)

T.test("progress: a corrupt file is reported, kept aside and replaced", function()
  local dir = tmpdir()
  local path = dir .. "/progress.json"
  for _, junk in ipairs({"{not json", "[1, 2]", "\0\1\2", '{"lessons": 5}'}) do
    fs.write(path, junk)
    local s, warn = progress.load(path)
    T.ok(s and s.lessons, "a fresh state")
    if junk == '{"lessons": 5}' then
      T.eq(warn, nil, "wrong types are dropped, not fatal")
    else
      T.ok(warn and warn:find("could not be read"), tostring(warn))
      T.eq(fs.read(path .. ".corrupt"), junk)
    end
    T.ok(progress.save(s, path))
    T.ok(json.decode(fs.read(path)))
  end
  -- bad values inside a good file are dropped
  fs.write(path, '{"lessons": {"a": {"step": 3, "steps": {"x": "done", "y": 7}}, "b": 1}}')
  local s = progress.load(path)
  T.eq(s.lessons.a.step, nil)
  T.eq(s.lessons.a.steps.x, "done")
  T.eq(s.lessons.a.steps.y, nil)
  T.eq(s.lessons.b, nil)
  -- an unwritable place gives an error, not a crash
  local ok, err = progress.save(s, "/proc/ember-cannot/progress.json")
  T.eq(ok, nil)
  T.ok(err:find("cannot save progress"), err)
  fs.remove_tree(dir)
end)

---------------------------------------------------------------------------
-- Rendering
---------------------------------------------------------------------------
T.test("render: plain text without colours, control characters neutralised", function()
  local text = render.markdown("# Title\n\nSome *x* and `y`.\n\n```lua\nlocal a = 1 -- c\n```\n\nbad \27[31m\n",
    {color = false, width = 60})
  T.ok(text:find("Title\n=====", 1, true), text)
  T.ok(text:find("Some x and `y`.", 1, true), text)
  T.ok(text:find("    local a = 1 -- c", 1, true), text)
  T.ok(not text:find("\27", 1, true), "no escape sequences")
  T.ok(text:find("^[[31m", 1, true), text)
  local coloured = render.markdown("```lua\nlocal s = 'x'\n```\n", {color = true})
  T.ok(coloured:find("\27[35mlocal\27[0m", 1, true), coloured)
  T.ok(coloured:find("\27[32m'x'\27[0m", 1, true), coloured)
end)

---------------------------------------------------------------------------
-- Batch mode on the fixtures
---------------------------------------------------------------------------
T.test("batch: fixtures pass, fail and skip as they should", function()
  fs.set_lessons_dir(fixtures)
  local lines = {}
  local code = require("ember.lesson.batch").run({out = function(l) lines[#lines + 1] = l end})
  fs.set_lessons_dir(nil)
  local text = table.concat(lines, "\n")
  T.eq(code, 1, text)
  T.ok(text:find("PASS  lesson basics (01-basics.md): 3 cells", 1, true), text)
  T.ok(text:find("FAIL  lesson broken (02-broken.md)", 1, true), text)
  T.ok(text:find("02-broken.md:12: cell 'wrong': the output differs", 1, true), text)
  T.ok(text:find('line 1: expected "3", got "2"', 1, true), text)
  local cuda = torch.cuda and torch.cuda.is_available()
  if cuda then
    T.ok(text:find("PASS  lesson gpu-only", 1, true), text)
  else
    T.ok(text:find("SKIP  lesson gpu-only (03-gpu-only.md): needs cuda", 1, true), text)
  end
  T.ok(text:find("PASS  exercise double-it (Double a tensor): starter fails (failed check), solution passes", 1, true), text)
  T.ok(text:find("FAIL  exercise weak-check", 1, true), text)
  T.ok(text:find("the generated starter PASSES; it must fail", 1, true), text)
  T.ok(text:find(cuda and "3 passed, 2 failed, 0 skipped" or "2 passed, 2 failed, 1 skipped", 1, true), text)
  -- one lesson by id
  fs.set_lessons_dir(fixtures)
  lines = {}
  code = require("ember.lesson.batch").run({"basics", out = function(l) lines[#lines + 1] = l end})
  fs.set_lessons_dir(nil)
  text = table.concat(lines, "\n")
  T.eq(code, 0, text)
  T.ok(text:find("2 passed, 0 failed, 0 skipped", 1, true), text)
end)

T.test("batch: a lesson runs in a fresh folder and process", function()
  local dir = tmpdir()
  fs.write(dir .. "/manifest.lua", 'return {{id = "a", file = "a.md", title = "A"}, {id = "b", file = "b.md", title = "B"}}')
  fs.write(dir .. "/a.md", "# A\n\n```lua\nf = io.open('here.txt', 'w') f:write('x') f:close()\n" ..
    "leak_global = 1\ntorch.manual_seed(1)\n```\n")
  fs.write(dir .. "/b.md", "# B\n\n```lua\nprint(io.open('here.txt') == nil, leak_global)\n```\n\n```output\ntrue\tnil\n```\n")
  fs.set_lessons_dir(dir)
  local lines = {}
  local code = require("ember.lesson.batch").run({out = function(l) lines[#lines + 1] = l end})
  fs.set_lessons_dir(nil)
  T.eq(code, 0, table.concat(lines, "\n"))
  T.ok(not fs.exists(fs.absolute("here.txt")), "nothing written to the current folder")
  fs.remove_tree(dir)
end)

---------------------------------------------------------------------------
-- Interactive, through a pipe
---------------------------------------------------------------------------
local function run_lesson(state_dir, input, args)
  local inp = state_dir .. "/input.txt"
  fs.write(inp, input)
  local cmd = string.format("cd %s && EMBER_LESSONS_DIR=%s XDG_STATE_HOME=%s XDG_DATA_HOME=%s EMBER_EXERCISES_DIR=%s NO_COLOR=1 %s lesson %s < %s 2>&1",
    fs.quote(state_dir), fs.quote(fixtures), fs.quote(state_dir), fs.quote(state_dir), fs.quote(state_dir .. "/ex"),
    fs.quote(fs.exe()), args, fs.quote(inp))
  local p = io.popen(cmd)
  local out = p:read("a")
  local _, _, code = p:close()
  return out, code
end

T.test("interactive: Enter, hint, a failed step stays, skip, quit and resume", function()
  local dir = tmpdir()
  local out, code = run_lesson(dir, "h\n\nq\n", "basics")
  T.eq(code, 0, out)
  T.ok(out:find("Hint:", 1, true), out)
  T.ok(out:find("✓ check passed", 1, true), out)
  T.ok(out:find("step 2 of 3", 1, true), out)
  local state = progress.load(dir .. "/ember/progress.json")
  T.eq(state.lessons.basics.step, "step-2")
  T.eq(state.lessons.basics.steps.make, "done")
  -- resume: replays step 1, continues at step 2, finishes
  out, code = run_lesson(dir, "\n\n", "")
  T.eq(code, 0, out)
  T.ok(out:find("Continuing at step 2 of 3", 1, true), out)
  T.ok(out:find("Lesson complete", 1, true), out)
  T.ok(out:find("ember exercise check double-it", 1, true), out)
  state = progress.load(dir .. "/ember/progress.json")
  T.eq(state.lessons.basics.completed, true)
  -- a failing step: Enter fails and stays, s skips
  out, code = run_lesson(dir, "\n\n\ns\n", "broken")
  T.eq(code, 0, out)
  T.ok(out:find("✗ the output is not what the lesson expects", 1, true), out)
  local fails = select(2, out:gsub("✗ the output", ""))
  T.eq(fails, 2, "stayed on the failing step")
  state = progress.load(dir .. "/ember/progress.json")
  T.eq(state.lessons.broken.steps.wrong, "skipped")
  -- list shows both
  out = select(1, run_lesson(dir, "", "list"))
  T.ok(out:find("basics%s+Basics%s+done"), out)
  T.ok(out:find("broken%s+Broken on purpose%s+done %(1 of 2 steps skipped%)"), out)
  -- reset asks; 'n' keeps, --yes resets
  out = select(1, run_lesson(dir, "n\n", "reset basics"))
  T.ok(out:find("Nothing changed", 1, true), out)
  out = select(1, run_lesson(dir, "", "reset basics --yes"))
  state = progress.load(dir .. "/ember/progress.json")
  T.eq(state.lessons.basics, nil)
  fs.remove_tree(dir)
end)

---------------------------------------------------------------------------
-- Exercises: the learner's commands
---------------------------------------------------------------------------
local function sh(dir, cmd, input)
  local inp = dir .. "/stdin.txt"
  fs.write(inp, input or "")
  local full = string.format("cd %s && export EMBER_LESSONS_DIR=%s XDG_STATE_HOME=%s XDG_DATA_HOME=%s EMBER_EXERCISES_DIR=%s NO_COLOR=1 EMBER=%s; %s < %s 2>&1",
    fs.quote(dir), fs.quote(fixtures), fs.quote(dir), fs.quote(dir), fs.quote(dir .. "/ex"), fs.quote(fs.exe()), cmd, fs.quote(inp))
  local p = io.popen("sh -c " .. fs.quote(full))
  local out = p:read("a")
  local _, _, code = p:close()
  return out, code
end

T.test("exercise: check writes the starter, hint, edits pass, reset confirms, watch re-checks", function()
  local dir = tmpdir()
  local copy = dir .. "/ex/double-it.lua"
  local out, code = sh(dir, '"$EMBER" exercise check double-it')
  T.eq(code, 1, out)
  T.ok(out:find("Wrote the starter to", 1, true), out)
  T.ok(out:find("✗ not yet: doubled should be a tensor", 1, true), out)
  T.ok(fs.read(copy):find("local doubled = nil  -- TODO: t doubled", 1, true))
  out = sh(dir, '"$EMBER" exercise hint double-it')
  T.ok(out:find("Multiply by 2", 1, true), out)
  -- a learner's edit is never overwritten by check
  fs.write(copy, (fs.read(copy):gsub("local doubled = nil[^\n]*", "local doubled = t * 2")))
  out, code = sh(dir, '"$EMBER" exercise check double-it')
  T.eq(code, 0, out)
  T.ok(out:find("✓ double-it passed", 1, true), out)
  T.ok(fs.read(copy):find("local doubled = t * 2", 1, true), "the edit is kept")
  out = sh(dir, '"$EMBER" exercise list')
  T.ok(out:find("double%-it%s+lesson 1%s+passed"), out)
  -- reset: n keeps the edit, y restores the starter
  out, code = sh(dir, '"$EMBER" exercise reset double-it', "n\n")
  T.eq(code, 1)
  T.ok(fs.read(copy):find("t * 2", 1, true), "kept after n")
  out, code = sh(dir, '"$EMBER" exercise reset double-it', "y\n")
  T.eq(code, 0, out)
  T.ok(fs.read(copy):find("local doubled = nil", 1, true), "starter back after y")
  -- watch: a save while it watches is re-checked. The save happens once the
  -- first check has printed its result, and the watcher stops after its
  -- second check: no sleeps to race against a slow machine.
  out = sh(dir, 'EMBER_WATCH_CHECKS=2 timeout 120 "$EMBER" exercise watch double-it >watch.out 2>&1 & ' ..
    'for i in $(seq 1200); do grep -q "not yet" watch.out && break; sleep 0.1; done; ' ..
    "sed -i 's/local doubled = nil.*/local doubled = t * 2/' ex/double-it.lua; wait; cat watch.out")
  T.ok(out:find("✗ not yet", 1, true), out)
  T.ok(out:find("✓ double-it passed", 1, true), out)
  out, code = sh(dir, '"$EMBER" exercise check no-such')
  T.eq(code, 1)
  T.ok(out:find("no exercise called 'no-such'", 1, true), out)
  fs.remove_tree(dir)
end)

T.run()
