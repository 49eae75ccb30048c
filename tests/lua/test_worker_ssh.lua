-- ember.worker on another machine through OpenSSH, against a real sshd on
-- 127.0.0.1 that this test starts (tests/lua/lib/sshd.lua) and stops: the
-- same weights as the local worker, prints streamed back, a version
-- mismatch, the host's errors and crashes, the connection killed during
-- training, the time limit, an unreachable host, a refused key, a missing
-- ember, and worker.map over four jobs on two workers with one failing.
-- Each failure must be a clear error within seconds that leaves nothing
-- running on the host. Skipped (exit 77) when sshd cannot be started.
package.path = "tests/lua/lib/?.lua;" .. package.path
local T = require "ember.test"
local worker = require "ember.worker"
local sys = require "ember.sys"
local fs = require "ember.lesson.fs"

local server, reason = require("sshd").start()
if not server then
  print("SKIP: " .. reason)
  os.exit(77)
end

local here = debug.getinfo(1, "S").source:match("^@(.*)[/\\]") or "tests/lua"
local file = here .. "/worker_fns.lua"
local fns = dofile(file)
local ember = server.wrapper("ember", fs.exe())

torch.manual_seed(3)
local x = torch.randn(200, 8)
local y = x:narrow(2, 1, 1):squeeze(2):gt(0):long()

local function remote(o)
  o.host = o.host or server.host
  o.port = o.port or server.port
  o.ssh_options = o.ssh_options or server.ssh_options
  o.ember = o.ember or ember
  return o
end

