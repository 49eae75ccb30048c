-- test_files_values.lua — values survive torch.save / torch.load exactly, in
-- both file formats (zip, legacy) and every pickle protocol: lists keep their
-- length and their Nones (torch.None), an empty list stays a list
-- (torch.list), dict keys keep their kind (int, float, bool, string, None,
-- tuple), 64-bit integers stay exact in pickled data and in int64 tensors,
-- views keep sharing their storage. Also the options of torch.save and
-- torch.load (checked, with PyTorch's names), and that the REPL shows strings
-- from a file escaped. The same against real PyTorch: tests/peer/*values*.
local T = require "ember.test"
local pretty = require "ember.pretty"

local None = torch.None

local function tmpname()
  local p = os.tmpname()
  os.remove(p)
  return p
end

local FORMATS = {
  {"zip", {}},
  {"zip, protocol 4", {pickle_protocol = 4}},
  {"legacy", {_use_new_zipfile_serialization = false}},
  {"legacy, protocol 5", {_use_new_zipfile_serialization = false, pickle_protocol = 5}},
}

local function roundtrip(v, opts)
  local path = tmpname()
  torch.save(v, path, opts)
  local back = torch.load(path)
  local desc = torch.io.pt_describe(path)
  os.remove(path)
  return back, desc
end

for _, fmt in ipairs(FORMATS) do
  local name, opts = fmt[1], fmt[2]

  T.test(name .. ": a list with None keeps its length and its Nones", function()
    local back, desc = roundtrip({1, 2.5, None, true, "s", None}, opts)
    T.eq(desc.kind, "list")
    T.eq(#desc.items, 6)
    T.eq(desc.items[3].kind, "none")
    T.eq(desc.items[6].kind, "none")
    T.eq(#back, 6)
    T.eq(back[3], None)
    T.eq(back[6], None)
    T.eq(math.type(back[1]), "integer")
    T.eq(math.type(back[2]), "float")
    T.eq(back[4], true)
    T.eq(back[5], "s")
  end)

  T.test(name .. ": nested lists, tuples and dicts with None values", function()
    local v = torch.dict{{"a", {None, {None}, torch.tuple{None, {None, 1}}}}, {"n", None}, {"e", torch.list()},
                         {"t", torch.tuple{}}, {"d", torch.dict{{"x", None}}}}
    local back, desc = roundtrip(v, opts)
    T.eq(desc.kind, "dict")
    T.eq(back.n, None)
    T.eq(#back.a, 3)
    T.eq(back.a[1], None)
    T.eq(back.a[2][1], None)
    T.ok(torch.is_tuple(back.a[3]) and back.a[3][1] == None and back.a[3][2][1] == None and back.a[3][2][2] == 1)
    T.eq(desc.items[3][2].kind, "list", "an empty list stays a list")
    T.eq(#back.e, 0)
    T.ok(torch.is_tuple(back.t) and #back.t == 0)
    T.eq(back.d.x, None)
    -- and a second round trip gives the same structure
    local again = roundtrip(back, opts)
    T.eq(#again.a, 3)
    T.eq(again.a[3][2][1], None)
    T.eq(#again.e, 0)
  end)

  T.test(name .. ": None alone", function()
    local back, desc = roundtrip(None, opts)
    T.eq(desc.kind, "none")
    T.eq(back, None)
    T.eq(roundtrip(nil, opts), None)
  end)

  T.test(name .. ": dict keys keep their kind", function()
    -- an OrderedDict keeps 2.0 a float (a plain Lua table turns the key 2.0 into 2)
    local v = torch.dict{{1, "int"}, {1.5, "float"}, {2.0, "two"}, {true, "bool"}, {false, "no"}, {"s", "str"},
                         {None, "none"}, {torch.tuple{1, "a", None}, "tuple"}}
    local back, desc = roundtrip(v, opts)
    local kinds = {}
    for _, kv in ipairs(desc.items) do kinds[#kinds + 1] = kv[1].kind end
    table.sort(kinds)
    T.eq(table.concat(kinds, " "), "bool bool float float int none str tuple")
    local seen = {}
    for k, x in pairs(back) do
      if torch.is_tuple(k) then
        T.ok(k[1] == 1 and k[2] == "a" and k[3] == None)
        seen.tuple = x
      else
        seen[tostring(k) .. ":" .. (math.type(k) or type(k))] = x
      end
    end
    T.eq(seen["1:integer"], "int")
    T.eq(seen["1.5:float"], "float")
    T.eq(seen["2.0:float"], "two", "2.0 stays a float key (PyTorch writes {2.0: ...})")
    T.eq(seen["true:boolean"], "bool")
    T.eq(seen["false:boolean"], "no")
    T.eq(seen["None:userdata"], "none")
    T.eq(seen.tuple, "tuple")
    T.eq(back[None], "none")
    T.eq(back[1.5], "float")
    T.eq(back[true], "bool")
  end)

  T.test(name .. ": 64-bit integers stay exact, in values and in int64 tensors", function()
    local big = {9007199254740993, math.maxinteger, math.mininteger, -9007199254740993, (1 << 53) + 1}
    local t = torch.tensor(big, {dtype = torch.int64})
    local back = roundtrip({ints = big, t = t, k = {[math.maxinteger] = "max"}}, opts)
    for i, x in ipairs(big) do
      T.eq(math.type(back.ints[i]), "integer")
      T.eq(back.ints[i], x)
      T.eq(back.t[i]:item(), x)
    end
    T.eq(back.k[math.maxinteger], "max")
  end)

  T.test(name .. ": views keep sharing one storage; dtypes come back", function()
    local base = torch.arange(12, {dtype = torch.float64}):reshape(3, 4)
    local v = torch.dict{{"base", base}, {"t", base:t()}, {"row", base[2]}, {"col", base:narrow(2, 2, 2)},
                         {"i32", torch.tensor({1, -2, 3}, {dtype = torch.int32})},
                         {"u8", torch.tensor({0, 255}, {dtype = torch.uint8})},
                         {"b", torch.tensor({true, false})}, {"f", torch.tensor({1.5, -0.0})}}
    local back, desc = roundtrip(v, opts)
    T.eq(desc.n_storages, 5)
    back.base[1][1] = 100
    T.eq(back.t[1][1]:item(), 100, "a view sees the change: one storage")
    T.ok(torch.equal(back.row, base[2]) and torch.equal(back.col, base:narrow(2, 2, 2)))
    T.eq(back.col:stride(1), 4)
    for _, k in ipairs({"i32", "u8", "b", "f"}) do
      T.eq(back[k].dtype, v[k].dtype, k)
      T.ok(torch.equal(back[k], v[k]), k)
    end
  end)

  T.test(name .. ": a state_dict with _metadata, Parameters, requires_grad", function()
    torch.manual_seed(0)
    local m = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    local sd = m:state_dict()
    local back = roundtrip({sd = sd, p = nn.Parameter(torch.ones(2))}, opts)
    T.eq(table.concat(back.sd:keys(), " "), table.concat(sd:keys(), " "))
    for k, x in pairs(sd) do T.ok(torch.equal(back.sd[k], x), k) end
    T.ok(back.sd._metadata ~= nil)
    T.ok(back.p.requires_grad)
    local m2 = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    m2:load_state_dict(back.sd)
  end)
end

T.test("the fuzzers' seeds from PyTorch (legacy format, protocols 2 to 5) load", function()
  for _, name in ipairs({"legacy_p2.pt", "legacy_p5.pt", "zip_p4.pt"}) do
    local v = torch.load("tests/fuzz/seeds/" .. name)
    T.eq(#v.l, 4, name)
    T.eq(v.l[2], None, name)
    T.eq(v.big, math.maxinteger, name)
    T.eq(v.k[None], 1, name)
    T.eq(v.sd.t:stride(1), 1, name)
    T.eq(#v.e, 0, name)
  end
end)

T.test("torch.list marks a table as a Python list", function()
  local l = torch.list()
  T.eq(#l, 0)
  T.eq(torch.list(l), l)
  local path = tmpname()
  torch.save({l, {}}, path)
  local desc = torch.io.pt_describe(path)
  T.eq(desc.items[1].kind, "list")
  T.eq(desc.items[2].kind, "dict", "a plain {} is a dict, as before")
  T.error(function() torch.save(torch.list{1, nil, 3}, path) end, "holes")
  local named = torch.list{1}
  named.x = 2
  T.error(function() torch.save(named, path) end, "elements 1..#list")
  T.error(function() torch.list(torch.tuple{}) end, "already has a metatable")
  os.remove(path)
end)

T.test("a list with a nil hole is still a dict (write torch.None for a None)", function()
  local path = tmpname()
  torch.save({1, nil, 3}, path)
  T.eq(torch.io.pt_describe(path).kind, "dict")
  torch.save({1, None, 3}, path)
  T.eq(torch.io.pt_describe(path).kind, "list")
  os.remove(path)
end)

T.test("plain-table keys 1.5 and true are saved as float and bool keys", function()
  local path = tmpname()
  torch.save({[1.5] = "f", [true] = "b", [2] = "i"}, path)
  local kinds = {}
  for _, kv in ipairs(torch.io.pt_describe(path).items) do kinds[#kinds + 1] = kv[1].kind end
  T.eq(table.concat(kinds, " "), "bool float int", "keys sorted: booleans, then numbers (1.5 < 2)")
  os.remove(path)
end)

T.test("bad dict keys are refused with the key path", function()
  local path = tmpname()
  T.error(function() torch.save({[torch.tuple{{}}] = 1}, path) end, "cannot save a table as a dict key")
  T.error(function() torch.save({[torch.ones(1)] = 1}, path) end, "as a dict key")
  T.error(function() torch.save({[{}] = 1}, path) end, "cannot save a table as a dict key")
  os.remove(path)
end)

T.test("torch.save's options are checked", function()
  local path = tmpname()
  T.error(function() torch.save(1, path, {pickle_protocl = 2}) end, "did you mean 'pickle_protocol'")
  T.error(function() torch.save(1, path, {pickle_module = "pickle"}) end, "pickle_module")
  T.error(function() torch.save(1, path, {pickle_protocol = 1}) end, "pickle_protocol 1 is not supported")
  T.error(function() torch.save(1, path, {pickle_protocol = 6}) end, "2 to 5")
  T.error(function() torch.save(1, path, {pickle_protocol = 2.5}) end, "an integer")
  T.error(function() torch.save(1, path, {_use_new_zipfile_serialization = "no"}) end, "true or false")
  for p = 2, 5 do
    torch.save({p = p}, path, {pickle_protocol = p})
    local f = assert(io.open(path, "rb"))
    local bytes = f:read("a")
    f:close()
    T.ok(bytes:find("\128" .. string.char(p), 1, true), "the pickle says protocol " .. p)
    T.eq(torch.load(path).p, p)
  end
  torch.save({1}, path, {_use_new_zipfile_serialization = true})
  T.eq(assert(io.open(path, "rb")):read(4), "PK\3\4")
  torch.save({1}, path, {_use_new_zipfile_serialization = false})
  T.eq(assert(io.open(path, "rb")):read(2), "\128\2")
  os.remove(path)
end)

T.test("torch.load's options are checked; it is always weights-only", function()
  local path = tmpname()
  torch.save({1}, path)
  T.eq(torch.load(path, {weights_only = true})[1], 1)
  T.error(function() torch.load(path, {weights_only = false}) end, "never runs code")
  T.error(function() torch.load(path, {weights_only = 1}) end, "true or false")
  T.error(function() torch.load(path, {map_locaton = "cpu"}) end, "did you mean 'map_location'")
  T.error(function() torch.load(path, {pickle_module = "pickle"}) end, "pickle_module")
  T.error(function() torch.load(path, {mmap = true}) end, "mmap")
  os.remove(path)
end)

T.test("Python ints beyond 64 bits are refused, never rounded", function()
  local path = tmpname()
  -- a hand-made legacy file is not needed: patch a zip's pickle? simpler: the C tests cover the opcode;
  -- here the whole path: a pickle of 2**64 in a zip written byte by byte
  local pkl = "\128\2\138\9\0\0\0\0\0\0\0\0\1."
  local zip_entries = {{"x/data.pkl", pkl}, {"x/version", "3\n"}}
  local f = assert(io.open(path, "wb"))
  local cd, pos = {}, 0
  local crc = function(s)
    local c = 0xFFFFFFFF
    for i = 1, #s do
      c = c ~ s:byte(i)
      for _ = 1, 8 do c = (c & 1) == 1 and (0xEDB88320 ~ (c >> 1)) or (c >> 1) end
    end
    return c ~ 0xFFFFFFFF
  end
  for _, e in ipairs(zip_entries) do
    local lh = string.pack("<I4I2I2I2I2I2I4I4I4I2I2", 0x04034b50, 20, 0, 0, 0, 0, crc(e[2]), #e[2], #e[2], #e[1], 0)
    f:write(lh, e[1], e[2])
    cd[#cd + 1] = string.pack("<I4I2I2I2I2I2I2I4I4I4I2I2I2I2I2I4I4", 0x02014b50, 20, 20, 0, 0, 0, 0, crc(e[2]),
      #e[2], #e[2], #e[1], 0, 0, 0, 0, 0, pos) .. e[1]
    pos = pos + #lh + #e[1] + #e[2]
  end
  local dir = table.concat(cd)
  f:write(dir, string.pack("<I4I2I2I2I2I4I4I2", 0x06054b50, 0, 0, #cd, #cd, #dir, pos, 0))
  f:close()
  T.error(function() torch.load(path) end, "outside the 64-bit range of Lua integers")
  os.remove(path)
end)

T.test("reading a FIFO (any format), a folder or a missing file is an error, never a hang", function()
  local dir = tmpname()
  assert(os.execute("mkdir '" .. dir .. "' && mkfifo '" .. dir .. "/p'"))
  T.error(function() torch.load(dir .. "/p") end, "not a regular file")
  T.error(function() torch.load_safetensors(dir .. "/p") end, "not a regular file")
  T.error(function() torch.io.safetensors_info(dir .. "/p") end, "not a regular file")
  T.error(function() torch.io.read_idx(dir .. "/p") end, "not a regular file")
  T.error(function() require("torch.core")._onnx.read(dir .. "/p") end, "not a regular file")
  T.error(function() torch.load(dir) end, "not a regular file")
  T.error(function() torch.load(dir .. "/none.pt") end, "No such file")
  os.execute("rm -rf '" .. dir .. "'")
end)

T.test("the REPL shows strings from a file escaped, at any depth", function()
  local path = tmpname()
  local title, clear = "\27]0;pwned\7", "\27[2J"
  torch.save(torch.dict{{"k" .. title, {clear, torch.tuple{clear}}}, {"n", torch.dict{{"x", clear}}}}, path)
  local shown = pretty.value(torch.load(path))
  T.ok(not shown:find("[\0-\8\11-\31\127]"), "no raw control character: " .. shown)
  T.ok(shown:find('"k\\27]0;pwned\\7"', 1, true), shown)
  T.ok(shown:find('"\\27[2J"', 1, true), shown)
  T.eq(pretty.value("\27]0;x\7"), '"\\27]0;x\\7"')
  T.eq(pretty.value({"\226\128\174"}), '{"\\226\\128\\174"}', "a bidi override is escaped too")
  T.eq(torch.io.escape("caf\195\169 \27"), "caf\195\169 \\27", "UTF-8 text stays, controls go")
  os.remove(path)
end)

T.run()
