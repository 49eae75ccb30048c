-- title: SGD or Adam? Compare and plot both
-- lesson: loss-curves
-- hint: For each optimizer: torch.manual_seed(42), a fresh model, then
-- hint: fit(model, optim.SGD(model:parameters(), {lr = 0.01}), 100) — and the same
-- hint: with optim.Adam. Then plot.line{{y = sgd_losses, label = "SGD"},
-- hint: {y = adam_losses, label = "Adam"}, logy = true, file = "sgd_vs_adam.png"}.
--
-- Adam adapts the step size of every parameter from the history of its
-- gradients, so it often gets going faster than plain SGD. Train the
-- lesson's model twice from the same start (seed 42), once with SGD and
-- once with Adam, both with learning rate 0.01 for 100 epochs. Keep the
-- training losses in sgd_losses and adam_losses, and plot both curves on
-- one picture saved as sgd_vs_adam.png.
local X = torch.arange(0, 1, 0.02):unsqueeze(2)
local y = 0.7 * X + 0.3
local X_train, y_train = X[{{1, 35}}], y[{{1, 35}}]

local LinearRegressionModel = nn.Module:extend("LinearRegressionModel")
function LinearRegressionModel:__init()
  nn.Module.__init(self)
  self.weight = nn.Parameter(torch.randn(1))
  self.bias = nn.Parameter(torch.randn(1))
end
function LinearRegressionModel:forward(x) return self.weight * x + self.bias end

local loss_fn = nn.MSELoss()
-- trains for `epochs` epochs and returns the list of training losses
local function fit(model, optimizer, epochs)
  local losses = {}
  for epoch = 1, epochs do
    local loss = loss_fn(model(X_train), y_train)
    optimizer:zero_grad()
    loss:backward()
    optimizer:step()
    losses[epoch] = loss:item()
  end
  return losses
end

-- BEGIN SOLUTION
--starter local sgd_losses, adam_losses = {}, {}  -- TODO: train with optim.SGD and with optim.Adam
--starter -- TODO: plot both curves into sgd_vs_adam.png
torch.manual_seed(42)
local m1 = LinearRegressionModel()
local sgd_losses = fit(m1, optim.SGD(m1:parameters(), {lr = 0.01}), 100)
torch.manual_seed(42)
local m2 = LinearRegressionModel()
local adam_losses = fit(m2, optim.Adam(m2:parameters(), {lr = 0.01}), 100)
plot.line{{y = sgd_losses, label = "SGD"}, {y = adam_losses, label = "Adam"},
          title = "SGD vs Adam, lr 0.01", xlabel = "epoch", ylabel = "train loss",
          logy = true, file = "sgd_vs_adam.png"}
-- END SOLUTION

check(#sgd_losses == 100 and #adam_losses == 100,
  string.format("train 100 epochs each: got %d SGD and %d Adam losses", #sgd_losses, #adam_losses))
check.close(sgd_losses[1], adam_losses[1], 1e-6,
  "both runs should start from the same model (torch.manual_seed(42) before each LinearRegressionModel())")
check(sgd_losses[100] < sgd_losses[1], "the SGD loss should fall")
check(adam_losses[100] < adam_losses[1], "the Adam loss should fall")
check(adam_losses[100] < sgd_losses[100], string.format(
  "Adam should end lower than SGD here: Adam %.6f, SGD %.6f — is the second run really optim.Adam?",
  adam_losses[100], sgd_losses[100]))
local f = io.open("sgd_vs_adam.png", "rb")
check(f, "sgd_vs_adam.png should exist: pass file = \"sgd_vs_adam.png\" to plot.line")
local size = f:seek("end")
f:close()
check(size > 1000, "sgd_vs_adam.png should hold a picture, but it has only " .. size .. " bytes")
print(string.format("final loss: SGD %.6f, Adam %.6f", sgd_losses[100], adam_losses[100]))
