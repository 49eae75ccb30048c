-- torch.save writes atomically: injected failures (ENOSPC/EIO at write,
-- flush, fsync, close, rename, or when creating the temporary file) raise an
-- error naming the path and the errno text, leave the previous file
-- byte-identical and leave no temporary file; a successful save replaces
-- the file. Also: values torch.save refuses, with the key path in the error;
-- saving through a symlink replaces the file it points to (the link stays);
-- a FIFO or character device is written, never replaced; a block device or
-- a folder is refused; names of 240-255 bytes save; permissions carry over.
local T = require "ember.test"
local core = require "torch.core"

local function tmpdir()
  local name = os.tmpname()
  os.remove(name)
  assert(os.execute("mkdir -p '" .. name .. "'"))
  return name
end

local function read_all(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

-- Names in dir (ls -A: dot files included).
local function listing(dir)
  local p = assert(io.popen("ls -A '" .. dir .. "'"))
  local names = {}
  for line in p:lines() do names[#names + 1] = line end
  p:close()
  table.sort(names)
  return table.concat(names, " ")
end

local function model_state(seed)
  torch.manual_seed(seed)
  return nn.Linear(4, 3):state_dict()
end

T.test("a save over an existing file replaces it and leaves no temporary file", function()
  local dir = tmpdir()
  local path = dir .. "/ckpt.pt"
  torch.save(model_state(1), path)
  local first = read_all(path)
  T.eq(first:sub(1, 4), "PK\3\4")
  torch.save(model_state(2), path)
  local second = read_all(path)
  T.eq(#second, #first, "same layout, same size")
  T.ok(second ~= first, "the bytes changed")
  T.eq(listing(dir), "ckpt.pt")
  os.execute("rm -rf '" .. dir .. "'")
end)

T.test("saving twice gives the same bytes (deterministic)", function()
  local d1, d2 = tmpdir(), tmpdir()
  torch.save(model_state(3), d1 .. "/m.pt")
  torch.save(model_state(3), d2 .. "/m.pt")
  T.ok(read_all(d1 .. "/m.pt") == read_all(d2 .. "/m.pt"))
  os.execute("rm -rf '" .. d1 .. "' '" .. d2 .. "'")
end)

local FAULTS = {
  {"write:ENOSPC", "No space left on device"},
  {"write:EIO", "Input/output error"},
  {"flush:ENOSPC", "No space left on device"},
  {"fsync:EIO", "Input/output error"},
  {"fsync:ENOSPC", "No space left on device"},
  {"close:EIO", "Input/output error"},
  {"rename:EACCES", "Permission denied"},
  {"open:EROFS", "Read-only file system"},
}

for _, f in ipairs(FAULTS) do
  T.test("injected " .. f[1] .. ": error names path and errno, old file survives, no temp file", function()
    local dir = tmpdir()
    local path = dir .. "/model.pt"
    torch.save(model_state(1), path)
    local before = read_all(path)
    core._fault_inject(f[1])
    local ok, err = pcall(torch.save, model_state(2), path)
    core._fault_inject(nil)
    T.ok(not ok, "the save must fail")
    T.ok(err:find(path, 1, true), "message names the path: " .. err)
    T.ok(err:find(f[2], 1, true), "message has the errno text: " .. err)
    T.eq(read_all(path), before, "the previous file is byte-identical")
    T.eq(listing(dir), "model.pt", "no temporary file left")
    -- and the next save works again
    torch.save(model_state(2), path)
    T.ok(read_all(path) ~= before)
    os.execute("rm -rf '" .. dir .. "'")
  end)
end

T.test("an injected failure on a new file leaves nothing behind", function()
  local dir = tmpdir()
  core._fault_inject("fsync:EIO")
  local ok = pcall(torch.save, {a = 1}, dir .. "/new.pt")
  core._fault_inject(nil)
  T.ok(not ok)
  T.eq(listing(dir), "")
  os.execute("rm -rf '" .. dir .. "'")
end)

T.test("a bad fault spec is refused", function()
  T.error(function() core._fault_inject("write:EWHAT") end, "STEP:ERRNO")
end)

T.test("a missing folder: error names the path and the errno text", function()
  T.error(function() torch.save({a = 1}, "/nonexistent-ember-dir/x.pt") end,
          "/nonexistent-ember-dir/x.pt")
  T.error(function() torch.save({a = 1}, "/nonexistent-ember-dir/x.pt") end, "No such file or directory")
end)

T.test("unsavable values raise an error naming the key path; nothing is written", function()
  local dir = tmpdir()
  local path = dir .. "/bad.pt"
  T.error(function() torch.save({model = {fc = print}}, path) end, "value.model.fc: cannot save a function")
  local cyc = {a = {}}
  cyc.a.back = cyc
  T.error(function() torch.save(cyc, path) end, "value.a.back: the table contains itself")
  T.error(function() torch.save({1, 2, {x = torch.float32}}, path) end, "value[3].x: cannot save a torch.dtype")
  T.error(function() torch.save({["fc.weight"] = coroutine.create(print)}, path) end,
          'value["fc.weight"]: cannot save a thread')
  T.error(function() torch.save({s = "\xff\xfe"}, path) end, "value.s: the string is not valid UTF-8")
  T.error(function() torch.save({m = nn.Linear(2, 2)}, path) end, "save its state_dict()")
  T.error(function() torch.save({[{}] = 1}, path) end, "cannot save a table as a dict key")
  local od = torch.OrderedDict()
  od.w = function() end
  T.error(function() torch.save({sd = od}, path) end, "value.sd.w: cannot save a function")
  T.eq(listing(dir), "")
  os.execute("rm -rf '" .. dir .. "'")
end)

local function sh(cmd) return os.execute(cmd) == true end
local function is_link(p) return sh("test -L '" .. p .. "'") end

T.test("a save through a symlink replaces the file it points to and keeps the link", function()
  local dir = tmpdir()
  assert(os.execute("mkdir '" .. dir .. "/real'"))
  torch.save({v = 1}, dir .. "/real/ckpt.pt")
  assert(os.execute("ln -s real/ckpt.pt '" .. dir .. "/latest.pt'"))          -- relative link
  assert(os.execute("ln -s '" .. dir .. "/latest.pt' '" .. dir .. "/chain.pt'")) -- absolute, to a link
  torch.save({v = 2}, dir .. "/latest.pt")
  T.ok(is_link(dir .. "/latest.pt"), "the link is still a link")
  T.eq(torch.load(dir .. "/real/ckpt.pt").v, 2, "the file it points to was replaced")
  torch.save({v = 3}, dir .. "/chain.pt")
  T.ok(is_link(dir .. "/chain.pt") and is_link(dir .. "/latest.pt"))
  T.eq(torch.load(dir .. "/real/ckpt.pt").v, 3)
  T.eq(listing(dir), "chain.pt latest.pt real")
  T.eq(listing(dir .. "/real"), "ckpt.pt", "the temporary file was beside the target")
  -- a dangling link: the save creates the file it names, as open() would
  assert(os.execute("ln -s real/new.pt '" .. dir .. "/dangling.pt'"))
  torch.save({v = 4}, dir .. "/dangling.pt")
  T.ok(is_link(dir .. "/dangling.pt"))
  T.eq(torch.load(dir .. "/real/new.pt").v, 4)
  -- a loop of links is an error, not a hang
  assert(os.execute("ln -s loop2 '" .. dir .. "/loop1' && ln -s loop1 '" .. dir .. "/loop2'"))
  T.error(function() torch.save({v = 5}, dir .. "/loop1") end, "symbolic links")
  os.execute("rm -rf '" .. dir .. "'")
end)

T.test("a FIFO is written through, not replaced; with no reader it is an error, not a hang", function()
  local dir = tmpdir()
  local fifo, out = dir .. "/pipe", dir .. "/out.pt"
  assert(os.execute("mkfifo '" .. fifo .. "'"))
  T.error(function() torch.save({v = 1}, fifo) end, "FIFO that no program is reading")
  -- a reader copies what arrives; it opens the FIFO before the save starts
  assert(os.execute("(cat '" .. fifo .. "' > '" .. out .. "') & sleep 0.3"))
  torch.save({v = torch.arange(5)}, fifo)
  assert(os.execute("wait; sleep 0.3"))
  T.ok(sh("test -p '" .. fifo .. "'"), "the FIFO is still a FIFO")
  local back
  for _ = 1, 50 do                       -- the reader may still be writing out.pt
    local ok, v = pcall(torch.load, out)
    if ok then back = v break end
    os.execute("sleep 0.1")
  end
  T.ok(back and torch.equal(back.v, torch.arange(5)), "the bytes went through the FIFO")
  os.execute("rm -rf '" .. dir .. "'")
end)

T.test("a character device is written directly, never replaced", function()
  local dir = tmpdir()
  -- a private copy of /dev/null where we may make one (root); else /dev/null itself
  local dev = dir .. "/null"
  if not sh("mknod '" .. dev .. "' c 1 3 2>/dev/null") then dev = "/dev/null" end
  torch.save({v = torch.ones(3)}, dev)
  torch.save({v = torch.ones(3)}, dev, {_use_new_zipfile_serialization = false})
  T.ok(sh("test -c '" .. dev .. "'"), dev .. " is still a character device")
  T.ok(not sh("ls -A '" .. dir .. "' | grep -q tmp"), "no temporary file")
  os.execute("rm -rf '" .. dir .. "'")
end)

T.test("a folder or a block device is refused", function()
  local dir = tmpdir()
  T.error(function() torch.save({v = 1}, dir) end, "folder")
  local blk = dir .. "/blk"
  if sh("mknod '" .. blk .. "' b 7 200 2>/dev/null") then
    T.error(function() torch.save({v = 1}, blk) end, "block device")
    T.ok(sh("test -b '" .. blk .. "'"))
  end
  os.execute("rm -rf '" .. dir .. "'")
end)

T.test("names of 240 to 255 bytes save and load (the temporary name stays within NAME_MAX)", function()
  local dir = tmpdir()
  for _, n in ipairs({200, 228, 229, 240, 250, 255}) do
    local name = string.rep("n", n - 3) .. ".pt"
    torch.save({n = n}, dir .. "/" .. name)
    T.eq(torch.load(dir .. "/" .. name).n, n)
    T.eq(listing(dir), name, "only the file, no temporary left")
    os.remove(dir .. "/" .. name)
  end
  -- a temporary file a killed save left behind is cleared by the next save of that name
  local name = string.rep("k", 252) .. ".pt"
  core._fault_inject("rename:EIO")
  pcall(torch.save, {}, dir .. "/" .. name)
  core._fault_inject(nil)
  T.eq(listing(dir), "", "a failed save leaves nothing")
  os.execute("rm -rf '" .. dir .. "'")
end)

T.test("torch.io.write_idx saves the same way: through a symlink, gzip readable by gunzip", function()
  local dir = tmpdir()
  local x = torch.tensor({{1, 2}, {3, 4}}, {dtype = torch.uint8})
  torch.io.write_idx(dir .. "/a.idx.gz", x)
  assert(os.execute("ln -s a.idx.gz '" .. dir .. "/link.idx.gz'"))
  torch.io.write_idx(dir .. "/link.idx.gz", x * 2)
  T.ok(is_link(dir .. "/link.idx.gz"))
  T.ok(torch.equal(torch.io.read_idx(dir .. "/a.idx.gz"), x * 2))
  T.ok(sh("gunzip -t '" .. dir .. "/a.idx.gz'"), "a valid gzip file")
  T.error(function() torch.io.write_idx(dir .. "/x.idx", x, {gzp = true}) end, "did you mean 'gzip'")
  T.eq(listing(dir), "a.idx.gz link.idx.gz")
  os.execute("rm -rf '" .. dir .. "'")
end)

T.test("replacing a file keeps its permission bits", function()
  local dir = tmpdir()
  local path = dir .. "/private.pt"
  torch.save({v = 1}, path)
  assert(os.execute("chmod 600 '" .. path .. "'"))
  torch.save({v = 2}, path)
  local p = assert(io.popen("stat -c %a '" .. path .. "'"))
  T.eq(p:read("l"), "600")
  p:close()
  os.execute("rm -rf '" .. dir .. "'")
end)

T.test("shared tables (not cycles) are fine", function()
  local dir = tmpdir()
  local shared = {lr = 0.1}
  torch.save({a = shared, b = shared, c = {shared}}, dir .. "/s.pt")
  T.eq(listing(dir), "s.pt")
  os.execute("rm -rf '" .. dir .. "'")
end)

T.run()
