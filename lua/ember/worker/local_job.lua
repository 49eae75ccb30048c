-- ember.worker.local_job — one job run by a worker process on this machine:
-- the payload's files written into a fresh temporary folder, `ember worker
-- __run DIR` started in a process tree that always ends (sys.spawn), its
-- prints handed to out(text) as they come, and at the end either the
-- worker's trained.pt and result.pt (as bytes) or a message saying what went
-- wrong (the worker's error, a crash, a non-zero exit, the time limit).
-- job:step(seconds) waits at most that long, so one caller can drive many
-- jobs (ember.worker.map) and the remote side can watch its connection
-- (ember.worker.serve). Not here: the worker's side (ember.worker.main).
local fs = require "ember.lesson.fs"
local json = require "ember.lesson.json"
local sys = require "ember.sys"

local local_job = {}
local Job = {}
Job.__index = Job

--- local_job.start{payload =, args =, timeout =, out =[, dir =]} -> job
-- payload from ember.worker.payload.new; args the bytes of args.pt; out a
-- function receiving the worker's printed text; dir a folder made by
-- fs.tempdir to use (the job removes it), else a new one. Errors (a
-- string) when the folder or the process cannot be made.
function local_job.start(o)
  local dir, err = o.dir, nil
  if not dir then dir, err = fs.tempdir() end
  if not dir then error("cannot make a temporary folder: " .. tostring(err), 0) end
  local job = setmetatable({dir = dir, out = o.out, timeout = o.timeout, t0 = sys.time()}, Job)
  local ok, serr = pcall(function()
    local p = o.payload
    assert(fs.write(dir .. "/model.pt", p.model))
    assert(fs.write(dir .. "/tensors.pt", p.tensors))
    assert(fs.write(dir .. "/args.pt", o.args))
    assert(fs.write(dir .. "/job.json", json.encode({file = p.file, name = p.name, fn = p.fn})))
    -- The worker runs in a session of its own under a supervisor that ends
    -- everything it started (src/app/proc.c). Its prints come back through
    -- a pipe read with a deadline; the job never waits for the pipe to
    -- close (a process the worker left behind may hold it open).
    local proc, perr = sys.spawn({fs.exe(), "worker", "__run", dir}, dir)
    if not proc then error(perr, 0) end
    job.proc = proc
  end)
  if not ok then
    fs.remove_tree(dir)
    error(tostring(serr), 0)
  end
  return job
end

-- how the worker ended, in words, when it left no result
local function ended_message(how, code, seconds)
  if how == "signal" then
    return string.format("the worker process died (signal %d) after %.1f s without a result", code, seconds)
  elseif how ~= "exit" then
    return string.format("the worker process was lost (%s) after %.1f s", how, seconds)
  elseif code ~= 0 then
    return string.format("the worker process exited with code %d after %.1f s without a result", code, seconds)
  end
  return "the worker process ended without a result"
end

-- The tree has ended (or was stopped at the time limit): the result or the message.
function Job:conclude(timed_out)
  local dir = self.dir
  local err_text = fs.read(dir .. "/error.json")
  if timed_out then
    self.err = string.format("no result within %g s: the worker and everything it started were stopped " ..
      "(pass a larger timeout)", self.timeout)
  elseif err_text then
    local e = json.decode(err_text)
    self.err = type(e) == "table" and tostring(e.message) or err_text
  else
    local how, code = self.proc:status()
    local trained, result = fs.read(dir .. "/trained.pt"), fs.read(dir .. "/result.pt")
    if how == "exit" and code == 0 and trained and result then
      self.files = {trained = trained, result = result}
    else
      self.err = ended_message(how, code, sys.time() - self.t0)
    end
  end
  self:release()
end

--- job:step([seconds = 0]) -> finished
-- Waits at most seconds for the worker; passes on what it printed. Once
-- finished, job.files = {trained =, result =} (bytes) or job.err (a message).
function Job:step(seconds)
  if self.finished then return true end
  local left = self.t0 + self.timeout - sys.time()
  if left <= 0 then
    self.proc:stop()
    self:conclude(true)
    return true
  end
  local text, ended = self.proc:poll(math.min(left, seconds or 0))
  if text ~= "" then self.out(text) end
  if ended then self:conclude(false) end
  return self.finished == true
end

--- job:release(): ends the worker's process tree (if running) and removes the folder
function Job:release()
  self.finished = true
  if self.proc then self.proc:stop() end
  if self.dir then fs.remove_tree(self.dir) end
  self.dir = nil
  if not self.files and not self.err then self.err = "stopped" end
end
Job.cancel = Job.release

return local_job
