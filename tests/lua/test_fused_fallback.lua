-- test_fused_fallback.lua — every optional fused kernel of the backend
-- (backend.h's EM_FUSED_OPS) has a composed fallback in src/ops that gives
-- the same numbers and the same autograd nodes. A small model exercises
-- each fused op (forward and gradients, float32 and float64) in this
-- process, then the same script runs once more in a child ember with the
-- other setting of EMBER_FUSED (0: primitives only), and the two sets of
-- results must agree within float rounding. The suite runs this file in
-- both modes (lua/ and fused0/lua/), so either side may be the fused one.
-- tests/c/test_fused_ops.c checks that every EM_FUSED_OPS name is named in
-- a `covers` line below.
-- Run: build/ember run tests/lua/test_fused_fallback.lua

local T = require "ember.test"

local function leaf(t, dtype) return t:to(dtype):requires_grad_(true) end

-- Results of one mode: R[name] = tensor, and the grad_fn names in order.
local function run_model(dtype, R, names)
  local tag = tostring(dtype) .. "/"
  local function put(name, t) R[tag .. name] = t:detach():clone() end
  local function node(t) names[#names + 1] = t.grad_fn and t.grad_fn:name() or "none" end
  torch.manual_seed(11)
  local x = leaf(torch.randn(2, 4, 7, 6), dtype)
  -- covers: conv2d (forward, grad_input, grad_weight; with bias, and grouped, strided, dilated)
  local w1, b1 = leaf(torch.randn(6, 4, 3, 3) * 0.3, dtype), leaf(torch.randn(6), dtype)
  local w2, b2 = leaf(torch.randn(6, 3, 2, 3) * 0.3, dtype), leaf(torch.randn(6), dtype)
  local y = torch.conv2d(x, w1, b1, 1, 1)
  local y2 = torch.conv2d(y, w2, b2, {2, 1}, {1, 1}, {1, 2}, 2)
  node(y); node(y2)
  put("conv", y); put("conv_grouped", y2)
  -- covers: bn_stats channel_affine bn_backward_reduce (training, then eval)
  local bw, bb = leaf(torch.rand(6) + 0.5, dtype), leaf(torch.randn(6), dtype)
  local rm, rv = torch.zeros(6):to(dtype), torch.ones(6):to(dtype)
  local z = torch.batch_norm(y2, bw, bb, rm, rv, true, 0.1, 1e-5)
  local ze = torch.batch_norm(y, bw, bb, rm, rv, false, 0.1, 1e-5)
  node(z); node(ze)
  put("bn", z); put("bn_eval", ze); put("running_mean", rm); put("running_var", rv)
  -- covers: max_pool2d max_pool2d_backward (padding, ceil_mode, dilation, indices)
  local p, idx = torch.max_pool2d(z, 3, {stride = 2, padding = 1, ceil_mode = true, return_indices = true})
  local pd = torch.max_pool2d(ze, 2, {stride = 1, dilation = 2})
  node(p); node(pd)
  put("pool", p); put("pool_dilated", pd); R[tag .. "pool_indices"] = idx
  -- windows of -inf beside the padding (the index of the first tap inside),
  -- two NaNs in one window (the last NaN's index)
  local xi = torch.randn(1, 2, 5, 5):to(dtype)
  xi[1][1]:fill_(-math.huge)
  xi[1][2][1][1], xi[1][2][1][2] = 0 / 0, 0 / 0
  local pv, pi = torch.max_pool2d(xi, 3, {stride = 2, padding = 1, return_indices = true})
  put("pool_inf_nan", pv); R[tag .. "pool_inf_nan_indices"] = pi
  -- dropout (random masks: drawn on the host in either mode, the same stream)
  local h = torch.dropout(p:flatten(2), 0.25, true)
  node(h)
  put("dropout", h)
  local lw = leaf(torch.randn(5, h:size(2)) * 0.2, dtype)
  local logits = torch.linear(h, lw, nil)
  -- covers: softmax log_softmax
  local sm, lsm = torch.softmax(logits, 2), torch.log_softmax(logits, 2)
  local sm4 = torch.softmax(pd, 2)                                  -- over channels of (N, C, H, W)
  node(sm); node(lsm); node(sm4)
  put("softmax", sm); put("log_softmax", lsm); put("softmax4", sm4)
  -- covers: class_loss class_loss_backward (cross_entropy and nll_loss; weights,
  -- label smoothing, ignore_index, reductions, (N, C, d...) inputs)
  local t = torch.tensor({3, 2}, {dtype = torch.int64})
  local cw = torch.tensor({1.0, 0.5, 2.0, 1.5, 0.0}):to(dtype)
  local t4 = torch.randint(0, 6, {2, pd:size(3), pd:size(4)})
  t4[1][1][1] = -100
  local l1 = torch.cross_entropy(logits, t, {weight = cw, label_smoothing = 0.2})
  local l2 = torch.nll_loss(lsm, t, {reduction = "sum", ignore_index = 2})
  local l3 = torch.cross_entropy(pd, t4, {reduction = "none"})
  local l4 = torch.cross_entropy(logits, t, {label_smoothing = 0.1, reduction = "sum"})
  local l5 = torch.nll_loss(torch.log_softmax(pd, 2), t4, {weight = torch.rand(6):to(dtype)})
  for _, l in ipairs({l1, l2, l3, l4, l5}) do node(l) end
  put("ce_weighted_smooth", l1); put("nll_ignore", l2); put("ce_4d", l3); put("ce_smooth", l4); put("nll_4d", l5)
  local loss = l1 + l2 + l3:mean() + l4 + l5 + (sm * sm):sum() + (sm4 * ze:narrow(3, 1, pd:size(3))
    :narrow(4, 1, pd:size(4))):sum()
  loss:backward()
  for name, v in pairs({x = x, w1 = w1, b1 = b1, w2 = w2, b2 = b2, bw = bw, bb = bb, lw = lw}) do
    put("grad_" .. name, v.grad)
  end
  -- covers: adam_step sgd_step (Adam with weight decay, AdamW, SGD with decay and maximize)
  local cases = {
    {"adam", function(ps) return optim.Adam(ps, {lr = 0.01, weight_decay = 0.1}) end},
    {"adamw", function(ps) return optim.AdamW(ps, {lr = 0.01, weight_decay = 0.1}) end},
    {"sgd", function(ps) return optim.SGD(ps, {lr = 0.1, weight_decay = 0.01}) end},
    {"sgd_max", function(ps) return optim.SGD(ps, {lr = 0.1, maximize = true}) end},
  }
  for _, c in ipairs(cases) do
    local q = w1:detach():clone():requires_grad_(true)
    local opt = c[2]({q})
    for step = 1, 3 do
      q.grad = w1.grad * step
      opt:step()
    end
    put("optim_" .. c[1], q)
  end
end

local function results()
  local R, names = {}, {}
  for _, dtype in ipairs({torch.float64, torch.float32}) do run_model(dtype, R, names) end
  return R, table.concat(names, " ")
end

-- The child: writes its results and node names, nothing else.
if arg[1] == "--child" then
  local R, names = results()
  torch.save(R, arg[2])
  local f = assert(io.open(arg[2] .. ".names", "w"))
  f:write(names)
  f:close()
  os.exit(0)
end

local mode = os.getenv("EMBER_FUSED") == "0" and "0" or "1"
local other = mode == "0" and "1" or "0"

-- This ember's executable (the child must be the same build).
local function ember_exe()
  local p = assert(io.popen("readlink /proc/$PPID/exe"))
  local exe = p:read("l")
  p:close()
  return exe
end

local mine, my_names = results()
local file = os.tmpname()
local cmd = string.format("EMBER_FUSED=%s '%s' run '%s' --child '%s'", other, ember_exe(), arg[0], file)
local ran = os.execute(cmd)
local theirs = ran and torch.load(file)
local f = io.open(file .. ".names")
local their_names = f and f:read("a")
if f then f:close() end
os.remove(file)
os.remove(file .. ".names")

T.test("the child ember ran in the other mode (EMBER_FUSED=" .. other .. ")", function()
  T.ok(ran, cmd)
  T.ok(theirs ~= nil and their_names ~= nil, "no results from the child")
end)

T.test("the same autograd nodes in both modes", function()
  T.eq(my_names, their_names)
  T.ok(my_names:find("ConvolutionBackward0", 1, true) and my_names:find("NllLossBackward0", 1, true)
    and my_names:find("NativeBatchNormBackward0", 1, true) and my_names:find("MaxPool2DWithIndicesBackward0", 1, true),
    my_names)
end)

T.test("every result in both modes, with the same keys", function()
  local n = 0
  for k in pairs(mine) do
    n = n + 1
    T.ok(theirs[k] ~= nil, "the child has no " .. k)
  end
  for k in pairs(theirs) do T.ok(mine[k] ~= nil, "this run has no " .. k) end
  T.ok(n >= 60, "only " .. n .. " results")
end)

local keys = {}
for k in pairs(mine) do keys[#keys + 1] = k end
table.sort(keys)
for _, k in ipairs(keys) do
  T.test("fused and composed agree: " .. k, function()
    local a, b = mine[k], theirs[k]
    T.eq(a.dtype, b.dtype)
    if a.dtype == torch.int64 then
      T.ok(torch.equal(a, b), k .. ": indices differ")
    elseif a.dtype == torch.float64 then
      T.close(a, b, {rtol = 1e-10, atol = 1e-12, msg = k})
    else
      T.close(a, b, {rtol = 2e-5, atol = 2e-6, msg = k})
    end
  end)
end

T.run()
