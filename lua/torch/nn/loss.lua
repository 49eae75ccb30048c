-- Loss modules: MSELoss, L1Loss, CrossEntropyLoss, NLLLoss,
-- BCEWithLogitsLoss — each checks its options when made (the same lists as
-- its function in nn.functional: F._loss_options), remembers them and
-- calls that function.
local torch = require "torch"
local Module = require("torch.nn.module").Module
local options = require "torch.options"
local F = require "torch.nn.functional"

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
  end
  local fn = F[fname]
  --- loss_fn:forward(input, target) -> Tensor
  -- The loss of input against target with the options given at creation
  -- (a 0-dim tensor unless reduction = "none"); call loss_fn(input, target).
  function L:forward(input, target)
    if checked then return checked(input, target, self.reduction) end
    return fn(input, target, self.options)
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

return losses
