-- ember.worker.ssh_job — one job run on another machine through OpenSSH:
-- `ssh HOST EMBER worker __serve` started in a process tree that always ends
-- (sys.spawn, with stdin and stderr as pipes), then the framed protocol
-- (ember.worker.frame) over the channel: the host greets with its ember
-- version ("hello"); this side checks it and sends the job (version, the
-- function's name, the Lua file and its sha256), the model, tensors and
-- arguments ("file" frames with their sha256) and "run"; the host streams
-- the worker's prints ("print") and ends with an "error" or with the
-- trained.pt and result.pt files and "done" (naming the sha256 of the Lua
-- file it ran). Everything travels inside the one ssh channel: nothing is
-- copied to the host's disk beyond the job's temporary folder, which the
-- host removes. Closing the channel (this side's time limit, an error,
-- Ctrl-C) is what ends the host's worker: `__serve` reads its stdin all the
-- time and stops its process tree at end of file.
-- Not here: the host's side (ember.worker.serve).
local frame = require "ember.worker.frame"
local sha256 = require "ember.sha256"
local sys = require "ember.sys"

local ssh_job = {}
local Job = {}
Job.__index = Job

local CHUNK = 1 << 20   -- bytes written to ssh's stdin per step

-- a word for the remote shell (sshd runs the command through the user's shell)
local function shell_word(s)
  local home, rest = s:match("^(~/)(.*)$")
  if home then return "~/" .. shell_word(rest) end
  if s:match("^[%w_./:=+-]+$") then return s end
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

--- ssh_job.command(host) -> the ssh argv for a host {host =, port =, ssh_options =, ember =}
-- BatchMode: ssh never prompts (a refused key is an error at once);
-- ServerAlive*: a connection that goes silent is noticed within ~15 s.
function ssh_job.command(h)
  local argv = {"ssh", "-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=5",
                "-o", "ServerAliveCountMax=3", "-o", "LogLevel=ERROR"}
  if h.port then
    argv[#argv + 1] = "-p"
    argv[#argv + 1] = tostring(math.tointeger(h.port) or h.port)
  end
  for _, o in ipairs(h.ssh_options or {}) do argv[#argv + 1] = o end
  argv[#argv + 1] = "--"
  argv[#argv + 1] = h.host
  argv[#argv + 1] = shell_word(h.ember or "ember") .. " worker __serve"
  return argv
end

--- ssh_job.start{payload =, args =, timeout =, out =, host =} -> job
function ssh_job.start(o)
  local proc, perr = sys.spawn(ssh_job.command(o.host), nil, {stdin = true, stderr = true})
  if not proc then error(perr .. " (is OpenSSH's client, ssh, installed?)", 0) end
  return setmetatable({proc = proc, payload = o.payload, args = o.args, timeout = o.timeout, out = o.out,
                       host = o.host, name = o.host.host, t0 = sys.time(), reader = frame.reader(),
                       stderr = "", state = "connecting", files = nil, received = {}}, Job)
end

-- the last lines ssh (or the host's shell) wrote on stderr, for messages
function Job:said()
  local s = self.stderr:gsub("%s+$", "")
  if s == "" then return "" end
  local lines = {}
  for line in s:gmatch("[^\r\n]+") do lines[#lines + 1] = line end
  return table.concat(lines, " / ", math.max(1, #lines - 3))
end

function Job:fail(msg)
  if self.finished then return end
  self.err = msg
  self:release()
end

-- ssh ended before "done": say why, from the phase and ssh's exit
function Job:lost()
  local how, code = self.proc:status()
  local said = self:said()
  local why = said ~= "" and ": " .. said or ""
  local host = self.name
  if self.state == "connecting" then
    if how == "exit" and (code == 127 or code == 126) then
      return string.format("ember was not found on %s (the command was %s)%s; pass ember = 'the path of ember " ..
        "on the host'", host, shell_word(self.host.ember or "ember"), why)
    elseif said:find("Permission denied", 1, true) or said:find("Too many authentication failures", 1, true) then
      return string.format("ssh to %s: authentication refused%s (ssh runs with BatchMode=yes and never asks " ..
        "for a password: set up a key, e.g. with ssh-copy-id)", host, why)
    elseif how == "exit" and code == 255 then
      return string.format("cannot reach %s with ssh%s", host, why)
    end
    return string.format("ember on %s ended before greeting (%s %s)%s", host, how, tostring(code or ""), why)
  end
  local seconds = sys.time() - self.t0
  local phase = self.state == "sending" and "while sending the model and tensors" or
                string.format("%.1f s into the job, before its result", seconds)
  return string.format("the connection to %s was lost %s (ssh %s %s)%s; the host's worker was stopped", host,
    phase, how, tostring(code or ""), why)
end

-- the job's frames, once the host has greeted with the same version
function Job:job_frames()
  local p = self.payload
  local parts = {frame.encode("job", {ember_version = torch.__version__, fn = p.fn, name = p.name,
                                      file_sha256 = p.source_sha256, timeout = self.timeout}, p.source)}
  for _, f in ipairs({{"model.pt", p.model}, {"tensors.pt", p.tensors}, {"args.pt", self.args}}) do
    parts[#parts + 1] = frame.encode("file", {name = f[1], sha256 = sha256.string(f[2])}, f[2])
  end
  parts[#parts + 1] = frame.encode("run", {})
  return table.concat(parts)
end

function Job:on_frame(f)
  local h = f.header
  if f.kind == "hello" and self.state == "connecting" then
    if h.ember_version ~= torch.__version__ then
      return self:fail(string.format("ember versions differ: %s here, %s on %s (install the same ember version " ..
        "on both machines)", torch.__version__, tostring(h.ember_version), self.name))
    end
    self.state, self.sendbuf, self.sendpos = "sending", self:job_frames(), 1
  elseif f.kind == "print" then
    self.out(f.payload)
  elseif f.kind == "error" then
    self:fail("on " .. self.name .. ": " .. tostring(h.message))
  elseif f.kind == "file" then
    if sha256.string(f.payload) ~= h.sha256 then
      return self:fail(string.format("%s arrived from %s damaged (its sha256 does not match)", tostring(h.name),
        self.name))
    end
    self.received[h.name] = f.payload
  elseif f.kind == "done" then
    if h.file_sha256 ~= self.payload.source_sha256 then
      return self:fail(string.format("%s ran a different %s (sha256 %s, here %s)", self.name, self.payload.name,
        tostring(h.file_sha256), self.payload.source_sha256))
    end
    local trained, result = self.received["trained.pt"], self.received["result.pt"]
    if not trained or not result then return self:fail(self.name .. " said done without sending the result") end
    self.files = {trained = trained, result = result}
    self:release()
  else
    self:fail(string.format("%s sent an unexpected '%s' frame", self.name, f.kind))
  end
end

--- job:step([seconds = 0]) -> finished (as local_job's)
function Job:step(seconds)
  if self.finished then return true end
  local left = self.t0 + self.timeout - sys.time()
  if left <= 0 then
    self:fail(string.format("no result from %s within %g s: the connection was closed, which stops the " ..
      "host's worker and everything it started (pass a larger timeout)", self.name, self.timeout))
    return true
  end
  local wait = math.min(left, seconds or 0)
  if self.sendbuf then
    local n, werr = self.proc:write(self.sendbuf:sub(self.sendpos, self.sendpos + CHUNK - 1), math.min(wait, 0.05))
    if n then
      self.sendpos = self.sendpos + n
      if self.sendpos > #self.sendbuf then self.sendbuf, self.state = nil, "running" end
    else
      self.write_error = werr
    end
    wait = 0
  end
  local text, ended, errtext = self.proc:poll(wait)
  self.stderr = (self.stderr .. errtext):sub(-4000)
  self.reader:feed(text)
  while not self.finished do
    local ok, f = pcall(self.reader.next, self.reader)
    if not ok then
      self:fail(string.format("%s answered outside ember's protocol: %s", self.name, tostring(f)))
    elseif not f then
      break
    else
      self:on_frame(f)
    end
  end
  if not self.finished and ended then self:fail(self:lost()) end
  return self.finished == true
end

--- job:release(): closes the connection (ending the host's worker) and ssh
function Job:release()
  self.finished = true
  self.sendbuf = nil
  self.proc:close_stdin()
  self.proc:stop()
  if not self.files and not self.err then self.err = "stopped" end
end
Job.cancel = Job.release

return ssh_job
