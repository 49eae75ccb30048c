-- torch.checkpoint: what a checkpoint holds, restoring it, and keep-last-N
-- rotation (the new file is durable before old ones are deleted; a failed
-- save deletes nothing).
local T = require "ember.test"
local ckpt = require "torch.checkpoint"
local sys = require "ember.sys"

local dir = os.tmpname()
os.remove(dir)
assert(sys.mkdir(dir))

local function setup()
  torch.manual_seed(5)
  local model = nn.Linear(3, 2)
  local opt = optim.SGD(model:parameters(), {lr = 0.1, momentum = 0.9})
  model(torch.ones(4, 3)):sum():backward()
  opt:step()
  return model, opt
end

T.test("a checkpoint holds model, optimizer, step, epoch, RNG state and extras", function()
  local model, opt = setup()
  local path = ckpt.save(dir .. "/one.pt", {model = model, optimizer = opt, epoch = 3, step = 12,
                                              extra = torch.dict{{"best_acc", 0.91}}})
  local raw = torch.load(path)
  T.eq(raw.epoch, 3)
  T.eq(raw.step, 12)
  T.eq(raw.extra.best_acc, 0.91)
  T.eq(raw.rng_state:numel(), 5056)
  T.ok(raw.model_state_dict["weight"] ~= nil)
  T.ok(raw.optimizer_state_dict.state[0].momentum_buffer ~= nil)
end)

T.test("load restores parameters, optimizer state and the random stream", function()
  local model, opt = setup()
  ckpt.save(dir .. "/two.pt", {model = model, optimizer = opt})
  local expected = torch.rand(3)
  local model2 = nn.Linear(3, 2)
  local opt2 = optim.SGD(model2:parameters(), {lr = 0.5})
  ckpt.load(dir .. "/two.pt", {model = model2, optimizer = opt2})
  T.close(model2.weight, model.weight, {rtol = 0, atol = 0})
  T.eq(opt2.param_groups[1].lr, 0.1)
  T.close(torch.rand(3), expected, {rtol = 0, atol = 0})   -- the RNG continues where it was saved
  T.error(function() ckpt.load("../shared/fixtures/pytorch/linear_state.pt") end, "not an ember checkpoint")
end)

T.test("save_rotating keeps the newest N and never deletes before the new file is written", function()
  local rot = dir .. "/run"
  local model, opt = setup()
  for i = 1, 5 do ckpt.save_rotating(rot, i, {model = model, optimizer = opt, step = i}, {keep = 2}) end
  local files = ckpt.list(rot)
  T.eq(#files, 2)
  T.ok(files[2]:find("checkpoint%-000005%.pt$"), files[2])
  T.eq(torch.load(ckpt.latest(rot)).step, 5)
  -- a save that fails (a function cannot be saved) deletes nothing
  T.error(function() ckpt.save_rotating(rot, 6, {model = model, extra = print}, {keep = 1}) end, "function")
  T.eq(#ckpt.list(rot), 2)
end)

T.test("options and parts are checked before anything is written", function()
  local model, opt = setup()
  local path = dir .. "/typo.pt"
  T.error(function() ckpt.save(path, {model = model, optimiser = opt}) end,
    "torch.checkpoint.save: unknown option 'optimiser' (did you mean 'optimizer'?)")
  T.ok(not io.open(path), "nothing written")
  ckpt.save(path, {model = model, optimizer = opt})
  T.error(function() ckpt.load(path, {model = model, epoch = 3}) end,
    "torch.checkpoint.load: unknown option 'epoch'")
  T.error(function() ckpt.load(path, {modle = model}) end, "(did you mean 'model'?)")
  local rot = dir .. "/typo-run"
  T.error(function() ckpt.save_rotating(rot, 1, {model = model}, {kep = 2}) end,
    "torch.checkpoint.save_rotating: unknown option 'kep' (did you mean 'keep'?)")
  T.error(function() ckpt.save_rotating(rot, 1, {model = model, setp = 1}) end,
    "torch.checkpoint.save_rotating parts: unknown option 'setp' (did you mean 'step'?)")
  T.error(function() ckpt.save_rotating(rot, 1.5, {model = model}) end, "number must be an integer >= 0")
  T.error(function() ckpt.save_rotating(rot, 1, {model = model}, {prefix = "../x"}) end, "without '/'")
  T.eq(sys.listdir(rot), nil, "nothing written")
end)

T.run()
