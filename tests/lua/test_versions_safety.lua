-- ember.versions under attack: removal never follows a symbolic link (a link
-- inside a version folder, or a version folder that is itself a link, is
-- removed as a link and what it points at survives an overwrite), and an
-- overwrite interrupted at any instant leaves the old or the new version
-- listed, never none (folders left by a killed save are recovered when
-- their process is gone). The kill -9 loop is tests/examples/test_versions_crash.sh.
local T = require "ember.test"
local versions = require "ember.versions"
local sys = require "ember.sys"

local root = os.tmpname()
os.remove(root)
assert(sys.mkdir(root))

local Net = nn.Module:extend("VersionsSafetyNet")
function Net:__init()
  nn.Module.__init(self)
  self.fc = nn.Linear(3, 2)
end
function Net:forward(x) return self.fc(x) end

local function write(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end
local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end
local function sh(cmd) assert(os.execute(cmd), cmd) end
local function listed(base)
  local out = {}
  for _, m in ipairs(versions.list(base)) do out[#out + 1] = m.version .. ":" .. m.description end
  return table.concat(out, " ")
end
-- a pid that no process has: a shell that has exited
local function dead_pid()
  local p = io.popen("sh -c 'echo $$'")
  local pid = tonumber(p:read("l"))
  p:close()
  return pid
end

torch.manual_seed(0)
local a, b = Net(), Net()

T.test("overwrite: a link inside the version folder to a file outside is removed, not followed", function()
  local base = root .. "/m1"
  versions.save(a, base, "1.0.0", {description = "a"})
  write(root .. "/precious.txt", "keep me")
  sh(string.format("ln -s %q %q", root .. "/precious.txt", base .. "/1.0.0/notes.txt"))
  versions.save(b, base, "1.0.0", {description = "b", overwrite = true})
  T.eq(read(root .. "/precious.txt"), "keep me")
  T.eq(listed(base), "1.0.0:b")
end)

T.test("overwrite: a link inside the version folder to a folder outside is removed, not followed", function()
  local base = root .. "/m2"
  versions.save(a, base, "1.0.0", {description = "a"})
  sh(string.format("mkdir -p %q && echo data > %q", root .. "/outside", root .. "/outside/data.txt"))
  sh(string.format("ln -s %q %q", root .. "/outside", base .. "/1.0.0/linked"))
  versions.save(b, base, "1.0.0", {description = "b", overwrite = true})
  T.eq(read(root .. "/outside/data.txt"), "data\n")
  T.eq(listed(base), "1.0.0:b")
end)

T.test("overwrite: a version folder that is itself a link: the link is replaced, its target kept", function()
  local base = root .. "/m3"
  versions.save(a, root .. "/elsewhere", "1.0.0", {description = "a"})
  sys.mkdir(base)
  sh(string.format("ln -s %q %q", root .. "/elsewhere/1.0.0", base .. "/1.0.0"))
  T.eq(listed(base), "1.0.0:a")           -- reading through the link is fine
  versions.save(b, base, "1.0.0", {description = "b", overwrite = true})
  T.ok(read(root .. "/elsewhere/1.0.0/model.pt"), "the link's target lost model.pt")
  T.eq(listed(root .. "/elsewhere"), "1.0.0:a")
  T.eq(listed(base), "1.0.0:b")
  T.eq(sys.lstat(base .. "/1.0.0"), "directory")
end)

T.test("a save killed between moving the old version aside and the new one in: the old one is listed", function()
  local base = root .. "/m4"
  versions.save(a, base, "1.0.0", {description = "a"})
  versions.save(b, base, "2.0.0", {description = "b"})
  local pid = dead_pid()
  -- the state the two-rename swap passes through: old aside, new complete, no 1.0.0
  assert(os.rename(base .. "/1.0.0", string.format("%s/.1.0.0.old-%d", base, pid)))
  assert(os.rename(base .. "/2.0.0", string.format("%s/.1.0.0.tmp-%d", base, pid)))
  T.eq(listed(base), "1.0.0:a")
  local _, meta = versions.load(Net(), base, "1.0.0")
  T.eq(meta.description, "a")
  -- the next save tidies what the dead process left
  versions.save(b, base, "3.0.0", {description = "b"})
  local hidden = {}
  for _, name in ipairs(sys.listdir(base)) do
    if name:sub(1, 1) == "." then hidden[#hidden + 1] = name end
  end
  T.eq(table.concat(hidden, " "), "")
end)

T.test("an interrupted swap is recovered by load too, and a live saver's folders are left alone", function()
  local base = root .. "/m5"
  versions.save(a, base, "1.0.0", {description = "a"})
  local pid = dead_pid()
  assert(os.rename(base .. "/1.0.0", string.format("%s/.1.0.0.old-%d", base, pid)))
  local _, meta = versions.load(Net(), base, "1.0.0")
  T.eq(meta.description, "a")
  -- a folder named for a running process (this one) is that process's business
  versions.save(a, base, "2.0.0", {description = "a"})
  local mine = string.format("%s/.2.0.0.old-%d", base, sys.getpid() + 0)
  assert(os.rename(base .. "/2.0.0", mine))
  T.eq(listed(base), "1.0.0:a")
  T.eq(sys.lstat(mine), "directory")
  assert(os.rename(mine, base .. "/2.0.0"))
end)

T.test("without renameat2 (a file system that lacks it): the same results through two renames", function()
  local real = sys.rename
  local calls = 0
  sys.rename = function(from, to, how)
    if how then calls = calls + 1; return nil, "not here", "unsupported" end
    return real(from, to)
  end
  local ok, err = pcall(function()
    local base = root .. "/m7"
    versions.save(a, base, "1.0.0", {description = "a"})
    sh(string.format("mkdir -p %q && echo data > %q", root .. "/outside7", root .. "/outside7/data.txt"))
    sh(string.format("ln -s %q %q", root .. "/outside7", base .. "/1.0.0/linked"))
    versions.save(b, base, "1.0.0", {description = "b", overwrite = true})
    T.eq(read(root .. "/outside7/data.txt"), "data\n")
    T.eq(listed(base), "1.0.0:b")
    T.error(function() versions.save(a, base, "1.0.0") end, "already exists")
    T.eq(#sys.listdir(base), 1, "hidden folders left")
  end)
  sys.rename = real
  assert(ok, err)
  T.ok(calls >= 2, "the fallback was not taken")
end)

T.test("options are checked", function()
  local base = root .. "/m6"
  T.error(function() versions.save(a, base, "1.0.0", {overwite = true}) end,
    "versions.save: unknown option 'overwite' (did you mean 'overwrite'?)")
  T.eq(sys.listdir(base), nil, "nothing written")
  versions.save(a, base, "1.0.0")
  T.error(function() versions.load(Net(), base, "1.0.0", {verfy = false}) end,
    "versions.load: unknown option 'verfy' (did you mean 'verify'?)")
end)

T.run()
os.execute("rm -rf '" .. root .. "'")
