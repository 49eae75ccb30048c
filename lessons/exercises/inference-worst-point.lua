-- title: Where is the model most wrong?
-- lesson: inference
-- hint: xs = torch.linspace(0, 1, 101):unsqueeze(2) is a 101x1 batch. Predict
-- hint: with model:eval() and torch.no_grad(function() return model(xs) end).
-- hint: errors = (preds - (0.7 * xs + 0.3)):abs(); errors:argmax():item() is a
-- hint: 0-based index into the flattened errors, so the position is that + 1:
-- hint: worst_x = xs[i + 1][1]:item().
--
-- A model trained for only 100 epochs (the linear regression lesson's run)
-- is still noticeably off. Predict y for 101 evenly spaced x from 0 to 1 —
-- the right way, in evaluation mode and without a graph — and find the x
-- where the prediction is furthest from the true line 0.7 * x + 0.3.
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
torch.manual_seed(42)
local model = LinearRegressionModel()
local optimizer = optim.SGD(model:parameters(), {lr = 0.01})
for _ = 1, 100 do
  local loss = F.mse_loss(model(X_train), y_train)
  optimizer:zero_grad(); loss:backward(); optimizer:step()
end
model:train()   -- left in training mode, as after a training loop

-- BEGIN SOLUTION
--starter local xs, preds, worst_x, worst_error = nil, nil, nil, nil  -- TODO
local xs = torch.linspace(0, 1, 101):unsqueeze(2)
model:eval()
local preds = torch.no_grad(function() return model(xs) end)
local errors = (preds - (0.7 * xs + 0.3)):abs()
local i = errors:argmax():item()          -- 0-based
local worst_x = xs[i + 1][1]:item()
local worst_error = errors[i + 1][1]:item()
-- END SOLUTION

check(torch.is_tensor(xs) and xs:dim() == 2 and xs:size(1) == 101 and xs:size(2) == 1,
  "xs should be 101 inputs as a 101x1 batch: torch.linspace(0, 1, 101):unsqueeze(2)")
check(torch.is_tensor(preds) and preds:size(1) == 101, "preds should hold one prediction per input (101)")
check(not model.training, "predict in evaluation mode: call model:eval() first")
check(not preds.requires_grad, "predict inside torch.no_grad: preds should not require grad")
check.close(preds, xs * model.weight:item() + model.bias:item(), 1e-5, "preds should be model(xs)")
-- the worst point, searched with a plain loop
local best_x, best_err = nil, -1
for k = 1, 101 do
  local x = xs[k][1]:item()
  local e = math.abs(preds[k][1]:item() - (0.7 * x + 0.3))
  if e > best_err then best_x, best_err = x, e end
end
check(type(worst_x) == "number", "worst_x should be a Lua number (use :item())")
check(math.abs(worst_x - best_x) < 1e-6, string.format(
  "the largest error is at x = %.2f, but worst_x is %.2f — argmax returns a 0-based index: add 1 to use it as a position",
  best_x, worst_x))
check.close(worst_error, best_err, 1e-6, "worst_error should be the absolute error at worst_x")
print(string.format("most wrong at x = %.2f: off by %.4f", worst_x, worst_error))
