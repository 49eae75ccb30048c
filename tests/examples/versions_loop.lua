-- Overwrites one version in an endless loop, for tests/examples/test_versions_crash.sh
-- (which kills this process at random moments):
--   ember run versions_loop.lua BASE exchange  -- versions.save {overwrite = true}
--   ember run versions_loop.lua BASE fallback  -- the same without renameat2
--                                                 (two renames, repaired by recovery)
--   ember run versions_loop.lua BASE inplace   -- the control: the old version
--                                                 removed first, then the new saved
-- Each save alternates between two models, "A" and "B", recorded as the
-- version's description. Right before its loop it creates BASE.started, so
-- that the test times its kill from the moment saving begins, not from the
-- process start (slow under ASan or on a loaded machine); a loop that nobody
-- kills (its test was killed itself) stops after MAX_SECONDS.
--   ember run versions_loop.lua BASE check     -- exits 0 if version 1.0.0 is
--       listed, loads with its hash verified and holds A's or B's weights
--   ember run versions_loop.lua BASE heal      -- saves A as 1.0.0 once
local versions = require "ember.versions"
local sys = require "ember.sys"
local base, mode = arg[1], arg[2]

local function model(tag)
  torch.manual_seed(tag == "A" and 1 or 2)
  return nn.Linear(500, 500)
end

local function fail(msg)
  io.stderr:write(msg, "\n")
  os.exit(1)
end

if mode == "check" then
  local all = versions.list(base)
  if #all ~= 1 or all[1].version ~= "1.0.0" then fail(string.format("%d versions listed", #all)) end
  local tag = all[1].description
  if tag ~= "A" and tag ~= "B" then fail("unexpected description " .. tostring(tag)) end
  local ok, m = pcall(versions.load, nn.Linear(500, 500), base, "1.0.0")
  if not ok then fail("load: " .. tostring(m)) end
  local want = model(tag)
  if not torch.equal(m.weight, want.weight) or not torch.equal(m.bias, want.bias) then
    fail("version " .. tag .. " does not hold " .. tag .. "'s weights")
  end
  print(tag)
  os.exit(0)
end

if mode == "fallback" then
  local rename = sys.rename
  sys.rename = function(from, to, how)
    if how then return nil, "renameat2 disabled", "unsupported" end
    return rename(from, to)
  end
end

local models = {A = model("A"), B = model("B")}
if mode == "heal" then
  versions.save(models.A, base, "1.0.0", {description = "A", overwrite = true})
  os.exit(0)
end
assert(mode == "exchange" or mode == "fallback" or mode == "inplace",
       "versions_loop.lua: mode must be exchange, fallback, inplace, heal or check")
local MAX_SECONDS = 300
local marker = assert(io.open(base .. ".started", "wb"))
marker:close()
local stop = os.time() + MAX_SECONDS
local i = 0
while os.time() < stop do
  i = i + 1
  local tag = i % 2 == 1 and "A" or "B"
  if mode == "inplace" then
    sys.remove_tree(base .. "/1.0.0")
    versions.save(models[tag], base, "1.0.0", {description = tag})
  else
    versions.save(models[tag], base, "1.0.0", {description = tag, overwrite = true})
  end
end
