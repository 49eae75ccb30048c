-- Optimizers and schedulers beyond the peer numbers (tests/peer/
-- test_optim2_parity.lua): PyTorch 1.13's option sets (an option a 1.13
-- optimizer lacks is an error), files in the 2.x key set and 1.13's
-- fixtures load and step, print(optimizer) formats values as Python does,
-- and the schedulers' argument errors, resume rule and verbose messages.
local T = require "ember.test"
local FIXTURES = "../shared/fixtures/pytorch/"

local function params() return {torch.tensor({1.0, -2.0, 3.0}):requires_grad_(), torch.tensor({0.5}):requires_grad_()} end
local function grads(ps) for i, p in ipairs(ps) do p.grad = torch.ones_like(p) * i end end

T.test("options a 1.13 optimizer does not have are errors", function()
  T.error(function() optim.SGD(params(), {lr = 0.1, fused = false}) end, "unknown option 'fused'")
  T.error(function() optim.AdamW(params(), {fused = false}) end, "unknown option 'fused'")
  T.error(function() optim.AdamW(params(), {differentiable = false}) end, "unknown option 'differentiable'")
  T.error(function() optim.AdamW(params(), {decoupled_weight_decay = true}) end, "unknown option")
  T.error(function() optim.RAdam(params(), {maximize = true}) end, "unknown option 'maximize'")
  T.error(function() optim.NAdam(params(), {maximize = true}) end, "unknown option 'maximize'")
  T.error(function() optim.Adam(params(), {fused = true}) end, "fused = true is not implemented")
  T.error(function() optim.RMSprop(params(), {alpha = -1}) end, "Invalid alpha value: -1")
  T.error(function() optim.Adagrad(params(), {lr_decay = -0.5}) end, "Invalid lr_decay value: -0.5")
  T.error(function() optim.Adadelta(params(), {rho = 1.5}) end, "Invalid rho value: 1.5")
  T.error(function() optim.Adamax(params(), {betas = {1.0, 0.9}}) end, "Invalid beta parameter at index 0")
  T.error(function() optim.NAdam(params(), {momentum_decay = -1}) end, "Invalid momentum_decay value")
  T.error(function() optim.LBFGS(params(), {line_search_fn = "armijo"}) end, "only 'strong_wolfe'")
  T.error(function() optim.LBFGS({{params = {params()[1]}}, {params = {params()[2]}}}) end,
    "LBFGS doesn't support per-parameter options")
  T.error(function() optim.LBFGS(params()):step() end, "closure is required")
  local ps = params()
  T.error(function() optim.SGD({{params = {ps[1]}}, {params = ps}}, {lr = 0.1}) end,
    "some parameters appear in more than one parameter group")
  local opt = optim.Adam({ps[1]})
  T.error(function() opt:add_param_group({params = {ps[1]}}) end, "more than one parameter group")
  opt:add_param_group({params = {ps[2]}, lr = 0.5})
  T.eq(#opt.param_groups, 2)
  T.eq(opt.param_groups[2].lr, 0.5)
  T.eq(opt.param_groups[2].eps, 1e-8)
end)

T.test("plain SGD keeps a momentum_buffer of None per stepped parameter, as 1.13", function()
  local ps = params()
  local opt = optim.SGD(ps, {lr = 0.1})
  T.eq(#opt:state_dict().state:keys(), 0)
  ps[1].grad = torch.ones(3)
  opt:step()
  local sd = opt:state_dict()
  T.eq(table.concat(sd.state:keys(), ","), "0")              -- the parameter without grad has none
  T.eq(table.concat(sd.state[0]:keys(), ","), "momentum_buffer")
  T.eq(sd.state[0].momentum_buffer, nil)
  T.eq(table.concat(sd.param_groups[1]:keys(), ","),
    "lr,momentum,dampening,weight_decay,nesterov,maximize,foreach,differentiable,params")
end)

T.test("Adagrad makes its state in the constructor, as PyTorch's", function()
  local opt = optim.Adagrad(params(), {initial_accumulator_value = 0.5})
  local sd = opt:state_dict()
  T.eq(table.concat(sd.state:keys(), ","), "0,1")
  T.eq(sd.state[0].step:item(), 0.0)
  T.close(sd.state[0].sum, {0.5, 0.5, 0.5})
end)

-- files in PyTorch 2.x's key set: SGD's fused, Adam's fused = None and
-- decoupled_weight_decay, AdamW as Adam with decoupled_weight_decay = true
local function as_2x(sd, extra)
  for _, g in ipairs(sd.param_groups) do
    local params = g.params
    g.params = nil
    for _, kv in ipairs(extra) do g:set(kv[1], kv[2]) end
    g.params = params
  end
  return sd
end

T.test("state_dicts with PyTorch 2.x's keys load and step; 1.13's fixtures too", function()
  local dir = os.tmpname()
  os.remove(dir)
  local cases = {
    {optim.SGD, {lr = 0.1}, {{"fused", torch.None}}, true},
    {optim.SGD, {lr = 0.1, momentum = 0.9}, {{"fused", torch.None}}},
    {optim.Adam, {lr = 0.1}, {{"decoupled_weight_decay", false}}},
    {optim.AdamW, {lr = 0.1}, {{"differentiable", false}, {"fused", torch.None}, {"decoupled_weight_decay", true}}},
  }
  for i, c in ipairs(cases) do
    local a, b = params(), params()
    local oa = c[1](a, c[2])
    grads(a)
    oa:step()
    local sd = oa:state_dict()
    if c[4] then sd.state = torch.dict() end              -- 2.x writes no state for plain SGD
    local path = dir .. "_" .. i .. ".pt"
    torch.save(as_2x(sd, c[3]), path)
    for j = 1, 2 do b[j]:detach():copy_(a[j]) end
    local ob = c[1](b, c[2])
    ob:load_state_dict(torch.load(path))
    os.remove(path)
    for _, kv in ipairs(c[3]) do T.ok(ob.param_groups[1]:contains(kv[1]), "the group keeps " .. kv[1]) end
    grads(a); grads(b)
    oa:step(); ob:step()
    for j = 1, 2 do T.close(b[j], a[j], {rtol = 0, atol = 0}) end
  end
  for _, f in ipairs({{"sgd_plain_opt.pt", optim.SGD, {lr = 1}}, {"sgd_momentum_opt.pt", optim.SGD, {lr = 1}},
                      {"adam_opt.pt", optim.Adam, {}}}) do
    local m = nn.Linear(3, 2)
    local opt = f[2](m:parameters(), f[3])
    opt:load_state_dict(torch.load(FIXTURES .. f[1]))
    m(torch.ones(1, 3)):sum():backward()
    opt:step()
    local x = m.weight:abs():max():item()
    T.ok(x == x and x < math.huge, f[1])
  end
end)

T.test("print(optimizer) is PyTorch's, values as Python shows them", function()
  local a, b = params()[1], params()[2]
  local opt = optim.Adam({{params = {a}}, {params = {b}, lr = 1e-5}}, {eps = 1e-10, weight_decay = 0.0001})
  T.eq(tostring(opt), table.concat({
    "Adam (", "Parameter Group 0", "    amsgrad: False", "    betas: (0.9, 0.999)", "    capturable: False",
    "    differentiable: False", "    eps: 1e-10", "    foreach: None", "    fused: False", "    lr: 0.001",
    "    maximize: False", "    weight_decay: 0.0001", "", "Parameter Group 1", "    amsgrad: False",
    "    betas: (0.9, 0.999)", "    capturable: False", "    differentiable: False", "    eps: 1e-10",
    "    foreach: None", "    fused: False", "    lr: 1e-05", "    maximize: False", "    weight_decay: 0.0001",
    ")"}, "\n"))
  local lbfgs = optim.LBFGS(params(), {line_search_fn = "strong_wolfe"})
  T.ok(tostring(lbfgs):find("\n    line_search_fn: strong_wolfe\n", 1, true), tostring(lbfgs))
  T.ok(tostring(lbfgs):find("\n    max_eval: 25\n", 1, true), tostring(lbfgs))
  local repr = require("torch.optim.pyrepr")
  for _, vs in ipairs({{0.1, "0.1"}, {1e-08, "1e-08"}, {1.0, "1.0"}, {1e16, "1e+16"}, {123456.5, "123456.5"},
                       {0.0001, "0.0001"}, {0.00001, "1e-05"}, {1.5e300, "1.5e+300"}, {-2.5, "-2.5"}, {1, "1"},
                       {1 / 3, "0.3333333333333333"}, {1e15, "1000000000000000.0"}, {-1e-7, "-1e-07"}}) do
    T.eq(repr.repr(vs[1]), vs[2])
  end
  T.eq(repr.repr(torch.tuple{0.9}), "(0.9,)")
  T.eq(repr.repr({"a", 1, torch.None}), "['a', 1, None]")
end)

T.test("scheduler arguments PyTorch refuses are refused", function()
  local opt = optim.SGD(params(), {lr = 0.1})
  local S = optim.lr_scheduler
  T.error(function() S.StepLR(opt, {}) end, "step_size is required")
  T.error(function() S.ConstantLR(opt, {factor = 2}) end, "between 0 and 1")
  T.error(function() S.LinearLR(opt, {end_factor = -1}) end, "Ending multiplicative factor")
  T.error(function() S.CosineAnnealingWarmRestarts(opt, {T_0 = 0}) end, "Expected positive integer T_0")
  T.error(function() S.CosineAnnealingWarmRestarts(opt, {T_0 = 2, T_mult = 1.5}) end, "Expected integer T_mult >= 1")
  T.error(function() S.LambdaLR(opt, {lr_lambda = {function() return 1 end, function() return 1 end}}) end,
    "Expected 1 lr_lambdas, but got 2")
  T.error(function() S.OneCycleLR(opt, {max_lr = 1}) end, "You must define either total_steps")
  T.error(function() S.OneCycleLR(opt, {max_lr = 1, total_steps = 10, pct_start = 1}) end, "Expected float between 0 and 1")
  T.error(function() S.OneCycleLR(opt, {max_lr = 1, total_steps = 10, anneal_strategy = "exp"}) end, "anneal_strategy")
  T.error(function() S.CyclicLR(optim.Adam(params()), {base_lr = 0.1, max_lr = 1}) end, "must support momentum")
  T.error(function() S.CyclicLR(opt, {base_lr = 0.1, max_lr = 1, mode = "zigzag"}) end, "mode is invalid")
  T.error(function() S.ReduceLROnPlateau(opt, {mode = "up"}) end, "mode up is unknown!")
  T.error(function() S.ReduceLROnPlateau(opt, {factor = 1.0}) end, "Factor should be < 1.0.")
  T.error(function() S.ReduceLROnPlateau(opt, {threshold_mode = "x"}) end, "threshold mode x is unknown!")
  T.error(function() S.StepLR({}, {step_size = 1}) end, "is not an Optimizer")
  local fresh = optim.SGD(params(), {lr = 0.1})
  T.error(function() S.StepLR(fresh, {step_size = 1, last_epoch = 3}) end,
    "param 'initial_lr' is not specified in param_groups[0] when resuming an optimizer")
  local one = S.OneCycleLR(optim.SGD(params(), {lr = 0.1, momentum = 0.9}), {max_lr = 1, total_steps = 2})
  one:step(); one:step()
  T.error(function() one:step() end, "Tried to step 4 times. The specified number of total steps is 2")
end)

T.test("resuming at last_epoch continues the schedule; verbose prints PyTorch's line", function()
  local opt = optim.SGD(params(), {lr = 1.0})
  local s = optim.lr_scheduler.StepLR(opt, {step_size = 2, gamma = 0.5})
  for _ = 1, 3 do s:step() end
  local again = optim.lr_scheduler.StepLR(opt, {step_size = 2, gamma = 0.5, last_epoch = 3})
  T.eq(again.last_epoch, 4)
  T.eq(again.base_lrs[1], 1.0)
  local lines = {}
  local print0 = print
  print = function(s) lines[#lines + 1] = s end            -- luacheck: ignore
  local ok, err = pcall(function()
    local v = optim.lr_scheduler.ExponentialLR(optim.SGD(params(), {lr = 0.1}), {gamma = 0.5, verbose = true})
    v:step()
  end)
  print = print0                                             -- luacheck: ignore
  T.ok(ok, err)
  T.eq(lines[1], "Adjusting learning rate of group 0 to 1.0000e-01.")
  T.eq(lines[2], "Adjusting learning rate of group 0 to 5.0000e-02.")
  local sched = optim.lr_scheduler.ReduceLROnPlateau(optim.SGD(params(), {lr = 0.1}), {patience = 0})
  sched:step(torch.tensor(1.0))
  sched:step(2.0)
  T.close(sched:get_last_lr()[1], 0.01, {rtol = 1e-12})
  T.ok(tostring(sched):find("^<torch%.optim%.lr_scheduler%.ReduceLROnPlateau object at 0x"))
end)

T.run()
