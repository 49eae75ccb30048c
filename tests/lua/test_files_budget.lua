-- test_files_budget.lua — EMBER_MEMORY_BUDGET covers torch.load: a file is
-- read by offsets (storages straight into their tensors), never copied whole,
-- so a checkpoint whose tensors would not fit the budget is refused before
-- its bytes are read, and the process never holds the file's size in memory.
-- Each case is a sparse file (a hole the size of the data, no disk used) with
-- a huge declared tensor: a 1.5 GiB zip record, a 1 GiB legacy storage. The
-- peak resident memory of this process (VmHWM) must stay far below them.
-- Runs first in its own process, so VmHWM is this file's.
local T = require "ember.test"
local budget = require "ember.budget"

local MB, GB = 2^20, 2^30

local function tmpname()
  local p = os.tmpname()
  os.remove(p)
  return p
end

local function peak_rss()
  for l in io.lines("/proc/self/status") do
    local kb = l:match("^VmHWM:%s+(%d+) kB")
    if kb then return tonumber(kb) * 1024 end
  end
  error("no VmHWM in /proc/self/status")
end

local function with_budget(bytes, fn)
  collectgarbage("collect")
  local old = budget.set(bytes)
  local ok, err = pcall(fn)
  budget.set(old)
  collectgarbage("collect")
  if not ok then error(err, 0) end
end

-- A stored zip with the given entries ({name, bytes} or {name, size = n} for
-- a hole of n bytes); the central directory and end record after them.
local function write_zip(path, entries)
  local f = assert(io.open(path, "wb"))
  local cd, pos = {}, 0
  for _, e in ipairs(entries) do
    local size = e.size or #e[2]
    local lh = string.pack("<I4I2I2I2I2I2I4I4I4I2I2", 0x04034b50, 20, 0, 0, 0, 0, 0, size, size, #e[1], 0) .. e[1]
    f:write(lh)
    if e.size then f:seek("cur", e.size) else f:write(e[2]) end
    cd[#cd + 1] = string.pack("<I4I2I2I2I2I2I2I4I4I4I2I2I2I2I2I4I4", 0x02014b50, 20, 20, 0, 0, 0, 0, 0, size, size,
      #e[1], 0, 0, 0, 0, 0, pos) .. e[1]
    pos = pos + #lh + size
  end
  local dir = table.concat(cd)
  f:write(dir, string.pack("<I4I2I2I2I2I4I4I2", 0x06054b50, 0, 0, #cd, #cd, #dir, pos, 0))
  f:close()
end

T.test("a zip checkpoint whose records exceed the budget is refused before they are read", function()
  local path = tmpname()
  -- data.pkl names one FloatStorage of 1.5 GiB / 4 elements, record data/0 is a hole that size
  local numel = 3 * GB // 2 // 4
  local pkl = "\128\2ctorch._utils\n_rebuild_tensor_v2\n((X\7\0\0\0storagectorch\nFloatStorage\nX\1\0\0\0" ..
    "0X\3\0\0\0cpuJ" .. string.pack("<i4", numel) .. "tQK\0J" .. string.pack("<i4", numel) .. "\133K\1\133\137" ..
    "ccollections\nOrderedDict\n)RtR."
  write_zip(path, {{"big/data.pkl", pkl}, {"big/data/0", size = numel * 4}, {"big/version", "3\n"}})
  local before = peak_rss()
  with_budget(64 * MB, function()
    T.error(function() torch.load(path) end, "refusing to load: its tensors need 1536.0 MB")
    T.error(function() torch.load(path) end, "memory budget")
  end)
  T.ok(peak_rss() < before + 64 * MB, string.format("peak memory grew by %.0f MB", (peak_rss() - before) / MB))
  os.remove(path)
end)

T.test("a legacy checkpoint whose storage exceeds the budget is refused before it is read", function()
  local path = tmpname()
  local n = 70000                                 -- pickled as BININT: patched to 2^28 below
  torch.save({w = torch.ones(n)}, path, {_use_new_zipfile_serialization = false})
  local bytes = assert(io.open(path, "rb")):read("a")
  local big = 2^28                                -- 1 GiB of float32
  local data_at = #bytes - n * 4 - 8               -- the count and the elements end the file
  local head = bytes:sub(1, data_at):gsub("J" .. string.pack("<i4", n):gsub("%W", "%%%0"), "J" .. string.pack("<i4", big))
  T.eq(#head, data_at, "patched in place")
  local f = assert(io.open(path, "wb"))
  f:write(head, string.pack("<i8", big))
  f:seek("cur", big * 4 - 1)
  f:write("\0")
  f:close()
  local before = peak_rss()
  with_budget(64 * MB, function()
    T.error(function() torch.load(path) end, "memory budget")
  end)
  T.ok(peak_rss() < before + 64 * MB, string.format("peak memory grew by %.0f MB", (peak_rss() - before) / MB))
  os.remove(path)
end)

T.test("without a budget the same loader reads a real file by offsets", function()
  local path = tmpname()
  local w = torch.arange(300000, {dtype = torch.float32})
  for _, legacy in ipairs({false, true}) do
    torch.save({w = w, v = w:narrow(1, 11, 5)}, path, {_use_new_zipfile_serialization = not legacy})
    local back = torch.load(path)
    T.ok(torch.equal(back.w, w) and torch.equal(back.v, w:narrow(1, 11, 5)))
  end
  -- under a budget that fits, it loads too
  with_budget(64 * MB, function() T.ok(torch.equal(torch.load(path).w, w)) end)
  os.remove(path)
end)

T.run()
