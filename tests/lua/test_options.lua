-- Nothing is silently ignored: every public function that takes an options
-- table refuses a misspelled key, naming the function and suggesting the
-- option meant (src/bind/lua_options.c, lua/torch/options.lua).
--
-- The walk: every options spec — those declared in Lua (options.specs) and
-- those in the C bindings (found in src/bind/*.c) — must have a call below;
-- each call is made with the spec's first option misspelled (one letter
-- dropped) and must fail with "<fn>: unknown option '<typo>' (did you mean
-- '<option>'?)", and with a PyTorch option ember lacks, when the spec lists
-- one, with "not implemented". A new function with options fails this test
-- until it has a call here.
local T = require "ember.test"
local options = require "torch.options"

-- Load every module that declares options.
for _, m in ipairs({"torch.nn", "torch.optim", "torch.data", "torch.datasets", "ember.plot", "ember.timeit",
                    "torch.gradcheck", "ember.pretty", "torch.nn.summary", "ember.worker", "ember.versions",
                    "torch.checkpoint", "torch.model_file", "torch.onnx"}) do
  require(m)
end

local function root()
  local src = debug.getinfo(1, "S").source:sub(2)
  return (src:match("^(.*)/tests/lua/[^/]+$") or ".")
end

-- The C specs: {fn, known, pytorch_only} rows of em_lua_opts tables, and the
-- binary ops' rows {"name", EM_B_..., "known"} (each takes an options table).
local function c_specs()
  local specs = {}
  local p = io.popen("ls " .. root() .. "/src/bind/*.c")
  for path in p:lines() do
    if not path:find("lua_options.c", 1, true) then
      local src = assert(io.open(path)):read("a")
      for decl in src:gmatch("em_lua_opts [%w_]+%s*%[?%]?%s*=%s*(%b{})") do
        for fn, known, rest in decl:gmatch('{"([^"]+)",%s*([^,]+),%s*([^}]*)}') do
          specs[fn] = {known = known, pytorch_only = rest}
        end
        if not decl:find("{%s*{") then
          local fn = decl:match('^{"([^"]+)"')
          if fn then specs[fn] = specs[fn] or {} end
        end
      end
      for name, known in src:gmatch('{"([%w_]+)", EM_B_[%w_]+, "([%w_ ]*)"}') do
        specs[name] = {known = '"' .. known .. '"', pytorch_only = '"out"'}
      end
    end
  end
  p:close()
  return specs
end

local x = torch.tensor({{1.0, 2.0}, {3.0, 4.0}})
local xi = torch.tensor({1, 2, 3})
local net = nn.Sequential(nn.Linear(2, 2))
local params = {torch.zeros(2, {requires_grad = true})}
local sgd = optim.SGD(params, {lr = 0.1})
local ds = data.TensorDataset(torch.zeros(4, 2), torch.zeros(4))
local tmp = os.tmpname()

-- One call per spec: the function called with the options table o.
local CALLS = {
  -- creation (C)
  ["torch.tensor"] = function(o) return torch.tensor({1}, o) end,
  ["torch.zeros"] = function(o) return torch.zeros(2, o) end,
  ["torch.ones"] = function(o) return torch.ones(2, o) end,
  ["torch.empty"] = function(o) return torch.empty(2, o) end,
  ["torch.full"] = function(o) return torch.full({2}, 1, o) end,
  ["torch.zeros_like"] = function(o) return torch.zeros_like(x, o) end,
  ["torch.ones_like"] = function(o) return torch.ones_like(x, o) end,
  ["torch.empty_like"] = function(o) return torch.empty_like(x, o) end,
  ["torch.full_like"] = function(o) return torch.full_like(x, 2, o) end,
  ["torch.rand_like"] = function(o) return torch.rand_like(x, o) end,
  ["torch.randn_like"] = function(o) return torch.randn_like(x, o) end,
  ["torch.arange"] = function(o) return torch.arange(3, o) end,
  ["torch.linspace"] = function(o) return torch.linspace(0, 1, 3, o) end,
  ["torch.eye"] = function(o) return torch.eye(2, o) end,
  ["torch.rand"] = function(o) return torch.rand(2, o) end,
  ["torch.randn"] = function(o) return torch.randn(2, o) end,
  ["torch.randint"] = function(o) return torch.randint(0, 5, {2}, o) end,
  ["torch.randperm"] = function(o) return torch.randperm(3, o) end,
  -- tensor methods and math (C)
  to = function(o) return x:to(o) end,
  backward = function(o)
    local w = torch.ones(2, {requires_grad = true})
    return w:sum():backward(o)
  end,
  clamp = function(o) return x:clamp(o) end,
  sum = function(o) return x:sum(o) end,
  mean = function(o) return x:mean(o) end,
  prod = function(o) return x:prod(o) end,
  var = function(o) return x:var(o) end,
  std = function(o) return torch.std(x, o) end,
  all = function(o) return x:all(o) end,
  any = function(o) return x:any(o) end,
  max = function(o) return x:max(o) end,
  min = function(o) return x:min(o) end,
  argmax = function(o) return x:argmax(o) end,
  argmin = function(o) return x:argmin(o) end,
  uniform_ = function(o) return torch.empty(2):uniform_(0, 1, o) end,
  -- more math and creators (src/bind/lua_mathr.c, lua_create.c, torch/linalg.lua)
  cumsum = function(o) o.dim = o.dim or 1; return x:cumsum(o) end,
  cumprod = function(o) o.dim = o.dim or 1; return x:cumprod(o) end,
  logsumexp = function(o) o.dim = o.dim or 1; return x:logsumexp(o) end,
  amax = function(o) return x:amax(o) end,
  amin = function(o) return torch.amin(x, o) end,
  count_nonzero = function(o) return x:count_nonzero(o) end,
  norm = function(o) return x:norm(o) end,
  ["linalg.vector_norm"] = function(o) return torch.linalg.vector_norm(x, o) end,
  ["torch.linalg.matrix_norm"] = function(o) return torch.linalg.matrix_norm(torch.ones(2, 2), o) end,
  std_mean = function(o) return torch.std_mean(x, o) end,
  var_mean = function(o) return torch.var_mean(x, o) end,
  isclose = function(o) return x:isclose(x, o) end,
  nan_to_num = function(o) return x:nan_to_num(o) end,
  ["torch.logspace"] = function(o) return torch.logspace(0, 1, 3, o) end,
  ["torch.normal"] = function(o) o.size = o.size or {2}; return torch.normal(0.0, 1.0, o) end,
  ["torch.randint_like"] = function(o) return torch.randint_like(x, 5, o) end,
  normal_ = function(o) return torch.empty(2):normal_(0, 1, o) end,
  -- optimizers, schedulers, data, plots, modules (Lua)
  ["optimizer:zero_grad"] = function(o) return sgd:zero_grad(o) end,
  ["optim.lr_scheduler.StepLR"] = function(o)
    o.step_size = o.step_size or 1
    return optim.lr_scheduler.StepLR(optim.SGD(params, {lr = 0.1}), o)
  end,
  ["data.DataLoader"] = function(o) return data.DataLoader(ds, o) end,
  ["datasets.locate"] = function(o) return data.datasets.locate("MNIST", o) end,
  ["datasets.MNIST"] = function(o) return data.datasets.MNIST(o) end,
  ["datasets.FashionMNIST"] = function(o) return data.datasets.FashionMNIST(o) end,
  ["plot.losses"] = function(o) o.train = {1, 2}; o.terminal = "none"; return plot.losses(o) end,
  ["plot.line"] = function(o) o.y = {1, 2}; o.terminal = "none"; return plot.line(o) end,
  ["plot.scatter"] = function(o) o.y = {1, 2}; o.terminal = "none"; return plot.scatter(o) end,
  ["plot.figure"] = function(o) return plot.figure(o) end,
  ["figure:losses"] = function(o) o.train = {1, 2}; return plot.figure{}:losses(o) end,
  ["figure:line"] = function(o) o.y = {1, 2}; return plot.figure{}:line(o) end,
  ["figure:scatter"] = function(o) o.y = {1, 2}; return plot.figure{}:scatter(o) end,
  ["plot.live"] = function(o) o.terminal = "none"; return plot.live(o) end,
  ["live:update"] = function(o) o.train = 1; return plot.live{terminal = "none"}:update(o) end,
  ["plot series"] = function(o) o.y = {1, 2}; return plot.line{o, terminal = "none"} end,
  timeit = function(o) o.quiet = true; o.number = 1; return require("ember.timeit")(function() end, o) end,
  ["torch.autograd.gradcheck"] = function(o)
    return torch.autograd.gradcheck(function(v) return v:sum() end,
      torch.ones(2, {dtype = torch.float64, requires_grad = true}), o)
  end,
  ["torch.set_printoptions"] = function(o) return torch.set_printoptions(o) end,
  ["torch.allclose"] = function(o) return torch.allclose(x, x, o) end,
  ["nn.summary"] = function(o) o.verbose = 0; return nn.summary(net, {1, 2}, o) end,
  -- files (each checks before it reads or writes anything)
  ["torch.save"] = function(o) return torch.save(x, tmp .. ".pt", o) end,
  ["torch.load"] = function(o) return torch.load("/nonexistent.pt", o) end,
  ["torch.io.write_idx"] = function(o) return torch.io.write_idx(tmp .. ".idx", torch.zeros(2, {dtype = torch.uint8}), o) end,
  ["torch.load_safetensors"] = function(o) return torch.load_safetensors("/nonexistent.safetensors", o) end,
  ["torch.io.safetensors_info"] = function(o) return torch.io.safetensors_info("/nonexistent.safetensors", o) end,
  ["torch.onnx.export"] = function(o) return torch.onnx.export(net, torch.zeros(1, 2), tmp .. ".onnx", o) end,
  -- workers, versioned models, checkpoints (each checks before it touches anything)
  ["worker.run"] = function(o) return require("ember.worker").run(o) end,
  ["versions.save"] = function(o) return require("ember.versions").save(nn.Linear(1, 1), tmp, "1.0.0", o) end,
  ["versions.load"] = function(o) return require("ember.versions").load(nn.Linear(1, 1), "/nonexistent", "1.0.0", o) end,
  ["torch.checkpoint.save"] = function(o) return torch.checkpoint.save(tmp .. ".pt", o) end,
  ["torch.checkpoint.load"] = function(o) return torch.checkpoint.load("/nonexistent.pt", o) end,
  ["torch.checkpoint.save_rotating"] = function(o) return torch.checkpoint.save_rotating(tmp, 1, {}, o) end,
  ["torch.checkpoint.save_rotating parts"] = function(o) return torch.checkpoint.save_rotating(tmp, 1, o) end,
  register_buffer = function(o) return nn.Linear(1, 1):register_buffer("b", torch.zeros(1), o) end,
  zero_grad = function(o) return net:zero_grad(o) end,
  state_dict = function(o) return net:state_dict(o) end,
  load_state_dict = function(o) return net:load_state_dict(net:state_dict(), o) end,
  -- nn: engine functions (C), F, layers, losses, init (Lua)
  conv2d = function(o) return torch.conv2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 2, 2), nil, o) end,
  max_pool2d = function(o) return torch.max_pool2d(torch.ones(1, 1, 4, 4), 2, o) end,
  avg_pool2d = function(o) return torch.avg_pool2d(torch.ones(1, 1, 4, 4), 2, o) end,
  softmax = function(o) return torch.softmax(x, 2, o) end,
  log_softmax = function(o) return x:log_softmax(2, o) end,
  nll_loss = function(o) return torch.nll_loss(x, torch.tensor({0, 1}), o) end,
  cross_entropy = function(o) return torch.cross_entropy(x, torch.tensor({0, 1}), o) end,
  binary_cross_entropy_with_logits = function(o) return torch.binary_cross_entropy_with_logits(x, x:sigmoid(), o) end,
  dropout = function(o) return torch.dropout(x, 0.5, true, o) end,
  bernoulli = function(o) return torch.rand(2):bernoulli(0.5, o) end,
  bernoulli_ = function(o) return torch.rand(2):bernoulli_(0.5, o) end,
  ["F.relu"] = function(o) return F.relu(x, o) end,
  ["F.dropout"] = function(o) return F.dropout(x, o) end,
  ["F.batch_norm"] = function(o) return F.batch_norm(x, torch.zeros(2), torch.ones(2), o) end,
  ["F.mse_loss"] = function(o) return F.mse_loss(x, x, o) end,
  ["F.l1_loss"] = function(o) return F.l1_loss(x, x, o) end,
  ["nn.Conv2d"] = function(o) return nn.Conv2d(1, 1, 3, o) end,
  ["nn.Linear"] = function(o) return nn.Linear(2, 2, o) end,
  ["nn.BatchNorm1d"] = function(o) return nn.BatchNorm1d(2, o) end,
  ["nn.BatchNorm2d"] = function(o) return nn.BatchNorm2d(2, o) end,
  ["nn.MaxPool2d"] = function(o) return nn.MaxPool2d(2, o) end,
  ["nn.AvgPool2d"] = function(o) return nn.AvgPool2d(2, o) end,
  ["nn.init.calculate_gain"] = function(o) return nn.init.calculate_gain("leaky_relu", o) end,
  ["nn.init.constant_"] = function(o) return nn.init.constant_(torch.empty(2), o) end,
  ["nn.init.kaiming_uniform_"] = function(o) return nn.init.kaiming_uniform_(torch.empty(2, 2), o) end,
  ["nn.init.normal_"] = function(o) return nn.init.normal_(torch.empty(2), o) end,
  ["nn.init.uniform_"] = function(o) return nn.init.uniform_(torch.empty(2), o) end,
  ["nn.init.xavier_uniform_"] = function(o) return nn.init.xavier_uniform_(torch.empty(2, 2), o) end,
}
-- the nn layers and losses that take nothing but their options table
for _, name in ipairs({"Dropout", "Flatten", "Identity", "ReLU", "Softmax", "LogSoftmax",
                       "MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss"}) do
  CALLS["nn." .. name] = function(o) return nn[name](o) end
end
-- every optimizer class: its options and its param groups
for _, name in ipairs({"SGD", "Adam", "AdamW"}) do
  CALLS["optim." .. name] = function(o) o.lr = o.lr or 0.1; return optim[name](params, o) end
  CALLS["optim." .. name .. " param group"] = function(o)
    o.params = {torch.zeros(1, {requires_grad = true})}
    return optim[name](params, {lr = 0.1}):add_param_group(o)
  end
end
-- the op table's rows (src/core/op_table.h): every binary op takes {alpha =},
-- {rounding_mode =} or nothing; unary ops their number parameters; the
-- activation modules made from rows their constructor's
for _, row in ipairs(require("torch.core")._ops) do
  if row.kind == "binary" and row.func and not row.hand then
    for _, name in ipairs({row.name, table.unpack(row.aliases)}) do
      CALLS[name] = function(o) return torch[name](x, x, o) end
    end
  end
  if row.kind == "binary" and row.inplace and not row.hand then
    CALLS[row.name .. "_"] = function(o) return x:clone()[row.name .. "_"](x:clone(), 1, o) end
  end
  if row.kind == "unary" and row.params ~= "" and not row.hand then
    CALLS[(row.func and "" or "F.") .. row.name] = function(o) return row.fn(x, o) end
  end
  if row.nn then CALLS["nn." .. row.nn] = function(o) return nn[row.nn](o) end end
end

-- A misspelling of `word` that is still close to it: one letter dropped.
local function typo(word)
  if #word <= 2 then return word .. "x" end
  local i = #word // 2 + 1
  return word:sub(1, i - 1) .. word:sub(i + 1)
end

local function first_word(list) return list and list:match("[%w_]+") end

local function all_specs()
  local specs = {}
  for fn, spec in pairs(options.specs) do specs[fn] = {known = spec.known, pytorch_only = spec.pytorch_only} end
  for fn, spec in pairs(c_specs()) do
    if not specs[fn] then
      specs[fn] = {known = spec.known and spec.known:match('^"(.*)"$') or (spec.known and "dtype device requires_grad"),
                   pytorch_only = spec.pytorch_only and spec.pytorch_only:match('^%s*"(.-)"')}
    end
  end
  return specs
end

T.test("every function with options has a call in this test", function()
  local missing = {}
  for fn in pairs(all_specs()) do
    if not CALLS[fn] and not fn:find("^optim%.Sign") then missing[#missing + 1] = fn end
  end
  table.sort(missing)
  T.ok(#missing == 0, "specs without a call in tests/lua/test_options.lua: " .. table.concat(missing, ", "))
end)

T.test("a misspelled option fails everywhere, naming the function and the option meant", function()
  local specs, bad = all_specs(), {}
  local names = {}
  for fn in pairs(CALLS) do names[#names + 1] = fn end
  table.sort(names)
  for _, fn in ipairs(names) do
    local spec = specs[fn]
    local word = spec and first_word(spec.known)
    if word then
      local wrong = typo(word)
      local ok, err = pcall(CALLS[fn], {[wrong] = 1})
      local want = string.format("unknown option '%s' (did you mean '%s'?)", wrong, word)
      if ok or not tostring(err):find(want, 1, true) or not tostring(err):find(fn, 1, true) then
        bad[#bad + 1] = fn .. ": " .. (ok and "accepted" or tostring(err))
      end
    elseif spec then   -- takes no options at all: any key is refused
      local ok, err = pcall(CALLS[fn], {zzz = 1})
      if ok or not tostring(err):find("unknown option 'zzz'", 1, true) then
        bad[#bad + 1] = fn .. ": " .. (ok and "accepted {zzz = 1}" or tostring(err))
      end
    end
    local lacking = spec and first_word(spec.pytorch_only)
    if lacking then
      local ok, err = pcall(CALLS[fn], {[lacking] = 1})
      if ok or not tostring(err):find("not implemented", 1, true) then
        bad[#bad + 1] = fn .. " {" .. lacking .. "}: " .. (ok and "accepted" or tostring(err))
      end
    end
  end
  T.ok(#bad == 0, table.concat(bad, "\n"))
end)

T.test("the suggestion: close names, prefixes, or the list of options", function()
  T.error(function() torch.zeros(2, {dtyp = torch.int64}) end,
    "torch.zeros: unknown option 'dtyp' (did you mean 'dtype'?)")
  T.error(function() torch.ones(2):uniform_(0, 1, {gen = 1}) end, "(did you mean 'generator'?)")
  T.error(function() torch.zeros(2, {qqqqq = 1}) end, "(its options: dtype, device, requires_grad)")
  T.error(function() torch.tensor({1}, {1}) end, "options are name = value pairs")
  T.error(function() data.DataLoader(ds, 5) end, "options must be a table")
  T.error(function() x:mul(x, {alpha = 2}) end, "mul: unknown option 'alpha' (it takes no options)")
end)

T.test("Python habits get an explanation", function()
  T.error(function() return torch.zeroes(2) end, "torch has no 'zeroes' (did you mean torch.zeros?)")
  T.error(function() return optim.adam end, "optim has no 'adam' (did you mean optim.Adam?)")
  T.error(function() return data.Dataloader end, "data has no 'Dataloader' (did you mean data.DataLoader?)")
  T.error(function() return plot.loss end, "plot has no 'loss'")
  T.error(function() return nn.Linaer end, "nn has no 'Linaer' (did you mean nn.Linear?)")
  T.error(function() return F.rellu end, "F has no 'rellu' (did you mean F.relu?)")
  local seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
  T.error(function() return seq[0] end, "positions in a Sequential are 1-based in ember: seq:at(1) (or seq[1]) "
    .. "is PyTorch's seq[0]")
  T.error(function() return seq:at(0) end, "1-based")
  T.error(function() return seq:at(3) end, "index out of range (the Sequential holds 2 modules)")
  T.eq(seq[1]:class_name(), "Linear")
  T.eq(seq[-1]:class_name(), "ReLU")
  T.eq(seq[3], nil)
  T.eq(seq["0"], seq:at(1))
  T.error(function() return x.size() end, "call tensor methods with ':', as in x:size(...)")
  T.error(function() return x.item(4) end, "call tensor methods with ':', as in x:item(...)")
  T.error(function() return torch.view(4) end, "Tensor expected, got number")   -- torch.view is a function too
  T.error(function() return x.sahpe end, "Tensor has no attribute 'sahpe' (did you mean x.shape?)")
  T.error(function() return x.shape[0] end, "shapes are 1-based in ember: x.shape[1] is PyTorch's x.shape[0]")
  T.eq(x.shape[-1], 2)
  T.eq(x:size()[-2], 2)
  T.eq(x.shape[3], nil)            -- past the end is nil, as in any Lua list
  T.eq(torch.cuda ~= nil, true)     -- names that exist still read as before
  T.eq(rawget(torch, "no_such_thing"), nil)
  -- a method called with '.' from Lua code: the error gets a hint
  local interrupt = require "ember.interrupt"
  local ok, msg = interrupt.call(function() local p = net.parameters(); return p end)
  T.ok(not ok and msg:find("hint: call methods with ':', as in obj:parameters(...)", 1, true), msg)
  ok, msg = interrupt.call(function() local n = len(xi); return n end)   -- luacheck: ignore
  T.ok(not ok and msg:find("hint: Lua has no len(): use #t", 1, true), msg)
  ok, msg = interrupt.call(function() return net:parameters() end)
  T.ok(ok, "a correct call is untouched")
end)

T.test("Python habits in a script run by `ember run` get the same hint", function()
  local f = assert(io.open(tmp, "w"))
  f:write("local m = nn.Linear(2, 2)\nlocal p = m.parameters()\n")
  f:close()
  local fs = require "ember.lesson.fs"
  local p = io.popen(string.format("%s run %s 2>&1", fs.quote(fs.exe()), fs.quote(tmp)))
  local out = p:read("a")
  p:close()
  os.remove(tmp)
  T.ok(out:find("hint: call methods with ':', as in obj:parameters(...)", 1, true), out)
end)

T.test("values PyTorch refuses are refused", function()
  T.error(function() local w = torch.ones(2); w.requires_grad = "x" end, "requires_grad must be a boolean")
  T.error(function() nn.Linear(2, 2):to(torch.int64) end,
    "nn.Module.to only accepts floating point dtypes, but got desired dtype=torch.int64")
  T.error(function() nn.Linear(2, 2):to("cuda") end, "CUDA")
  T.error(function() optim.Adam(params, {differentiable = true}) end, "not implemented in ember")
  T.error(function() return x[{{1, 2, 1}}] end, "steps are not supported")
end)

T.test("modules: add_module refuses names and cycles as PyTorch does", function()
  local m = nn.Sequential(nn.Linear(2, 2))
  for _, name in ipairs({"forward", "training", "_modules", "train"}) do
    T.error(function() m:add_module(name, nn.ReLU()) end, "attribute '" .. name .. "' already exists")
  end
  T.error(function() m:add_module("a.b", nn.ReLU()) end, "module name can't contain \".\", got: a.b")
  T.error(function() m:add_module("", nn.ReLU()) end, "module name can't be empty string")
  T.error(function() m:add_module("self", m) end, "would make the module contain itself")
  local outer = nn.Sequential(m)
  T.error(function() m:add_module("up", outer) end, "would make the module contain itself")
  T.error(function() m.loop = m end, "would make the module contain itself")
  m:add_module("extra", nn.ReLU())      -- a fine name still works, and replacing a child too
  m:add_module("extra", nn.Tanh())
  T.eq(#m:parameters(), 2)
end)

T.run()
