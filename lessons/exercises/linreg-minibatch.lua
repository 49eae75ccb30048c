-- title: Mini-batch training
-- lesson: linear-regression
-- hint: Wrap the training data: data.TensorDataset(X_train, y_train), then
-- hint: data.DataLoader(dataset, {batch_size = 5, shuffle = true}). In each
-- hint: epoch, `for xb, yb in loader do ... end` gives 7 batches of 5 rows;
-- hint: do forward, loss, zero_grad, backward and step for EACH batch, and
-- hint: add 1 to `steps` every time you call optimizer:step().
--
-- The lesson trained on all 35 training points at once ("full batch"): one
-- parameter update per epoch. Train instead on mini-batches of 5 shuffled
-- points: 7 updates per epoch, each from a noisier but cheaper gradient.
-- Same model, loss, learning rate and number of epochs.
local X = torch.arange(0, 1, 0.02):unsqueeze(2)
local y = 0.7 * X + 0.3
local X_train, y_train = X[{{1, 35}}], y[{{1, 35}}]
local X_val, y_val = X[{{36, 42}}], y[{{36, 42}}]

local LinearRegressionModel = nn.Module:extend("LinearRegressionModel")
function LinearRegressionModel:__init()
  nn.Module.__init(self)
  self.weight = nn.Parameter(torch.randn(1))
  self.bias = nn.Parameter(torch.randn(1))
end
function LinearRegressionModel:forward(x) return self.weight * x + self.bias end

torch.manual_seed(42)
local model = LinearRegressionModel()
local loss_fn = nn.MSELoss()
local optimizer = optim.SGD(model:parameters(), {lr = 0.01})
local epochs, steps = 100, 0

-- BEGIN SOLUTION
local loader = data.DataLoader(data.TensorDataset(X_train, y_train), {batch_size = 5, shuffle = true})
for _ = 1, epochs do
  model:train()
  for xb, yb in loader do
    local loss = loss_fn(model(xb), yb)
    optimizer:zero_grad()
    loss:backward()
    optimizer:step()
    steps = steps + 1
  end
end
-- END SOLUTION

check(steps == 700, "100 epochs of 7 mini-batches each make 700 optimizer steps — counted " .. steps)
model:eval()
local val_loss = torch.no_grad(function() return loss_fn(model(X_val), y_val) end):item()

-- the lesson's full-batch training from the same start, for comparison
torch.manual_seed(42)
local full = LinearRegressionModel()
local full_opt = optim.SGD(full:parameters(), {lr = 0.01})
for _ = 1, epochs do
  local loss = loss_fn(full(X_train), y_train)
  full_opt:zero_grad(); loss:backward(); full_opt:step()
end
local full_val = torch.no_grad(function() return loss_fn(full(X_val), y_val) end):item()

check(val_loss < full_val, string.format(
  "with 7 times as many updates, the mini-batch model should beat full-batch training: val loss %.6f vs %.6f",
  val_loss, full_val))
check(model.weight:item() > full.weight:item() and model.weight:item() < 0.75, string.format(
  "the weight should get closer to 0.7 than full-batch training's %.4f — got %.4f",
  full.weight:item(), model.weight:item()))
print(string.format("mini-batch: weight %.4f, val loss %.6f | full batch: weight %.4f, val loss %.6f",
  model.weight:item(), val_loss, full.weight:item(), full_val))
