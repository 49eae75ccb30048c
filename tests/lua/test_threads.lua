-- test_threads.lua — the CPU kernels that split their work across threads
-- (torch.set_num_threads > 1: elementwise ops on long rows, batch norm,
-- max pooling, oneDNN's conv2d) give the same results as one thread. Each
-- thread owns whole channels, planes or chunks, so the sums are taken in
-- the same order: results are compared bit for bit, except conv2d (oneDNN
-- may split its reductions differently) and the gemm-based layers.
-- Run: build/ember run tests/lua/test_threads.lua

local T = require "ember.test"

-- Runs fn with n threads and gives the thread count back as it was.
local function with_threads(n, fn)
  local before = torch.get_num_threads()
  torch.set_num_threads(n)
  local ok, a, b, c, d = pcall(fn)
  torch.set_num_threads(before)
  if not ok then error(a, 0) end
  return a, b, c, d
end

-- run() returns tensors, one per name: each must be bit-identical with 1 and 2 threads.
local function same_bits(run, names)
  local one, two = {with_threads(1, run)}, {with_threads(2, run)}
  for i, what in ipairs(names) do
    T.ok(torch.equal(one[i], two[i]), what .. ": results differ between 1 and 2 threads")
  end
end

T.test("elementwise ops on long rows: the same bits with 1 and 2 threads", function()
  torch.manual_seed(1)
  local x, y = torch.randn(300001), torch.randn(300001)
  local function run()
    return x * y + x:relu(), (x - y):exp(), torch.where(x:gt(0), x, y), x:sigmoid()
  end
  same_bits(run, {"x * y + relu(x)", "exp(x - y)", "where", "sigmoid"})
end)

T.test("batch norm and max pooling, forward and backward: the same bits", function()
  torch.manual_seed(2)
  local x0 = torch.randn(16, 32, 28, 28)
  local function run()
    torch.manual_seed(3)
    local bn = nn.BatchNorm2d(32)
    local x = x0:clone():requires_grad_()
    local y = F.max_pool2d(bn(x), 2)
    y:backward(torch.linspace(-1, 1, y:numel()):reshape(y.shape))
    return y:detach(), x.grad, bn.weight.grad, bn.running_var
  end
  same_bits(run, {"output", "input gradient", "weight gradient", "running variance"})
end)

T.test("a CNN training step: close with 1 and 2 threads", function()
  local function run()
    torch.manual_seed(4)
    local model = nn.Sequential(nn.Conv2d(1, 8, 3, {padding = 1}), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
      nn.Flatten(), nn.Linear(8 * 14 * 14, 10))
    local x, y = torch.randn(32, 1, 28, 28), torch.randint(0, 10, {32})
    local loss = F.cross_entropy(model(x), y)
    loss:backward()
    local ps = model:parameters()   -- conv weight first, linear weight second to last
    return loss:detach(), ps[1].grad, ps[#ps - 1].grad
  end
  local l1, c1, f1 = with_threads(1, run)
  local l2, c2, f2 = with_threads(2, run)
  T.close(l1, l2, {rtol = 1e-5, atol = 1e-6})
  T.close(c1, c2, {rtol = 1e-4, atol = 1e-5})
  T.close(f1, f2, {rtol = 1e-4, atol = 1e-5})
end)

T.test("set_num_threads: the count is kept and bad counts are refused", function()
  with_threads(2, function() T.eq(torch.get_num_threads(), 2) end)
  T.error(function() torch.set_num_threads(0) end, "thread count")
end)

T.run()
