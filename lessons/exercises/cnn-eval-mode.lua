-- title: train() vs eval(): deterministic outputs
-- lesson: mnist-cnn
-- hint: model:eval(), then two calls model(x) give the same tensor;
-- hint: model:train(), then two calls differ (Dropout draws new masks).
--
-- Put the model in evaluation mode and call it twice on x (same_a, same_b),
-- then in training mode and call it twice again (diff_a, diff_b).
torch.manual_seed(0)
local model = nn.Sequential(nn.Conv2d(1, 4, 3, {padding = 1}), nn.BatchNorm2d(4), nn.ReLU(),
  nn.Flatten(), nn.Dropout(0.5), nn.Linear(4 * 8 * 8, 3))
local x = torch.rand(5, 1, 8, 8)
local same_a, same_b, diff_a, diff_b
-- BEGIN SOLUTION
--starter -- TODO: eval mode, two calls; train mode, two calls
model:eval()
same_a, same_b = model(x), model(x)
model:train()
diff_a, diff_b = model(x), model(x)
-- END SOLUTION
check(same_a ~= nil and diff_a ~= nil, "compute all four outputs")
check((same_a - same_b):abs():max():item() == 0, "in eval mode two calls must give identical outputs")
check((diff_a - diff_b):abs():max():item() > 0, "in train mode Dropout makes two calls differ")
