-- Loss modules: MSELoss, L1Loss, CrossEntropyLoss, NLLLoss, BCELoss,
-- BCEWithLogitsLoss, SmoothL1Loss, HuberLoss, KLDivLoss,
-- CosineEmbeddingLoss, MarginRankingLoss, TripletMarginLoss — each checks
-- its options when made (the same lists as its function in nn.functional:
-- F._loss_options, F._loss_decl), remembers them (weight and pos_weight as
-- buffers, as PyTorch) and calls that function. print(loss) is PyTorch's
-- "Name()".
local torch = require "torch"
local Module = require("torch.nn.module").Module
local options = require "torch.options"
local F = require "torch.nn.functional"
local args = require "torch.nn.args"

local BUFFERS = {"weight", "pos_weight"}

local losses = {}

-- fname: the function of F; checked: its form without the options check
-- (mse_loss, l1_loss: the reduction string instead of a table).
local function loss(name, fname, checked)
  local L = Module:extend(name)
  local list = F._loss_options[fname]
  local spec = options.spec("nn." .. name, list[1], list[2])
  function L:__init(opts)
    Module.__init(self)
    opts = spec:check(opts)
    self.reduction = opts.reduction or "mean"
    F._check_reduction("nn." .. name, self.reduction)
    self.options = {}
    for k, v in pairs(opts) do
      if rawequal(v, torch.None) then v = nil end
      self.options[k] = v
    end
    self.options.reduction = self.reduction
    -- weight and pos_weight are buffers, as in PyTorch: in the state dict, moved by to()
    for _, b in ipairs(BUFFERS) do
      if self.options[b] ~= nil then
        self:register_buffer(b, self.options[b])
        self.options[b] = nil
      end
    end
  end
  local fn = F[fname]
  --- loss_fn:forward(input, target) -> Tensor
  -- The loss of input against target with the options given at creation
  -- (a 0-dim tensor unless reduction = "none"); call loss_fn(input, target).
  function L:forward(input, target)
    if checked then return checked(input, target, self.reduction) end
    local o = self.options
    if self.weight ~= nil or self.pos_weight ~= nil then
      o = {}
      for k, v in pairs(self.options) do o[k] = v end
      for _, b in ipairs(BUFFERS) do o[b] = self[b] end
    end
    return fn(input, target, o)
  end
  losses[name] = L
end

-- The losses of torch.nn.functional_loss: PyTorch's constructor (the same
-- parameters as the function, positionally or in an options table:
-- F._loss_decl), each option an attribute as in PyTorch (self.beta,
-- self.margin, ...; weight a buffer); n_inputs: the tensors forward takes.
local function loss_of(name, fname, n_inputs)
  local L = Module:extend(name)
  local d = F._loss_decl[fname]
  local decl = args.declare("nn." .. name, d[1], F._loss_options[fname][2], d[2])
  L.__init = function(self, ...)
    Module.__init(self)
    local o = decl:parse(...)
    local more = fname == "kl_div" and "'batchmean', " or nil
    if not (more and o.reduction == "batchmean") then F._check_reduction("nn." .. name, o.reduction, more) end
    for _, p in ipairs(d[1]) do
      local k = p[1]
      if k == "weight" then self:register_buffer("weight", o.weight) else self[k] = o[k] end
    end
  end
  local fn = F[fname]
  --- loss_fn:forward(input, target) or loss_fn:forward(input1, input2, target) -> Tensor
  -- The loss of the tensors with the options given at creation.
  -- The options are the module's attributes (self.reduction, self.margin,
  -- ...); a 0-dim tensor unless reduction = "none". Call it as
  -- loss_fn(input, target); the margin losses take three tensors, as in PyTorch.
  function L:forward(...)
    local o = {}
    for _, p in ipairs(d[1]) do o[p[1]] = self[p[1]] end
    local ins = table.pack(...)
    if ins.n ~= n_inputs then
      error(string.format("%s.forward: expected %d tensors, got %d", name, n_inputs, ins.n), 2)
    end
    if n_inputs == 2 then return fn(ins[1], ins[2], o) end
    return fn(ins[1], ins[2], ins[3], o)
  end
  losses[name] = L
end

--- nn.MSELoss([{reduction = "mean"}])
-- Mean squared error: the mean of (input - target)^2, for regression.
-- reduction: "mean", "sum" or "none" (elementwise). Same as F.mse_loss.
-- Example:
--   nn.MSELoss()(torch.tensor{1.0, 2.0}, torch.tensor{1.0, 4.0})  --> tensor(2.)
loss("MSELoss", "mse_loss", F._mse_loss)

--- nn.L1Loss([{reduction = "mean"}])
-- Mean absolute error: the mean of |input - target|. Same as F.l1_loss.
-- Example:
--   nn.L1Loss()(torch.tensor{1.0, 2.0}, torch.tensor{1.0, 4.0})  --> tensor(1.)
loss("L1Loss", "l1_loss", F._l1_loss)

--- nn.CrossEntropyLoss([{reduction = "mean", weight =, ignore_index =, ...}])
-- The classification loss: log_softmax of the raw scores (N, C) and the
-- negative log-likelihood of the labels, which are int64 class numbers
-- 0..C-1 (0-based, as in PyTorch). Give it logits, not softmax outputs.
-- weight: (C) class weights; ignore_index = -100; label_smoothing = 0.
-- Example:
--   local criterion = nn.CrossEntropyLoss()
--   local loss = criterion(model(x), y)  -- y: int64 labels, torch.tensor{0, 2}
loss("CrossEntropyLoss", "cross_entropy")

