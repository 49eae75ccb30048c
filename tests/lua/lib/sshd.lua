-- sshd.lua — a private OpenSSH server for tests: /usr/sbin/sshd on
-- 127.0.0.1 on a free high port, with a host key, a user key, its own
-- sshd_config, authorized_keys, known_hosts and pid file all in a temporary
-- folder (no system service, nothing outside the folder touched). sshd
-- needs its privilege separation folder /run/sshd; where it is missing the
-- server runs in a private mount namespace with a tmpfs on /run (unshare),
-- so the real /run is not touched either. start() -> server | nil, reason.
local sys = require "ember.sys"

local M = {}

local function sh(cmd)
  local ok = os.execute(cmd .. " >/dev/null 2>&1")
  return ok == true
end

local function read(path) return (require("ember.lesson.fs").read(path)) end   -- nil when absent
local function write(path, s) assert(require("ember.lesson.fs").write(path, s)) end

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function parent_of(pid)
  local stat = read("/proc/" .. pid .. "/stat")
  return stat and tonumber(stat:match("%) %S+ (%d+)"))
end

local function comm_of(pid) return (read("/proc/" .. pid .. "/comm") or ""):gsub("%s+$", "") end

-- every descendant of pid (from /proc), children before grandchildren
local function descendants(pid)
  local children = {}
  for _, name in ipairs(sys.listdir("/proc") or {}) do
    local p = tonumber(name)
    if p then
      local pp = parent_of(p)
      if pp then children[pp] = children[pp] or {} table.insert(children[pp], p) end
    end
  end
  local out, queue = {}, {pid}
  while #queue > 0 do
    local p = table.remove(queue, 1)
    for _, c in ipairs(children[p] or {}) do out[#out + 1] = c queue[#queue + 1] = c end
  end
  return out
end

function M.start()
  if not io.open("/usr/sbin/sshd") then return nil, "no /usr/sbin/sshd (Debian package openssh-server)" end
  for _, tool in ipairs({"ssh", "ssh-keygen"}) do
    if not sh("command -v " .. tool) then return nil, "no " .. tool .. " (Debian package openssh-client)" end
  end
  local dir = os.tmpname()
  os.remove(dir)
  dir = dir .. ".sshd"
  assert(sys.mkdir(dir))
  local server = {dir = dir}
  function server.stop()
    local pid = tonumber(read(dir .. "/sshd.pid") or "")
    if pid then
      for _, p in ipairs(descendants(pid)) do if comm_of(p) == "sshd" then sh("kill -9 " .. p) end end
      sh("kill " .. pid)
    end
    sh("rm -rf " .. q(dir))
  end
  local function give_up(reason)
    server.stop()
    return nil, reason
  end
  for _, k in ipairs({"host_key", "user_key", "other_key"}) do
    if not sh("ssh-keygen -q -t ed25519 -N '' -f " .. q(dir .. "/" .. k)) then return give_up("ssh-keygen failed") end
  end
  write(dir .. "/authorized_keys", read(dir .. "/user_key.pub"))
  local p = io.popen("id -un")
  local user = p:read("l")
  p:close()
  local privsep = io.open("/run/sshd") ~= nil
  local log = dir .. "/sshd.log"
  local started = false
  for _ = 1, 8 do
    local port = math.random(20000, 60999)
    write(dir .. "/sshd_config", table.concat({
      "Port " .. port, "ListenAddress 127.0.0.1", "HostKey " .. dir .. "/host_key",
      "PidFile " .. dir .. "/sshd.pid", "AuthorizedKeysFile " .. dir .. "/authorized_keys",
      "StrictModes no", "UsePAM no", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes", "PermitRootLogin prohibit-password", "AllowUsers " .. user,
      "MaxStartups 100", "LogLevel ERROR", ""}, "\n"))
    local run = "/usr/sbin/sshd -f " .. q(dir .. "/sshd_config") .. " -E " .. q(log)
    if not privsep then
      run = "unshare -m sh -c " .. q("mount -t tmpfs -o mode=755 tmpfs /run && mkdir -m 755 /run/sshd && exec " .. run)
    end
    os.remove(log)
    if sh(run) then
      -- the pid file appears once the listener is up
      local t0 = sys.time()
      -- (sshd daemonizes before it binds: a port in use shows in its log)
      while not read(dir .. "/sshd.pid") and (read(log) or "") == "" and sys.time() - t0 < 20 do sh("sleep 0.05") end
      if read(dir .. "/sshd.pid") then
        server.port, started = port, true
        break
      end
    end
    local said = read(log) or ""
    if not said:find("ind", 1, true) then   -- not "Cannot bind" / "Bind to port": no use retrying
      return give_up("sshd could not be started" .. (privsep and "" or " (no /run/sshd; unshare -m)") .. ": " ..
        (said ~= "" and said:gsub("%s+$", "") or "no message"))
    end
  end
  if not started then return give_up("sshd found no free port") end
  write(dir .. "/known_hosts", string.format("[127.0.0.1]:%d %s", server.port, read(dir .. "/host_key.pub")))
  server.user = user
  server.host = user .. "@127.0.0.1"
  local function options(key)
    return {"-F", "/dev/null", "-i", dir .. "/" .. key, "-o", "IdentitiesOnly=yes",
            "-o", "UserKnownHostsFile=" .. dir .. "/known_hosts", "-o", "StrictHostKeyChecking=yes"}
  end
  server.ssh_options = options("user_key")
  server.other_options = options("other_key")
  local probe = {"ssh", "-p", tostring(server.port), "-o", "BatchMode=yes"}
  for _, o in ipairs(server.ssh_options) do probe[#probe + 1] = q(o) end
  probe[#probe + 1] = server.host
  probe[#probe + 1] = "true"
  if not sh(table.concat(probe, " ")) then
    return give_up("sshd started but ssh to it failed: " .. (read(log) or ""):gsub("%s+$", ""))
  end
  -- kills the sshd processes of every open session (not the listener): the
  -- connections drop as they would when a network or a host goes away
  function server.kill_sessions()
    local pid = tonumber(read(dir .. "/sshd.pid") or "")
    local n = 0
    for _, c in ipairs(pid and descendants(pid) or {}) do
      if comm_of(c) == "sshd" then
        sh("kill -9 " .. c)
        n = n + 1
      end
    end
    return n
  end
  -- a script that runs exe with this process's environment variables that
  -- matter to ember (ssh starts commands with a fresh environment), plus extra
  function server.wrapper(name, exe, extra)
    local lines = {"#!/bin/sh"}
    -- ember's own, the sanitizers' and the math libraries' (OpenBLAS picks
    -- its kernels from OPENBLAS_CORETYPE: other kernels, other last bits)
    for entry in (read("/proc/self/environ") or ""):gmatch("[^%z]+") do
      local k, val = entry:match("^([%w_]+)=(.*)$")
      if k and (k:match("^EMBER_") or k:match("^OPENBLAS_") or k:match("^G?OMP_") or k:match("SAN_OPTIONS$")) then
        lines[#lines + 1] = "export " .. k .. "=" .. q(val)
      end
    end
    for k, v in pairs(extra or {}) do lines[#lines + 1] = "export " .. k .. "=" .. q(v) end
    lines[#lines + 1] = "exec " .. q(exe) .. ' "$@"'
    local path = dir .. "/" .. name
    write(path, table.concat(lines, "\n") .. "\n")
    sh("chmod 755 " .. q(path))
    return path
  end
  return server
end

return M
