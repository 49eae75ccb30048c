-- title: Resume training from a checkpoint at epoch 50 to epoch 100
-- lesson: checkpoints
-- hint: After 50 epochs, torch.save a dict with the epoch, model:state_dict()
-- hint: and optimizer:state_dict(). Then build a NEW nn.Linear(1, 1) and a NEW
-- hint: optim.Adam, load both state dicts from torch.load(path), and train
-- hint: epochs ckpt.epoch + 1 .. 100.
--
-- Adam keeps running averages for every parameter: resuming without its
-- state gives a different run. Make `resumed` end exactly like `straight`.
local X = torch.arange(0, 1, 0.02):unsqueeze(2)
local y = 0.7 * X + 0.3

local function new_run()
  torch.manual_seed(0)
  local model = nn.Linear(1, 1)
  return model, optim.Adam(model:parameters(), {lr = 0.05})
end
local function train(model, opt, from, to)
  for _ = from, to do
    local loss = F.mse_loss(model(X), y)
    opt:zero_grad(); loss:backward(); opt:step()
  end
end

local straight, straight_opt = new_run()
train(straight, straight_opt, 1, 100)

local model, opt = new_run()
train(model, opt, 1, 50)
local resumed
-- BEGIN SOLUTION
--starter -- TODO: save a checkpoint here, then build `resumed` (and its optimizer)
--starter -- from the file and train it from epoch 51 to 100
torch.save(torch.dict{{"epoch", 50}, {"model_state_dict", model:state_dict()},
                      {"optimizer_state_dict", opt:state_dict()}}, "ckpt.tar")
local ckpt = torch.load("ckpt.tar")
resumed = nn.Linear(1, 1)
local resumed_opt = optim.Adam(resumed:parameters(), {lr = 0.05})
resumed:load_state_dict(ckpt.model_state_dict)
resumed_opt:load_state_dict(ckpt.optimizer_state_dict)
train(resumed, resumed_opt, ckpt.epoch + 1, 100)
-- END SOLUTION

check(resumed ~= nil, "build `resumed` from the checkpoint file")
check(resumed ~= model, "`resumed` must be a fresh model loaded from the file, not the same object")
check(io.open("ckpt.tar", "rb") ~= nil, "save the checkpoint to ckpt.tar")
check.close(resumed.weight, straight.weight, 0, "the resumed weight must equal the straight run exactly (optimizer state loaded?)")
check.close(resumed.bias, straight.bias, 0, "the resumed bias must equal the straight run exactly")
