-- ember.worker — training a model in a separate ember process and getting
-- it back: worker.run{...} saves the model (whole, torch.save(model, ...))
-- and the tensors into a fresh temporary folder, starts `ember worker __run
-- DIR`, which loads a Lua file both sides can load, calls the named function
-- there with (model, tensors, args), and saves the trained model and the
-- function's results; the parent loads them back. Errors raised in the
-- worker come back as Lua errors with the worker's message; a worker that
-- crashes, exits or runs past the time limit is reported, never waited on
-- forever. Not here: the file formats (torch.save / torch.load).
local fs = require "ember.lesson.fs"
local json = require "ember.lesson.json"
local sys = require "ember.sys"
local options = require "torch.options"

local worker = {}

local RUN = options.spec("worker.run", "model file fn tensors args timeout")

local DEFAULT_TIMEOUT = 600

local function fail(msg) error("worker: " .. msg, 3) end

--- worker.run{model =, file =, fn =[, tensors =][, args =][, timeout = 600]} -> model, result
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
-- Example:
--   local worker = require "ember.worker"
--   local trained, losses = worker.run{model = model, tensors = {x = X, y = Y},
--     file = "train_fn.lua", fn = "train", args = {epochs = 5}}
function worker.run(opts)
  if type(opts) ~= "table" then fail("expected a table {model =, file =, fn =, ...}") end
  RUN:check(opts)
  local model, file, fn = opts.model, opts.file, opts.fn
  local nn_module = require "torch.nn.module"
  if not nn_module.Module.is_module(model) then fail("model must be a module, got " .. type(model)) end
  if type(file) ~= "string" or not fs.exists(file) then fail("file must name an existing Lua file, got " .. tostring(file)) end
  if type(fn) ~= "string" then fail("fn must be the name of a function in " .. file) end
  local timeout = opts.timeout or DEFAULT_TIMEOUT
  if type(timeout) ~= "number" or timeout <= 0 then fail("timeout must be a positive number of seconds") end
  local tensors = opts.tensors or {}
  for k, v in pairs(tensors) do
    if type(k) ~= "string" or not torch.is_tensor(v) then fail("tensors must map names to tensors") end
  end

  local dir, err = fs.tempdir()
  if not dir then fail("cannot make a temporary folder: " .. tostring(err)) end
  local proc
  local ok, result = pcall(function()
    torch.save(model, dir .. "/model.pt")
    torch.save(tensors, dir .. "/tensors.pt")
    torch.save({args = opts.args}, dir .. "/args.pt")
    assert(fs.write(dir .. "/job.json", json.encode({file = fs.absolute(file), name = file, fn = fn})))
    io.stdout:flush()
    local t0 = sys.time()
    -- The worker runs in a session of its own under a supervisor that ends
    -- everything it started (src/app/proc.c). Its prints come back through a
    -- pipe read with a deadline and go through io.write here, so they show
    -- live and are captured wherever this process's are; the call never
    -- waits for the pipe to close (a process the worker left behind may
    -- hold it open).
    local p, serr = sys.spawn({fs.exe(), "worker", "__run", dir}, dir)
    if not p then error({worker = serr}, 0) end
    proc = p
    local deadline = t0 + timeout
    local timed_out = false
    while true do
      local left = deadline - sys.time()
      if left <= 0 then timed_out = true; p:stop(); break end
      local text, ended = p:poll(math.min(left, 0.5))
      if text ~= "" then io.write(text) end
      if ended then break end
    end
    local seconds = sys.time() - t0
    local err_text = fs.read(dir .. "/error.json")
    if err_text and not timed_out then
      local e = json.decode(err_text)
      error({worker = type(e) == "table" and tostring(e.message) or err_text}, 0)
    end
    if timed_out then
      error({worker = string.format("no result within %g s: the worker and everything it started were stopped " ..
        "(pass a larger timeout)", timeout)}, 0)
    end
    local how, code = p:status()
    if how == "signal" then
      error({worker = string.format("the worker process died (signal %d) after %.1f s without a result", code,
        seconds)}, 0)
    end
    if how ~= "exit" then
      error({worker = string.format("the worker process was lost (%s) after %.1f s", how, seconds)}, 0)
    end
    if code ~= 0 then
      error({worker = string.format("the worker process exited with code %d after %.1f s without a result", code,
        seconds)}, 0)
    end
    if not fs.exists(dir .. "/result.pt") then
      error({worker = "the worker process ended without a result"}, 0)
    end
    local trained = torch.load(dir .. "/trained.pt")
    local back = torch.load(dir .. "/result.pt")
    return {trained, back.result}
  end)
  -- an error or a Ctrl-C while waiting: the worker's tree ends here too
  if proc then proc:stop() end
  fs.remove_tree(dir)
  if not ok then
    if type(result) == "table" and result.worker then fail(result.worker) end
    fail(tostring(result))
  end
  return result[1], result[2]
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
function worker.main(args)
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
