-- title: The learning-rate sweep on two workers, saved and compared
-- lesson: save-load
-- hint: One argument set per learning rate: args_list[i] = {lr = learning_rates[i]}.
-- hint: results = worker.map{model = start, file = "sweep_job.lua", fn = "train",
-- hint:   tensors = {X = X_train, y = y_train}, args_list = args_list, hosts = {"localhost", "localhost"}}
-- hint: results[i].model is trained with learning_rates[i]: save its state_dict to path_for(lr).
-- hint: Then, as in save-lr-sweep, load each file into a fresh LinearRegressionModel() and predict X_new.
--
-- save-lr-sweep once more, but the training runs in two worker processes at
-- once: worker.map sends the same starting model to each job, runs train
-- from sweep_job.lua with the job's learning rate, and returns the results
-- in order. Save each trained model's state_dict to its own file, then —
-- as a separate program would — load every file into a FRESH model and
-- predict X_new with it, keeping the predictions in predictions[lr].
local worker = require "ember.worker"
local X = torch.arange(0, 1, 0.02):unsqueeze(2)
local y = 0.7 * X + 0.3
local X_train, y_train = X[{{1, 35}}], y[{{1, 35}}]
local X_new = torch.tensor({0.25, 0.5, 0.75}):unsqueeze(2)
local learning_rates = {0.001, 0.01, 0.1}

-- the file both sides load: the model class and the training function
local job_source = [[
local M = {}
local LinearRegressionModel = nn.Module:extend("LinearRegressionModel")
function LinearRegressionModel:__init()
  nn.Module.__init(self)
  self.weight = nn.Parameter(torch.randn(1))
  self.bias = nn.Parameter(torch.randn(1))
end
function LinearRegressionModel:forward(x) return self.weight * x + self.bias end
M.LinearRegressionModel = LinearRegressionModel

function M.train(model, t, args)
  local optimizer = optim.SGD(model:parameters(), {lr = args.lr})
  for _ = 1, 100 do
    local loss = F.mse_loss(model(t.X), t.y)
    optimizer:zero_grad(); loss:backward(); optimizer:step()
  end
  return model.weight:item()
end
return M
]]
local f = assert(io.open("sweep_job.lua", "w"))
f:write(job_source)
f:close()
local LinearRegressionModel = dofile("sweep_job.lua").LinearRegressionModel

torch.manual_seed(42)
local start = LinearRegressionModel()
local function path_for(lr) return "model_lr_" .. lr .. ".pth" end
local results
local predictions = {}

-- BEGIN SOLUTION
--starter -- TODO: results = worker.map{...}: one job per learning rate on two local workers; save each model
local args_list = {}
for i, lr in ipairs(learning_rates) do args_list[i] = {lr = lr} end
results = worker.map{model = start, file = "sweep_job.lua", fn = "train", tensors = {X = X_train, y = y_train},
                     args_list = args_list, hosts = {"localhost", "localhost"}}
for i, lr in ipairs(learning_rates) do
  torch.save(results[i].model:state_dict(), path_for(lr))
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

check(type(results) == "table" and #results == 3, "results should hold what worker.map returned: one entry per learning rate")
local truth = 0.7 * X_new + 0.3
local errors = {}
for i, lr in ipairs(learning_rates) do
  local r = results[i]
  check(r.ok, "job " .. i .. " (lr " .. lr .. ") failed: " .. tostring(r.error))
  check(r.host == "localhost", "the jobs should run in local worker processes (hosts = {\"localhost\", \"localhost\"})")
  local fh = io.open(path_for(lr), "rb")
  check(fh, path_for(lr) .. " should exist: save each model with torch.save(results[i].model:state_dict(), path_for(lr))")
  fh:close()
  local sd = torch.load(path_for(lr))
  check(torch.is_tensor(sd.weight) and torch.is_tensor(sd.bias),
    path_for(lr) .. " should hold a state_dict with 'weight' and 'bias'")
  check.close(sd.weight:item(), r.result, 1e-7,
    path_for(lr) .. " should hold job " .. i .. "'s model: the one trained with lr " .. lr)
  local p = predictions[lr]
  check(torch.is_tensor(p) and p:size(1) == 3, "predictions[" .. lr .. "] should be the 3 predictions for X_new")
  check(not p.requires_grad, "predict inside torch.no_grad: predictions[" .. lr .. "] should not require grad")
  check.close(p, X_new * sd.weight:item() + sd.bias:item(), 1e-6,
    "predictions[" .. lr .. "] should come from the model loaded from " .. path_for(lr))
  errors[lr] = (p - truth):abs():mean():item()
end
check(errors[0.1] < errors[0.01] and errors[0.01] < errors[0.001], string.format(
  "in 100 epochs a larger learning rate gets closer here: mean errors %.4f (0.001), %.4f (0.01), %.4f (0.1)",
  errors[0.001], errors[0.01], errors[0.1]))
for _, lr in ipairs(learning_rates) do
  local p = predictions[lr]:reshape(-1):tolist()
  print(string.format("lr %-5g predicts %.4f %.4f %.4f  (mean error %.4f)", lr, p[1], p[2], p[3], errors[lr]))
end
