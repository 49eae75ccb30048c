-- torch.save writes atomically: injected failures (ENOSPC/EIO at write,
-- flush, fsync, close, rename, or when creating the temporary file) raise an
-- error naming the path and the errno text, leave the previous file
-- byte-identical and leave no temporary file; a successful save replaces
-- the file. Also: values torch.save refuses, with the key path in the error.
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

T.test("shared tables (not cycles) are fine", function()
  local dir = tmpdir()
  local shared = {lr = 0.1}
  torch.save({a = shared, b = shared, c = {shared}}, dir .. "/s.pt")
  T.eq(listing(dir), "s.pt")
  os.execute("rm -rf '" .. dir .. "'")
end)

T.run()
