-- ember.worker: a model sent to a separate ember process, trained there by a
-- named function, and returned; identical weights and outputs on a round trip
-- that changes nothing; the worker's errors as Lua errors; a crashed, exiting
-- or endless worker reported within its time limit.
local T = require "ember.test"
local worker = require "ember.worker"

local here = debug.getinfo(1, "S").source:match("^@(.*)[/\\]") or "tests/lua"
local file = here .. "/worker_fns.lua"
local fns = dofile(file)

local function accuracy(model, x, y)
  model:eval()
  local pred = torch.no_grad(function() return model(x):argmax(2) end)
  return pred:eq(y):float():mean():item()
end

-- two well separated classes in 8 dimensions
torch.manual_seed(3)
local x = torch.randn(200, 8)
local y = x:narrow(2, 1, 1):squeeze(2):gt(0):long()

T.test("a round trip that changes nothing: identical weights and outputs", function()
  local m = fns.Net(8, 2)
  local back, result = worker.run{model = m, file = file, fn = "identity"}
  T.eq(result, "WorkerTestNet")
  T.ok(back ~= m, "a new object")
  for _, k in ipairs(m:state_dict():keys()) do
    T.eq((m:state_dict()[k] - back:state_dict()[k]):abs():max():item(), 0)
  end
  m:eval(); back:eval()
  T.eq((m(x) - back(x)):abs():max():item(), 0)
end)

T.test("trained in the worker, evaluated here", function()
  local m = fns.Net(8, 2)
  local before = accuracy(m, x, y)
  local trained, result = worker.run{model = m, file = file, fn = "train", tensors = {x = x, y = y},
                                     args = {epochs = 60, seed = 1}}
  local after = accuracy(trained, x, y)
  T.ok(after > 0.9, string.format("accuracy after training %.2f", after))
  T.ok(after > before, "better than before")
  T.eq(#result.losses, 60)
  T.ok(result.losses[60] < result.losses[1], "loss went down")
  T.ok(torch.is_tensor(result.last), "tensors come back")
  T.eq(accuracy(m, x, y), before)   -- the model passed in is untouched
end)

T.test("the worker's errors come back as Lua errors", function()
  T.error(function() worker.run{model = fns.Net(8, 2), file = file, fn = "boom", args = {epoch = 7}} end,
    "worker_fns.lua:30: training failed at epoch 7")
  T.error(function() worker.run{model = fns.Net(8, 2), file = file, fn = "nope"} end, "defines no function 'nope'")
end)

T.test("a crash, an exit and a hang are reported, not waited on", function()
  T.error(function() worker.run{model = fns.Net(8, 2), file = file, fn = "die"} end, "died (signal 9)")
  T.error(function() worker.run{model = fns.Net(8, 2), file = file, fn = "exit3"} end, "exited with code 3")
  local sys = require "ember.sys"
  local t0 = sys.time()
  T.error(function() worker.run{model = fns.Net(8, 2), file = file, fn = "forever", timeout = 1} end,
    "no result within 1 s")
  T.ok(sys.time() - t0 < 8, "stopped within the time limit (plus the grace period)")
end)

-- A process the worker leaves behind holds the worker's stdout open: the call
-- must not wait for the pipe to close. Bounds are generous (a loaded 2-core
-- machine): timeout + 10 s, where the old code took the sleep's 60 s.
local sys = require "ember.sys"
local function alive(pid) return os.execute("kill -0 " .. pid .. " 2>/dev/null") == true end
local function read_pid(path)
  local f = assert(io.open(path))
  local pid = tonumber(f:read("l"))
  f:close()
  os.remove(path)
  return assert(pid, "no pid written")
end

for _, setsid in ipairs({false, true}) do
  local what = setsid and "in its own session (setsid)" or "in the worker's process group"
  T.test("a hung worker whose background sleep " .. what .. " holds the pipe: stopped at the timeout, sleep ended",
    function()
      local pidfile = os.tmpname()
      local t0 = sys.time()
      T.error(function()
        worker.run{model = fns.Net(8, 2), file = file, fn = "sleep_then_hang", timeout = 3,
                   args = {pidfile = pidfile, setsid = setsid}}
      end, "no result within 3 s")
      local took = sys.time() - t0
      T.ok(took < 13, string.format("returned %.1f s after the call (timeout 3 s)", took))
      local pid = read_pid(pidfile)
      T.ok(not alive(pid), "the background sleep (pid " .. pid .. ") is still running")
    end)
  T.test("a worker that returns leaving a sleep " .. what .. " on the pipe: the result comes back, sleep ended",
    function()
      local pidfile = os.tmpname()
      local t0 = sys.time()
      local _, result = worker.run{model = fns.Net(8, 2), file = file, fn = "sleep_then_return", timeout = 30,
                                   args = {pidfile = pidfile, setsid = setsid}}
      T.eq(result, "done")
      local took = sys.time() - t0
      T.ok(took < 20, string.format("returned %.1f s after the call (the sleep lasts 60 s)", took))
      local pid = read_pid(pidfile)
      T.ok(not alive(pid), "the background sleep (pid " .. pid .. ") is still running")
    end)
end

T.test("Ctrl-C during the call ends the worker and what it started", function()
  local interrupt = require "ember.interrupt"
  interrupt.clear()          -- ember's SIGINT handler in place before the signal
  local pidfile = os.tmpname()
  os.remove(pidfile)
  -- SIGINT to this process once the worker has written both pids
  os.execute(string.format("(i=0; while [ $i -lt 600 ] && [ $(cat %s 2>/dev/null | wc -l) -lt 2 ]; do " ..
    "sleep 0.05; i=$((i+1)); done; kill -INT %d) >/dev/null 2>&1 &", pidfile, sys.getpid()))
  local t0 = sys.time()
  local ok, err, by_signal = interrupt.call(function()
    return worker.run{model = fns.Net(8, 2), file = file, fn = "pids_then_hang", timeout = 120,
                      args = {pidfile = pidfile, setsid = true}}
  end)
  T.ok(not ok and by_signal, "expected an interrupt, got " .. tostring(err))
  T.ok(sys.time() - t0 < 60, "interrupted long before the timeout")
  local f = assert(io.open(pidfile))
  local list = {f:read("n", "n")}
  f:close()
  os.remove(pidfile)
  T.eq(#list, 2)
  for _, pid in ipairs(list) do T.ok(not alive(pid), "process " .. pid .. " is still running") end
end)

T.test("options are checked", function()
  T.error(function() worker.run{model = fns.Net(8, 2), file = file, fn = "identity", timout = 5} end,
    "worker.run: unknown option 'timout' (did you mean 'timeout'?)")
end)

T.test("bad arguments", function()
  T.error(function() worker.run() end, "expected a table")
  T.error(function() worker.run{model = {}, file = file, fn = "train"} end, "model must be a module")
  T.error(function() worker.run{model = fns.Net(8, 2), file = "/nonexistent.lua", fn = "train"} end,
    "existing Lua file")
  T.error(function() worker.run{model = fns.Net(8, 2), file = file, fn = "train", tensors = {1}} end,
    "map names to tensors")
end)

T.run()
