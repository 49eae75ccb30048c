-- torch.save_safetensors / torch.load_safetensors against the fixtures of
-- shared/fixtures/safetensors (written by the safetensors 0.8.0 library, with
-- its verdicts in expected.json): every valid file loads with the recorded
-- contents, every bad one is refused with the library's reason, and the
-- writer reproduces the library's bytes. Python's safetensors is not on this
-- machine, so the format is also checked by parsing our files by hand here.
package.path = "tests/lua/lib/?.lua;" .. package.path
local T = require "ember.test"
local json = require "json"

local FIX = "/work/shared/fixtures/safetensors/"
local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end
if not exists(FIX .. "expected.json") then FIX = "../shared/fixtures/safetensors/" end

local function read_all(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function tmpdir()
  local name = os.tmpname()
  os.remove(name)
  assert(os.execute("mkdir -p '" .. name .. "'"))
  return name
end

local have_fixtures = exists(FIX .. "expected.json")
local expected = have_fixtures and json.decode(read_all(FIX .. "expected.json")) or nil

-- Our reasons where they differ from the library's words (the library keeps
-- the last duplicate and then fails its offset walk; serde's "expected ident").
local REASON = {
  ["bad_duplicate_key.safetensors"] = "duplicate tensor name `x`",
  ["bad_not_json.safetensors"] = "invalid JSON in header",
}

-- A hand parser: header length, JSON header, data buffer.
local function parse(bytes)
  local n = string.unpack("<I8", bytes)
  local header = bytes:sub(9, 8 + n)
  return n, json.decode(header), bytes:sub(9 + n), header
end

local function floats_of_hex(hex, fmt)
  local raw = hex:gsub("..", function(h) return string.char(tonumber(h, 16)) end)
  local out, i = {}, 1
  while i <= #raw do
    local v
    v, i = string.unpack(fmt, raw, i)
    out[#out + 1] = v
  end
  return out
end

if have_fixtures then
  T.test("every fixture gets the library's verdict", function()
    local verdicts = expected["verdicts_of_safetensors_0.8.0"]
    local count = 0
    for _, file in ipairs(getmetatable(verdicts).__keys) do
      local verdict = verdicts[file]
      local ok, err = pcall(torch.load_safetensors, FIX .. file)
      if verdict == "ok" then
        T.ok(ok, file .. " should load: " .. tostring(err))
      else
        T.ok(not ok, file .. " should be refused")
        local want = REASON[file] or verdict
        T.ok(err:find(want, 1, true), string.format("%s: '%s' lacks '%s'", file, err, want))
        T.ok(err:find(file, 1, true), "the message names the file")
      end
      count = count + 1
    end
    T.ok(count >= 24, "all verdicts checked")
  end)

  T.test("linear_state.safetensors: values, order and metadata", function()
    local sd, meta = torch.load_safetensors(FIX .. "linear_state.safetensors")
    T.ok(torch.OrderedDict.is(sd))
    T.eq(table.concat(sd:keys(), ","), "bias,weight", "data order")
    T.eq(meta.format, "pt")
    T.eq(sd.metadata, meta, ".metadata is the same table")
    for name, info in pairs(expected["linear_state.safetensors"].tensors) do
      local t = sd[name]
      T.eq(tostring(t.dtype), "torch.float32")
      T.eq(t:dim(), #info.shape)
      T.close(t:reshape(-1), torch.tensor(floats_of_hex(info.le_hex, "<f")), {rtol = 0, atol = 0})
    end
  end)

  T.test("mixed and scalar_empty: dtypes (F16 loads as float16), scalars, empty tensors", function()
    local sd = torch.load_safetensors(FIX .. "mixed.safetensors")
    T.eq(tostring(sd.a.dtype), "torch.int64")
    T.eq(tostring(sd.a:size()), "torch.Size([2, 2])")
    T.eq(table.concat(sd.a:reshape(-1):tolist(), ","), "1,2,3,4")
    T.eq(tostring(sd.b.dtype), "torch.float16")
    T.eq(table.concat(sd.b:tolist(), ","), "1.0,2.0,3.0")
    local m = sd.metadata
    T.eq(next(m), nil, "no metadata: an empty table")
    local se = torch.load_safetensors(FIX .. "scalar_empty.safetensors")
    T.eq(table.concat(se:keys(), ","), "e,s")
    T.eq(se.s:dim(), 0)
    T.eq(se.s:item(), 3.0)
    T.eq(tostring(se.e:size()), "torch.Size([0, 3])")
    T.eq(#torch.load_safetensors(FIX .. "empty.safetensors"), 0)
    local ooo = torch.load_safetensors(FIX .. "out_of_order_offsets.safetensors")
    T.eq(table.concat(ooo:keys(), ","), "y,x", "sorted by data_offsets, as load_file")
  end)

  T.test("the writer reproduces the library's bytes", function()
    local dir = tmpdir()
    local sd = torch.load_safetensors(FIX .. "linear_state.safetensors")
    torch.save_safetensors(sd, dir .. "/l.safetensors", {format = "pt"})
    T.ok(read_all(dir .. "/l.safetensors") == read_all(FIX .. "linear_state.safetensors"), "linear_state bytes")
    local se = torch.load_safetensors(FIX .. "scalar_empty.safetensors")
    torch.save_safetensors({s = se.s, e = se.e}, dir .. "/s.safetensors")
    T.ok(read_all(dir .. "/s.safetensors") == read_all(FIX .. "scalar_empty.safetensors"), "scalar_empty bytes")
    torch.save_safetensors({}, dir .. "/e.safetensors")
    T.ok(read_all(dir .. "/e.safetensors") == read_all(FIX .. "empty.safetensors"), "empty bytes")
    os.execute("rm -rf '" .. dir .. "'")
  end)
end

T.test("a file parsed by hand: order, offsets, padding, bytes", function()
  local dir = tmpdir()
  local path = dir .. "/all.safetensors"
  local tensors = {
    w = torch.tensor({{1.5, -2}, {3, 4}}),
    d = torch.tensor({0.1, 0.2}, {dtype = torch.float64}),
    i = torch.tensor({-7, 2 ^ 40}, {dtype = torch.int64}),
    j = torch.tensor({{-3}}, {dtype = torch.int32}),
    u = torch.tensor({0, 255, 7}, {dtype = torch.uint8}),
    b = torch.tensor({true, false}),
  }
  torch.save_safetensors(tensors, path, {note = "x\"y\\z\n", ["ключ"] = "значение"})
  local bytes = read_all(path)
  local n, header, data, raw = parse(bytes)
  T.eq(n % 8, 0, "header padded to 8")
  T.ok(raw:sub(1, 16) == '{"__metadata__":', "metadata first")
  T.ok(raw:find('"note":"x\\"y\\\\z\\n"', 1, true), "escapes as serde_json writes them")
  T.eq(header.__metadata__["ключ"], "значение")
  local order = {}
  for _, k in ipairs(getmetatable(header).__keys) do if k ~= "__metadata__" then order[#order + 1] = k end end
  T.eq(table.concat(order, ","), "i,d,w,j,u,b", "dtype size descending, then name")
  local want = {i = {"I64", "<i8"}, d = {"F64", "<d"}, w = {"F32", "<f"}, j = {"I32", "<i4"}, u = {"U8", "B"},
    b = {"BOOL", "B"}}
  local pos = 0
  for _, k in ipairs(order) do
    local info = header[k]
    T.eq(info.dtype, want[k][1], k .. " dtype")
    T.eq(info.data_offsets[1], pos, k .. " begins where the last ended")
    local t = tensors[k]
    local flat = t:reshape(-1):tolist()
    local at = pos + 1
    for e = 1, #flat do
      local v
      v, at = string.unpack(want[k][2], data, at)
      local x = flat[e]
      if type(x) == "boolean" then x = x and 1 or 0 end
      T.eq(v, x, k .. " element " .. e)
    end
    pos = at - 1
    T.eq(info.data_offsets[2], pos, k .. " end")
    T.eq(#info.shape, t:dim())
  end
  T.eq(#data, pos, "no trailing bytes")
  local back = torch.load_safetensors(path)
  for k, t in pairs(tensors) do
    T.eq(tostring(back[k].dtype), tostring(t.dtype))
    T.close(back[k], t, {rtol = 0, atol = 0})
  end
  os.execute("rm -rf '" .. dir .. "'")
end)

T.test("a state_dict round trip into a fresh model", function()
  local dir = tmpdir()
  torch.manual_seed(0)
  local model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
  local path = dir .. "/m.safetensors"
  torch.save_safetensors(model:state_dict(), path, {format = "pt"})
  local sd, meta = torch.load_safetensors(path)
  T.eq(meta.format, "pt")
  T.eq(table.concat(sd:keys(), ","), "0.bias,0.weight,2.bias,2.weight")
  torch.manual_seed(1)
  local other = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
  other:load_state_dict(sd)
  local x = torch.randn(5, 4)
  T.close(other(x), model(x), {rtol = 0, atol = 0})
  os.execute("rm -rf '" .. dir .. "'")
end)

T.test("names: odd characters, '_' prefixes and 'metadata' keep their place", function()
  local dir = tmpdir()
  local path = dir .. "/n.safetensors"
  local names = {"_private", "metadata", "keys", "tab\there", "quote\"back\\", "ünï"}
  local t = {}
  for i, k in ipairs(names) do t[k] = torch.full({i}, i) end
  torch.save_safetensors(t, path, {})
  local sd, meta = torch.load_safetensors(path)
  T.eq(#sd, #names)
  for i, k in ipairs(names) do T.eq(sd:contains(k), true, k) end
  T.eq(torch.is_tensor(sd.metadata), true, "a tensor named metadata wins over the field")
  T.eq(next(meta), nil, "metadata={} gives an empty map")
  local _, header, _, raw = parse(read_all(path))
  T.ok(raw:find('"__metadata__":{}', 1, true), "metadata={} is written, as the library does")
  T.ok(header["tab\there"], "escaped name decodes")
  os.execute("rm -rf '" .. dir .. "'")
end)

T.test("what the writer refuses, as the library does", function()
  local dir = tmpdir()
  local path = dir .. "/r.safetensors"
  local x = torch.arange(6):float():reshape(2, 3)
  T.error(function() torch.save_safetensors({a = x:t()}, path) end, "non contiguous tensor: `a`")
  T.error(function() torch.save_safetensors({a = x, b = x:reshape(-1)}, path) end, "share memory")
  T.error(function() torch.save_safetensors({a = x, b = x:select(1, 2)}, path) end, "share memory")
  torch.save_safetensors({a = x:narrow(1, 1, 1), b = x:narrow(1, 2, 1)}, path)   -- disjoint views are fine
  T.eq(#torch.load_safetensors(path), 2)
  T.error(function() torch.save_safetensors({a = 1}, path) end, "holds only tensors")
  T.error(function() torch.save_safetensors({__metadata__ = x}, path) end, "reserved")
  T.error(function() torch.save_safetensors({x}, path) end, "keys must be strings")
  T.error(function() torch.save_safetensors({a = x}, path, {n = 1}) end, "metadata values must be strings")
  T.error(function() torch.load_safetensors(dir .. "/missing.safetensors") end, "No such file")
  os.execute("rm -rf '" .. dir .. "'")
end)

T.test("a failed save leaves the previous file as it was", function()
  local core = require "torch.core"
  local dir = tmpdir()
  local path = dir .. "/a.safetensors"
  torch.save_safetensors({w = torch.ones(3)}, path)
  local before = read_all(path)
  core._fault_inject("fsync:EIO")
  local ok, err = pcall(torch.save_safetensors, {w = torch.zeros(5)}, path)
  core._fault_inject(nil)
  T.ok(not ok and err:find("torch.save_safetensors", 1, true), tostring(err))
  T.ok(read_all(path) == before, "old bytes kept")
  local p = io.popen("ls -A '" .. dir .. "'")
  T.eq(p:read("a"), "a.safetensors\n", "no temporary file left")
  p:close()
  os.execute("rm -rf '" .. dir .. "'")
end)

T.test("torch.io.safetensors_info: the raw header with checksums", function()
  local dir = tmpdir()
  local path = dir .. "/i.safetensors"
  torch.save_safetensors({w = torch.zeros(2, 2)}, path, {k = "v"})
  local info = torch.io.safetensors_info(path)
  T.eq(info.file_size, #read_all(path))
  T.eq(info.data_start, 8 + info.header_len)
  T.eq(info.tensors[1].name, "w")
  T.eq(info.tensors[1].dtype, "F32")
  T.eq(info.tensors[1].nbytes, 16)
  T.eq(info.tensors[1].loads_as, "float32")
  T.eq(info.tensors[1].crc32, 0xECBB4B55, "crc32 of 16 zero bytes")
  T.eq(info.metadata.k, "v")
  T.eq(info.metadata_keys[1], "k")
  os.execute("rm -rf '" .. dir .. "'")
end)

T.run()
