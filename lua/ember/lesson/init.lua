-- ember.lesson — `ember lesson ...`: the command line of the lesson runner.
--   ember lesson                 resume where the learner stopped (or lesson 1)
--   ember lesson list            every lesson with its status
--   ember lesson ID|N            open a lesson (by id or position)
--   ember lesson next            the lesson after the current one
--   ember lesson reset ID|--all [--yes]
--   ember lesson test [ID|FILE ...]   batch mode (batch.lua)
--   ember lesson compare [-v] [ID ...] ember's output vs the Python twins' (twin.lua)
-- Each command is a small function here; the work is in the other files of
-- this folder. Returns the exit code: 0 ok, 1 failure, 2 usage error.
local fs = require "ember.lesson.fs"
local manifest = require "ember.lesson.manifest"

local lesson = {}

local usage = [[
usage: ember lesson [ID|N|next|list]
       ember lesson reset ID|--all [--yes]
       ember lesson test [ID|FILE ...]
       ember lesson compare [-v|-a] [ID ...]

  ember lesson          continue where you stopped (or start lesson 1)
  ember lesson list     every lesson and how far you got
  ember lesson 3        open lesson 3 (an id such as `tensors` works too)
  ember lesson next     the lesson after the current one
  ember lesson reset ID forget your progress in a lesson (asks first; --yes skips)
  ember lesson test     run every lesson and exercise non-interactively (authors, CI)
  ember lesson compare  run each lesson's Python twins in PyTorch and diff their output
                        with ember's (-v: every line, -a: also annotated differences)

In a lesson: Enter runs the step, e edits it ($VISUAL, $EDITOR, nano or ember's
line editor), o puts the lesson's code back, r opens a REPL in the lesson,
h shows a hint, p shows the step in PyTorch, s skips (its code still runs,
quietly), q quits (progress is saved). Files a lesson writes go to its work
folder (shown below).
More: docs/lessons.md]]

local function err(msg)
  io.stderr:write("ember lesson: ", msg, "\n")
  return 1
end

local function load_list()
  local list, merr = manifest.load()
  if not list then return nil, err(merr) end
  return list
end

local commands = {}

function commands.help()
  io.write(usage, "\n\nLessons:  ", fs.short(fs.lessons_dir()), "\nProgress: ", fs.short(fs.state_file()),
    "\nExercise copies: ", fs.short(fs.exercises_dir()), "\nWork folders: ", fs.short(fs.work_root()), "/<id>/\n")
  return 0
end

function commands.test(args)
  local rest = {}
  for i = 2, #args do rest[#rest + 1] = args[i] end
  return require("ember.lesson.batch").run(rest)
end

function commands.compare(args)
  local list, code = load_list()
  if not list then return code end
  return require("ember.lesson.twin").command(list, args)
end

function commands.__run(args)
  return require("ember.lesson.child").main(args)
end

function commands.list()
  local list, code = load_list()
  if not list then return code end
  return require("ember.lesson.status").print_list(list)
end

function commands.reset(args)
  local list, code = load_list()
  if not list then return code end
  local yes, target = false, nil
  for i = 2, #args do
    if args[i] == "--yes" or args[i] == "-y" then yes = true
    elseif not target then target = args[i]
    else return err("reset takes one lesson id (or --all)") end
  end
  if not target then return err("reset needs a lesson id or --all (see `ember lesson list`)") end
  return require("ember.lesson.status").reset(list, target, yes)
end

function commands.next()
  local list, code = load_list()
  if not list then return code end
  return require("ember.lesson.runner").open_next(list)
end

function commands.resume()
  local list, code = load_list()
  if not list then return code end
  return require("ember.lesson.runner").resume(list)
end

--- lesson.main(args) -> exit code (args as given after `ember lesson`)
function lesson.main(args)
  args = args or {}
  fs.set_exe(args.exe)
  local cmd = args[1]
  if cmd == nil then return commands.resume(args) end
  if cmd == "-h" or cmd == "--help" or cmd == "help" then return commands.help() end
  if commands[cmd] then return commands[cmd](args) end
  if cmd:sub(1, 1) == "-" then
    io.stderr:write("ember lesson: unknown option '", cmd, "'\n\n", usage, "\n")
    return 2
  end
  local list, code = load_list()
  if not list then return code end
  local entry, ferr = manifest.find(list, cmd)
  if not entry then return err(ferr) end
  return require("ember.lesson.runner").open(list, entry)
end

return lesson
