-- title: Keep the best checkpoint and reload it
-- lesson: checkpoints
-- hint: Inside the loop, after computing val_loss: if val_loss < best_loss then
-- hint: best_loss = val_loss; best_epoch = epoch; torch.save(model:state_dict(), "best.pth") end.
-- hint: After the loop: best_model:load_state_dict(torch.load("best.pth")).
--
-- Training too long can make the validation loss rise again. Save the
-- model whenever the validation loss reaches a new low, and at the end load
-- that best state into `best_model`.
torch.manual_seed(1)
local X = torch.rand(60, 1)
local y = 0.7 * X + 0.3 + 0.05 * torch.randn(60, 1)
local X_train, y_train, X_val, y_val = X[{{1, 40}}], y[{{1, 40}}], X[{{41, 60}}], y[{{41, 60}}]
local model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1))
local opt = optim.Adam(model:parameters(), {lr = 0.02})
local best_loss, best_epoch = math.huge, nil
local val_losses = {}
for epoch = 1, 150 do
  local loss = F.mse_loss(model(X_train), y_train)
  opt:zero_grad(); loss:backward(); opt:step()
  local val_loss = torch.no_grad(function() return F.mse_loss(model(X_val), y_val):item() end)
  val_losses[epoch] = val_loss
  -- BEGIN SOLUTION
  --starter -- TODO: when val_loss is a new low, remember it and save the model to best.pth
  if val_loss < best_loss then
    best_loss, best_epoch = val_loss, epoch
    torch.save(model:state_dict(), "best.pth")
  end
  -- END SOLUTION
end
local best_model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1))
-- BEGIN SOLUTION
--starter -- TODO: load best.pth into best_model
best_model:load_state_dict(torch.load("best.pth"))
-- END SOLUTION

local lowest, lowest_epoch = math.huge, nil
for e, v in ipairs(val_losses) do if v < lowest then lowest, lowest_epoch = v, e end end
check(best_epoch == lowest_epoch, "best_epoch should be the epoch with the lowest validation loss (" .. lowest_epoch .. ")")
local got = torch.no_grad(function() return F.mse_loss(best_model(X_val), y_val):item() end)
check(math.abs(got - lowest) < 1e-7, "best_model should reproduce the lowest validation loss; did you load best.pth?")
