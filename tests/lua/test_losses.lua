-- test_losses.lua — the losses of issue 22 and nn.utils: a float64
-- gradcheck of every loss (each reduction, with respect to the input, the
-- target and the other tensors), the error cases with PyTorch's words
-- (shape mismatch, unknown reduction, target dtypes, bad options), the
-- modules (options as attributes, weight as a buffer, print as PyTorch's
-- "Name()"), and gradient clipping on a small model. Values against real
-- PyTorch: tests/peer/test_loss_parity.lua.
-- Run: build/ember run tests/lua/test_losses.lua [name filter]

local T = require "ember.test"
local F = nn.functional

local function leaf(t) return t:detach():double():requires_grad_(true) end
local function rnd(...) return leaf(torch.randn(...)) end
local function prob(...) return leaf(torch.rand(...) * 0.8 + 0.1) end   -- in [0.1, 0.9)
local function const(data) return torch.tensor(data, {dtype = torch.float64}) end

local check = T.gradcheck   -- check(name, make, fn): a "gradcheck NAME" test

-- away from the kinks: |x - t| not near beta / delta
local function kinked(n)
  local d = torch.tensor({-2.1, -0.7, -0.3, 0.2, 0.6, 1.7, 2.6, -1.4}, {dtype = torch.float64}):narrow(1, 1, n)
  local t = torch.randn(n):double()
  return {leaf(t + d), leaf(t)}
end

for _, red in ipairs({"mean", "sum", "none"}) do
  check("binary_cross_entropy " .. red, function() return {prob(3, 4), prob(3, 4)} end,
    function(x, t) return F.binary_cross_entropy(x, t, {reduction = red}) end)
  check("binary_cross_entropy weight " .. red, function() return {prob(3, 4), prob(3, 4)} end,
    function(x, t) return F.binary_cross_entropy(x, t, const({1.0, 2.0, 0.5, 3.0}), {reduction = red}) end)
  check("smooth_l1_loss " .. red, function() return kinked(8) end,
    function(x, t) return F.smooth_l1_loss(x, t, {reduction = red, beta = 0.5}) end)
  check("huber_loss " .. red, function() return kinked(8) end,
    function(x, t) return F.huber_loss(x, t, red, 1.0) end)
  check("kl_div " .. red, function() return {rnd(3, 4), prob(3, 4)} end,
    function(x, t) return F.kl_div(x, t, {reduction = red}) end)
  check("kl_div log_target " .. red, function() return {rnd(3, 4), rnd(3, 4)} end,
    function(x, t) return F.kl_div(x, t, {reduction = red, log_target = true}) end)
  check("cosine_embedding_loss " .. red, function() return {rnd(4, 5), rnd(4, 5)} end,
    function(a, b) return F.cosine_embedding_loss(a, b, const({1, -1, 1, -1}), -1.0, {reduction = red}) end)
  check("margin_ranking_loss " .. red, function() return {rnd(6), rnd(6)} end,
    function(a, b) return F.margin_ranking_loss(a, b, const({1, -1, 1, -1, 1, -1}), 5.0, {reduction = red}) end)
  check("triplet_margin_loss " .. red, function() return {rnd(3, 4), rnd(3, 4), rnd(3, 4)} end,
    function(a, p, n) return F.triplet_margin_loss(a, p, n, 20.0, {reduction = red}) end)
  check("cross_entropy probabilities " .. red, function() return {rnd(3, 4), prob(3, 4)} end,
    function(x, t) return F.cross_entropy(x, t, {reduction = red, weight = const({1.0, 2.0, 0.5, 1.5}),
                                                label_smoothing = 0.1}) end)
end
check("kl_div batchmean", function() return {rnd(3, 4), prob(3, 4)} end,
  function(x, t) return F.kl_div(x, t, {reduction = "batchmean"}) end)
check("triplet_margin_loss p = 3, swap", function() return {rnd(3, 4), rnd(3, 4), rnd(3, 4)} end,
  function(a, p, n) return F.triplet_margin_loss(a, p, n, 20.0, 3, 1e-6, true) end)
