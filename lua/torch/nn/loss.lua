-- Loss modules: MSELoss, L1Loss, CrossEntropyLoss, NLLLoss,
-- BCEWithLogitsLoss — each remembers its options and calls nn.functional.
local Module = require("torch.nn.module").Module
local F = require "torch.nn.functional"

local losses = {}

local function loss(name, fn, extra_keys)
  local L = Module:extend(name)
  function L:__init(opts)
    Module.__init(self)
    opts = opts or {}
    self.reduction = opts.reduction or "mean"
    self.options = {reduction = self.reduction}
    for _, k in ipairs(extra_keys or {}) do self.options[k] = opts[k] end
  end
  --- loss_fn:forward(input, target) -> Tensor
  -- The loss of input against target with the options given at creation
  -- (a 0-dim tensor unless reduction = "none"); call loss_fn(input, target).
  function L:forward(input, target) return fn(input, target, self.options) end
  losses[name] = L
end

--- nn.MSELoss([{reduction = "mean"}])
-- Mean squared error: the mean of (input - target)^2, for regression.
-- reduction: "mean", "sum" or "none" (elementwise). Same as F.mse_loss.
-- Example:
--   nn.MSELoss()(torch.tensor{1.0, 2.0}, torch.tensor{1.0, 4.0})  --> tensor(2.)
loss("MSELoss", F.mse_loss)

--- nn.L1Loss([{reduction = "mean"}])
-- Mean absolute error: the mean of |input - target|. Same as F.l1_loss.
-- Example:
--   nn.L1Loss()(torch.tensor{1.0, 2.0}, torch.tensor{1.0, 4.0})  --> tensor(1.)
loss("L1Loss", F.l1_loss)

--- nn.CrossEntropyLoss([{reduction = "mean", weight =, ignore_index =, ...}])
-- The classification loss: log_softmax of the raw scores (N, C) and the
-- negative log-likelihood of the labels, which are int64 class numbers
-- 0..C-1 (0-based, as in PyTorch). Give it logits, not softmax outputs.
-- weight: (C) class weights; ignore_index = -100; label_smoothing = 0.
-- Example:
--   local criterion = nn.CrossEntropyLoss()
--   local loss = criterion(model(x), y)  -- y: int64 labels, torch.tensor{0, 2}
loss("CrossEntropyLoss", F.cross_entropy, {"weight", "ignore_index", "label_smoothing"})

--- nn.NLLLoss([{reduction = "mean", weight =, ignore_index = -100}])
-- Negative log-likelihood of log-probabilities (N, C), e.g. the output of
-- nn.LogSoftmax(2), against int64 labels 0..C-1 (0-based). LogSoftmax +
-- NLLLoss equals CrossEntropyLoss on the logits. Same as F.nll_loss.
loss("NLLLoss", F.nll_loss, {"weight", "ignore_index"})

--- nn.BCEWithLogitsLoss([{reduction = "mean", pos_weight =}])
-- Binary cross-entropy on raw scores: a sigmoid and BCE in one stable
-- formula, for yes/no (or multi-label) outputs. Targets are floats in [0, 1]
-- of the input's shape; pos_weight (a tensor) weights the positive class.
-- Example:
--   local criterion = nn.BCEWithLogitsLoss()
--   criterion(torch.tensor{0.0, 2.0}, torch.tensor{0.0, 1.0})  --> tensor(0.4100)
loss("BCEWithLogitsLoss", F.binary_cross_entropy_with_logits, {"pos_weight"})

return losses
