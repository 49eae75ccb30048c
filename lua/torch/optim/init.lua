-- torch.optim — optimizers and learning-rate schedules, in Lua that reads
-- like the algorithms (the global `optim` in ember scripts):
--   local opt = optim.Adam(model:parameters(), {lr = 1e-3})
--   opt:zero_grad(); loss:backward(); opt:step()

-- Each optimizer loads on first use (torch.lazy).
return require("torch.lazy").namespace({}, {
  id = "torch.optim", name = "optim",
  families = {"torch.optim.adam"},
  modules = {Optimizer = "torch.optim.optimizer", SGD = "torch.optim.sgd", RMSprop = "torch.optim.rmsprop",
             Adagrad = "torch.optim.adagrad", Adadelta = "torch.optim.adadelta", Adamax = "torch.optim.adamax",
             NAdam = "torch.optim.nadam", RAdam = "torch.optim.radam", LBFGS = "torch.optim.lbfgs",
             lr_scheduler = "torch.optim.lr_scheduler"},
})
