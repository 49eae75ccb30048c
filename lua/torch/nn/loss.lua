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
  function L:forward(input, target) return fn(input, target, self.options) end
  losses[name] = L
end

loss("MSELoss", F.mse_loss)
loss("L1Loss", F.l1_loss)
loss("CrossEntropyLoss", F.cross_entropy, {"weight", "ignore_index", "label_smoothing"})
loss("NLLLoss", F.nll_loss, {"weight", "ignore_index"})
loss("BCEWithLogitsLoss", F.binary_cross_entropy_with_logits, {"pos_weight"})

return losses
