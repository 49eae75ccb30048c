-- title: Save models trained with different learning rates, compare them
-- lesson: save-load
-- hint: For each lr in learning_rates: torch.manual_seed(42), a new model,
-- hint: train(model, lr), then torch.save(model:state_dict(), path_for(lr)).
-- hint: Afterwards, for each lr: a fresh LinearRegressionModel(),
-- hint: fresh:load_state_dict(torch.load(path_for(lr))), fresh:eval(), and
-- hint: predictions[lr] = torch.no_grad(function() return fresh(X_new) end).
--
-- Train one model per learning rate (same start, seed 42, 100 epochs each),
-- save each one's state_dict to its own file, then — as a separate program
-- would — load every file into a FRESH model and predict X_new with it.
-- Keep the predictions in predictions[lr]. Which learning rate did best?
local X = torch.arange(0, 1, 0.02):unsqueeze(2)
local y = 0.7 * X + 0.3
local X_train, y_train = X[{{1, 35}}], y[{{1, 35}}]
local X_new = torch.tensor({0.25, 0.5, 0.75}):unsqueeze(2)
local learning_rates = {0.001, 0.01, 0.1}

local LinearRegressionModel = nn.Module:extend("LinearRegressionModel")
function LinearRegressionModel:__init()
  nn.Module.__init(self)
  self.weight = nn.Parameter(torch.randn(1))
  self.bias = nn.Parameter(torch.randn(1))
end
function LinearRegressionModel:forward(x) return self.weight * x + self.bias end

local function train(model, lr)
  local optimizer = optim.SGD(model:parameters(), {lr = lr})
  for _ = 1, 100 do
    local loss = F.mse_loss(model(X_train), y_train)
    optimizer:zero_grad(); loss:backward(); optimizer:step()
  end
end
local function path_for(lr) return "model_lr_" .. lr .. ".pth" end
local predictions = {}

-- BEGIN SOLUTION
--starter -- TODO: train and save one model per learning rate
for _, lr in ipairs(learning_rates) do
  torch.manual_seed(42)
  local model = LinearRegressionModel()
  train(model, lr)
  torch.save(model:state_dict(), path_for(lr))
end
-- END SOLUTION

-- BEGIN SOLUTION
--starter -- TODO: load each file into a fresh model and fill predictions[lr]
for _, lr in ipairs(learning_rates) do
  local fresh = LinearRegressionModel()
  fresh:load_state_dict(torch.load(path_for(lr)))
  fresh:eval()
  predictions[lr] = torch.no_grad(function() return fresh(X_new) end)
end
-- END SOLUTION

local truth = 0.7 * X_new + 0.3
local errors = {}
for _, lr in ipairs(learning_rates) do
  local f = io.open(path_for(lr), "rb")
  check(f, path_for(lr) .. " should exist: save each model with torch.save(model:state_dict(), path_for(lr))")
  f:close()
  local sd = torch.load(path_for(lr))
  check(torch.is_tensor(sd.weight) and torch.is_tensor(sd.bias),
    path_for(lr) .. " should hold a state_dict with 'weight' and 'bias'")
  check(math.abs(sd.weight:item() - 0.3367) > 1e-3,
    path_for(lr) .. " still holds the untrained weight 0.3367 — train before saving")
  local p = predictions[lr]
  check(torch.is_tensor(p) and p:size(1) == 3, "predictions[" .. lr .. "] should be the 3 predictions for X_new")
  check(not p.requires_grad, "predict inside torch.no_grad: predictions[" .. lr .. "] should not require grad")
  local expected = X_new * sd.weight:item() + sd.bias:item()
  check.close(p, expected, 1e-6,
    "predictions[" .. lr .. "] should come from the model loaded from " .. path_for(lr))
  errors[lr] = (p - truth):abs():mean():item()
end
check(errors[0.1] < errors[0.01] and errors[0.01] < errors[0.001], string.format(
  "in 100 epochs a larger learning rate gets closer here: mean errors %.4f (0.001), %.4f (0.01), %.4f (0.1) — were all three trained from the same start with their own lr?",
  errors[0.001], errors[0.01], errors[0.1]))
for _, lr in ipairs(learning_rates) do
  local p = predictions[lr]:reshape(-1):tolist()
  print(string.format("lr %-5g predicts %.4f %.4f %.4f  (mean error %.4f)", lr, p[1], p[2], p[3], errors[lr]))
end
