-- ember.progress — a one-line progress bar for training loops, drawn on
-- stderr only when stderr is a terminal (so logs and CI output stay clean):
--   local bar = progress.new(#loader, "epoch 1")
--   for ... do ... bar:update(i, string.format("loss %.4f", loss)) end
--   bar:done()
local sys = require "ember.sys"

local progress = {}
progress.__index = progress

function progress.new(total, label)
  return setmetatable({total = total, label = label or "", tty = sys.isatty("stderr"), last = -1,
                       start = sys.time()}, progress)
end

--- update(i[, info]): draws step i of total (at most ~20 times a second).
function progress:update(i, info)
  if not self.tty then return end
  local now = sys.time()
  if i < self.total and now - self.last < 0.05 then return end
  self.last = now
  local width = 30
  local filled = math.floor(width * i / math.max(self.total, 1))
  io.stderr:write(string.format("\r%s [%s%s] %d/%d %s \27[K", self.label, string.rep("=", filled),
    string.rep(" ", width - filled), i, self.total, info or ""))
  io.stderr:flush()
end

--- done(): clears the bar's line.
function progress:done()
  if self.tty then io.stderr:write("\r\27[K") io.stderr:flush() end
  return sys.time() - self.start
end

return progress
