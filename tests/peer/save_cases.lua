-- save_cases.lua OUTDIR — writes the checkpoints that run_save_loads_in_torch.sh
-- hands to real PyTorch: the MNISTClassifier state_dict, SGD-momentum and Adam
-- optimizer state_dicts after 3 steps, the lesson checkpoint dict, views
-- sharing storage, 0-dim/empty tensors and every dtype. Next to each NAME.pt
-- it writes NAME.json: the structure Python must find (types, keys in order,
-- tensor dtype/shape/stride/offset, sums of the values, which tensors share a
-- storage), produced by walking the very Lua value that was saved.
local out = assert(arg[1], "usage: save_cases.lua OUTDIR")
local Parameter = require("torch.nn.module").Parameter

package.path = "tests/lua/lib/?.lua;" .. package.path
local MNISTClassifier = require("models").MNISTClassifier

-- --- a tiny JSON writer for the expected structure ---
local function jstr(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

local function jkey(k)
  if math.type(k) == "integer" then return tostring(k) end
  if type(k) == "boolean" then return tostring(k) end
  if type(k) == "number" then return jstr(string.format("%.17g", k)) end
  return jstr(k)
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  local rank = {boolean = 0, number = 1, string = 2}
  table.sort(keys, function(a, b)
    if type(a) ~= type(b) then return rank[type(a)] < rank[type(b)] end
    if type(a) == "boolean" then return (not a) and b end
    return a < b
  end)
  return keys
end

local function is_array(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  if n == 0 then return false end
  for i = 1, n do if rawget(t, i) == nil then return false end end
  return true
end

-- share: tensor -> label for tensors expected to share one storage
local function describe(v, share)
  local tv = type(v)
  if v == nil then return '{"t":"none"}' end
  if tv == "boolean" then return '{"t":"bool","v":' .. tostring(v) .. '}' end
  if math.type(v) == "integer" then return '{"t":"int","v":' .. tostring(v) .. '}' end
  if tv == "number" then return '{"t":"float","v":' .. jstr(string.format("%.17g", v)) .. '}' end
  if tv == "string" then return '{"t":"str","v":' .. jstr(v) .. '}' end
  if torch.is_tensor(v) then
    local flat = v:numel() > 0 and v:detach():double():reshape(-1):tolist() or {}
    if type(flat) == "number" then flat = {flat} end
    local sum, wsum = 0.0, 0.0
    for i, x in ipairs(flat) do
      sum = sum + x
      wsum = wsum + x * ((i - 1) % 7 + 1)
    end
    local shape, stride = {}, {}
    for d = 1, v:dim() do shape[d], stride[d] = v:size(d), v:stride(d) end
    return string.format('{"t":"tensor","dtype":%s,"shape":[%s],"stride":[%s],"offset":%d,"sum":%s,' ..
      '"wsum":%s,"param":%s,"rg":%s,"share":%s}', jstr(tostring(v.dtype):gsub("^torch%.", "")),
      table.concat(shape, ","), table.concat(stride, ","), v:storage_offset(), jstr(string.format("%.17g", sum)),
      jstr(string.format("%.17g", wsum)), tostring(Parameter.is(v)), tostring(v.requires_grad),
      share and share[v] and jstr(share[v]) or "null")
  end
  assert(tv == "table", "cannot describe " .. tv)
  local items = {}
  if torch.OrderedDict.is(v) then
    for k, x in pairs(v) do items[#items + 1] = "[" .. jkey(k) .. "," .. describe(x, share) .. "]" end
    if rawget(v, "_pytype") == "dict" then     -- torch.dict: a plain dict in insertion order
      return '{"t":"dict","items":[' .. table.concat(items, ",") .. "]}"
    end
    local meta = rawget(v, "_metadata")
    return '{"t":"odict","items":[' .. table.concat(items, ",") .. '],"meta":' ..
      (meta and describe(meta, share) or "null") .. "}"
  end
  if torch.is_tuple(v) or getmetatable(v) == getmetatable(torch.zeros(1):size()) then
    for i = 1, #v do items[i] = describe(v[i], share) end
    return '{"t":"tuple","items":[' .. table.concat(items, ",") .. "]}"
  end
  if is_array(v) then
    for i = 1, #v do items[i] = describe(v[i], share) end
    return '{"t":"list","items":[' .. table.concat(items, ",") .. "]}"
  end
  for _, k in ipairs(sorted_keys(v)) do items[#items + 1] = "[" .. jkey(k) .. "," .. describe(v[k], share) .. "]" end
  return '{"t":"dict","items":[' .. table.concat(items, ",") .. "]}"
end

local function save_case(name, value, opts)
  opts = opts or {}
  torch.save(value, out .. "/" .. name .. ".pt")
  local f = assert(io.open(out .. "/" .. name .. ".json", "w"))
  f:write('{"name":', jstr(name), ',"floats":', tostring(opts.floats == true), ',"value":', describe(value, opts.share))
  for k, v in pairs(opts.extra or {}) do f:write(",", jstr(k), ":", v) end
  f:write("}\n")
  f:close()
  print("wrote " .. name .. ".pt")
end

local function train(model, opt, steps)
  torch.manual_seed(7)
  local x = torch.randn(16, 784)
  local y = torch.randint(0, 10, {16})
  local loss
  for _ = 1, steps do
    opt:zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss:backward()
    opt:step()
  end
  return loss:item()
end

-- 1. the MNISTClassifier state_dict, plus a probe: its output on a fixed input
torch.manual_seed(0)
local model = MNISTClassifier()
model:eval()
local probe_in = torch.randn(2, 784)
local probe_out = torch.no_grad(function() return model(probe_in) end)
save_case("mnist_state", model:state_dict())
save_case("mnist_probe", {input = probe_in, output = probe_out}, {})

-- 2./3. optimizer state_dicts after 3 steps (and the models they belong to)
torch.manual_seed(1)
local m_sgd = MNISTClassifier()
local sgd = optim.SGD(m_sgd:parameters(), {lr = 0.01, momentum = 0.9})
train(m_sgd, sgd, 3)
save_case("sgd_momentum_opt", sgd:state_dict(), {floats = true})
save_case("sgd_model", m_sgd:state_dict())

torch.manual_seed(2)
local m_adam = MNISTClassifier()
local adam = optim.Adam(m_adam:parameters(), {lr = 0.001})
local train_loss = train(m_adam, adam, 3)
save_case("adam_opt", adam:state_dict(), {floats = true})

-- 4. the lesson checkpoint
save_case("checkpoint", {
  epoch = 3,
  model_state_dict = m_adam:state_dict(),
  optimizer_state_dict = adam:state_dict(),
  train_loss = train_loss,
  val_loss = 0.25,
  hyperparameters = {learning_rate = 0.001, batch_size = 16, epochs = 3},
  timestamp = "2024-01-01T00:00:00",
  pytorch_version = "ember " .. torch.__version__,
}, {floats = true})

-- 5. views sharing storage
local base = torch.arange(12, {dtype = torch.float32}):view(3, 4)
local big = torch.arange(10, {dtype = torch.float64})
local row = torch.tensor({1, 2, 3}, {dtype = torch.int64})
local views = torch.OrderedDict()
views.base = base
views.transposed = base:t()
views.row1 = base[2]
views.cols12 = base:narrow(2, 2, 2)
views.slice_of_big = big:narrow(1, 3, 3)
views.expanded = row:view(1, 3):expand(4, 3)
views.row = row
views.again = base
local share = {[views.base] = "base", [views.transposed] = "base", [views.row1] = "base",
               [views.cols12] = "base", [views.slice_of_big] = "big", [views.expanded] = "row",
               [views.row] = "row", [views.again] = "base"}
save_case("shared_views", views, {share = share})

-- 6. 0-dim and empty tensors, every dtype, Parameters, plain values
local function t(values, dtype) return torch.tensor(values, {dtype = dtype}) end
local frozen = nn.Parameter(torch.ones(2, 2))
frozen:requires_grad_(false)
save_case("dtypes_scalars", {
  f32 = t({1.5, -2.25, 3.0}, torch.float32),
  f64 = t({{1e-300, -1e300}, {0.1, 2.0}}, torch.float64),
  i64 = t({0, -1, 2 ^ 40, -(2 ^ 53)}, torch.int64),
  i32 = t({2147483647, -2147483648, 7}, torch.int32),
  u8 = t({0, 1, 255}, torch.uint8),
  b = t({true, false, true}, torch.bool),
  scalar_f32 = torch.tensor(3.5),
  scalar_i64 = t(42, torch.int64),
  scalar_bool = t(true, torch.bool),
  empty_0x3 = torch.zeros(0, 3),
  empty_1d = t({}, torch.int64),
  param = nn.Parameter(torch.tensor({{1.0, 2.0}, {3.0, 4.0}})),
  param_frozen = frozen,
  needs_grad = torch.ones(3):requires_grad_(),
  tuple4 = torch.tuple{1, 2, 3, 4},
  shape = torch.zeros(2, 5):size(),
  ints = {0, 255, 256, 65535, 65536, -1, 2147483647, -2147483648, 2147483648, -2147483649,
          math.maxinteger, math.mininteger},
  text = "héllo ✓",
  none_od = torch.OrderedDict():set("missing", nil),
  [7] = "int key",
  flag = false,
})

-- 7. plain (int-only, float-free) nested containers: loads with weights_only on 1.13
save_case("int_containers", {a = {1, 2, {3, {4}}}, b = torch.tuple{}, c = {}, d = {[0] = "zero", [1] = "one"}})
