-- torch.optim — optimizers and learning-rate schedules, in Lua that reads
-- like the algorithms (the global `optim` in ember scripts):
--   local opt = optim.Adam(model:parameters(), {lr = 1e-3})
--   opt:zero_grad(); loss:backward(); opt:step()
local adam = require "torch.optim.adam"

return require("torch.options").namespace({
  Optimizer = require "torch.optim.optimizer",
  SGD = require "torch.optim.sgd",
  Adam = adam.Adam,
  AdamW = adam.AdamW,
  RMSprop = require "torch.optim.rmsprop",
  Adagrad = require "torch.optim.adagrad",
  Adadelta = require "torch.optim.adadelta",
  Adamax = require "torch.optim.adamax",
  NAdam = require "torch.optim.nadam",
  RAdam = require "torch.optim.radam",
  LBFGS = require "torch.optim.lbfgs",
  lr_scheduler = require "torch.optim.lr_scheduler",
}, "optim")