check("smooth_l1_loss broadcast", function() return {rnd(3, 4), rnd(4)} end,
  function(x, t) return F.smooth_l1_loss(x, t, {beta = 0.01}) end)
check("cross_entropy probabilities spatial", function() return {rnd(2, 3, 2), prob(2, 3, 2)} end,
  function(x, t) return F.cross_entropy(x, t) end)
check("cross_entropy probabilities, learnable weight", function() return {rnd(3, 4), prob(3, 4), prob(4)} end,
  function(x, t, w) return F.cross_entropy(x, t, {weight = w, label_smoothing = 0.2}) end)
check("margin_ranking_loss target", function() return {rnd(6), rnd(6), rnd(6)} end,
  function(a, b, t) return F.margin_ranking_loss(a, b, t, 5.0) end)
check("parameters_to_vector", function() return {rnd(2, 3), rnd(4)} end,
  function(a, b) return nn.utils.parameters_to_vector({a, b}) * 2 end)

-- the values at the clamps and kinks that a gradcheck cannot see ---------------

T.test("binary_cross_entropy clamps the log at -100 and keeps PyTorch's gradient", function()
  local x = torch.tensor({0.0, 1.0, 0.5}, {requires_grad = true})
  local t = torch.tensor({1.0, 0.0, 0.5})
  local l = F.binary_cross_entropy(x, t, {reduction = "none"})
  T.close(l, {100.0, 100.0, math.log(2)}, {rtol = 1e-6})
  T.eq(l.grad_fn:name(), "BinaryCrossEntropyBackward0")
  l:sum():backward()
  -- (x - t) / max(x (1 - x), 1e-12)
  T.close(x.grad, {-1e12, 1e12, 0.0}, {rtol = 1e-6})
end)

T.test("grad_fn names are PyTorch's", function()
  local x = torch.randn(3, 4, {requires_grad = true})
  local y = torch.randn(3, 4)
  T.eq(F.smooth_l1_loss(x, y).grad_fn:name(), "SmoothL1LossBackward0")
  T.eq(F.huber_loss(x, y, "none").grad_fn:name(), "HuberLossBackward0")
  T.eq(F.kl_div(x, y:abs(), {reduction = "none"}).grad_fn:name(), "SubBackward0")
  T.eq(F.kl_div(x, y:abs(), {reduction = "batchmean"}).grad_fn:name(), "DivBackward0")
  T.eq(F.cross_entropy(x, y:softmax(2), {reduction = "sum"}).grad_fn:name(), "NegBackward0")
  T.eq(F.triplet_margin_loss(x, y, y * 2).grad_fn:name(), "MeanBackward0")
end)

-- errors, in PyTorch's words -------------------------------------------------

T.test("an unknown reduction is an error, at creation and in F", function()
  local x, y = torch.rand(3), torch.rand(3)
  for _, f in ipairs({"binary_cross_entropy", "smooth_l1_loss", "huber_loss", "kl_div", "mse_loss", "l1_loss"}) do
    T.error(function() F[f](x, y, {reduction = "avg"}) end, f .. ": avg is not a valid value for reduction")
  end
  T.error(function() F.margin_ranking_loss(x, y, y, {reduction = "avg"}) end, "avg is not a valid value")
  T.error(function() F.triplet_margin_loss(x, y, y, {reduction = "avg"}) end, "avg is not a valid value")
  T.error(function() F.cosine_embedding_loss(x, y, torch.tensor(1.0), {reduction = "avg"}) end, "avg is not a valid")
  T.error(function() F.cross_entropy(torch.rand(2, 3), torch.rand(2, 3), {reduction = "avg"}) end,
    "avg is not a valid value for reduction")
  for _, name in ipairs({"BCELoss", "SmoothL1Loss", "KLDivLoss", "CosineEmbeddingLoss", "MarginRankingLoss",
                         "TripletMarginLoss"}) do
    T.error(function() nn[name]({reduction = "avg"}) end, "nn." .. name .. ": avg is not a valid value for reduction")
  end
  T.error(function() nn.HuberLoss("avg") end, "nn.HuberLoss: avg is not a valid value for reduction")
  T.ok(nn.KLDivLoss({reduction = "batchmean"}))
  T.error(function() F.mse_loss(x, y, {reduction = "batchmean"}) end, "batchmean is not a valid value")
end)

