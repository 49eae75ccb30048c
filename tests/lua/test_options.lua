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
require("torch.lazy").load_everything()   -- the names that load on first use, and their options

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
require "torch.explain"   -- loaded on first use: its spec is checked here too
local CALLS = {
  -- autograd (lua/torch/autograd_fns.lua, explain.lua)
  ["torch.autograd.grad"] = function(o)
    local x = torch.ones(2, {requires_grad = true})
    return torch.autograd.grad((x * 2):sum(), x, o)
  end,
  ["torch.autograd.explain"] = function(o)
    local opts = {out = false}
    for k, v in pairs(o or {}) do opts[k] = v end
    local x = torch.ones(2, {requires_grad = true})
    return torch.autograd.explain((x * 2):sum(), opts)
  end,
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
  ["optim.lr_scheduler.MultiStepLR"] = function(o)
    o.milestones = o.milestones or {1}
    return optim.lr_scheduler.MultiStepLR(optim.SGD(params, {lr = 0.1}), o)
  end,
  ["optim.lr_scheduler.ExponentialLR"] = function(o)
    o.gamma = o.gamma or 0.9
    return optim.lr_scheduler.ExponentialLR(optim.SGD(params, {lr = 0.1}), o)
  end,
  ["optim.lr_scheduler.CosineAnnealingLR"] = function(o)
    o.T_max = o.T_max or 5
    return optim.lr_scheduler.CosineAnnealingLR(optim.SGD(params, {lr = 0.1}), o)
  end,
  ["optim.lr_scheduler.CosineAnnealingWarmRestarts"] = function(o)
    o.T_0 = o.T_0 or 5
    return optim.lr_scheduler.CosineAnnealingWarmRestarts(optim.SGD(params, {lr = 0.1}), o)
  end,
  ["optim.lr_scheduler.LambdaLR"] = function(o)
    o.lr_lambda = o.lr_lambda or function() return 1 end
    return optim.lr_scheduler.LambdaLR(optim.SGD(params, {lr = 0.1}), o)
  end,
  ["optim.lr_scheduler.MultiplicativeLR"] = function(o)
    o.lr_lambda = o.lr_lambda or function() return 1 end
    return optim.lr_scheduler.MultiplicativeLR(optim.SGD(params, {lr = 0.1}), o)
  end,
  ["optim.lr_scheduler.LinearLR"] = function(o) return optim.lr_scheduler.LinearLR(optim.SGD(params, {lr = 0.1}), o) end,
  ["optim.lr_scheduler.ConstantLR"] = function(o)
    return optim.lr_scheduler.ConstantLR(optim.SGD(params, {lr = 0.1}), o)
  end,
  ["optim.lr_scheduler.PolynomialLR"] = function(o)
    return optim.lr_scheduler.PolynomialLR(optim.SGD(params, {lr = 0.1}), o)
  end,
  ["optim.lr_scheduler.OneCycleLR"] = function(o)
    o.max_lr, o.total_steps = o.max_lr or 0.1, o.total_steps or 10
    return optim.lr_scheduler.OneCycleLR(optim.SGD(params, {lr = 0.1, momentum = 0.9}), o)
  end,
  ["optim.lr_scheduler.CyclicLR"] = function(o)
    o.base_lr, o.max_lr = o.base_lr or 0.01, o.max_lr or 0.1
    return optim.lr_scheduler.CyclicLR(optim.SGD(params, {lr = 0.1, momentum = 0.9}), o)
  end,
  ["optim.lr_scheduler.SequentialLR"] = function(o)
    local opt = optim.SGD(params, {lr = 0.1})
    o.schedulers = o.schedulers or {optim.lr_scheduler.ConstantLR(opt), optim.lr_scheduler.LinearLR(opt)}
    o.milestones = o.milestones or {2}
    return optim.lr_scheduler.SequentialLR(opt, o)
  end,
  ["optim.lr_scheduler.ChainedScheduler"] = function(o)
    local opt = optim.SGD(params, {lr = 0.1})
    return optim.lr_scheduler.ChainedScheduler({optim.lr_scheduler.ConstantLR(opt)}, o)
  end,
  ["optim.lr_scheduler.ReduceLROnPlateau"] = function(o)
    return optim.lr_scheduler.ReduceLROnPlateau(optim.SGD(params, {lr = 0.1}), o)
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
  ["plot.images"] = function(o) o.quiet = true; return plot.images(torch.zeros(2, 2), o) end,
  ["plot.heatmap"] = function(o) o[1] = torch.eye(2); o.quiet = true; return plot.heatmap(o) end,
  ["live:update"] = function(o) o.train = 1; return plot.live{terminal = "none"}:update(o) end,
  ["plot series"] = function(o) o.y = {1, 2}; return plot.line{o, terminal = "none"} end,
  ["ember.monitor"] = function(o) return ember.monitor(nn.Linear(2, 2), o) end,
  ["monitor:plot"] = function(o)
    local layer = nn.Linear(2, 2)
    local m = ember.monitor(layer)
    layer(torch.ones(2, 2)); m:step()
    o.terminal = "none"; o.quiet = true
    return m:plot(o)
  end,
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
  ["worker.map"] = function(o) return require("ember.worker").map(o) end,
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
  -- the indexing, masking and shape ops (src/bind/lua_rearrange.c, lua/torch/shape_ops.lua)
  flip = function(o) return x:flip(o) end,
  roll = function(o) return x:roll(1, o) end,
  tril = function(o) return x:tril(o) end,
  triu = function(o) return x:triu(o) end,
  diagonal = function(o) return x:diagonal(o) end,
  diag = function(o) return x:diag(o) end,
  nonzero = function(o) return x:nonzero(o) end,
  chunk = function(o) return x:chunk(2, o) end,
  split = function(o) return x:split(1, o) end,
  tensor_split = function(o) return x:tensor_split(2, o) end,
  addmm = function(o) return torch.addmm(x, x, x, o) end,
  baddbmm = function(o) return torch.baddbmm(x:view(1, 2, 2), x:view(1, 2, 2), x:view(1, 2, 2), o) end,
  repeat_interleave = function(o) return x:repeat_interleave(2, o) end,
  ["torch.meshgrid"] = function(o) return torch.meshgrid(xi, o) end,

  -- sorting and counting (C: src/bind/lua_sort.c)
  sort = function(o) return x:sort(o) end,
  msort = function(o) return x:msort(o) end,
  argsort = function(o) return x:argsort(o) end,
  topk = function(o) return x:topk(1, o) end,
  kthvalue = function(o) return x:kthvalue(1, o) end,
  median = function(o) return x:median(o) end,
  unique = function(o) return x:unique(o) end,
  searchsorted = function(o) return torch.searchsorted(torch.tensor({1.0, 2.0}), x, o) end,
  bucketize = function(o) return torch.bucketize(x, torch.tensor({1.0, 2.0}), o) end,
  bincount = function(o) return xi:bincount(o) end,
  histc = function(o) return x:histc(o) end,
}
-- the layers and functions of issue 22 group A (lua/torch/nn/normalization.lua,
-- embedding.lua, functional_layers.lua)
for name, call in pairs({
  ["F.layer_norm"] = function(o) return F.layer_norm(x, 2, o) end,
  ["F.group_norm"] = function(o) return F.group_norm(x, 1, o) end,
  ["F.embedding"] = function(o) return F.embedding(torch.tensor({1}), torch.ones(3, 2), o) end,
  ["F.one_hot"] = function(o) return F.one_hot(torch.tensor({1}), o) end,
  ["F.normalize"] = function(o) return F.normalize(x, o) end,
  ["F.cosine_similarity"] = function(o) return F.cosine_similarity(x, x, o) end,
  ["F.pairwise_distance"] = function(o) return F.pairwise_distance(x, x, o) end,
  ["nn.LayerNorm"] = function(o) return nn.LayerNorm(2, o) end,
  ["nn.GroupNorm"] = function(o) return nn.GroupNorm(1, 2, o) end,
  ["nn.Embedding"] = function(o) return nn.Embedding(3, 2, o) end,
  ["nn.Embedding.from_pretrained"] = function(o) return nn.Embedding.from_pretrained(torch.ones(3, 2), o) end,
  ["nn.Softmin"] = function(o) return nn.Softmin(o) end,
  ["nn.Unflatten"] = function(o) return nn.Unflatten(2, {2, 1}, o) end,
}) do CALLS[name] = call end

