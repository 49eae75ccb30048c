-- sys.spawn (src/app/proc.c): a child process tree that always ends. Output
-- comes through a pipe read with a deadline, so a process holding the pipe
-- open never holds the caller; when the command ends, is stopped or its
-- handle is collected, everything it started ends too — also a grandchild
-- that left the process group with setsid (the supervisor is a Linux child
-- subreaper). Bounds on elapsed time are generous: a loaded 2-core machine.
local T = require "ember.test"
local sys = require "ember.sys"

-- "exit 3", "signal 9", "stopped": how the command ended, as one string
local function status(p) return table.concat({p:status()}, " ") end

local function alive(pid) return os.execute("kill -0 " .. pid .. " 2>/dev/null") == true end

-- Polls p until it ends or `limit` seconds pass; returns all output, ended.
local function collect(p, limit)
  local out, t0 = {}, sys.time()
  while sys.time() - t0 < limit do
    local text, ended = p:poll(0.2)
    out[#out + 1] = text
    if ended then return table.concat(out), true end
  end
  return table.concat(out), false
end

-- The pids a command printed, one per line.
local function pids(text)
  local list = {}
  for n in text:gmatch("pid (%d+)") do list[#list + 1] = tonumber(n) end
  return list
end

T.test("output, exit codes and signals come back", function()
  local p = assert(sys.spawn({"sh", "-c", "echo hello; echo world; exit 3"}))
  local text, ended = collect(p, 20)
  T.ok(ended, "ended")
  T.eq(text, "hello\nworld\n")
  T.eq(status(p), "exit 3")
  p = assert(sys.spawn({"sh", "-c", "kill -9 $$"}))
  T.ok(select(2, collect(p, 20)), "ended")
  T.eq(status(p), "signal 9")
end)

T.test("the command runs in the folder given, with stdin from /dev/null", function()
  local dir = os.tmpname()
  os.remove(dir)
  assert(sys.mkdir(dir))
  local p = assert(sys.spawn({"sh", "-c", "pwd; cat; echo end"}, dir))
  local text = collect(p, 20)
  T.eq(text, dir .. "\nend\n")
  os.remove(dir)
end)

T.test("a missing program is exit code 127, not a hang", function()
  local p = assert(sys.spawn({"/nonexistent/program"}))
  T.ok(select(2, collect(p, 20)), "ended")
  T.eq(status(p), "exit 127")
end)

for _, setsid in ipairs({false, true}) do
  local how = setsid and "setsid sleep 60" or "sleep 60"
  T.test("a command that ends leaving `" .. how .. " &` on the pipe: ended at once, the sleep killed", function()
    local p = assert(sys.spawn({"sh", "-c", how .. " & echo pid $!"}))
    local t0 = sys.time()
    local text, ended = collect(p, 30)
    T.ok(ended, "ended")
    T.ok(sys.time() - t0 < 10, string.format("took %.1f s (the sleep lasts 60)", sys.time() - t0))
    T.eq(status(p), "exit 0")
    local list = pids(text)
    T.eq(#list, 1)
    T.ok(not alive(list[1]), "the sleep is still running")
  end)

  T.test("stop() ends a running command and its `" .. how .. " &`", function()
    local p = assert(sys.spawn({"sh", "-c", how .. " & echo pid $!; echo pid $$; while :; do sleep 1; done"}))
    local text = ""
    local t0 = sys.time()
    while #pids(text) < 2 and sys.time() - t0 < 20 do text = text .. p:poll(0.2) end
    local list = pids(text)
    T.eq(#list, 2)
    p:stop()
    T.eq(p:status(), "stopped")
    local text2, ended = p:poll(0)
    T.eq(text2, "")
    T.eq(ended, true)
    for _, pid in ipairs(list) do T.ok(not alive(pid), "process " .. pid .. " is still running") end
  end)
end

T.test("a handle collected while its command runs ends the tree", function()
  local p = assert(sys.spawn({"sh", "-c", "setsid sleep 60 & echo pid $!; echo pid $$; sleep 60"}))
  local text = ""
  local t0 = sys.time()
  while #pids(text) < 2 and sys.time() - t0 < 20 do text = text .. p:poll(0.2) end
  local list = pids(text)
  T.eq(#list, 2)
  p = nil   -- luacheck: ignore
  collectgarbage()
  collectgarbage()
  for _, pid in ipairs(list) do T.ok(not alive(pid), "process " .. pid .. " is still running") end
end)

T.test("a grandchild that double-forks and calls setsid is still found", function()
  -- the shell in between exits at once, so the sleep is an orphan in its own session
  local p = assert(sys.spawn({"sh", "-c", "sh -c 'setsid sleep 60 & echo pid $!' ; sleep 60"}))
  local text = ""
  local t0 = sys.time()
  while #pids(text) < 1 and sys.time() - t0 < 20 do text = text .. p:poll(0.2) end
  local list = pids(text)
  T.eq(#list, 1)
  p:stop()
  T.ok(not alive(list[1]), "the sleep is still running")
end)

T.test("the caller killed with SIGKILL: its tree ends too (PR_SET_PDEATHSIG)", function()
  local fs = require "ember.lesson.fs"
  local script, pidfile = os.tmpname(), os.tmpname()
  os.remove(pidfile)
  local f = assert(io.open(script, "w"))
  f:write(string.format([[
    local sys = require "ember.sys"
    local p = assert(sys.spawn({"sh", "-c", "setsid sleep 60 & echo pid $!; echo pid $$; sleep 60"}))
    local text = ""
    while select(2, text:gsub("pid", "")) < 2 do text = text .. p:poll(0.2) end
    local out = assert(io.open(%q, "w"))
    out:write(text)
    out:close()
    while true do p:poll(1) end
  ]], pidfile))
  f:close()
  local h = io.popen(string.format("%s run %s >/dev/null 2>&1 & echo $!", fs.quote(fs.exe()), fs.quote(script)))
  local caller = tonumber(h:read("l"))
  h:close()
  local t0 = sys.time()
  local text
  repeat
    local g = io.open(pidfile)
    text = g and g:read("a")
    if g then g:close() end
    if not (text and #pids(text) == 2) then os.execute("sleep 0.05") end
  until (text and #pids(text) == 2) or sys.time() - t0 > 20
  local list = pids(text or "")
  T.eq(#list, 2)
  os.execute("kill -9 " .. caller)
  -- the supervisor hears of it by a signal; give it a few seconds on a loaded machine
  local gone = false
  t0 = sys.time()
  while not gone and sys.time() - t0 < 10 do
    gone = not alive(list[1]) and not alive(list[2])
    if not gone then os.execute("sleep 0.05") end
  end
  os.remove(script)
  os.remove(pidfile)
  for _, pid in ipairs(list) do T.ok(not alive(pid), "process " .. pid .. " is still running") end
end)

-- {stdin = true, stderr = true}: the remote worker's ssh is fed and heard this way
T.test("stdin and stderr as pipes: write, end of file, stderr apart from stdout", function()
  local p = assert(sys.spawn({"sh", "-c", "cat; echo said >&2; exit 4"}, nil, {stdin = true, stderr = true}))
  -- more than a pipe holds (64 KiB): written in parts while cat copies it out
  local big = string.rep("0123456789abcdef", 16384)
  local out, err, pos = {}, {}, 1
  while pos <= #big do
    local n = assert(p:write(big:sub(pos), 0.2))
    pos = pos + n
    local text, _, e = p:poll(0)
    out[#out + 1], err[#err + 1] = text, e
  end
  p:close_stdin()
  local t0 = sys.time()
  while sys.time() - t0 < 30 do
    local text, ended, e = p:poll(0.2)
    out[#out + 1], err[#err + 1] = text, e
    if ended then break end
  end
  T.eq(status(p), "exit 4")
  T.eq(#table.concat(out), #big)
  T.ok(table.concat(out) == big, "stdout is what went in")
  T.eq(table.concat(err), "said\n")
  local w, msg = p:write("more")
  T.eq(w, nil)
  T.ok(msg:find("stdin is closed", 1, true), msg)
end)

T.test("a command that exits without reading: write says so instead of hanging", function()
  local p = assert(sys.spawn({"true"}, nil, {stdin = true}))
  local _, ended = collect(p, 30)
  T.ok(ended, "ended")
  local t0 = sys.time()
  local n, msg = p:write(string.rep("x", 1 << 20), 5)
  T.eq(n, nil)
  T.ok(msg:find("Broken pipe", 1, true), tostring(msg))
  T.ok(sys.time() - t0 < 5, "at once")
  -- without stdin = true there is nothing to write to
  local q = assert(sys.spawn({"true"}))
  T.eq(select(2, q:write("x")):match("stdin is closed") ~= nil, true)
  collect(q, 30)
end)

T.test("sys.read_stdin and sys.write_stdout in a child ember", function()
  local script = os.tmpname()
  local f = assert(io.open(script, "w"))
  f:write([[
local sys = require "ember.sys"
local got = {}
while true do
  local s = sys.read_stdin(5)
  if s == nil then break end
  got[#got + 1] = s
end
assert(sys.write_stdout("read " .. #table.concat(got) .. " bytes, then end of file\n"))
]])
  f:close()
  local exe = require("ember.lesson.fs").exe()
  local p = assert(sys.spawn({exe, "run", script}, nil, {stdin = true}))
  T.eq(assert(p:write("hello", 5)), 5)
  p:close_stdin()
  local out, ended = collect(p, 60)
  os.remove(script)
  T.ok(ended, "ended")
  T.eq(out, "read 5 bytes, then end of file\n")
  T.eq(status(p), "exit 0")
end)

T.test("bad arguments", function()
  T.error(function() sys.spawn({"true"}, nil, {stdn = true}) end, "sys.spawn: unknown option 'stdn'")
  T.error(function() sys.spawn("sh") end, "table expected")
  T.error(function() sys.spawn({}) end, "1 to 255 strings")
  T.error(function() sys.spawn({"sh", 1}) end, "list of strings")
end)

T.run()
