-- ember.versions and ember.sha256: versioned model folders (weights,
-- metadata.json with the weights' sha256), listing in semantic-version
-- order, loading with the hash verified, a flipped byte detected, an
-- existing version never replaced by accident, no temporary folders left.
local T = require "ember.test"
local versions = require "ember.versions"
local sha256 = require "ember.sha256"
local json = require "ember.lesson.json"
local sys = require "ember.sys"
local core = require "torch.core"

local root = os.tmpname()
os.remove(root)
assert(sys.mkdir(root))
local base = root .. "/models/tiny"     -- two levels that do not exist yet

local TinyNet = nn.Module:extend("TinyNet")
function TinyNet:__init()
  nn.Module.__init(self)
  self.fc1 = nn.Linear(4, 8)
  self.fc2 = nn.Linear(8, 3)
end
function TinyNet:forward(x) return self.fc2(torch.relu(self.fc1(x))) end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function write(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

-- exact equality of two tensors of one shape
local function equal(a, b)
  return tostring(a:size()) == tostring(b:size()) and (a:detach() - b:detach()):abs():max():item() == 0
end

local function same_weights(a, b)
  local sa, sb = a:state_dict(), b:state_dict()
  local n = 0
  for _, k in ipairs(sa:keys()) do
    if k ~= "_metadata" then
      n = n + 1
      T.ok(equal(sa[k], sb[k]), "weights differ at " .. k)
    end
  end
  T.eq(n, 4)
end

local function leftovers(dir)
  local bad = {}
  for _, name in ipairs(sys.listdir(dir) or {}) do
    if name:find(".tmp-", 1, true) or name:find(".old-", 1, true) then bad[#bad + 1] = name end
  end
  return bad
end

torch.manual_seed(1)
local m1 = TinyNet()
local m2 = TinyNet()                    -- different random weights

T.test("sha256 of strings: known vectors (FIPS 180-2)", function()
  T.eq(sha256.string(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  T.eq(sha256.string("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  T.eq(sha256.string("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
end)

T.test("sha256 of files: streamed in chunks, equal to the string digest; errors name the path", function()
  -- 200,001 bytes: several 64 KiB chunks and a ragged end
  local parts = {}
  for i = 0, 200000 do parts[#parts + 1] = string.char((i * 7 + (i >> 8)) % 256) end
  local s = table.concat(parts)
  local path = root .. "/blob.bin"
  write(path, s)
  T.eq(sha256.file(path), sha256.string(s))
  write(path, "")
  T.eq(sha256.file(path), sha256.string(""))
  local ok, err = sha256.file(root .. "/missing.bin")
  T.eq(ok, nil)
  T.ok(err:find(root .. "/missing.bin", 1, true) and err:find("No such file", 1, true), err)
  ok, err = sha256.file(root)
  T.eq(ok, nil)
  T.ok(err:find(root, 1, true), err)
  -- the coreutils tool agrees, where it exists
  write(path, s)
  local p = io.popen("sha256sum " .. path .. " 2>/dev/null")
  local line = p and p:read("l")
  if p then p:close() end
  if line and line ~= "" then T.eq(line:match("^(%x+)"), sha256.file(path)) end
end)

T.test("save writes model.pt and metadata.json with every field", function()
  local meta = versions.save(m1, base, "1.0.0", {description = "first", config = {lr = 0.01, hidden = {8}},
                                                 metrics = {accuracy = 0.5}})
  local dir = base .. "/1.0.0"
  local digest = sha256.file(dir .. "/model.pt")
  T.eq(meta.weights_sha256, digest)
  local on_disk = assert(json.decode(read(dir .. "/metadata.json")))
  for _, m in ipairs({meta, on_disk}) do
    T.eq(m.version, "1.0.0")
    T.eq(m.description, "first")
    T.eq(m.config.lr, 0.01)
    T.eq(m.config.hidden[1], 8)
    T.eq(m.metrics.accuracy, 0.5)
    T.eq(m.weights_sha256, digest)
    T.eq(m.ember_version, torch.__version__)
    T.eq(m.framework, "ember")
    T.ok(m.created:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$"), m.created)
    T.eq(m.architecture, "TinyNet")
    T.eq(m.parameters, 4 * 8 + 8 + 8 * 3 + 3)
    T.eq(#m.files, 2)
    T.eq(m.files[1].name, "model.pt")
    T.eq(m.files[1].bytes, #read(dir .. "/model.pt"))
    T.eq(m.files[1].sha256, digest)
    T.eq(m.files[2].name, "metadata.json")
  end
  -- the weights file is a plain state dict
  local sd = torch.load(dir .. "/model.pt")
  T.ok(equal(sd["fc1.weight"], m1.fc1.weight:detach()))
  versions.save(m2, base, "1.10.0", {description = "second", metrics = {accuracy = 0.75}})
  T.eq(#leftovers(base), 0, "temporary folders left: " .. table.concat(leftovers(base), ", "))
end)

T.test("list: semantic-version order, fields, hashes; junk folders skipped", function()
  versions.save(m2, base, "1.9.0")
  assert(sys.mkdir(base .. "/2.0.0"))                           -- no metadata
  assert(sys.mkdir(base .. "/notes"))
  assert(sys.mkdir(base .. "/3.0.0"))
  write(base .. "/3.0.0/metadata.json", "{not json")            -- unreadable metadata
  local all = versions.list(base)
  local got = {}
  for i, m in ipairs(all) do got[i] = m.version end
  T.eq(table.concat(got, " "), "1.0.0 1.9.0 1.10.0")
  T.eq(all[1].description, "first")
  T.eq(all[3].metrics.accuracy, 0.75)
  for _, m in ipairs(all) do
    T.eq(m.weights_sha256, sha256.file(base .. "/" .. m.version .. "/model.pt"), m.version)
  end
  T.eq(versions.latest(base), "1.10.0")
  T.eq(#versions.list(root .. "/absent"), 0)
  T.eq(versions.latest(root .. "/absent"), nil)
end)

T.test("load verifies the hash and restores each version's weights", function()
  local a, meta_a = versions.load(TinyNet(), base, "1.0.0")
  same_weights(a, m1)
  T.eq(meta_a.version, "1.0.0")
  local b, meta_b = versions.load(TinyNet(), base, "1.10.0", {verify = true})
  same_weights(b, m2)
  T.eq(meta_b.description, "second")
  local c, meta_c = versions.load(TinyNet(), base, "latest")
  same_weights(c, m2)
  T.eq(meta_c.version, "1.10.0")
  local x = torch.randn(5, 4)
  T.ok(equal(a(x), m1(x)))
  T.error(function() versions.load(TinyNet(), base, "4.0.0") end, "does not exist")
  T.error(function() versions.load(TinyNet(), root .. "/absent", "latest") end, "no saved versions")
end)

T.test("a flipped byte in model.pt is detected; {verify = false} skips the check", function()
  local path = base .. "/1.0.0/model.pt"
  local original = read(path)
  local function flip(at) return original:sub(1, at - 1) .. string.char(original:byte(at) ~ 0x01) .. original:sub(at + 1) end
  -- 1. a byte of fc1.weight's data (the float bytes of its first value)
  local at = original:find(string.pack("<f", m1.fc1.weight[1][1]:item()), 1, true)
  T.ok(at, "fc1.weight's first value not found in the file")
  local flipped = flip(at)
  write(path, flipped)
  local err = T.error(function() versions.load(TinyNet(), base, "1.0.0") end, "sha256")
  T.ok(err:find(path, 1, true), "the message names the file: " .. err)
  T.ok(err:find(sha256.string(flipped), 1, true), "the message shows the file's hash: " .. err)
  T.ok(err:find(sha256.string(original), 1, true), "the message shows the recorded hash: " .. err)
  -- without the hash check the zip record's own CRC-32 still refuses it
  T.error(function() versions.load(TinyNet(), base, "1.0.0", {verify = false}) end, "CRC-32")
  -- 2. a byte no format check covers: the 'Z' padding of a record's "FB" extra field
  local pad
  for p, len in original:gmatch("()FB(..)") do
    if string.unpack("<I2", len) > 0 and original:sub(p + 4, p + 4) == "Z" then pad = p + 4 break end
  end
  T.ok(pad, "no padded record in the file")
  flipped = flip(pad)
  write(path, flipped)
  err = T.error(function() versions.load(TinyNet(), base, "1.0.0") end, "sha256")
  T.ok(err:find(sha256.string(flipped), 1, true), err)
  local loaded, meta = versions.load(TinyNet(), base, "1.0.0", {verify = false})
  same_weights(loaded, m1)
  T.eq(meta.version, "1.0.0")
  write(path, original)
  same_weights(versions.load(TinyNet(), base, "1.0.0"), m1)
end)

T.test("saving over an existing version errors and leaves it byte for byte", function()
  local dir = base .. "/1.0.0"
  local before_pt, before_meta = read(dir .. "/model.pt"), read(dir .. "/metadata.json")
  T.error(function() versions.save(m2, base, "1.0.0") end,
          "versions.save: " .. dir .. " already exists; pick a new version or pass {overwrite = true}")
  T.error(function() versions.save(m2, base, "1.0.0", {overwrite = false}) end, "already exists")
  T.eq(read(dir .. "/model.pt"), before_pt)
  T.eq(read(dir .. "/metadata.json"), before_meta)
  -- an existing empty folder counts as existing too
  T.error(function() versions.save(m2, base, "2.0.0") end, "already exists")
  T.eq(#leftovers(base), 0)
end)

T.test("overwrite = true replaces the version as a whole", function()
  local meta = versions.save(m2, base, "1.0.0", {description = "replaced", overwrite = true})
  T.eq(meta.description, "replaced")
  local loaded, on_disk = versions.load(TinyNet(), base, "1.0.0")
  same_weights(loaded, m2)
  T.eq(on_disk.description, "replaced")
  T.eq(on_disk.weights_sha256, versions.list(base)[3].weights_sha256, "same weights as 1.10.0")
  T.eq(#leftovers(base), 0, "left: " .. table.concat(leftovers(base), ", "))
end)

T.test("a save that fails midway leaves nothing behind and the old version intact", function()
  local dir = base .. "/1.0.0"
  local before = read(dir .. "/model.pt")
  core._fault_inject("write:ENOSPC")
  local ok, err = pcall(versions.save, m1, base, "1.0.0", {overwrite = true})
  core._fault_inject(nil)
  T.ok(not ok, "the save should fail")
  T.ok(tostring(err):find("versions.save", 1, true), err)
  T.eq(read(dir .. "/model.pt"), before)
  core._fault_inject("fsync:EIO")
  ok = pcall(versions.save, m1, base, "5.0.0")
  core._fault_inject(nil)
  T.ok(not ok)
  T.eq(sys.listdir(base .. "/5.0.0"), nil, "no 5.0.0 folder")
  -- config that is not JSON is refused before anything is written
  T.error(function() versions.save(m1, base, "6.0.0", {config = {f = print}}) end, "config cannot be written")
  T.error(function() versions.save(m1, base, "6.0.0", {metrics = {loss = 0 / 0}}) end, "metrics")
  T.eq(sys.listdir(base .. "/6.0.0"), nil)
  T.eq(#leftovers(base), 0, "left: " .. table.concat(leftovers(base), ", "))
end)

T.test("bad version strings and arguments are errors", function()
  for _, v in ipairs({"1.0", "1.0.0.0", "v1.0.0", "1.a.0", "01.0.0", "1.0.0-rc1", "", " 1.0.0", "latest"}) do
    T.error(function() versions.save(m1, base, v) end, "version must be X.Y.Z")
  end
  T.error(function() versions.save(m1, base, 100) end, "version must be X.Y.Z")
  T.error(function() versions.load(TinyNet(), base, "1.0") end, "version must be X.Y.Z")
  T.error(function() versions.save({}, base, "7.0.0") end, "expected a module")
  T.error(function() versions.save(m1, nil, "7.0.0") end, "base must be")
  T.eq(#leftovers(base), 0)
end)

T.test("versions are readable by ordinary tools: sha256sum agrees with metadata", function()
  local p = io.popen("cd " .. base .. "/1.10.0 && sha256sum model.pt 2>/dev/null")
  local line = p and p:read("l")
  if p then p:close() end
  if not line or line == "" then return end          -- no coreutils: covered above
  T.eq(line:match("^(%x+)"), versions.list(base)[3].weights_sha256)
end)

T.run()
os.execute("rm -rf '" .. root .. "'")
