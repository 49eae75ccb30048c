-- title: Freeze the first layer and count what still trains
-- lesson: model-summary
-- hint: model:at(2) is the first Linear (position 1 is the Flatten);
-- hint: layer:requires_grad_(false) freezes its weight and bias.
-- hint: Then add p:numel() to `trainable` for each p in model:parameters()
-- hint: with p.requires_grad, and to `frozen` for the others.
--
-- Freeze the FIRST Linear layer (weight and bias), then count the
-- parameters that training will still change (`trainable`) and those it
-- will not (`frozen`).
local model = nn.Sequential(nn.Flatten(),
  nn.Linear(784, 256), nn.ReLU(),
  nn.Linear(256, 128), nn.ReLU(),
  nn.Linear(128, 10))
local trainable, frozen = 0, 0
-- BEGIN SOLUTION
--starter -- TODO: freeze the first Linear, then count
model:at(2):requires_grad_(false)
for _, p in ipairs(model:parameters()) do
  if p.requires_grad then
    trainable = trainable + p:numel()
  else
    frozen = frozen + p:numel()
  end
end
-- END SOLUTION
local first = model:at(2)
check(not first.weight.requires_grad and not first.bias.requires_grad,
  "freeze the first Linear's weight AND bias (model:at(2):requires_grad_(false))")
check(model:at(4).weight.requires_grad and model:at(6).bias.requires_grad,
  "only the first Linear should be frozen; the other layers still train")
check(frozen == 784 * 256 + 256, "frozen should be the first Linear's 784*256 + 256 = 200,960 parameters, got " .. frozen)
check(trainable == (256 * 128 + 128) + (128 * 10 + 10),
  "trainable should be the other two Linears: 256*128+128 + 128*10+10 = 34,186, got " .. trainable)

-- frozen means no gradient: backward leaves the first layer alone
model(torch.randn(2, 1, 28, 28)):sum():backward()
check(first.weight.grad == nil, "a frozen weight gets no gradient from backward")
check(model:at(6).weight.grad ~= nil, "the last layer still gets its gradient")