local function same_weights(a, b)
  local sa, sb = a:state_dict(), b:state_dict()
  T.eq(#sa:keys(), #sb:keys())
  for _, k in ipairs(sa:keys()) do T.eq((sa[k] - sb[k]):abs():max():item(), 0, k) end
end

-- io.write wrapped while fn runs: what the worker printed, and on_line(line) per line
local function capturing(fn, on_line)
  local real, got = io.write, {}
  io.write = function(...)
    for _, s in ipairs({...}) do
      got[#got + 1] = s
      if on_line then for line in tostring(s):gmatch("[^\n]+") do on_line(line) end end
    end
    return io.stdout
  end
  local ok, err = pcall(fn)
  io.write = real
  return ok, err, table.concat(got)
end

-- waits (at most 15 s: a loaded machine) for none of pids to be running
local function all_gone(pids)
  local t0 = sys.time()
  while sys.time() - t0 < 15 do
    local any = false
    for _, p in ipairs(pids) do if p > 0 and sys.alive(p) then any = true end end
    if not any then return true end
    os.execute("sleep 0.1")
  end
  return false
end

local function lineage(pidfile)
  local f = assert(io.open(pidfile))
  local pids = {f:read("n", "n", "n")}
  f:read("l")
  local dir = f:read("l")
  f:close()
  os.remove(pidfile)
  return pids, dir
end

T.test("a round trip through ssh: the same weights and prints as the local worker", function()
  local m = fns.Net(8, 2)
  local args = {epochs = 60, seed = 1}
  local okl, _, local_out = capturing(function()
    _G.local_trained, _G.local_result = worker.run{model = m, file = file, fn = "train_print",
                                                  tensors = {x = x, y = y}, args = args}
  end)
  T.ok(okl, "the local run")
  local ok, err, out = capturing(function()
    _G.remote_trained, _G.remote_result = worker.run(remote{model = m, file = file, fn = "train_print",
                                                           tensors = {x = x, y = y}, args = args})
  end)
  T.ok(ok, tostring(err))
  T.ok(out:find("epoch 60 loss", 1, true), "the host's prints come back: " .. out)
  T.eq(out, local_out)
  same_weights(_G.remote_trained, _G.local_trained)
  T.eq(#_G.remote_result.losses, 60)
  for i, l in ipairs(_G.local_result.losses) do T.eq(_G.remote_result.losses[i], l) end
  T.ok(torch.is_tensor(_G.remote_result.last), "tensors come back")
  T.ok(_G.remote_trained ~= m, "a new object")
  -- the identity round trip: nothing changed on the way
  local back, name = worker.run(remote{model = m, file = file, fn = "identity"})
  T.eq(name, "WorkerTestNet")
  same_weights(back, m)
end)

T.test("a different ember version on the host is a clear error naming both", function()
  local fake = server.wrapper("ember-old", fs.exe(), {EMBER_WORKER_TEST_VERSION = "0.0.1-test"})
  T.error(function() worker.run(remote{model = fns.Net(8, 2), file = file, fn = "identity", ember = fake}) end,
    "ember versions differ: " .. torch.__version__ .. " here, 0.0.1-test on " .. server.host)
end)

T.test("the host's errors and crashes come back as Lua errors", function()
  T.error(function() worker.run(remote{model = fns.Net(8, 2), file = file, fn = "boom", args = {epoch = 7}}) end,
    "on " .. server.host .. ": " .. file .. ":30: training failed at epoch 7")
  T.error(function() worker.run(remote{model = fns.Net(8, 2), file = file, fn = "nope"}) end,
    "defines no function 'nope'")
  T.error(function() worker.run(remote{model = fns.Net(8, 2), file = file, fn = "die"}) end,
    "on " .. server.host .. ": the worker process died (signal 9)")
  T.error(function() worker.run(remote{model = fns.Net(8, 2), file = file, fn = "exit3"}) end,
    "exited with code 3")
end)

T.test("the connection killed during training: an error within seconds, nothing left on the host", function()
  local pidfile = os.tmpname()
  local marker = "training-started-" .. sys.getpid()
  local killed = 0
  local t_kill
  local ok, err = capturing(function()
    worker.run(remote{model = fns.Net(8, 2), file = file, fn = "lineage_then_hang", timeout = 300,
                      args = {pidfile = pidfile, marker = marker}})
  end, function(line)
    if line == marker then killed, t_kill = server.kill_sessions(), sys.time() end
  end)
  T.ok(not ok, "expected an error")
  T.ok(killed > 0, "sshd's session process was found and killed")
  T.ok(tostring(err):find("the connection to " .. server.host .. " was lost", 1, true), tostring(err))
  T.ok(sys.time() - t_kill < 30, string.format("noticed %.1f s after the kill", sys.time() - t_kill))
  local pids, dir = lineage(pidfile)
  T.eq(#pids, 3)
  T.ok(all_gone(pids), "the worker, its supervisor and ember worker __serve ended: " .. table.concat(pids, " "))
  T.ok(dir and dir ~= "" and not fs.exists(dir), "the host's job folder is removed: " .. tostring(dir))
end)

T.test("ember worker __serve killed on the host: an error, the worker it started ended too", function()
  local pidfile = os.tmpname()
  local ok, err = capturing(function()
    worker.run(remote{model = fns.Net(8, 2), file = file, fn = "lineage_then_hang", timeout = 300,
                      args = {pidfile = pidfile, marker = "started", kill_starter = true}})
  end)
  T.ok(not ok, "expected an error")
  T.ok(tostring(err):find("the connection to " .. server.host .. " was lost", 1, true), tostring(err))
  local pids, dir = lineage(pidfile)
  T.eq(#pids, 3)
  T.ok(all_gone(pids), "the worker and its supervisor ended with __serve: " .. table.concat(pids, " "))
  -- nothing was left to remove the job's folder (docs/DECISIONS.md): the test does
  T.ok(dir and fs.exists(dir), "the job ran in a folder of its own: " .. tostring(dir))
  fs.remove_tree(dir)
end)

-- The limit is long enough for the job to start on a loaded machine (the
-- check is that the host's tree was running and ended), short enough to wait.
T.test("the time limit: an error at the timeout, the host's worker stopped", function()
  local pidfile = os.tmpname()
  local limit = 15
  local t0 = sys.time()
  local started
  local ok, err = capturing(function()
    worker.run(remote{model = fns.Net(8, 2), file = file, fn = "lineage_then_hang", timeout = limit,
                      args = {pidfile = pidfile, marker = "started"}})
  end, function(line) if line == "started" then started = true end end)
  local took = sys.time() - t0
  T.ok(not ok, "expected an error")
  T.ok(tostring(err):find("no result from " .. server.host .. " within " .. limit .. " s", 1, true), tostring(err))
  T.ok(took < limit + 15, string.format("returned %.1f s after the call (timeout %d s)", took, limit))
  T.ok(started, "the job started on the host within " .. limit .. " s")
  local pids, dir = lineage(pidfile)
  T.eq(#pids, 3)
  T.ok(all_gone(pids), "the host's worker tree ended: " .. table.concat(pids, " "))
  T.ok(dir and not fs.exists(dir), "the host's job folder is removed: " .. tostring(dir))
end)

-- more than a pipe or an ssh window holds, both ways
T.test("a large tensor goes and comes back unchanged", function()
  local big = torch.randn(1000, 1000)
  local _, back = worker.run(remote{model = fns.Net(8, 2), file = file, fn = "echo", tensors = {big = big}})
  T.ok(torch.equal(back.big, big), "the 4 MB tensor came back unchanged")
end)

T.test("an unreachable host, a refused key and a missing ember are clear errors", function()
  local m = fns.Net(8, 2)
  T.error(function() worker.run(remote{model = m, file = file, fn = "identity", port = 1}) end,
    "cannot reach " .. server.host .. " with ssh: ")
  T.error(function()
    worker.run(remote{model = m, file = file, fn = "identity", ssh_options = server.other_options})
  end, "authentication refused")
  T.error(function()
    worker.run(remote{model = m, file = file, fn = "identity", ember = server.dir .. "/no such ember"})
  end, "ember was not found on " .. server.host)
end)

-- the host's side of the channel ends after 200 kB of a 4 MB transfer (a
-- `head -c` in front of ember's stdin): the channel dropping mid-transfer
T.test("the connection dropped while sending: an error saying so, nothing returned", function()
  local cut = server.dir .. "/ember-cut"
  local f = assert(io.open(cut, "w"))
  f:write("#!/bin/sh\nhead -c 200000 | exec " .. ember .. ' "$@"\n')
  f:close()
  os.execute("chmod 755 " .. cut)
  local result
  local ok, err = pcall(function()
    result = {worker.run(remote{model = fns.Net(8, 2), file = file, fn = "echo", ember = cut,
                                tensors = {big = torch.randn(1000, 1000)}})}
  end)
  T.ok(not ok, "expected an error")
  T.ok(tostring(err):find("the connection to " .. server.host .. " was lost while sending", 1, true), tostring(err))
  T.eq(result, nil)
end)

T.test("worker.map: four jobs on two workers (here and through ssh), one failing", function()
  local m = fns.Net(8, 2)
  local args_list = {}
  for i = 1, 4 do args_list[i] = {epochs = 20, seed = i, id = i, fail = i == 3} end
  local ok, err, out = capturing(function()
    _G.map_results, _G.map_failures = worker.map{model = m, file = file, fn = "train_or_fail",
      tensors = {x = x, y = y}, args_list = args_list,
      hosts = {"localhost", {host = server.host, port = server.port, ssh_options = server.ssh_options,
                             ember = ember}}}
  end)
  T.ok(ok, tostring(err))
  local results = _G.map_results
  T.eq(#results, 4)
  T.eq(_G.map_failures, 1)
  T.ok(not results[3].ok and results[3].error:find("job 3 was told to fail", 1, true), tostring(results[3].error))
  local hosts = {}
  for i, r in ipairs(results) do
    hosts[r.host] = true
    if i ~= 3 then
      T.ok(r.ok, tostring(r.error))
      T.eq(#r.result.losses, 20)
    end
  end
  T.ok(hosts.localhost and hosts[server.host], "both workers took jobs")
  -- in order: job 4's model is the one worker.run gives for its arguments
  local expect = worker.run{model = m, file = file, fn = "train_or_fail", tensors = {x = x, y = y},
                            args = args_list[4]}
  same_weights(results[4].model, expect)
  T.eq(out, "")   -- train_or_fail prints nothing
end)

T.test("options are checked", function()
  T.error(function() worker.run(remote{model = fns.Net(8, 2), file = file, fn = "identity", prot = 22}) end,
    "worker.run: unknown option 'prot' (did you mean 'port'?)")
  T.error(function() worker.run{model = fns.Net(8, 2), file = file, fn = "identity", port = 22} end,
    "port, ssh_options and ember are for a host reached with ssh")
  T.error(function() worker.run(remote{model = fns.Net(8, 2), file = file, fn = "identity", ssh_options = "-v"}) end,
    "ssh_options must be a list of strings")
  T.error(function()
    worker.map{model = fns.Net(8, 2), file = file, fn = "identity", args_list = {{}}, hosts = {{host = "h", prot = 1}}}
  end, "hosts[1]: a host table takes host, port, ssh_options and ember, not 'prot'")
end)

-- T.run exits (1) on a failure: the server is stopped on every way out
local exit = os.exit
os.exit = function(...) server.stop() return exit(...) end
local ok, err = pcall(T.run)
server.stop()
if not ok then error(err, 0) end