T.test("shape mismatches", function()
  T.error(function() F.binary_cross_entropy(torch.rand(2, 3), torch.rand(3)) end,
    "Using a target size (torch.Size([3])) that is different to the input size (torch.Size([2, 3])) is deprecated")
  T.error(function() F.smooth_l1_loss(torch.rand(2), torch.rand(3)) end, "smooth_l1_loss")
  T.error(function() F.cosine_embedding_loss(torch.rand(2, 3), torch.rand(2, 3), torch.ones(2, 1)) end,
    "0D or 1D target tensor expected, multi-target not supported")
  T.error(function() F.cosine_embedding_loss(torch.rand(3), torch.rand(3), torch.ones(1)) end,
    "1D target tensor expects 2D input tensors, but found inputs with sizes [3] and [3].")
  T.error(function() F.margin_ranking_loss(torch.rand(2, 3), torch.rand(2, 3), torch.ones(2)) end,
    "margin_ranking_loss : All input tensors should have same dimension")
  T.error(function() F.triplet_margin_loss(torch.rand(2, 3), torch.rand(3), torch.rand(2, 3)) end,
    "All inputs should have same dimension but got 2D, 1D and 2D inputs.")
  T.error(function() F.cross_entropy(torch.rand(2, 3), torch.rand(2, 3), {weight = torch.ones(4)}) end,
    "weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: [4]")
  T.error(function() nn.TripletMarginLoss()(torch.rand(2, 3), torch.rand(2, 3)) end, "expected 3 tensors, got 2")
end)

T.test("dtypes: targets and inputs", function()
  T.error(function() F.binary_cross_entropy(torch.rand(3), torch.tensor({1, 0, 1})) end,
    "Found dtype int64 but expected float32")
  T.error(function() F.binary_cross_entropy(torch.rand(3), torch.rand(3):double()) end,
    "Found dtype float64 but expected float32")
  T.error(function() F.binary_cross_entropy(torch.tensor({1, 0}), torch.tensor({1, 0})) end,
    '"binary_cross_entropy" not implemented for int64')
  T.error(function() F.binary_cross_entropy(torch.tensor({1.5}), torch.tensor({1.0})) end,
    "all elements of input should be between 0 and 1")
  T.error(function() F.binary_cross_entropy(torch.tensor({0 / 0}), torch.tensor({1.0})) end,
    "all elements of input should be between 0 and 1")
  T.error(function() F.huber_loss(torch.tensor({1, 2}), torch.tensor({0, 1})) end, '"huber_cpu" not implemented for int64')
  T.error(function() F.kl_div(torch.rand(3), torch.tensor({0, 1, 0})) end, "kl_div: Integral inputs not supported.")
  T.error(function() F.cross_entropy(torch.rand(2, 3), torch.tensor({{0, 1, 0}, {1, 0, 0}})) end,
    "Expected floating point type for target with class probabilities, got int64")
  T.error(function() F.cross_entropy(torch.rand(2, 3), torch.rand(2, 3), {ignore_index = 0}) end,
    "ignore_index is not supported for floating point target")
  -- the index form is unchanged: a float target of another shape is refused
  T.error(function() F.cross_entropy(torch.rand(2, 3), torch.rand(2)) end, "expected target of dtype int64")
  local w = torch.ones(3, {requires_grad = true})
  T.error(function() F.binary_cross_entropy(torch.rand(3), torch.rand(3), w) end,
    "The function 'binary_cross_entropy' is not differentiable with respect to argument 'weight'")
end)

