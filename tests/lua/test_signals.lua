-- test_signals.lua — Ctrl-C (SIGINT, which ember handles) arriving while
-- oneDNN's JIT kernels run: a float32 product large enough for oneDNN's
-- sgemm, and a convolution. oneDNN 2.6's gemm kernels point the stack
-- pointer into the heap while they run, so a signal handled on that thread
-- wrote its frame into the heap (oneDNN issue #4845); ember blocks signals
-- around every oneDNN call and starts OpenMP's workers with them blocked.
-- A background shell sends SIGINT every 20 ms; each one stops a loop of
-- products, which starts again. Afterwards products, a training step and a
-- full garbage collection must still work and give the right numbers (the
-- heap corruption made glibc abort or segfault within a few signals).
-- Run: build/ember run tests/lua/test_signals.lua
local T = require "ember.test"
local interrupt = require "ember.interrupt"

-- `ember run` leaves SIGINT's default action (end the script) until
-- interrupt.call installs ember's handler; install it before any signal is
-- sent, or the first one can arrive before it and end the test.
interrupt.clear()

local function my_pid()
  local f = assert(io.open("/proc/self/stat"))
  local pid = f:read("n")
  f:close()
  return pid
end

-- Sends SIGINT `count` times, every 20 ms, from a background shell; returns
-- a function that says whether the shell is still sending (30 s at most).
local function send_signals(count)
  local done = os.tmpname()
  os.remove(done)
  os.execute(string.format(
    "(i=0; while [ $i -lt %d ]; do kill -INT %d; sleep 0.02; i=$((i+1)); done; touch %s) >/dev/null 2>&1 &",
    count, my_pid(), done))
  local finished, deadline = false, os.time() + 30
  return function()
    if not finished then
      local f = io.open(done)
      if f then f:close(); os.remove(done) end
      finished = f ~= nil or os.time() > deadline
    end
    return not finished
  end
end

-- Runs `work` again and again under interrupt.call while the signals come;
-- returns how many runs Ctrl-C stopped.
local function interrupted_runs(work, count)
  local sending, stopped = send_signals(count), 0
  while true do
    local ok, err, by_signal = interrupt.call(function() while sending() do work() end end)
    if ok then return stopped end
    if not by_signal then error(err, 0) end
    stopped = stopped + 1
  end
end

-- A product checked against float64: the kernels still compute correctly.
local function check_product()
  torch.manual_seed(3)
  local a, b = torch.randn(200, 300), torch.randn(300, 250)
  local err = (a:matmul(b):double() - a:double():matmul(b:double())):abs():max():item()
  T.ok(err < 1e-3, "product after the signals: max error " .. err)
end

T.test("SIGINT during oneDNN's sgemm leaves the heap intact, on 1 and 2 threads", function()
  local a, b = torch.randn(512, 784), torch.randn(784, 512)
  local before = torch.get_num_threads()
  for _, threads in ipairs({1, 2}) do
    torch.set_num_threads(threads)   -- 2: OpenMP's worker runs half of each product
    local stopped = interrupted_runs(function() local c = a:matmul(b) end, 50)
    T.ok(stopped >= 10, threads .. " threads: Ctrl-C stopped " .. stopped .. " product loops")
    check_product()
  end
  torch.set_num_threads(before)
end)

T.test("SIGINT during oneDNN's convolutions leaves the heap intact", function()
  local x, w = torch.randn(16, 32, 28, 28), torch.randn(64, 32, 3, 3)
  w.requires_grad = true
  local stopped = interrupted_runs(function() F.conv2d(x, w, nil, 1, 1):sum():backward() end, 40)
  T.ok(stopped >= 5, "Ctrl-C stopped " .. stopped .. " convolution loops")
  check_product()
end)

T.test("after the signals: training steps, many allocations and a full collection", function()
  torch.manual_seed(0)
  local net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
  local opt = optim.Adam(net:parameters(), {lr = 1e-3})
  local x, y = torch.randn(64, 784), torch.randint(0, 10, {64})
  local first, last
  for step = 1, 50 do
    opt:zero_grad()
    local loss = F.cross_entropy(net(x), y)
    loss:backward()
    opt:step()
    first = first or loss:item()
    last = loss:item()
  end
  T.ok(last < first, string.format("loss fell: %.4f -> %.4f", first, last))
  local keep = {}
  for i = 1, 2000 do keep[i] = torch.randn(i % 97 + 1) end
  keep = nil
  collectgarbage()
  collectgarbage()
  check_product()
end)

T.run()
