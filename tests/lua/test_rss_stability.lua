-- test_rss_stability.lua — long-run stability: 10,000 training steps of the
-- MNISTClassifier (784-256-128-10, ReLU, Dropout 0.2, Adam 1e-3, batch 64)
-- with RSS sampled every 1,000 steps, right after a full Lua collection (so
-- that a sample measures what the loop keeps, not garbage that happens to
-- await the collector). Growth after the first 1,000 steps (warm-up) may
-- not exceed 10%: the median of the last three samples against the sample
-- at 1,000 steps. Single samples wander by ~10 MB as the C allocator keeps
-- or returns freed blocks; a leak grows steadily and shows in the median.
-- Prints the RSS curve.
-- EMBER_RSS_STEPS overrides the step count (e.g. for a quick run).
local T = require "ember.test"

local steps = tonumber(os.getenv("EMBER_RSS_STEPS") or "") or 10000
local every = math.max(1, steps // 10)

local function rss_mb()
  local f = assert(io.open("/proc/self/statm", "r"))
  local _, resident = f:read("l"):match("(%d+)%s+(%d+)")
  f:close()
  return tonumber(resident) * 4096 / 2^20
end

T.test("RSS stays flat over " .. steps .. " training steps", function()
  torch.manual_seed(0)
  local model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
    nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
  local opt = optim.Adam(model:parameters(), {lr = 1e-3})
  local loss_fn = nn.CrossEntropyLoss()
  -- a fixed pool of batches (fresh tensors every step would test the data
  -- side; the pool keeps the test about the training loop)
  local xs, ys = torch.rand(16, 64, 1, 28, 28), torch.randint(0, 10, {16, 64})
  local samples = {}
  local first_loss, last_loss
  for step = 1, steps do
    local i = (step - 1) % 16 + 1
    opt:zero_grad()
    local loss = loss_fn(model(xs[i]), ys[i])
    loss:backward()
    opt:step()
    if step == 1 then first_loss = loss:item() end
    if step % every == 0 then
      collectgarbage("collect")
      samples[#samples + 1] = rss_mb()
      last_loss = loss:item()
    end
  end
  local line = {}
  for k, mb in ipairs(samples) do line[#line + 1] = string.format("%d:%.1f", k * every, mb) end
  print("RSS (MB) by step: " .. table.concat(line, "  "))
  local warm = samples[1]
  local tail = {samples[#samples - 2], samples[#samples - 1], samples[#samples]}
  table.sort(tail)
  local late, worst = tail[2], 0
  for k = 2, #samples do worst = math.max(worst, samples[k]) end
  print(string.format("after warm-up: %.1f MB; at the end (median of 3): %.1f MB (%+.1f%%); highest: %.1f MB",
    warm, late, 100 * (late - warm) / warm, worst))
  -- under AddressSanitizer (scripts/sanitize.sh) RSS holds ASan's quarantine
  -- and shadow memory: the loop runs for its errors and leaks, the figure
  -- is only printed
  if os.getenv("EMBER_RSS_REPORT_ONLY") ~= "1" then
    T.ok(late <= warm * 1.10, string.format("RSS grew from %.1f MB to %.1f MB", warm, late))
  end
  T.ok(last_loss < first_loss, "the loss must fall (it is a real training loop)")
end)

T.run()
