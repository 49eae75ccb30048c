-- torch.nn.functional_loss — the losses of nn.functional beyond the class
-- losses and mse/l1 (those are in torch.nn.functional): binary_cross_entropy,
-- smooth_l1_loss, huber_loss (one engine op and graph node each, as in
-- PyTorch), and the losses PyTorch 1.13 itself composes from other ops —
-- kl_div, cosine_embedding_loss, margin_ranking_loss, triplet_margin_loss,
-- pairwise_distance's norm and cross_entropy with class probabilities —
-- composed here from the same ops in the same order, so values, gradients
-- and grad_fn names come out as PyTorch's. Installed into F by
-- torch.nn.functional (require(...)(F)); each function's parameters are
-- declared once (torch.nn.args) and the loss modules (torch.nn.loss) are
-- built from the same declarations (F._loss_decl).
local torch = require "torch"
local core = require "torch.core"
local args = require "torch.nn.args"

local PT = "size_average reduce"   -- PyTorch's deprecated options, not ember's

-- PyTorch's positional order of each loss's options after the tensors, with
-- the defaults; max: how many may come positionally (those before
-- size_average in PyTorch's signature).
local DECL = {
  binary_cross_entropy = {{{"weight", args.NONE}, {"reduction", "mean"}}, 1},
  smooth_l1_loss = {{{"reduction", "mean"}, {"beta", 1.0}}, 0},
  huber_loss = {{{"reduction", "mean"}, {"delta", 1.0}}, 2},
  kl_div = {{{"reduction", "mean"}, {"log_target", false}}, 0},
  cosine_embedding_loss = {{{"margin", 0.0}, {"reduction", "mean"}}, 1},
  margin_ranking_loss = {{{"margin", 0.0}, {"reduction", "mean"}}, 1},
  triplet_margin_loss = {{{"margin", 1.0}, {"p", 2.0}, {"eps", 1e-6}, {"swap", false}, {"reduction", "mean"}}, 4},
}

return function(F)
  local decl = {}
  for name, d in pairs(DECL) do
    decl[name] = args.declare("F." .. name, d[1], PT, d[2])
    local names = {}
    for i, p in ipairs(d[1]) do names[i] = p[1] end
    F._loss_options[name] = {table.concat(names, " "), PT}
  end
  F._loss_decl = DECL

  local function tensors(name, n, ...)
    for i = 1, n do
      local t = select(i, ...)
      if not torch.is_tensor(t) then
        args.error(string.format("%s: argument %d must be a Tensor, got %s", name, i, type(t)))
      end
    end
  end

  local function number(name, o, key)
    if type(o[key]) ~= "number" then
      args.error(string.format("%s: %s must be a number, got %s", name, key, type(o[key])))
    end
  end

  local function boolean(name, o, key)
    if type(o[key]) ~= "boolean" then
      args.error(string.format("%s: %s must be a boolean, got %s", name, key, type(o[key])))
    end
  end

  -- PyTorch's apply_loss_reduction
  local function reduce(loss, reduction)
    if reduction == "mean" then return loss:mean() end
    if reduction == "sum" then return loss:sum() end
    return loss
  end

  --- F.binary_cross_entropy(input, target[, weight][, {reduction = "mean"}]) -> Tensor
  -- The binary cross-entropy of probabilities in [0, 1] (the output of a
  -- sigmoid) against targets of the same shape and dtype:
  -- -w (t log(x) + (1 - t) log(1 - x)), each log clamped to >= -100 as in
  -- PyTorch, so x = 0 or 1 gives a finite loss. weight (optional) broadcasts
  -- to the input and cannot require grad. Prefer
  -- F.binary_cross_entropy_with_logits on raw scores: it is more stable.
  -- Example:
  --   F.binary_cross_entropy(torch.tensor{0.5, 0.9}, torch.tensor{1.0, 1.0})  --> tensor(0.3993)
  function F.binary_cross_entropy(input, target, ...)
    tensors("binary_cross_entropy", 2, input, target)
    local o = decl.binary_cross_entropy:parse(...)
    F._check_reduction("binary_cross_entropy", o.reduction)
    return core._binary_cross_entropy(input, target, o.weight, o.reduction)
  end

  --- F.smooth_l1_loss(input, target[, {reduction = "mean", beta = 1.0}]) -> Tensor
  -- Elementwise 0.5 z^2 / beta where z = |input - target| < beta, else
  -- z - 0.5 beta: quadratic near 0, linear (L1) beyond beta; beta = 0 is
  -- the L1 loss. Then reduced ("mean", "sum", "none"). Input and target
  -- broadcast. Also nn.SmoothL1Loss.
  -- Example:
  --   F.smooth_l1_loss(torch.tensor{0.5, 3.0}, torch.zeros(2))  --> tensor(1.3125)
  function F.smooth_l1_loss(input, target, ...)
    tensors("smooth_l1_loss", 2, input, target)
    local o = decl.smooth_l1_loss:parse(...)
    F._check_reduction("smooth_l1_loss", o.reduction)
    number("smooth_l1_loss", o, "beta")
    return core._smooth_l1_loss(input, target, o.reduction, o.beta)
  end

  --- F.huber_loss(input, target[, reduction = "mean"[, delta = 1.0]]) -> Tensor
  -- Elementwise 0.5 z^2 where z = |input - target| < delta, else
  -- delta (z - 0.5 delta): smooth_l1_loss times delta (with beta = delta).
  -- delta > 0. Also nn.HuberLoss.
  -- Example:
  --   F.huber_loss(torch.tensor{0.5, 3.0}, torch.zeros(2), {delta = 2.0})  --> tensor(2.0625)
  function F.huber_loss(input, target, ...)
    tensors("huber_loss", 2, input, target)
    local o = decl.huber_loss:parse(...)
    F._check_reduction("huber_loss", o.reduction)
    number("huber_loss", o, "delta")
    return core._huber_loss(input, target, o.reduction, o.delta)
  end

  local function float_only(name, msg, ...)
    for i = 1, select("#", ...) do
      if not select(i, ...):is_floating_point() then args.error(name .. ": " .. msg) end
    end
  end

  -- xlogy(t, t) = t log(t), 0 where t = 0
  local function xlogy_self(t)
    return torch.where(t:eq(0), torch.zeros_like(t), t * t:log())
  end

  --- F.kl_div(input, target[, {reduction = "mean", log_target = false}]) -> Tensor
  -- The Kullback-Leibler divergence of target from input, where input holds
  -- log-probabilities (e.g. F.log_softmax) and target probabilities
  -- (log-probabilities when log_target = true): elementwise
  -- target (log(target) - input), 0 where target = 0. reduction:
  -- "batchmean" (the sum over the batch size input:size(1): the true KL
  -- divergence), "sum", "none", or "mean" (PyTorch 1.13's default: the mean
  -- over every element). Also nn.KLDivLoss.
  -- Example:
  --   F.kl_div(torch.tensor{0.5, 0.5}:log(), torch.tensor{0.5, 0.5}, {reduction = "sum"})  --> tensor(0.)
  function F.kl_div(input, target, ...)
    tensors("kl_div", 2, input, target)
    local o = decl.kl_div:parse(...)
    local reduction = o.reduction
    if reduction ~= "batchmean" then F._check_reduction("kl_div", reduction, "'batchmean', ") end
    boolean("kl_div", o, "log_target")
    float_only("kl_div", "Integral inputs not supported.", input, target)
    local out
    if o.log_target then
      out = target:exp() * (target - input)
    else
      out = xlogy_self(target) - target * input
    end
    if reduction == "batchmean" then
      out = out:sum()
      if input:dim() ~= 0 then out = out / input:size(1) end
      return out
    end
    return reduce(out, reduction)
  end

  --- F.cosine_embedding_loss(input1, input2, target[, margin = 0][, {reduction = "mean"}]) -> Tensor
  -- Whether pairs are alike (target 1) or not (target -1), judged by their
  -- cosine similarity c along the last dim: 1 - c for target 1,
  -- max(0, c - margin) for target -1. input1, input2 (N, D) with target
  -- (N), or (D) with a 0-dim target. Also nn.CosineEmbeddingLoss.
  function F.cosine_embedding_loss(input1, input2, target, ...)
    tensors("cosine_embedding_loss", 3, input1, input2, target)
    local o = decl.cosine_embedding_loss:parse(...)
    F._check_reduction("cosine_embedding_loss", o.reduction)
    number("cosine_embedding_loss", o, "margin")
    local td = target:dim()
    local function sizes(t) return tostring(t:size()):match("%((.*)%)") end
    if td ~= 0 and td ~= 1 then
      args.error("cosine_embedding_loss: 0D or 1D target tensor expected, multi-target not supported")
    end
    local want = td == 1 and 2 or 1
    if input1:dim() ~= want or input2:dim() ~= want then
      args.error(string.format("cosine_embedding_loss: %dD target tensor expects %dD input tensors, but found " ..
        "inputs with sizes %s and %s.", td, want, sizes(input1), sizes(input2)))
    end
    local dim = td + 1   -- PyTorch's sum(targ_dim), 1-based
    local EPSILON = 1e-12
    local prod_sum = (input1 * input2):sum(dim)
    local mag_square1 = (input1 * input1):sum(dim) + EPSILON
    local mag_square2 = (input2 * input2):sum(dim) + EPSILON
    local denom = (mag_square1 * mag_square2):sqrt()
    local cos = prod_sum / denom
    local zeros = torch.zeros_like(cos)
    local pos = 1 - cos
    local neg = (cos - o.margin):clamp({min = 0})
    local output_pos = torch.where(target:eq(1), pos, zeros)
    local output_neg = torch.where(target:eq(-1), neg, zeros)
    return reduce(output_pos + output_neg, o.reduction)
  end

  --- F.margin_ranking_loss(input1, input2, target[, margin = 0][, {reduction = "mean"}]) -> Tensor
  -- For ranking: max(0, -target (input1 - input2) + margin), where target
  -- 1 means input1 should rank higher, -1 input2. All three tensors have
  -- the same number of dims. Also nn.MarginRankingLoss.
  -- Example:
  --   F.margin_ranking_loss(torch.tensor{1.0, 0.0}, torch.tensor{0.0, 1.0}, torch.tensor{1.0, 1.0})  --> tensor(0.5000)
  function F.margin_ranking_loss(input1, input2, target, ...)
    tensors("margin_ranking_loss", 3, input1, input2, target)
    local o = decl.margin_ranking_loss:parse(...)
    F._check_reduction("margin_ranking_loss", o.reduction)
    number("margin_ranking_loss", o, "margin")
    if input1:dim() ~= input2:dim() or input1:dim() ~= target:dim() then
      args.error(string.format("margin_ranking_loss : All input tensors should have same dimension but got " ..
        "sizes: input1: %s, input2: %s, target: %s ", tostring(input1:size()), tostring(input2:size()),
        tostring(target:size())))
    end
    local out = (-target * (input1 - input2) + o.margin):clamp({min = 0})
    return reduce(out, o.reduction)
  end

  -- The p-norm of x along dim (PyTorch's norm(x, p, dim)), or of all of x
  -- (dim nil): p = 2 sqrt(sum x^2), 1 sum |x|, inf max |x|, else
  -- (sum |x|^p)^(1/p). Also used by nn.utils.clip_grad_norm_.
  function F._pnorm(x, p, dim, name)
    local function sum(t) if dim then return t:sum(dim) end return t:sum() end
    if p == 2 then return sum(x * x):sqrt() end
    if p == 1 then return sum(x:abs()) end
    if p == math.huge then
      if dim then return (x:abs():max(dim)) end
      return x:abs():max()
    end
    if not (p > 0) then args.error(string.format("%s: p = %s is not implemented in ember (p > 0 only)", name, p)) end
    return sum(x:abs():pow(p)):pow(1 / p)
  end

  local function pairwise(x1, x2, p, eps, name)
    return F._pnorm(x1 - x2 + eps, p, -1, name)
  end

  --- F.triplet_margin_loss(anchor, positive, negative[, margin = 1[, p = 2[, eps = 1e-6[, swap = false]]]][, {reduction = "mean"}]) -> Tensor
  -- max(0, margin + d(anchor, positive) - d(anchor, negative)), d the
  -- p-norm distance along the last dim (PyTorch's pairwise_distance, eps
  -- added to the difference); swap = true uses min(d(a, n), d(p, n)) as the
  -- negative distance. The three inputs have the same number of dims.
  -- Also nn.TripletMarginLoss.
  function F.triplet_margin_loss(anchor, positive, negative, ...)
    tensors("triplet_margin_loss", 3, anchor, positive, negative)
    local o = decl.triplet_margin_loss:parse(...)
    F._check_reduction("triplet_margin_loss", o.reduction)
    for _, k in ipairs({"margin", "p", "eps"}) do number("triplet_margin_loss", o, k) end
    boolean("triplet_margin_loss", o, "swap")
    local a, p, n = anchor:dim(), positive:dim(), negative:dim()
    if a ~= p or p ~= n then
      args.error(string.format("triplet_margin_loss: All inputs should have same dimension but got %dD, %dD and " ..
        "%dD inputs.", a, p, n))
    end
    local dist_pos = pairwise(anchor, positive, o.p, o.eps, "triplet_margin_loss")
    local dist_neg = pairwise(anchor, negative, o.p, o.eps, "triplet_margin_loss")
    if o.swap then
      dist_neg = torch.minimum(dist_neg, pairwise(positive, negative, o.p, o.eps, "triplet_margin_loss"))
    end
    return reduce((dist_pos - dist_neg + o.margin):clamp({min = 0}), o.reduction)
  end

  -- cross_entropy with class probabilities as targets (PyTorch's
  -- cross_entropy_loss_prob_target): -sum(log_softmax(x) * t * w) over the
  -- classes, where t is smoothed to t (1 - s) + s / C; "mean" divides by
  -- the number of rows (numel / C), whatever the weights.
  function F._cross_entropy_probs(input, target, o)
    if not target:is_floating_point() then
      args.error("cross_entropy: Expected floating point type for target with class probabilities, got " ..
        tostring(target.dtype):gsub("^torch%.", ""))
    end
    local ignore = o.ignore_index
    if ignore ~= nil and not rawequal(ignore, torch.None) and ignore >= 0 then
      args.error("cross_entropy: ignore_index is not supported for floating point target")
    end
    local reduction = o.reduction or "mean"
    F._check_reduction("cross_entropy", reduction)
    local class_dim = input:dim() == 1 and 1 or 2
    local C = input:size(class_dim)
    local w = o.weight
    if rawequal(w, torch.None) then w = nil end
    if w and (w:dim() ~= 1 or w:numel() ~= C) then
      args.error(string.format("cross_entropy: weight tensor should be defined either for all %d classes or no " ..
        "classes but got weight tensor of shape: %s", C, tostring(w:size()):match("%((.*)%)")))
    end
    local logp = input:log_softmax(class_dim)
    local s = o.label_smoothing or 0.0
    if s > 0 then
      if s > 1 then args.error("cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: " .. s) end
      target = target * (1 - s) + s / C
    elseif s < 0 then
      args.error("cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: " .. s)
    end
    local prod = logp * target
    if w then
      if input:dim() > 1 then
        local shape = {}
        for i = 1, input:dim() do shape[i] = 1 end
        shape[2] = C
        w = w:view(shape)
      end
      prod = prod * w
    end
    if reduction == "mean" then return -prod:sum() / (input:numel() // C) end
    if reduction == "sum" then return -prod:sum() end
    return -prod:sum(class_dim)
  end
end
