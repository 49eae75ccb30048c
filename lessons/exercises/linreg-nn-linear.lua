-- title: The same model with nn.Linear
-- lesson: linear-regression
-- hint: nn.Linear(1, 1) has one input and one output; its parameters are
-- hint: model.weight (shape 1x1) and model.bias (shape 1). Make the optimizer
-- hint: with optim.SGD(model:parameters(), {lr = lr}) and write the usual loop:
-- hint: forward, loss, optimizer:zero_grad(), loss:backward(), optimizer:step().
--
-- Writing weight * x + bias by hand is what nn.Linear does for you (for any
-- number of inputs and outputs: x:matmul(W:t()) + b). Fit the line with
-- model = nn.Linear(1, 1), SGD with learning rate lr, for `epochs` epochs,
-- and keep the training loss of every epoch in `losses`.
local X = torch.arange(0, 1, 0.02):unsqueeze(2)
local y = 0.7 * X + 0.3
local X_train, y_train = X[{{1, 35}}], y[{{1, 35}}]
local X_test, y_test = X[{{43, 50}}], y[{{43, 50}}]
local lr, epochs = 0.1, 300
local losses = {}
torch.manual_seed(42)

-- BEGIN SOLUTION
--starter local model = nil  -- TODO: nn.Linear with one input and one output
local model = nn.Linear(1, 1)
local loss_fn = nn.MSELoss()
local optimizer = optim.SGD(model:parameters(), {lr = lr})
for epoch = 1, epochs do
  model:train()
  local loss = loss_fn(model(X_train), y_train)
  optimizer:zero_grad()
  loss:backward()
  optimizer:step()
  losses[epoch] = loss:item()
end
-- END SOLUTION

check(model ~= nil and model.weight ~= nil, "model should be nn.Linear(1, 1)")
check(model.weight:dim() == 2 and model.weight:size(1) == 1 and model.weight:size(2) == 1,
  "nn.Linear(1, 1) has a 1x1 weight — got " .. tostring(model.weight.shape))
check(#losses == epochs, "keep the training loss of each epoch: losses should have " .. epochs .. " values, has " .. #losses)
check(losses[epochs] < losses[1] / 100, "the training loss should fall a lot (to under 1% of the first epoch's)")
check.close(model.weight:item(), 0.7, 0.03,
  "the weight should be close to 0.7 after training — did you call optimizer:step()?")
check.close(model.bias:item(), 0.3, 0.03, "the bias should be close to 0.3 after training")
local test_loss = torch.no_grad(function() return F.mse_loss(model(X_test), y_test) end):item()
check(test_loss < 1e-3, string.format("the test loss should be below 0.001, got %.6f", test_loss))
print(string.format("nn.Linear learned weight %.4f, bias %.4f; test loss %.6f",
  model.weight:item(), model.bias:item(), test_loss))
