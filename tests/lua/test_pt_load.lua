-- torch.load on files written by real PyTorch (../shared/fixtures/pytorch/):
-- every tensor matches its .json sidecar (dtype, shape, stride, offset,
-- values or CRC-32), views of one storage share it, checkpoints and optimizer
-- state dicts load and feed load_state_dict, and every file in malicious/ is
-- refused with a message saying why.
package.path = "tests/lua/lib/?.lua;" .. package.path
local T = require "ember.test"
local json = require "json"
local OrderedDict = require "torch.ordered_dict"

local FIXTURES = "../shared/fixtures/pytorch/"

-- dtypes ember has not: what they load as (float16 and bfloat16 load as themselves)
local AS = {int16 = "int32", int8 = "int32"}

local crc_table = {}
for i = 0, 255 do
  local c = i
  for _ = 1, 8 do c = (c & 1) == 1 and (0xEDB88320 ~ (c >> 1)) or (c >> 1) end
  crc_table[i] = c
end
local function crc32(s)
  local c = 0xFFFFFFFF
  for i = 1, #s do c = crc_table[(c ~ s:byte(i)) & 0xFF] ~ (c >> 8) end
  return c ~ 0xFFFFFFFF
end

local PACK = {float32 = "<f", float64 = "<d", int64 = "<i8", int32 = "<i4", uint8 = "B"}
local function values_crc(x, dtype)
  local parts, flat = {}, x:numel() == 0 and {} or x:reshape(-1):tolist()
  for i, v in ipairs(flat) do
    parts[i] = dtype == "bool" and string.char(v and 1 or 0) or string.pack(PACK[dtype], v)
  end
  return string.format("0x%08x", crc32(table.concat(parts)))
end

local function at_path(root, path)
  local v = root
  for _, k in ipairs(path) do v = v[k] end
  return v
end

local function same_value(a, want)
  if want == "nan" then return a ~= a end
  if want == "inf" then return a == math.huge end
  if want == "-inf" then return a == -math.huge end
  return a == want
end

