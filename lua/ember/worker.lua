-- ember.worker — training a model in a separate ember process and getting
-- it back: worker.run{...} saves the model (whole, torch.save(model, ...))
-- and the tensors, starts a worker — `ember worker __run DIR` on this
-- machine, or through OpenSSH `ember worker __serve` on another (host =),
-- which receives the same files over the ssh channel — that loads a Lua file
-- both sides can load, calls the named function there with (model, tensors,
-- args), and sends back the trained model and the function's results.
-- Errors raised in the worker come back as Lua errors with the worker's
-- message; a worker that crashes, exits, loses its connection or runs past
-- the time limit is reported, never waited on forever. worker.map runs one
-- job per argument set across a pool of local processes and hosts.
-- Not here: the file formats (torch.save / torch.load), the jobs
-- (ember/worker/local_job.lua, ssh_job.lua), the host's side
-- (ember/worker/serve.lua), the frames (ember/worker/frame.lua).
local fs = require "ember.lesson.fs"
local json = require "ember.lesson.json"
local options = require "torch.options"
local payload = require "ember.worker.payload"
local local_job = require "ember.worker.local_job"
local ssh_job = require "ember.worker.ssh_job"

local worker = {}

local RUN = options.spec("worker.run", "model file fn tensors args timeout host port ssh_options ember")
local MAP = options.spec("worker.map", "model file fn tensors args_list hosts timeout port ssh_options ember quiet")

local DEFAULT_TIMEOUT = 600
-- the host name that means "a worker process on this machine, without ssh"
local LOCAL = "localhost"

local function fail(msg) error("worker: " .. msg, 3) end

-- The checks worker.run and worker.map share; returns the tensors table.
local function check_common(opts, where)
  local model, file, fn = opts.model, opts.file, opts.fn
  local nn_module = require "torch.nn.module"
  if not nn_module.Module.is_module(model) then error("model must be a module, got " .. type(model), 0) end
  if type(file) ~= "string" or not fs.exists(file) then
    error("file must name an existing Lua file, got " .. tostring(file), 0)
  end
  if type(fn) ~= "string" then error("fn must be the name of a function in " .. file, 0) end
  local timeout = opts.timeout or DEFAULT_TIMEOUT
  if type(timeout) ~= "number" or timeout <= 0 then error("timeout must be a positive number of seconds", 0) end
  local tensors = opts.tensors or {}
  for k, v in pairs(tensors) do
    if type(k) ~= "string" or not torch.is_tensor(v) then error("tensors must map names to tensors", 0) end
  end
  if opts.port ~= nil and not math.tointeger(opts.port) then error(where .. ": port must be an integer", 0) end
  if opts.ssh_options ~= nil then
    if type(opts.ssh_options) ~= "table" then error(where .. ": ssh_options must be a list of strings", 0) end
    for _, o in ipairs(opts.ssh_options) do
      if type(o) ~= "string" then error(where .. ": ssh_options must be a list of strings", 0) end
    end
  end
  if opts.ember ~= nil and type(opts.ember) ~= "string" then
    error(where .. ": ember must be the path of ember on the host", 0)
  end
  return tensors, timeout
end

-- A host of a pool: "localhost" (a local process), another name (ssh, with
-- the call's port, ssh_options and ember) or a table {host =, port =,
-- ssh_options =, ember =} (ssh, always). nil means a local process.
local function host_spec(h, opts)
  if type(h) == "string" then
    if h == LOCAL then return nil end
    return {host = h, port = opts.port, ssh_options = opts.ssh_options, ember = opts.ember}
  elseif type(h) == "table" and type(h.host) == "string" then
    for k in pairs(h) do
      if k ~= "host" and k ~= "port" and k ~= "ssh_options" and k ~= "ember" then
        error("a host table takes host, port, ssh_options and ember, not '" .. tostring(k) .. "'", 0)
      end
    end
    check_common({model = opts.model, file = opts.file, fn = opts.fn, port = h.port, ssh_options = h.ssh_options,
                  ember = h.ember}, "host " .. h.host)
    return {host = h.host, port = h.port or opts.port, ssh_options = h.ssh_options or opts.ssh_options,
            ember = h.ember or opts.ember}
  end
  error("a host is \"localhost\" (a worker process here), \"[user@]name\" (ssh) or {host =, port =, ...}, got " ..
    tostring(h), 0)
