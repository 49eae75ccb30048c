-- worker_fns.lua — the file both sides of tests/lua/test_worker.lua load:
-- a model class and the functions the worker runs by name.
local M = {}

local Net = nn.Module:extend("WorkerTestNet")
function Net:__init(inputs, classes)
  nn.Module.__init(self)
  self.fc1 = nn.Linear(inputs, 16)
  self.fc2 = nn.Linear(16, classes)
end
function Net:forward(x) return self.fc2(F.relu(self.fc1(x))) end
M.Net = Net

function M.train(model, t, args)
  torch.manual_seed(args.seed)
  local opt = optim.Adam(model:parameters(), {lr = 0.05})
  local losses = {}
  model:train()
  for epoch = 1, args.epochs do
    opt:zero_grad()
    local loss = F.cross_entropy(model(t.x), t.y)
    loss:backward()
    opt:step()
    losses[epoch] = loss:item()
  end
  return {losses = losses, last = torch.tensor(losses[#losses])}
end

function M.identity(model) return model:class_name() end
function M.boom(_, _, args) error("training failed at epoch " .. args.epoch) end
function M.die() os.execute("kill -9 " .. require("ember.sys").getpid()) end
function M.exit3() os.exit(3) end
function M.forever() while true do end end

-- a background process started by the worker that keeps the worker's stdout
-- (the pipe to the parent) open; its pid goes to args.pidfile. With
-- args.setsid it leaves the worker's session and process group as well.
local function background_sleep(args)
  local cmd = (args.setsid and "setsid " or "") .. "sleep 60 & echo $! > " .. args.pidfile
  assert(os.execute(cmd))
end
function M.sleep_then_hang(_, _, args) background_sleep(args) while true do end end
function M.sleep_then_return(_, _, args) background_sleep(args) return "done" end
-- the worker's own pid goes to args.pidfile after the sleep's
function M.pids_then_hang(_, _, args)
  background_sleep(args)
  local f = assert(io.open(args.pidfile, "a"))
  f:write(require("ember.sys").getpid(), "\n")
  f:close()
  while true do end
end


-- for the remote worker (tests/lua/test_worker_ssh.lua): training that
-- prints, a job that fails when args.fail is set, and a hang that first
-- writes the pids of its lineage (the worker, its supervisor, the process
-- that started it: `ember worker __serve` on a host) and its folder to
-- args.pidfile and prints args.marker, sleeping rather than spinning (with
-- args.kill_starter it first kills that process: ember on the host crashing)
function M.train_print(model, t, args)
  local r = M.train(model, t, args)
  for epoch = 20, args.epochs, 20 do print(string.format("epoch %d loss %.4f", epoch, r.losses[epoch])) end
  return r
end
function M.echo(_, t) return t end
function M.train_or_fail(model, t, args)
  if args.fail then error("job " .. args.id .. " was told to fail") end
  return M.train(model, t, args)
end
local function parent_of(pid)
  local f = io.open("/proc/" .. pid .. "/stat")
  if not f then return nil end
  local stat = f:read("a")
  f:close()
  return tonumber(stat:match("%) %S+ (%d+)"))
end
function M.lineage_then_hang(_, _, args)
  local me = require("ember.sys").getpid()
  local sup = parent_of(me)
  local starter = sup and parent_of(sup)
  local f = assert(io.open(args.pidfile, "w"))
  f:write(me, "\n", sup or 0, "\n", starter or 0, "\n", require("ember.sys").getcwd(), "\n")
  f:close()
  print(args.marker)
  io.stdout:flush()
  if args.kill_starter and starter then os.execute("kill -9 " .. starter) end
  while true do os.execute("sleep 0.5") end
end

return M