-- the spatial layers and their F forms (issue 22, layers group B)
local x4 = torch.ones(1, 1, 4, 4)
for name, call in pairs({
  ["F.conv1d"] = function(o) return F.conv1d(torch.ones(1, 1, 4), torch.ones(1, 1, 2), o) end,
  ["F.conv_transpose2d"] = function(o) return F.conv_transpose2d(x4, torch.ones(1, 1, 2, 2), o) end,
  ["F.adaptive_avg_pool2d"] = function(o) return F.adaptive_avg_pool2d(x4, 2, o) end,
  ["F.adaptive_max_pool2d"] = function(o) return F.adaptive_max_pool2d(x4, 2, o) end,
  ["F.dropout2d"] = function(o) return F.dropout2d(x4, o) end,
  ["F.interpolate"] = function(o) return F.interpolate(x4, o) end,
  ["F.pad"] = function(o) return F.pad(x4, {1, 1}, o) end,
  ["F.unfold"] = function(o) return F.unfold(x4, 2, o) end,
  ["F.fold"] = function(o) return F.fold(torch.ones(1, 4, 9), {4, 4}, 2, o) end,
  ["nn.Conv1d"] = function(o) return nn.Conv1d(1, 1, 3, o) end,
  ["nn.ConvTranspose2d"] = function(o) return nn.ConvTranspose2d(1, 1, 3, o) end,
  ["nn.AdaptiveAvgPool2d"] = function(o) return nn.AdaptiveAvgPool2d(2, o) end,
  ["nn.AdaptiveMaxPool2d"] = function(o) return nn.AdaptiveMaxPool2d(2, o) end,
  ["nn.Dropout2d"] = function(o) return nn.Dropout2d(o) end,
  ["nn.Upsample"] = function(o) return nn.Upsample(o) end,
  ["nn.Unfold"] = function(o) return nn.Unfold(2, o) end,
  ["nn.Fold"] = function(o) return nn.Fold({4, 4}, 2, o) end,
  ["nn.ConstantPad1d"] = function(o) return nn.ConstantPad1d(1, o) end,
  ["nn.ConstantPad2d"] = function(o) return nn.ConstantPad2d(1, o) end,
}) do CALLS[name] = call end
for _, name in ipairs({"ZeroPad2d", "ReflectionPad1d", "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d"}) do
  CALLS["nn." .. name] = function(o) return nn[name](1, o) end
