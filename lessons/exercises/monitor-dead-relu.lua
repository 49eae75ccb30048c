-- title: Find why a network does not learn
-- lesson: mnist-mlp
-- hint: Run it as it is and read the monitor's report: which layers are
-- hint: flagged, and what do their rows show (the zeros and dead columns)?
-- hint: A ReLU whose input is below zero for every digit outputs 0 and passes
-- hint: back no gradient: the Linear layers before it never learn. What makes
-- hint: every input of the ReLUs negative? Look at init_weights.
--
-- This network trains on 1,024 digits for three epochs and stays near chance.
-- Nothing crashes. ember.monitor watches it (the loop calls m:step() after
-- each optimizer step) and m:report() prints what it saw. Find the bug with
-- the report, fix it in init_weights (keep Kaiming's weights), and the same
-- run must learn: no finding in the report, and 80% on 1,024 digits it did
-- not train on.
torch.manual_seed(0)
local train_set = data.datasets.MNIST{train = true}
local x = train_set.data:narrow(1, 1, 2048):float():div(255)
local y = train_set.targets:narrow(1, 1, 2048)
local train_x, train_y = x:narrow(1, 1, 1024), y:narrow(1, 1, 1024)
local held_x, held_y = x:narrow(1, 1025, 1024), y:narrow(1, 1025, 1024)

local model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                            nn.Linear(64, 10))

-- A careful start: Kaiming's weights for ReLU layers.
local function init_weights(m)
  if m:class() == nn.Linear then
    nn.init.kaiming_uniform_(m.weight, {nonlinearity = "relu"})
-- BEGIN SOLUTION
--starter     nn.init.constant_(m.bias, -1)   -- a negative bias keeps the activations sparse
    nn.init.zeros_(m.bias)
-- END SOLUTION
  end
end
model:apply(init_weights)

local m = ember.monitor(model)
local opt = optim.SGD(model:parameters(), {lr = 0.05, momentum = 0.9})
local loader = data.DataLoader(data.TensorDataset(train_x, train_y), {batch_size = 64, shuffle = true})
for _ = 1, 3 do
  for xb, yb in loader do
    local loss = F.cross_entropy(model(xb), yb)
    opt:zero_grad(); loss:backward(); opt:step(); m:step()
  end
end
local found = m:report()
m:remove()

model:eval()
local acc = torch.no_grad(function() return model(held_x):argmax(2):eq(held_y):float():mean():item() end)
print(string.format("accuracy on the 1,024 held-out digits: %.1f%%", 100 * acc))
for _, f in ipairs(found) do
  check(f.kind ~= "dead", "the monitor still finds dead units: " .. f.message)
end
check(#found == 0, "the monitor still flags something: " .. (found[1] and found[1].message or ""))
check(acc > 0.8, string.format("the network should reach 80%% on held-out digits, got %.1f%%", 100 * acc))