end

local function host_name(spec) return spec and spec.host or LOCAL end

local function start_job(spec, o)
  if spec then return ssh_job.start{payload = o.payload, args = o.args, timeout = o.timeout, out = o.out, host = spec} end
  return local_job.start(o)
end

--- worker.run{model =, file =, fn =[, tensors =][, args =][, timeout = 600][, host =][, port =][, ssh_options =][, ember =]} -> model, result
-- Trains (or evaluates) model in a separate ember process: the worker loads
-- file (a Lua file returning a table of functions, or defining globals),
-- then calls its function fn(model, tensors, args), where model is rebuilt
-- from a whole-model file (so custom classes must be defined in file or
-- loaded by it) and tensors is a table of name -> tensor. Returns the model
-- as the worker left it (a new object; the one passed in is unchanged) and
-- what fn returned (numbers, strings, booleans, tensors and tables of
-- those). An error in fn is raised here with the worker's message; a crash,
-- a non-zero exit or more than timeout seconds is an error too. The worker
-- runs in a session of its own: when the call ends (result, error, timeout
-- or Ctrl-C) every process it started has ended too, and a background
-- process still holding its output never delays the call.
-- With host = "[user@]name" the worker runs on that machine through
-- OpenSSH (`ssh` with BatchMode: keys, never a password prompt; port and
-- ssh_options, a list of ssh arguments, are passed on; ember is the path of
-- ember there, default "ember"): the model, tensors and file travel inside
-- the ssh channel with their sha256 checked, both sides must run the same
-- ember version and file, and closing the connection (the timeout, an
-- error, Ctrl-C) stops the host's worker and everything it started.
-- host = "localhost" means this machine without ssh (write "127.0.0.1" or
-- "user@localhost" to go through ssh).
-- Example:
--   local worker = require "ember.worker"
--   local trained, losses = worker.run{model = model, tensors = {x = X, y = Y},
--     file = "train_fn.lua", fn = "train", args = {epochs = 5}}
--   -- the same on a lab server: ..., host = "me@lab-server", ember = "~/ember/build/ember"}
function worker.run(opts)
  if type(opts) ~= "table" then fail("expected a table {model =, file =, fn =, ...}") end
  RUN:check(opts)
  local ok, tensors, timeout = pcall(check_common, opts, "worker.run")
  if not ok then fail(tensors) end
  local spec
  ok, spec = pcall(host_spec, opts.host == nil and LOCAL or opts.host, opts)
  if not ok then fail(spec) end
  if not spec and (opts.port or opts.ssh_options or opts.ember) then
    fail("port, ssh_options and ember are for a host reached with ssh; host \"localhost\" (or none) is a " ..
      "worker process here (write host = \"127.0.0.1\" or \"user@localhost\" to go through ssh)")
  end
  io.stdout:flush()
  local job
  local done, result = pcall(function()
    local p = payload.new{model = opts.model, tensors = tensors, file = opts.file, fn = opts.fn}
    job = start_job(spec, {payload = p, args = payload.args(opts.args), timeout = timeout,
                           out = function(text) io.write(text) end})
    -- prints go through io.write here, so they show live and are captured
    -- wherever this process's are
    while not job:step(0.5) do end
    if job.stderr and job.stderr ~= "" and job.files then io.stderr:write(job.stderr) end
    if not job.files then error({worker = job.err}, 0) end
    return {payload.load(job.files)}
  end)
  -- an error or a Ctrl-C while waiting: the worker's tree (or the connection) ends here too
  if job then job:cancel() end
  if not done then
    if type(result) == "table" and result.worker then fail(result.worker) end
    fail(tostring(result))
  end
  return result[1], result[2]
