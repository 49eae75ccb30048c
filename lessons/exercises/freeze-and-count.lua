-- title: Freeze a layer and count the trainable parameters
-- lesson: model-summary
-- hint: model:at(3) is the second Linear; p:requires_grad_(false) for its weight and bias.
-- hint: Then sum p:numel() over parameters with p.requires_grad.
--
-- Freeze the SECOND Linear layer (weight and bias), then set `trainable`
-- to the number of parameters that will still be trained.
local model = nn.Sequential(nn.Linear(10, 20), nn.ReLU(), nn.Linear(20, 30), nn.ReLU(), nn.Linear(30, 5))
local trainable = 0
-- BEGIN SOLUTION
--starter -- TODO: freeze, then count
local second = model:at(3)
second.weight:requires_grad_(false)
second.bias:requires_grad_(false)
for _, p in ipairs(model:parameters()) do
  if p.requires_grad then trainable = trainable + p:numel() end
end
-- END SOLUTION
check(not model:at(3).weight.requires_grad, "freeze the second Linear's weight")
check(trainable == (10 * 20 + 20) + (30 * 5 + 5), "trainable should count the first and last Linear only: 375")
