-- ember.lesson.fs — the file-system and process helpers the lesson runner
-- needs: whole-file read/write, atomic replace (temp file + rename), making
-- folders, scratch folders under /tmp and removing them, shell quoting, and
-- where things live (lessons, the learner's exercise folder, progress, the
-- work folders lessons and exercises write into).
-- Not here: what the files mean.
local sys = require "ember.sys"

local fs = {}

--- fs.quote(s): s as one single-quoted shell word
function fs.quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

--- fs.read(path) -> contents | nil, message
function fs.read(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local s = f:read("a")
  f:close()
  if not s then return nil, path .. ": cannot read" end
  return s
end

function fs.exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

function fs.dirname(path)
  return path:match("^(.*)/[^/]*$") or "."
end

function fs.basename(path)
  return path:match("([^/]*)$")
end

--- fs.mkdir_p(path) -> true | nil, message
function fs.mkdir_p(path)
  local sofar = path:sub(1, 1) == "/" and "" or "."
  for part in path:gmatch("[^/]+") do
    sofar = sofar .. "/" .. part
    local ok, err = sys.mkdir(sofar)
    if not ok then return nil, err end
  end
  return true
end

--- fs.write(path, s) -> true | nil, message (plain write, creates parents)
function fs.write(path, s)
  local ok, err = fs.mkdir_p(fs.dirname(path))
  if not ok then return nil, err end
  local f
  f, err = io.open(path, "wb")
  if not f then return nil, err end
  ok, err = f:write(s)
  local closed, cerr = f:close()
  if not ok or not closed then return nil, err or cerr end
  return true
end

--- fs.write_atomic(path, s) -> true | nil, message
-- Writes a temporary file next to path, fsyncs it and renames it over path
-- (sys.write_atomic, the code torch.save uses), so a reader or a crash
-- never sees half a file. Creates missing parent folders.
function fs.write_atomic(path, s)
  local ok, err = fs.mkdir_p(fs.dirname(path))
  if not ok then return nil, err end
  return sys.write_atomic(path, s)
end

-- "/a/b/../c/./d" -> "/a/c/d"
local function tidy(path)
  local parts = {}
  for part in path:gmatch("[^/]+") do
    if part == ".." and #parts > 0 and parts[#parts] ~= ".." then parts[#parts] = nil
    elseif part ~= "." then parts[#parts + 1] = part end
  end
  return "/" .. table.concat(parts, "/")
end

local cwd_cache

--- fs.absolute(path): path made absolute against the current directory
function fs.absolute(path)
  if path:sub(1, 1) == "/" then return tidy(path) end
  if not cwd_cache then
    -- not $PWD: a parent that changed folder (ctest, make) may not update it
    local p = io.popen("pwd")
    cwd_cache = p and p:read("l") or os.getenv("PWD") or "."
    if p then p:close() end
  end
  local cwd = cwd_cache
  return tidy(cwd .. "/" .. path)
end

--- fs.tempdir() -> a new empty folder under /tmp (or $TMPDIR) | nil, message
function fs.tempdir()
  local name = os.tmpname()          -- creates an empty file with a unique name
  os.remove(name)
  local dir = name .. ".ember"
  local ok, err = sys.mkdir(dir)
  if not ok then return nil, err end
  return dir
end

--- fs.remove_tree(dir): removes a folder made by fs.tempdir (and only such)
function fs.remove_tree(dir)
  if type(dir) ~= "string" or not dir:match("%.ember$") or #dir < 8 then return false end
  return os.execute("rm -rf " .. fs.quote(dir))
end

---------------------------------------------------------------------------
-- Where things live
---------------------------------------------------------------------------

-- The lua/ folder this file was loaded from.
local function lua_dir()
  local here = package.searchpath("ember.lesson.fs", package.path)
  if here then return (here:gsub("/ember/lesson/fs%.lua$", "")) end
  return "."
end

--- fs.lessons_dir(): $EMBER_LESSONS_DIR, else <lua dir>/../lessons (the
-- repository's lessons/, or share/ember/lessons when installed)
local lessons_override
function fs.lessons_dir()
  if lessons_override then return lessons_override end
  local env = os.getenv("EMBER_LESSONS_DIR")
  if env and env ~= "" then return fs.absolute(env) end
  return fs.absolute(lua_dir() .. "/../lessons")
end

--- fs.set_lessons_dir(dir): use dir instead (tests); nil restores the default
function fs.set_lessons_dir(dir)
  lessons_override = dir and fs.absolute(dir) or nil
end

--- fs.exercises_dir(): where the learner's copies live
function fs.exercises_dir()
  local env = os.getenv("EMBER_EXERCISES_DIR")
  if env and env ~= "" then return fs.absolute(env) end
  return (os.getenv("HOME") or ".") .. "/ember-exercises"
end

--- fs.state_file(): progress.json under $XDG_STATE_HOME or ~/.local/state
function fs.state_file()
  local state = os.getenv("XDG_STATE_HOME")
  if not state or state == "" then state = (os.getenv("HOME") or ".") .. "/.local/state" end
  return fs.absolute(state .. "/ember/progress.json")   -- still right after fs.enter
end

--- fs.work_root(): where lessons and exercises write their files, one
-- folder each: $XDG_DATA_HOME/ember/work, else ~/.local/share/ember/work
-- (never the source tree or the folder the learner started ember in)
function fs.work_root()
  local data = os.getenv("XDG_DATA_HOME")
  if not data or data == "" then data = (os.getenv("HOME") or ".") .. "/.local/share" end
  return fs.absolute(data .. "/ember/work")
end

--- fs.work_dir(id[, kind]) -> the work folder of lesson id (created) | nil, message
-- kind "exercise" gives <root>/exercises/<id> instead of <root>/<id>.
function fs.work_dir(id, kind)
  local dir = fs.work_root() .. (kind == "exercise" and "/exercises/" or "/") .. id
  local ok, err = fs.mkdir_p(dir)
  if not ok then return nil, err end
  return dir
end

--- fs.enter(dir) -> true | nil, message: makes dir the current folder
-- (relative paths given before, such as $EMBER_EXERCISES_DIR, keep meaning
-- what they meant)
function fs.enter(dir)
  fs.absolute(".")          -- remembers the folder ember started in
  return sys.chdir(dir)
end

--- fs.snapshot(dir) -> {relative path = modification time} of the files
-- under dir (four levels deep at most; links are not followed)
function fs.snapshot(dir)
  local out = {}
  local function walk(d, prefix, depth)
    for _, name in ipairs(sys.listdir(d) or {}) do
      local path, rel = d .. "/" .. name, prefix .. name
      local kind = sys.lstat(path)
      if kind == "directory" and depth < 4 then walk(path, rel .. "/", depth + 1)
      elseif kind == "file" then out[rel] = sys.mtime(path) or 0 end
    end
  end
  walk(dir, "", 1)
  return out
end

--- fs.changed(before, after) -> sorted list of the paths new or modified
function fs.changed(before, after)
  local list = {}
  for rel, t in pairs(after) do
    if before[rel] ~= t then list[#list + 1] = rel end
  end
  table.sort(list)
  return list
end

--- fs.short(path): path with $HOME shown as ~
function fs.short(path)
  local home = os.getenv("HOME")
  if home and home ~= "" and home ~= "/" and path:sub(1, #home + 1) == home .. "/" then
    return "~" .. path:sub(#home + 1)
  end
  return path
end

local exe_path
--- fs.exe(): the ember binary (set by main from /proc/self/exe)
function fs.exe()
  if exe_path then return exe_path end
  local env = os.getenv("EMBER_EXE")
  if env and env ~= "" then exe_path = env return env end
  local p = io.popen("readlink /proc/" .. sys.getpid() .. "/exe 2>/dev/null")
  local s = p and p:read("l")
  if p then p:close() end
  exe_path = (s and s ~= "") and s or "ember"
  return exe_path
end

function fs.set_exe(path)
  if type(path) == "string" and path ~= "" then exe_path = path end
end

return fs