local function check_file(name)
  local meta = json.read(FIXTURES .. name:gsub("%.[a-z]+$", "") .. ".json")
  local root = torch.load(FIXTURES .. name)
  for _, t in ipairs(meta.tensors) do
    local x = at_path(root, t.path)
    local what = name .. ": " .. t.key
    T.ok(torch.is_tensor(x), what .. " is a tensor")
    T.eq(tostring(x.dtype), "torch." .. (AS[t.dtype] or t.dtype), what .. " dtype")
    T.eq(table.concat(x:size(), ","), table.concat(t.shape, ","), what .. " shape")
    T.eq(table.concat(x:stride(), ","), table.concat(t.stride, ","), what .. " stride")
    T.eq(x:storage_offset(), t.storage_offset, what .. " offset")
    T.eq(x.requires_grad, t.requires_grad, what .. " requires_grad")
    -- (16-bit floats: no string.pack format; their values are compared exactly below)
    if not AS[t.dtype] and PACK[t.dtype] or t.dtype == "bool" then
      T.eq(values_crc(x, t.dtype), t.crc32_of_values, what .. " crc")
    end
    local flat = x:numel() == 0 and {} or x:reshape(-1):tolist()
    local want = t.values or t.first8
    for i, w in ipairs(want) do T.ok(same_value(flat[i], w), what .. " value " .. i) end
    if t.values then T.eq(#flat, #t.values, what .. " count") end
    if t.sum and #flat > 64 then
      local s = 0
      for _, v in ipairs(flat) do s = s + (type(v) == "boolean" and (v and 1 or 0) or v) end
      T.ok(math.abs(s - t.sum) <= 1e-9 * math.max(1, math.abs(t.sum)) + 1e-12, what .. " sum")
    end
  end
  return root, meta
end

for _, name in ipairs{"linear_state.pt", "mlp_state.pt", "bn_state.pt", "sgd_momentum_opt.pt",
                      "sgd_plain_opt.pt", "adam_opt.pt", "checkpoint.tar", "shared_views.pt", "dtypes.pt",
                      "scalar_and_empty.pt", "parameter.pt"} do
  T.test("loads " .. name .. " as its sidecar says", function() check_file(name) end)
end

T.test("state dicts are OrderedDicts with PyTorch's key order and _metadata", function()
  local sd, meta = check_file("mlp_state.pt")
  T.ok(OrderedDict.is(sd))
  local keys = sd:keys()
  for i, t in ipairs(meta.tensors) do T.eq(keys[i], t.key) end
  T.ok(OrderedDict.is(sd._metadata))
  T.eq(sd._metadata[""].version, 1)
  T.eq(math.type(sd._metadata["features.0"].version), "integer")
end)

T.test("views of one storage share it; other storages do not", function()
  local sd = torch.load(FIXTURES .. "shared_views.pt")
  sd.base:add_(100)
  T.eq(sd.transposed[1][2]:item(), 104)   -- base[2][1] = 4 before
  T.eq(sd.row1[1]:item(), 104)
  T.eq(sd.cols12[1][1]:item(), 101)
  T.eq(sd.slice_of_big[1]:item(), 1)
  sd.expanded:select(1, 1):zero_()
  T.eq(sd.expanded[2][3]:item(), 0)       -- stride 0: one row in memory
end)

T.test("0-dim and empty tensors", function()
  local sd = torch.load(FIXTURES .. "scalar_and_empty.pt")
  T.eq(sd.scalar_f32:dim(), 0)
  T.eq(sd.scalar_i64:item(), 7)
  T.eq(math.type(sd.scalar_i64:item()), "integer")
  T.eq(table.concat(sd.empty_0x3:size(), ","), "0,3")
end)

T.test("parameters load as nn.Parameter with requires_grad", function()
  local sd = torch.load(FIXTURES .. "parameter.pt")
  local Parameter = require("torch.nn.module").Parameter
  T.ok(Parameter.is(sd.param))
  T.eq(sd.param.requires_grad, true)
  T.ok(Parameter.is(sd.param_frozen))
  T.eq(sd.param_frozen.requires_grad, false)
  T.ok(not Parameter.is(sd.requires_grad_tensor))
  T.eq(sd.requires_grad_tensor.requires_grad, true)
end)

T.test("checkpoint.tar: plain values, version string, int keys", function()
  local ck = torch.load(FIXTURES .. "checkpoint.tar")
  T.eq(ck.pytorch_version, "1.13.1")
  T.eq(math.type(ck.epoch), "integer")
  T.eq(math.type(ck.train_loss), "float")
  T.eq(type(ck.timestamp), "string")
  local keys = ck:keys()
  T.eq(keys[1], "epoch")
  T.eq(keys[#keys], "pytorch_version")
  for k in pairs(ck.optimizer_state_dict.state) do T.eq(math.type(k), "integer") end
  local g = ck.optimizer_state_dict.param_groups[1]
  T.ok(torch.is_tuple(g.betas))
  T.eq(g.betas[2], 0.999)
  T.ok(g:contains("foreach") and g.foreach == torch.None, "None loads as torch.None")
end)

local function net(sizes)
  local M = nn.Module:extend("M")
  function M:__init()
    nn.Module.__init(self)
    self.features = nn.Sequential(nn.Linear(sizes[1], sizes[2]), nn.ReLU(), nn.Dropout(0.2),
                                  nn.Linear(sizes[2], sizes[3]), nn.ReLU(), nn.Dropout(0.2))
    self.classifier = nn.Linear(sizes[3], sizes[4])
  end
  return M()
end

T.test("checkpoint.tar feeds model and Adam load_state_dict", function()
  local ck = torch.load(FIXTURES .. "checkpoint.tar")
  local w = ck.model_state_dict["features.0.weight"]
  local model = net{w:size(2), w:size(1), ck.model_state_dict["features.3.weight"]:size(1),
                    ck.model_state_dict["classifier.weight"]:size(1)}
  model:load_state_dict(ck.model_state_dict)
  T.eq(model:state_dict()["classifier.bias"]:tolist()[1], ck.model_state_dict["classifier.bias"]:tolist()[1])
  local opt = optim.Adam(model:parameters(), {lr = 0.5})
  opt:load_state_dict(ck.optimizer_state_dict)
  T.eq(opt.param_groups[1].lr, 0.01)
  local sd = opt:state_dict()
  T.eq(sd.state[0].exp_avg:tolist()[1][2], ck.optimizer_state_dict.state[0].exp_avg:tolist()[1][2])
end)

T.test("optimizer fixtures feed SGD / Adam load_state_dict", function()
  for _, case in ipairs{{"sgd_momentum_opt.pt", optim.SGD, {lr = 1, momentum = 0.5}},
                        {"sgd_plain_opt.pt", optim.SGD, {lr = 1}},
                        {"adam_opt.pt", optim.Adam, {lr = 1}}} do
    local sd = torch.load(FIXTURES .. case[1])
    local opt = case[2](nn.Linear(3, 2):parameters(), case[3])
    opt:load_state_dict(sd)
    T.eq(opt.param_groups[1].lr, sd.param_groups[1].lr, case[1])
    local back = opt:state_dict()
    for id, st in pairs(sd.state) do
      for k, v in pairs(st) do
        if torch.is_tensor(v) then T.eq(back.state[id][k]:reshape(-1):tolist()[1], v:reshape(-1):tolist()[1], case[1] .. " " .. k) end
      end
    end
  end
end)

T.test("map_location", function()
  local a = torch.load(FIXTURES .. "linear_state.pt", {map_location = "cpu"})
  T.eq(a.weight.device.type, "cpu")
  local b = torch.load(FIXTURES .. "linear_state.pt", {map_location = torch.device("cpu")})
  T.eq(b.bias:numel(), 2)
  T.error(function() torch.load(FIXTURES .. "linear_state.pt", {map_location = "mps"}) end, "map_location")
  T.error(function() torch.load(FIXTURES .. "linear_state.pt", {map_location = 3}) end, "map_location")
end)

T.test("a missing file is an error naming it", function()
  T.error(function() torch.load("no/such/file.pt") end, "no/such/file.pt")
end)

-- every malicious file: refused, with the reason in the message
local REFUSED = {
  ["global_os_system.pt"] = "os.system, which could run code",
  ["stack_global_eval.pt"] = "builtins.eval, which could run code",
  ["truncated.pt"] = "no end of central directory",
  ["short_record.pt"] = "holds 8 bytes but storage '0' needs 24",
  ["offset_past_storage.pt"] = "6-element storage",
  ["stride_past_storage.pt"] = "stride [10, 1]",
  ["huge_shape.pt"] = "overflows",
  ["huge_storage_numel.pt"] = "claims 4611686018427387904",
  ["not_a_zip.pt"] = "not a PyTorch zip checkpoint (which starts with PK\\3\\4, torch.save's format since PyTorch 1.6), nor a legacy one",
  ["missing_record.pt"] = "has no record missing_record/data/7",
  ["bad_memo.pt"] = "memo index 5 was never stored",
  ["persid_not_storage.pt"] = "not a storage reference",
  ["bad_version.pt"] = "version 99 is not supported",
  ["rogue_record_name.pt"] = "not decimal digits",
}
for name, pattern in pairs(REFUSED) do
  T.test("refuses malicious/" .. name, function()
    T.error(function() torch.load(FIXTURES .. "malicious/" .. name) end, pattern)
  end)
end

T.test("the malicious list is complete", function()
  local readme = io.open(FIXTURES .. "malicious/README.md"):read("a")
  for name in readme:gmatch("`([%w_]+%.pt)`") do T.ok(REFUSED[name], name .. " has a test") end
end)

T.test("map_location as a table mapping locations", function()
  local f = "../shared/fixtures/pytorch/linear_state.pt"
  local sd = torch.load(f, {map_location = {["cuda:0"] = "cpu"}})
  T.eq(tostring(sd.weight.device), "cpu")
  T.eq(tostring(torch.load(f, {map_location = {cpu = torch.device("cpu")}}).bias.device), "cpu")
  T.error(function() torch.load(f, {map_location = {cpu = "tpu"}}) end, "expected cpu or cuda")
  T.error(function() torch.load(f, {map_location = 5}) end, "map_location must be")
end)

T.run()
