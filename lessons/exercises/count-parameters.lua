-- title: Count the MNISTClassifier's parameters
-- lesson: mnist-mlp
-- hint: for _, p in ipairs(model:parameters()) do total = total + p:numel() end
-- hint: A Linear(i, o) layer holds i*o weights plus o biases.
--
-- Fill `total` with the number of parameters of the model (sum of numel of
-- every parameter) and `per_layer` with the counts of its three Linear
-- layers, in order.
local model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
  nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
local total, per_layer = 0, {}
-- BEGIN SOLUTION
--starter -- TODO: count
for _, p in ipairs(model:parameters()) do total = total + p:numel() end
for _, i in ipairs({2, 5, 8}) do
  local layer = model:at(i)
  per_layer[#per_layer + 1] = layer.weight:numel() + layer.bias:numel()
end
-- END SOLUTION
check(total == 235146, "the MNISTClassifier has 235,146 parameters, got " .. tostring(total))
check(#per_layer == 3, "three Linear layers: per_layer needs three counts")
check(per_layer[1] == 784 * 256 + 256 and per_layer[2] == 256 * 128 + 128 and per_layer[3] == 128 * 10 + 10,
  "a Linear(i, o) layer holds i*o + o parameters")
