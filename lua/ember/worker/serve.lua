-- ember.worker.serve — `ember worker __serve`, the host's side of
-- ember.worker.run{host = ...}: started by ssh, it speaks the framed
-- protocol (ember.worker.frame) on stdin and stdout. It greets with its
-- ember version, receives the job (checking the version and every sha256),
-- writes the files into a temporary folder and runs them as a local job
-- (ember.worker.local_job: the same worker, process tree and messages as on
-- the caller's machine), forwarding the prints; then it removes the folder
-- and sends the error or the trained.pt and result.pt files and "done".
-- How it ends with the connection: ssh without a terminal sends no SIGHUP,
-- so this side reads stdin all the time and, at end of file (the caller
-- closed the channel, ssh died, sshd's session was killed) or when a write
-- fails, stops the job's process tree at once and exits. Watchdogs for a
-- connection that stays open but silent: 60 s to receive the job, and the
-- job's own time limit (plus a grace period) on the host.
-- Not here: the caller's side (ember.worker.ssh_job).
local frame = require "ember.worker.frame"
local local_job = require "ember.worker.local_job"
local sha256 = require "ember.sha256"
local sys = require "ember.sys"
local fs = require "ember.lesson.fs"

local serve = {}

local RECEIVE_LIMIT = 60   -- seconds without a byte while receiving the job
local GRACE = 10           -- seconds past the caller's timeout before the host stops on its own

-- The version this side reports and checks against the caller's.
-- EMBER_WORKER_TEST_VERSION pretends to be another version (the tests of
-- the check use it; the check itself is the one users get).
local function my_version()
  local v = os.getenv("EMBER_WORKER_TEST_VERSION")
  return (v and v ~= "") and v or torch.__version__
end

--- serve.main() -> exit code
function serve.main()
  local function send(kind, header, payload)
    local ok = sys.write_stdout(frame.encode(kind, header, payload))
    if not ok then error({gone = true}) end
  end
  local job, dir
  local function cleanup()
    if job then job:cancel()                    -- removes dir too
    elseif dir then fs.remove_tree(dir) end
    job, dir = nil, nil
  end
  local ok, err = pcall(function()
    send("hello", {ember_version = my_version(), protocol = 1})
    local reader = frame.reader()
    local spec, files = nil, {}
    local last = sys.time()
    -- receiving: the job, its files, then "run"
    while true do
      local text = sys.read_stdin(1, 1 << 20)
      if text == nil then error({gone = true}) end
      if text ~= "" then last = sys.time() end
      if sys.time() - last > RECEIVE_LIMIT then error({gone = true}) end
      reader:feed(text)
      local started = false
      while true do
        local f = reader:next()
        if not f then break end
        local h = f.header
        if f.kind == "job" then
          if h.ember_version ~= my_version() then
            error(string.format("ember versions differ: %s on the caller's side, %s here (install the same " ..
              "ember version on both machines)", tostring(h.ember_version), my_version()), 0)
          end
          if sha256.string(f.payload) ~= h.file_sha256 then
            error(tostring(h.name) .. " arrived damaged (its sha256 does not match)", 0)
          end
          spec = h
          spec.source = f.payload
        elseif f.kind == "file" then
          if sha256.string(f.payload) ~= h.sha256 then
            error(tostring(h.name) .. " arrived damaged (its sha256 does not match)", 0)
          end
          files[h.name] = f.payload
        elseif f.kind == "run" then
          started = true
          break
        else
          error("unexpected '" .. f.kind .. "' frame from the caller", 0)
        end
      end
      if started then break end
    end
    if not spec or not files["model.pt"] or not files["tensors.pt"] or not files["args.pt"] then
      error("the caller said run before sending the job and its files", 0)
    end
    -- one folder for the job: the Lua file (loaded under the caller's name,
    -- for messages) and the worker's files
    local derr
    dir, derr = fs.tempdir()
    if not dir then error("cannot make a temporary folder: " .. tostring(derr), 0) end
    local path = dir .. "/source-" .. (fs.basename(spec.name):gsub("[^%w_.-]", "_"))
    assert(fs.write(path, spec.source))
    local ran_sha = assert(sha256.file(path))
    local payload = {model = files["model.pt"], tensors = files["tensors.pt"], file = path, name = spec.name,
                     fn = spec.fn}
    job = local_job.start{payload = payload, args = files["args.pt"], timeout = (spec.timeout or 600) + GRACE,
                          out = function(text) send("print", {}, text) end, dir = dir}
    while not job:step(0.1) do
      local text = sys.read_stdin(0)
      if text == nil then error({gone = true}) end   -- the channel closed: stop everything
    end
    local result, message = job.files, job.err
    cleanup()
    if not result then
      send("error", {message = message})
      return
    end
    send("file", {name = "trained.pt", sha256 = sha256.string(result.trained)}, result.trained)
    send("file", {name = "result.pt", sha256 = sha256.string(result.result)}, result.result)
    send("done", {file_sha256 = ran_sha})
  end)
  cleanup()
  if ok then return 0 end
  if type(err) == "table" and err.gone then return 3 end
  pcall(send, "error", {message = tostring(err)})
  return 1
end

return serve