-- What a target that does not fit lacks (nn/layer_errors.lua), or nil: the
-- two forms PyTorch takes, and which one this target looks like.
local function same_shape(t, list)
  if t:dim() ~= #list then return false end
  for i, n in ipairs(list) do if t:size(i) ~= n then return false end end
  return true
end

function losses.CrossEntropyLoss:_expected_input(input, target)
  if not (torch.is_tensor(input) and torch.is_tensor(target)) or input:dim() == 0 then return nil end
  local shape = {}
  for _, n in ipairs(input.shape) do shape[#shape + 1] = n end
  local C = table.remove(shape, input:dim() == 1 and 1 or 2)
  local idx_shape = #shape > 0 and table.concat(shape, "x") or "scalar"
  local in_shape = table.concat(input.shape, "x")
  local same = tostring(target:size()) == tostring(input:size())
  local integer = not target:is_floating_point()
  if integer then
    if same_shape(target, shape) then return nil end
    return string.format("expected class indices (int64) of shape %s: one class number 0..%d per sample "
      .. "(or class probabilities: float, of the input's shape %s)", idx_shape, C - 1, in_shape)
  end
  if same then return nil end
  if same_shape(target, shape) then
    return string.format("expected class indices as int64 (target:long()) for a target of shape %s; "
      .. "a float target is read as class probabilities and must have the input's shape %s", idx_shape, in_shape)
  end
  return string.format("expected class indices (int64) of shape %s or class probabilities (float) of shape %s",
    idx_shape, in_shape)
end

--- nn.NLLLoss([{reduction = "mean", weight =, ignore_index = -100}])
-- Negative log-likelihood of log-probabilities (N, C), e.g. the output of
-- nn.LogSoftmax(2), against int64 labels 0..C-1 (0-based). LogSoftmax +
-- NLLLoss equals CrossEntropyLoss on the logits. Same as F.nll_loss.
loss("NLLLoss", "nll_loss")

--- nn.BCEWithLogitsLoss([{reduction = "mean", weight =, pos_weight =}])
-- Binary cross-entropy on raw scores: a sigmoid and BCE in one stable
-- formula, for yes/no (or multi-label) outputs. Targets are floats in [0, 1]
-- of the input's shape; pos_weight (a tensor) weights the positive class.
-- Example:
--   local criterion = nn.BCEWithLogitsLoss()
--   criterion(torch.tensor{0.0, 2.0}, torch.tensor{0.0, 1.0})  --> tensor(0.4100)
loss("BCEWithLogitsLoss", "binary_cross_entropy_with_logits")


--- nn.BCELoss([weight][, {reduction = "mean"}])
-- Binary cross-entropy of probabilities (after a sigmoid) against targets
-- in [0, 1] of the same shape; each log is clamped to >= -100 as in
-- PyTorch. weight (a buffer) rescales each element. Same as
-- F.binary_cross_entropy; on raw scores prefer nn.BCEWithLogitsLoss.
-- Example:
--   nn.BCELoss()(torch.tensor{0.5, 0.9}, torch.tensor{1.0, 1.0})  --> tensor(0.3993)
loss_of("BCELoss", "binary_cross_entropy", 2)

--- nn.SmoothL1Loss([{reduction = "mean", beta = 1.0}])
-- 0.5 z^2 / beta where z = |input - target| < beta, else z - 0.5 beta:
-- less sensitive to outliers than MSELoss. Same as F.smooth_l1_loss.
-- Example:
--   nn.SmoothL1Loss()(torch.tensor{0.5, 3.0}, torch.zeros(2))  --> tensor(1.3125)
loss_of("SmoothL1Loss", "smooth_l1_loss", 2)

--- nn.HuberLoss([reduction = "mean"[, delta = 1.0]])
-- 0.5 z^2 where z = |input - target| < delta, else delta (z - 0.5 delta).
-- Same as F.huber_loss.
-- Example:
--   nn.HuberLoss({delta = 2.0})(torch.tensor{0.5, 3.0}, torch.zeros(2))  --> tensor(2.0625)
loss_of("HuberLoss", "huber_loss", 2)

--- nn.KLDivLoss([{reduction = "mean", log_target = false}])
-- The Kullback-Leibler divergence: input holds log-probabilities, target
-- probabilities (log-probabilities with log_target = true). Use
-- reduction = "batchmean" for the true KL divergence ("mean" averages over
-- every element, as PyTorch 1.13). Same as F.kl_div.
loss_of("KLDivLoss", "kl_div", 2)

--- nn.CosineEmbeddingLoss([margin = 0][, {reduction = "mean"}])
-- loss(x1, x2, y): 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin)
-- where y = -1; x1, x2 (N, D) and y (N). Same as F.cosine_embedding_loss.
loss_of("CosineEmbeddingLoss", "cosine_embedding_loss", 3)

--- nn.MarginRankingLoss([margin = 0][, {reduction = "mean"}])
-- loss(x1, x2, y) = max(0, -y (x1 - x2) + margin): y = 1 when x1 should
-- rank higher, -1 when x2 should. Same as F.margin_ranking_loss.
loss_of("MarginRankingLoss", "margin_ranking_loss", 3)

--- nn.TripletMarginLoss([margin = 1[, p = 2[, eps = 1e-6[, swap = false]]]][, {reduction = "mean"}])
-- loss(anchor, positive, negative) = max(0, margin + d(a, p) - d(a, n)),
-- d the p-norm distance along the last dim. Same as F.triplet_margin_loss.
loss_of("TripletMarginLoss", "triplet_margin_loss", 3)

return losses
