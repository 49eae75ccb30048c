-- plot_losses.lua — fits y = 2x + 1 with nn.Linear and plots, side by side, the
-- train/validation loss per epoch and the data with the learned and true lines.
-- Writes plot_losses.png (or the path given as the first argument).
--   build/ember run examples/plot_losses.lua [out.png]
local out = arg and arg[1] or "plot_losses.png"
torch.manual_seed(0)
local x = torch.linspace(0, 2, 40):reshape(40, 1)
local y = x * 2 + 1 + torch.randn(40, 1) * 0.3
local model = nn.Linear(1, 1)
local opt = optim.SGD(model:parameters(), {lr = 0.1})
local train, val = {}, {}
for epoch = 1, 30 do
  opt:zero_grad()
  local loss = F.mse_loss(model(x), y)
  loss:backward()
  opt:step()
  train[epoch] = loss:item()
  val[epoch] = F.mse_loss(model(x), x * 2 + 1):item()
end
local xs = x:reshape(-1)
local fig = plot.figure{rows = 1, cols = 2, file = out, width = 1000, height = 400, title = "y = 2x + 1"}
fig:losses{train = train, val = val, logy = true}
fig:scatter{{x = xs, y = y:reshape(-1), label = "data"},
            {x = xs, y = model(x):detach():reshape(-1), label = "learned", style = "lines"},
            {x = xs, y = xs * 2 + 1, label = "true", style = "lines"}}
fig:draw()
