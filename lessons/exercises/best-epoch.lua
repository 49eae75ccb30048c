-- title: Early stopping: keep the best epoch
-- lesson: loss-curves
-- hint: In the loop, after computing val_losses[epoch], compare it with
-- hint: best_val. When it is lower, remember the epoch and a COPY of the
-- hint: weights: best_state = {} then, for k, v in pairs(model:state_dict()),
-- hint: best_state[k] = v:clone(). Without :clone() the "copy" shares memory
-- hint: with the model and keeps changing. After the loop,
-- hint: model:load_state_dict(best_state) and draw the curves with plot.losses.
--
-- A model with thousands of parameters, ten noisy training points: it can
-- memorise the noise. Its validation loss falls for a while and then rises
-- again — overfitting. Record both losses every epoch, remember the epoch
-- with the lowest validation loss and a copy of the weights at that epoch,
-- load those weights back after training, and save the loss curves as
-- overfitting.png.
torch.manual_seed(0)
local x_train = torch.linspace(-1, 1, 10):unsqueeze(2)
local y_train = x_train * 0.7 + 0.3 + torch.randn(10, 1) * 0.1
local x_val = torch.linspace(-0.9, 0.9, 30):unsqueeze(2)
local y_val = x_val * 0.7 + 0.3 + torch.randn(30, 1) * 0.1
local model = nn.Sequential(nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
local optimizer = optim.Adam(model:parameters(), {lr = 0.01})
local loss_fn = nn.MSELoss()
local epochs = 600
local train_losses, val_losses = {}, {}
local best_epoch, best_val, best_state = nil, math.huge, nil

for epoch = 1, epochs do
  model:train()
  local loss = loss_fn(model(x_train), y_train)
  optimizer:zero_grad()
  loss:backward()
  optimizer:step()
  model:eval()
  train_losses[epoch] = loss:item()
  val_losses[epoch] = torch.no_grad(function() return loss_fn(model(x_val), y_val) end):item()
  -- BEGIN SOLUTION
  --starter -- TODO: remember the best epoch, its validation loss and a copy of the weights
  if val_losses[epoch] < best_val then
    best_epoch, best_val = epoch, val_losses[epoch]
    best_state = {}
    for k, v in pairs(model:state_dict()) do best_state[k] = v:clone() end
  end
  -- END SOLUTION
end

-- BEGIN SOLUTION
--starter -- TODO: load the best weights back and plot the curves into overfitting.png
model:load_state_dict(best_state)
plot.losses{train = train_losses, val = val_losses, logy = true, title = "overfitting",
            file = "overfitting.png"}
-- END SOLUTION

-- the epoch with the lowest validation loss, found here independently
local want = 1
for e = 2, epochs do if val_losses[e] < val_losses[want] then want = e end end
check(val_losses[epochs] > 1.5 * val_losses[want],
  "the validation loss should rise well above its best value by the end — this model overfits")
check(best_epoch == want, string.format("the best epoch is %d (validation loss %.6f), got %s",
  want, val_losses[want], tostring(best_epoch)))
check.close(best_val, val_losses[want], 1e-12, "best_val should be the lowest validation loss")
model:eval()
local now = torch.no_grad(function() return loss_fn(model(x_val), y_val) end):item()
check.close(now, best_val, 1e-6, string.format(
  "after loading best_state the validation loss should be the best one (%.6f), got %.6f — did you :clone() the tensors? state_dict() shares memory with the model",
  best_val, now))
local f = io.open("overfitting.png", "rb")
check(f, "overfitting.png should exist: pass file = \"overfitting.png\" to plot.losses")
local size = f:seek("end")
f:close()
check(size > 1000, "overfitting.png should hold a picture, but it has only " .. size .. " bytes")
print(string.format("best epoch %d: validation loss %.6f (at the end: %.6f)", best_epoch, best_val, val_losses[epochs]))
