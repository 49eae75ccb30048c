-- Saves checkpoints in an endless loop, for tests/examples/test_crash_save.sh
-- (which kills this process at random moments):
--   ember run save_loop.lua PATH atomic   -- torch.save (temp file, fsync, rename)
--   ember run save_loop.lua PATH inplace  -- the naive way (the control): the
--                                            bytes written over the old file
-- Each checkpoint holds a counter k and a 1M-element tensor filled with k.
-- The control makes its bytes once (one checkpoint, k = 1) and then only
-- rewrites them in place: made in every round, through torch.save's fsync,
-- they took most of the round on a busy disk, and a kill seldom tore the file.
-- Right before its saving loop it creates PATH.started, so that the test
-- times its kill from the moment saving begins, not from the process start
-- (which is slow under ASan or on a loaded machine). A loop that nobody kills
-- (its test was killed itself) stops after MAX_SECONDS.
-- ember run save_loop.lua PATH check     -- exits 0 if PATH loads and is consistent
local path, mode = arg[1], arg[2]

if mode == "check" then
  local ok, ck = pcall(torch.load, path)
  if not ok then io.stderr:write("unloadable: ", tostring(ck), "\n") os.exit(1) end
  local consistent = ck.weights:eq(ck.k):all():item() and ck.weights:numel() == 1000000
  if not consistent then io.stderr:write("inconsistent checkpoint\n") os.exit(1) end
  print(ck.k)
  os.exit(0)
end

local MAX_SECONDS = 300
assert(mode == "atomic" or mode == "inplace", "save_loop.lua: mode must be atomic, inplace or check")
local weights = torch.zeros(1000000)
local function checkpoint(k)
  weights:fill_(k)
  local ck = torch.OrderedDict()
  ck.k = k
  ck.weights = weights
  return ck
end

local bytes
if mode == "inplace" then
  local scratch = path .. ".scratch"
  torch.save(checkpoint(1), scratch)
  local src = assert(io.open(scratch, "rb"))
  bytes = src:read("a")
  src:close()
end

local k = 0
local marker = assert(io.open(path .. ".started", "wb"))
marker:close()
local stop = os.time() + MAX_SECONDS
while os.time() < stop do
  k = k + 1
  if mode == "atomic" then
    torch.save(checkpoint(k), path)
  else
    local dst = assert(io.open(path, "wb"))        -- truncates the old checkpoint first
    for i = 1, #bytes, 65536 do dst:write(bytes:sub(i, i + 65535)) end
    dst:close()
  end
end