end
-- the nn layers and losses that take nothing but their options table
for _, name in ipairs({"Dropout", "Flatten", "Identity", "ReLU", "Softmax", "LogSoftmax",
                       "MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss"}) do
  CALLS["nn." .. name] = function(o) return nn[name](o) end
end
-- the losses of torch.nn.functional_loss, their modules, and nn.utils
for _, f in ipairs({"binary_cross_entropy", "smooth_l1_loss", "huber_loss", "kl_div"}) do
  CALLS["F." .. f] = function(o) return F[f](x:sigmoid(), x:sigmoid(), o) end
end
for _, f in ipairs({"cosine_embedding_loss", "margin_ranking_loss", "triplet_margin_loss"}) do
  CALLS["F." .. f] = function(o)
    return F[f](x, x, f == "cosine_embedding_loss" and torch.ones(x:size(1)) or x, o)
  end
end
CALLS["F.cross_entropy"] = function(o) return F.cross_entropy(x, x:softmax(2), o) end
for _, name in ipairs({"BCELoss", "SmoothL1Loss", "HuberLoss", "KLDivLoss", "CosineEmbeddingLoss",
                       "MarginRankingLoss", "TripletMarginLoss"}) do
  CALLS["nn." .. name] = function(o) return nn[name](o) end
end
CALLS["nn.utils.clip_grad_norm_"] = function(o) return nn.utils.clip_grad_norm_({}, 1.0, o) end
-- every optimizer class: its options and its param groups
for _, name in ipairs({"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam",
                       "LBFGS"}) do
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
