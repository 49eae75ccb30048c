-- Python twins and predict blocks of lessons (lua/ember/lesson/twin.lua,
-- predict.lua, twinview.lua, the parser's part): which ```python block is a
-- twin, the predict syntax and answer matching, the line comparison
-- (whitespace, numbers within printing precision, true/True), the diff's
-- alignment and annotations (stale ones fail), the side-by-side layout, and
-- a whole compare run against real PyTorch when /usr/bin/python3 has torch.

local T = require "ember.test"
local parse = require "ember.lesson.parse"
local predict = require "ember.lesson.predict"
local twin = require "ember.lesson.twin"
local twinview = require "ember.lesson.twinview"

local lesson_text = [[
# Twins

```predict
question: What does it print?
answer: 3
accept: three
why: 1 + 2.
```

```lua id=a
print(1 + 2)
```

```python
print(1 + 2)
```

```output
3
```

Prose, then a Python block that is only shown:

```python
print("not a twin")
```

```lua id=b
print(true)
```

```check
check(true)
```

```python
#| differs: a reason
print(True)
```
]]

T.test("parse: a python block right after a cell is its twin; after prose it is prose", function()
  local l = assert(parse.lesson(lesson_text, "t.md"))
  T.eq(#l.cells, 2)
  T.eq(l.cells[1].python, "print(1 + 2)\n")
  T.eq(l.cells[1].python_line, 14)
  T.eq(l.cells[2].python, "#| differs: a reason\nprint(True)\n")
  T.eq(l.cells[1].predict.answer, "3")
  T.eq(l.cells[2].predict, nil)
  local shown = false
  for _, b in ipairs(l.cells[2].prose) do
    if b.type == "code" and b.text:find("not a twin", 1, true) then shown = true end
  end
  T.ok(shown, "the python block after prose stays in the prose")
  -- a twin never becomes a cell
  for _, c in ipairs(l.cells) do T.ok(not c.code:find("print%(True%)"), c.code) end
end)

T.test("parse: misplaced or malformed predict blocks give FILE:LINE messages", function()
  local _, e1 = parse.lesson("# T\n\n```lua\nx = 1\n```\n\n```predict\nquestion: q\nanswer: a\n```\n", "p.md")
  T.ok(e1 and e1:find("p.md:7: a ```predict block must come before a ```lua cell", 1, true), e1)
  local _, e2 = parse.lesson("# T\n\n```predict\nanswer: a\n```\n\n```lua\nx = 1\n```\n", "p.md")
  T.ok(e2 and e2:find("p.md:3: ```predict: no 'question:'", 1, true), e2)
  local _, e3 = parse.lesson("# T\n\n```predict\nquestion: q\nanswer: c\nchoices: a | b\n```\n\n```lua\nx = 1\n```\n", "p.md")
  T.ok(e3 and e3:find("not one of the choices", 1, true), e3)
  local _, e4 = parse.lesson("# T\n\n```predict\nquestion: q\nanswer: a\n```\n\n```predict\nquestion: q\nanswer: a\n```\n\n```lua\nx = 1\n```\n", "p.md")
  T.ok(e4 and e4:find("two ```predict blocks", 1, true), e4)
end)

T.test("predict: answers, accepted forms and choices", function()
  local p = assert(predict.parse("question: Shape of a + b?\nanswer: torch.Size([2, 3])\naccept: [2, 3] | 2x3\n"))
  T.ok(predict.check(p, "torch.Size([2,3])"))
  T.ok(predict.check(p, " [2, 3] "))
  T.ok(predict.check(p, "2X3"))
  T.ok(not predict.check(p, "[3, 2]"))
  T.ok(not predict.check(p, ""))
  local c = assert(predict.parse("question: Which\n  is lower?\nchoices: SGD | Adam\nanswer: Adam\n"))
  T.eq(c.question, "Which\n  is lower?")
  T.ok(predict.check(c, "adam") and predict.check(c, "2") and predict.check(c, "b") and predict.check(c, "b)"))
  T.ok(not predict.check(c, "a") and not predict.check(c, "1") and not predict.check(c, "SGD"))
  T.ok(predict.prompt_text(c):find("  a) SGD\n  b) Adam", 1, true), predict.prompt_text(c))
end)

T.test("predict: lesson test finds the answer in what the cell prints", function()
  local p = assert(predict.parse("question: q\nanswer: torch.Size([2, 3])\naccept: [2, 3]\n"))
  T.ok(predict.verify(p, "x\ntorch.Size([2, 3])\n"))
  T.ok(not predict.verify(p, "tensor([2, 3])"))            -- the answer itself, not an accepted form
  local ok, msg = predict.verify(p, "torch.Size([3, 2])")
  T.ok(not ok and msg:find("the answer 'torch.Size([2, 3])'", 1, true), msg)
  T.ok(predict.verify(assert(predict.parse("question: q\nchoices: a | b\nanswer: b\n")), ""))
  -- through `lesson test`: a stale answer fails the lesson with FILE:LINE
  local fs = require "ember.lesson.fs"
  local dir = assert(fs.tempdir())
  fs.write(dir .. "/manifest.lua", 'return {{id = "t", file = "t.md", title = "T"}}')
  fs.write(dir .. "/t.md", "# T\n\n```predict\nquestion: q\nanswer: 7\n```\n\n```lua id=c\nprint(6)\n```\n")
  local pipe = io.popen(string.format("EMBER_LESSONS_DIR=%s EMBER_PYTHON=/nonexistent %s lesson test t 2>&1",
    fs.quote(dir), fs.quote(fs.exe())))
  local out = pipe:read("a")
  local _, _, code = pipe:close()
  fs.remove_tree(dir)
  T.eq(code, 1, out)
  T.ok(out:find("t.md:3: the ```predict before cell 'c': the answer '7'", 1, true), out)
end)

T.test("twin: what counts as the same line", function()
  T.eq(twin.same_line("2\t6", "2 6"), "exact")                       -- whitespace
  T.eq(twin.same_line("  x  ", "x"), "exact")
  T.eq(twin.same_line("false\tnil", "False None"), "close")         -- Lua's literals
  T.eq(twin.same_line("x = false", "x = False"), "close")
  T.eq(twin.same_line("(pass {verify = false})", "(pass {verify = false})"), "exact")
  T.eq(twin.same_line("false", "True"), nil)
  T.eq(twin.same_line("d = 0.3", "d = 0.30000000000000004"), "close")  -- printing precision
  T.eq(twin.same_line("loss 0.1235", "loss 0.1234"), nil)
  T.eq(twin.same_line("3", "3.0"), "close")
  T.eq(twin.same_line("1e-05", "1.0000e-05"), "close")
  T.eq(twin.same_line("float32", "float64"), nil)                   -- digits inside words are text
  T.eq(twin.same_line("a 1 b", "a 1 c"), nil)
end)

T.test("twin: diff alignment, python-only and ember-only lines, annotations", function()
  local rows, c = twin.diff("a\nb\nc\n", "a\nB\nc\nd\n", {lines = {}})
  T.eq(c.match, 3 - 1)
  T.eq(c.differ, 1)
  T.eq(c.python_only, 1)
  T.eq(c.unexpected, 2)
  T.eq(rows[2].kind, "differ")
  T.eq(rows[2].ember, "b")
  T.eq(rows[2].python, "B")
  T.eq(rows[4].kind, "python-only")
  -- an inserted line does not shift the rest into differences
  local _, c2 = twin.diff("x\ny\nz\n", "x\nnew\ny\nz\n", {lines = {}})
  T.eq(c2.match, 3)
  T.eq(c2.python_only, 1)
  local _, c3 = twin.diff("a\nb\n", "a\nc\n", {lines = {}})
  T.eq(c3.unexpected, 1)
  -- annotations: by python line, or the whole cell; a stale one fails
  local ann = twin.annotations("#| differs 2: ids differ\nprint(1)\n")
  T.eq(ann.lines[2], "ids differ")
  local _, c4 = twin.diff("a\nb\n", "a\nc\n", ann)
  T.eq(c4.unexpected, 0)
  T.eq(c4.allowed, 1)
  local _, c5 = twin.diff("a\nb\n", "a\nb\n", ann)
  T.eq(c5.unexpected, 1)
  T.ok(c5.stale[1]:find("line 2 matches", 1, true), c5.stale[1])
  local all = twin.annotations("  #| differs: everything\n")
  T.eq(all.all, "everything")
  local _, c6 = twin.diff("a\nb\n", "x\n", all)
  T.eq(c6.unexpected, 0)
  T.eq(c6.allowed, 2)
end)

T.test("twin: drift annotations allow 1% plus two last-digit units, never more", function()
  T.eq(twin.same_line("loss 0.2250", "loss 0.2245", true), "close")
  T.eq(twin.same_line("loss 0.2250", "loss 0.2245"), nil)
  T.eq(twin.same_line("  5  0  1  2", "  5  0  0  3", true), "close")   -- one digit moved between cells
  T.eq(twin.same_line("loss 0.2400", "loss 0.2245", true), nil)          -- 7%: too far
  T.eq(twin.same_line("count 10", "count 13", true), nil)
  T.eq(twin.same_line("acc 0.2250", "loss 0.2250", true), nil)          -- the words still agree
  local ann = twin.annotations("#| drifts 2: long training\nprint(1)\n")
  T.eq(ann.drift.lines[2], "long training")
  T.eq(next(ann.lines), nil)
  local rows, c = twin.diff("a\nloss 0.2250\n", "a\nloss 0.2245\n", ann)
  T.eq(c.unexpected, 0)
  T.eq(c.drift, 1)
  T.eq(rows[2].kind, "drift")
  -- on a machine where the line matches, the annotation is not stale
  local _, c2 = twin.diff("a\nloss 0.2245\n", "a\nloss 0.2245\n", ann)
  T.eq(c2.unexpected, 0)
  -- drifting further than allowed, or on a line not annotated, is a failure
  local _, c3 = twin.diff("a\nloss 0.3000\n", "a\nloss 0.2245\n", ann)
  T.eq(c3.unexpected, 1)
  local _, c4 = twin.diff("loss 0.2250\na\n", "loss 0.2245\na\n", ann)
  T.eq(c4.unexpected, 1)
  local all = twin.annotations("#| drifts: whole table\n")
  local _, c5 = twin.diff("1 2\n3 4\n", "1 3\n3 3\n", all)
  T.eq(c5.unexpected, 0)
  T.eq(c5.drift, 2)
end)

T.test("twinview: side by side when it fits, else below", function()
  local wide = twinview.render("x = 1\nprint(x)", "x = 1\nprint(x)", 100)
  T.ok(wide:find("Lua (ember)", 1, true) and wide:find("│ Python (PyTorch)", 1, true), wide)
  T.ok(wide:find("\n  print(x)    │ print(x)", 1, true), wide)
  local narrow = twinview.render("x = 1", string.rep("y", 60), 40)
  T.ok(not narrow:find("│", 1, true), narrow)
  T.ok(narrow:find("Lua (ember)\n  x = 1\n\n  Python (PyTorch)\n  " .. string.rep("y", 60), 1, true), narrow)
  local noted = twinview.render("print(1)", "#| differs 1: because\nprint(1)", 100)
  T.ok(not noted:find("#|", 1, true), noted)
  T.ok(noted:find("\n  Prints differently: because$"), noted)
end)

T.test("twin: a lesson compared with real PyTorch (skipped without it)", function()
  if not twin.available() then
    print("  (skipped: " .. select(2, twin.available()) .. ")")
    return
  end
  local l = assert(parse.lesson(lesson_text, "t.md"))
  local rep = twin.compare_lesson(l, {"3\n", "true\n"})
  T.eq(rep.totals.match + rep.totals.close, 2)
  -- cell b's whole-cell annotation is stale (true matches True): a failure
  T.ok(not rep.ok)
  T.eq(rep.totals.unexpected, 1)
  T.ok(table.concat(rep.text, "\n"):find("stale annotation", 1, true), table.concat(rep.text, "\n"))
  local bad = twin.compare_lesson(l, {"4\n", "false\n"})
  T.ok(not bad.ok)
  T.ok(table.concat(bad.text, "\n"):find("ember:  4", 1, true), table.concat(bad.text, "\n"))
  -- a twin that raises is reported with its traceback
  local l2 = assert(parse.lesson("# T\n\n```lua\nprint(1)\n```\n\n```python\nraise ValueError('boom')\n```\n", "r.md"))
  local r2 = twin.compare_lesson(l2, {"1\n"})
  T.ok(not r2.ok)
  T.ok(table.concat(r2.text, "\n"):find("ValueError: boom", 1, true), table.concat(r2.text, "\n"))
end)

T.test("compare: without a Python that has torch, a clear skip message and exit 0", function()
  local fs = require "ember.lesson.fs"
  local p = io.popen(string.format("EMBER_PYTHON=/nonexistent/python3 %s lesson compare tensors 2>&1",
    fs.quote(fs.exe())))
  local out = p:read("a")
  local _, _, code = p:close()
  T.eq(code, 0, out)
  T.ok(out:find("ember lesson compare: skipped", 1, true) and out:find("/nonexistent/python3", 1, true), out)
end)

T.test("compare: a lesson file's twins against ember, through the command (skipped without PyTorch)", function()
  if not twin.available() then return end
  local fs = require "ember.lesson.fs"
  local dir = assert(fs.tempdir())
  fs.write(dir .. "/manifest.lua", 'return {{id = "t", file = "t.md", title = "T"}}')
  fs.write(dir .. "/t.md", "# T\n\n```lua\ntorch.manual_seed(1)\nprint(torch.randn(3))\nprint(#{1, 2})\n```\n\n" ..
    "```python\nimport torch\ntorch.manual_seed(1)\nprint(torch.randn(3))\nprint(len([1, 2, 3]))\n```\n")
  local p = io.popen(string.format("EMBER_LESSONS_DIR=%s %s lesson compare t 2>&1", fs.quote(dir), fs.quote(fs.exe())))
  local out = p:read("a")
  local _, _, code = p:close()
  fs.remove_tree(dir)
  T.eq(code, 1, out)
  T.ok(out:find("FAIL  lesson t (t.md): 1 cells; 1 lines match PyTorch (0 within printing precision), 1 differ, 0 python-only, 0 ember-only; 0 annotated, 1 unexpected", 1, true), out)
  T.ok(out:find("    ember:  2\n", 1, true) and out:find("    python: 3", 1, true), out)
end)

T.run()