T.test("a weight PyTorch cannot differentiate must not require grad (unless grad mode is off)", function()
  local w = torch.ones(3, {requires_grad = true})
  local x = torch.randn(2, 3)
  local msg = "is not differentiable with respect to argument '%s'. This input cannot have requires_grad True."
  T.error(function() F.cross_entropy(x, torch.tensor({0, 1}), {weight = w}) end,
    "The function 'nll_loss_forward' " .. msg:format("weight"))
  T.error(function() nn.NLLLoss({weight = w})(x, torch.tensor({0, 1})) end, msg:format("weight"))
  T.error(function() F.binary_cross_entropy_with_logits(x, torch.rand(2, 3), {weight = w}) end,
    "The function 'binary_cross_entropy_with_logits' " .. msg:format("weight"))
  T.error(function() F.binary_cross_entropy_with_logits(x, torch.rand(2, 3), {pos_weight = w}) end,
    msg:format("pos_weight"))
  T.error(function() F.binary_cross_entropy(x:sigmoid(), torch.rand(2, 3), w) end,
    "The function 'binary_cross_entropy' " .. msg:format("weight"))
  torch.no_grad(function()
    T.ok(F.cross_entropy(x, torch.tensor({0, 1}), {weight = w}))
    T.ok(F.binary_cross_entropy(x:sigmoid(), torch.rand(2, 3), w))
  end)
  -- the probability form composes ops, so its weight is differentiable, as in PyTorch
  F.cross_entropy(x, torch.rand(2, 3), {weight = w}):backward()
  T.ok(w.grad ~= nil)
end)

T.test("bad option values", function()
  local x, y = torch.rand(3), torch.rand(3)
  T.error(function() F.smooth_l1_loss(x, y, {beta = -1}) end, "smooth_l1_loss does not support negative values for beta.")
  T.error(function() F.huber_loss(x, y, {delta = 0}) end, "huber_loss does not support non-positive values for delta.")
  T.error(function() F.smooth_l1_loss(x, y, {size_average = true}) end, "size_average")
  T.error(function() F.smooth_l1_loss(x, y, {betta = 1}) end, "beta")
  T.error(function() F.kl_div(x, y, {log_target = 1}) end, "log_target must be a boolean")
  T.error(function() F.triplet_margin_loss(x, y, y, {p = 0}) end, "p = 0 is not implemented")
  T.error(function() F.cross_entropy(torch.rand(2, 3), torch.rand(2, 3), {label_smoothing = 2}) end,
    "label_smoothing must be between 0.0 and 1.0. Got: 2")
end)

-- modules -------------------------------------------------------------------

