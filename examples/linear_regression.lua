-- Linear regression, the classic first lesson: learn y = 0.7 x + 0.3 from
-- 50 points with two parameters, a mean-squared-error loss written with ops,
-- and plain gradient descent. Run it with:  ember run examples/linear_regression.lua
--
-- The same program in PyTorch prints the same numbers (seed 42).

torch.manual_seed(42)

-- 1. Data: known parameters, so we can check what the model learns.
local weight, bias = 0.7, 0.3
local X = torch.arange(0, 1, 0.02):unsqueeze(2)      -- 50 x 1 column (dims are 1-based)
local y = X * weight + bias

-- 70% train, 15% validation, 15% test (positions are 1-based, ranges inclusive)
local n = X:size(1)
local n_train, n_val = math.floor(0.7 * n), math.floor(0.85 * n) - math.floor(0.7 * n)
local X_train, y_train = X:narrow(1, 1, n_train), y:narrow(1, 1, n_train)
local X_val, y_val = X:narrow(1, n_train + 1, n_val), y:narrow(1, n_train + 1, n_val)
local X_test = X:narrow(1, n_train + n_val + 1, n - n_train - n_val)
print(string.format("train %d, validation %d, test %d points", X_train:size(1), X_val:size(1), X_test:size(1)))

-- 2. The model: y_hat = w * x + b, with w and b starting from random numbers.
local w = torch.randn(1, {requires_grad = true})
local b = torch.randn(1, {requires_grad = true})
local function model(x) return x * w + b end
print(string.format("start: weight %.4f, bias %.4f", w:item(), b:item()))

-- 3. The loss: mean squared error, written with tensor ops.
local function mse(pred, target) return ((pred - target) ^ 2):mean() end

-- 4. Training: forward, loss, backward, step, zero the gradients.
local lr, epochs = 0.01, 100
for epoch = 0, epochs - 1 do
  local loss = mse(model(X_train), y_train)
  loss:backward()
  torch.no_grad(function()
    w:sub_(w.grad * lr)
    b:sub_(b.grad * lr)
  end)
  w.grad:zero_()
  b.grad:zero_()
  if epoch % 20 == 0 then
    local val_loss = torch.no_grad(function() return mse(model(X_val), y_val) end)
    print(string.format("epoch %3d | train loss %.6f | val loss %.6f", epoch, loss:item(), val_loss:item()))
  end
end

-- 5. What did it learn?
print(string.format("learned: weight %.4f, bias %.4f (true: %.1f, %.1f)", w:item(), b:item(), weight, bias))