end

--- worker.executable() -> the path of the ember program running this code
-- What to pass as ember = when the host is this machine, or shares its file
-- system (a lab's home folders): worker.run{..., host = "127.0.0.1",
-- ember = worker.executable()}.
function worker.executable() return fs.exe() end

-- A function that hands out a job's printed text line by line, each line
-- prefixed with "[i] " (worker.map: the jobs' prints interleave).
local function line_printer(i, quiet)
  local pending = ""
  return function(text, flush)
    if quiet then return end
    pending = pending .. text
    while true do
      local line, rest = pending:match("^([^\n]*\n)(.*)$")
      if not line then break end
      io.write("[" .. i .. "] " .. line)
      pending = rest
    end
    if flush and pending ~= "" then io.write("[" .. i .. "] " .. pending .. "\n") pending = "" end
  end
end

--- worker.map{model =, file =, fn =, args_list =[, hosts = {"localhost"}][, tensors =][, timeout =][, port =][, ssh_options =][, ember =][, quiet = false]} -> results, failures
-- Runs one job per argument set of args_list, each as worker.run{model =
-- model, file =, fn =, tensors =, args = args_list[i]} would, across a pool
-- of workers: each entry of hosts takes one job at a time ("localhost" a
-- worker process on this machine, "[user@]name" a host through ssh with the
-- call's port, ssh_options and ember, or a table {host =, port =,
-- ssh_options =, ember =}); a host listed twice takes two jobs at once.
-- Returns results in the order of args_list, results[i] = {ok = true,
-- model =, result =, host =} or {ok = false, error = message, host =} (one
-- job's failure never loses the others' results; timeout applies to each
-- job), and the number of failed jobs. What the jobs print comes here line
-- by line prefixed with "[i] " (nothing with quiet = true); a progress line
-- is drawn on stderr when it is a terminal.
-- Example:
--   local results = worker.map{model = model, file = "sweep.lua", fn = "train",
--     tensors = {x = x, y = y}, hosts = {"localhost", "localhost"},
--     args_list = {{lr = 0.1}, {lr = 0.01}, {lr = 0.001}}}
--   for i, r in ipairs(results) do print(i, r.ok and r.result or r.error) end
function worker.map(opts)
  if type(opts) ~= "table" then fail("expected a table {model =, file =, fn =, args_list =, hosts =, ...}") end
  MAP:check(opts)
  local ok, tensors, timeout = pcall(check_common, opts, "worker.map")
  if not ok then fail(tensors) end
  local args_list = opts.args_list
  if type(args_list) ~= "table" then fail("args_list must be a list of argument sets (one job each)") end
  local hosts = opts.hosts or {LOCAL}
  if type(hosts) ~= "table" or #hosts == 0 then fail("hosts must be a non-empty list of hosts") end
  local slots = {}
  for i, h in ipairs(hosts) do
    local hok, spec = pcall(host_spec, h, opts)
    if not hok then fail("hosts[" .. i .. "]: " .. spec) end
    slots[i] = {spec = spec}
  end
  local n = #args_list
  local results, failures = {}, 0
  if n == 0 then return results, 0 end
  io.stdout:flush()
  local running = {}
  local done, err = pcall(function()
    local p = payload.new{model = opts.model, tensors = tensors, file = opts.file, fn = opts.fn}
    local bar = require("ember.progress").new(n, "worker.map")
    local next_job, finished = 1, 0
    local function settle(r)
      local job, i = r.job, r.index
      r.out("", true)
      if job.files then
        local lok, model, result = pcall(payload.load, job.files)
        if lok then results[i] = {ok = true, model = model, result = result, host = host_name(r.spec)}
        else results[i] = {ok = false, error = tostring(model), host = host_name(r.spec)} end
      else
        results[i] = {ok = false, error = tostring(job.err), host = host_name(r.spec)}
      end
      if not results[i].ok then failures = failures + 1 end
      finished = finished + 1
      bar:update(finished, string.format("%d running, %d failed", #running - 1, failures))
    end
    while finished < n do
      for _, slot in ipairs(slots) do
        if not slot.busy and next_job <= n then
          local i = next_job
          next_job = next_job + 1
          local out = line_printer(i, opts.quiet)
          local sok, job = pcall(start_job, slot.spec, {payload = p, args = payload.args(args_list[i]),
                                                       timeout = timeout, out = out})
          local r = {job = sok and job or nil, index = i, slot = slot, spec = slot.spec, out = out}
          if sok then
            slot.busy = true
            running[#running + 1] = r
          else
            r.job = {err = tostring(job)}
            running[#running + 1] = r
            settle(r)
            table.remove(running)
          end
        end
      end
      local wait = 0.2 / math.max(#running, 1)
      for k = #running, 1, -1 do
        local r = running[k]
        if r.job:step(wait) then
          settle(r)
          r.slot.busy = false
          table.remove(running, k)
        end
      end
    end
    bar:done()
  end)
  for _, r in ipairs(running) do if r.job.cancel then r.job:cancel() end end
  if not done then fail(tostring(err)) end
  return results, failures
end

-- --- the worker's side -----------------------------------------------------

local function write_error(dir, message)
  fs.write(dir .. "/error.json", json.encode({message = message}))
end

local function run_job(dir)
  local job = json.decode(assert(fs.read(dir .. "/job.json")))
  -- loaded under the name the caller gave, so messages show their path
  local source, rerr = fs.read(job.file)
  if not source then error(rerr, 0) end
  local chunk, lerr = load(source, "@" .. job.name, "t")
  if not chunk then error(lerr, 0) end
  local exported = chunk()
  local f = type(exported) == "table" and exported[job.fn] or rawget(_G, job.fn)
  if type(f) ~= "function" then
    error(string.format("%s defines no function '%s' (return it in a table, or make it a global)", job.name,
      job.fn), 0)
  end
  local model = torch.load(dir .. "/model.pt")
  local tensors = torch.load(dir .. "/tensors.pt")
  local args = torch.load(dir .. "/args.pt").args
  local result = f(model, tensors, args)
  torch.save(model, dir .. "/trained.pt")
  torch.save({result = result}, dir .. "/result.pt")
end

--- worker.main(args) -> exit code
-- `ember worker __run DIR`: the worker's side of worker.run (not for
-- direct use). Writes DIR/error.json with the message when anything fails.
-- `ember worker __serve`: the host's side of worker.run{host = ...}, started
-- by ssh, speaking ember.worker.frame's protocol on stdin and stdout.
function worker.main(args)
  if args[1] == "__serve" and not args[2] then
    fs.set_exe(args.exe)
    return require("ember.worker.serve").main()
  end
  if args[1] ~= "__run" or not args[2] then
    io.stderr:write("ember worker: started by ember.worker.run (require \"ember.worker\"), not by hand\n")
    return 2
  end
  local dir = args[2]
  fs.set_exe(args.exe)
  io.stdout:setvbuf("line")       -- the parent shows each line as it comes
  local ok, err = xpcall(run_job, function(e)
    return debug.traceback(tostring(e), 2)
  end, dir)
  if not ok then
    -- the message and the frames of the user's file, not the worker's own
    local lines, keep = {}, true
    for line in tostring(err):gmatch("[^\n]+") do
      if line:find("ember/worker.lua", 1, true) then keep = false end
      if keep and not line:find("%[C%]: in") then lines[#lines + 1] = line end
    end
    if lines[#lines] == "stack traceback:" then lines[#lines] = nil end
    write_error(dir, table.concat(lines, "\n"))
    return 1
  end
  return 0
end

return worker