T.test("loss modules: PyTorch's print, attributes and buffers", function()
  T.eq(tostring(nn.BCELoss()), "BCELoss()")
  T.eq(tostring(nn.TripletMarginLoss(0.5)), "TripletMarginLoss()")
  local t = nn.TripletMarginLoss(0.5, 1, {swap = true})
  T.eq(t.margin, 0.5)
  T.eq(t.p, 1)
  T.eq(t.swap, true)
  T.eq(t.reduction, "mean")
  T.eq(nn.SmoothL1Loss({beta = 0.25}).beta, 0.25)
  T.eq(nn.HuberLoss("sum", 2.0).delta, 2.0)
  T.eq(nn.KLDivLoss({log_target = true}).log_target, true)
  T.eq(nn.CosineEmbeddingLoss(0.1).margin, 0.1)
  local b = nn.BCELoss(torch.tensor({1.0, 2.0}))
  local keys = {}
  for k in pairs(b:state_dict()) do keys[#keys + 1] = k end
  T.eq(table.concat(keys, ","), "weight")
  b:to(torch.float64)
  T.eq(tostring(b.weight.dtype), "torch.float64")
  local ce = nn.CrossEntropyLoss({weight = torch.ones(3)})
  T.ok(ce:state_dict().weight ~= nil, "CrossEntropyLoss's weight is a buffer, as in PyTorch")
  T.ok(nn.BCEWithLogitsLoss({pos_weight = torch.ones(2)}):state_dict().pos_weight ~= nil)
  T.close(nn.MarginRankingLoss(0.5)(torch.tensor({1.0, 0.0}), torch.tensor({0.0, 1.0}), torch.tensor({1.0, 1.0})),
    torch.tensor(0.75))
end)

-- nn.utils -------------------------------------------------------------------

T.test("clip_grad_norm_ returns the total norm and scales the grads", function()
  local w = torch.tensor({3.0, 4.0}, {requires_grad = true})
  local v = torch.tensor({{12.0}}, {requires_grad = true})
  local nograd = torch.zeros(2, {requires_grad = true})
  ;((w * w):sum() * 0.5 + (v * v):sum() * 0.5):backward()   -- grads {3, 4} and {12}: norm 13
  local total = nn.utils.clip_grad_norm_({w, nograd, v}, 6.5)
  T.close(total, torch.tensor(13.0), {rtol = 1e-6})
  T.close(w.grad, {1.5, 2.0}, {rtol = 1e-6})
  T.close(v.grad, {{6.0}}, {rtol = 1e-6})
  T.eq(nograd.grad, nil)
  -- under max_norm: unchanged (times 1)
  T.close(nn.utils.clip_grad_norm_({w, v}, 100), torch.tensor(6.5), {rtol = 1e-6})
  T.close(w.grad, {1.5, 2.0}, {rtol = 1e-6})
  -- infinity norm: the largest |g|
  T.close(nn.utils.clip_grad_norm_(w, 1.0, math.huge), torch.tensor(2.0), {rtol = 1e-6})
  T.close(w.grad, {0.75, 1.0}, {rtol = 1e-6})
  T.close(nn.utils.clip_grad_norm_({}, 1.0), torch.tensor(0.0))
end)

T.test("clip_grad_norm_ with error_if_nonfinite", function()
  local w = torch.zeros(2, {requires_grad = true})
  w.grad = torch.tensor({1.0, math.huge})
  T.error(function() nn.utils.clip_grad_norm_(w, 1.0, 2, true) end,
    "The total norm of order 2.0 for gradients from `parameters` is non-finite, so it cannot be clipped")
  T.error(function() nn.utils.clip_grad_norm_(w, 1.0, {norm_type = 1, error_if_nonfinite = true}) end,
    "The total norm of order 1.0")
  local total = nn.utils.clip_grad_norm_(w, 1.0)   -- scales by the non-finite norm, as PyTorch
  T.eq(total:item(), math.huge)
  T.error(function() nn.utils.clip_grad_norm_(w, 1.0, {foreach = true}) end, "foreach")
  T.error(function() nn.utils.clip_grad_norm_(w, "1") end, "max_norm must be a number")
  T.error(function() nn.utils.clip_grad_norm_("w", 1) end, "parameters must be a Tensor or a list of Tensors")
end)

T.test("clip_grad_value_ and a training step", function()
  torch.manual_seed(3)
  local m = nn.Linear(4, 2)
  local loss = F.huber_loss(m(torch.randn(5, 4) * 10), torch.randn(5, 2))
  loss:backward()
  nn.utils.clip_grad_value_(m:parameters(), 0.01)
  for _, p in ipairs(m:parameters()) do
    T.ok(p.grad:abs():max():item() <= 0.01 + 1e-9)
  end
end)

T.test("parameters_to_vector and vector_to_parameters", function()
  local m = nn.Linear(3, 2)
  local vec = nn.utils.parameters_to_vector(m:parameters())
  T.eq(vec:numel(), 8)
  T.eq(vec.grad_fn:name(), "CatBackward0")
  nn.utils.vector_to_parameters(torch.arange(8):float(), m:parameters())
  T.close(m.weight, {{0, 1, 2}, {3, 4, 5}})
  T.close(m.bias, {6, 7})
  T.ok(m.weight.requires_grad)
  T.error(function() nn.utils.vector_to_parameters(torch.zeros(7), m:parameters()) end,
    "shape '[2]' is invalid for input of size 1")
  T.error(function() nn.utils.vector_to_parameters({1, 2}, m:parameters()) end, "expected torch.Tensor")
end)

T.run()
