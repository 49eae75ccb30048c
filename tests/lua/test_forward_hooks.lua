-- Module forward hooks (torch.nn.module_hooks) and their handles
-- (torch.utils.hooks): what the peer test (tests/peer/test_fwdhooks_parity.lua)
-- cannot check against PyTorch: hooks are not saved (state_dict, whole-model
-- files) and survive saving; no trace is left once removed; errors; hooks
-- still run under nn.summary's call hook.
package.path = "tests/lua/lib/?.lua;" .. package.path
local T = require "ember.test"
local MNISTClassifier = require("models").MNISTClassifier
local tmp = os.tmpname()

T.test("hooks are not saved, and saving leaves them in place", function()
  torch.manual_seed(0)
  local model = MNISTClassifier()
  local calls = 0
  local h = model.classifier:register_forward_hook(function() calls = calls + 1 end)
  local p = model:register_forward_pre_hook(function() calls = calls + 1 end)
  local sd = model:state_dict()
  for k in pairs(sd) do T.ok(not tostring(k):find("hook"), "state_dict key " .. tostring(k)) end
  torch.save(model, tmp)
  torch.save(model:state_dict(), tmp .. ".sd")
  local loaded = torch.load(tmp)
  T.eq(rawget(loaded.classifier, "_forward_hooks"), nil, "a loaded model has no hooks")
  T.eq(rawget(loaded, "_forward_pre_hooks"), nil, "nor pre-hooks")
  local x = torch.randn(2, 784)
  loaded(x)
  T.eq(calls, 0, "the loaded model's calls run no hook")
  model(x)
  T.eq(calls, 2, "the saved model keeps its hooks")
  model:load_state_dict(torch.load(tmp .. ".sd"))
  model(x)
  T.eq(calls, 4, "load_state_dict keeps them too")
  h:remove(); p:remove()
  model(x)
  T.eq(calls, 4, "removed")
  os.remove(tmp); os.remove(tmp .. ".sd")
end)

T.test("a module without hooks carries no hook fields", function()
  local m = nn.Linear(2, 2)
  T.eq(rawget(m, "_forward_hooks"), nil)
  local h1 = m:register_forward_hook(function() end)
  local h2 = m:register_forward_hook(function() end)
  T.eq(#rawget(m, "_forward_hooks"), 2)
  h1:remove()
  T.eq(#rawget(m, "_forward_hooks"), 1)
  h2:remove()
  T.eq(rawget(m, "_forward_hooks"), nil, "the list goes with its last hook")
  T.ok(tostring(h1):match("^RemovableHandle%(id=%d+%)$"), tostring(h1))
end)

T.test("a hook that is not a function is an error at registration", function()
  local m = nn.Linear(2, 2)
  T.error(function() m:register_forward_hook(42) end, "expected a function, got number")
  T.error(function() m:register_forward_pre_hook() end, "expected a function, got nil")
end)

T.test("an error in a hook reaches the caller; the module stays usable", function()
  local m = nn.Linear(2, 2)
  local h = m:register_forward_hook(function() error("boom in hook") end)
  T.error(function() m(torch.zeros(1, 2)) end, "boom in hook")
  h:remove()
  T.eq(m(torch.zeros(1, 2)):size(2), 2)
end)

T.test("hooks run under nn.summary (it calls forward through its own call hook)", function()
  local model = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
  local seen = {}
  model[1]:register_forward_hook(function(m, args, out) seen[#seen + 1] = out:size(2) end)
  nn.summary(model, {2, 4}, {verbose = 0})
  T.eq(seen[1], 3, "the Linear's forward hook ran")
end)

T.test("torch.utils.hooks.RemovableHandle is PyTorch's name", function()
  local h = nn.ReLU():register_forward_hook(function() end)
  T.eq(getmetatable(h), torch.utils.hooks.RemovableHandle)
end)

T.run()
