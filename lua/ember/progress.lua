-- ember.progress — a one-line progress bar for training loops, drawn on
-- stderr only when stderr is a terminal (so logs and CI output stay clean):
--   local bar = progress.new(#loader, "epoch 1")
--   for ... do ... bar:update(i, string.format("loss %.4f", loss)) end
--   bar:done()
local sys = require "ember.sys"

local progress = {}
progress.__index = progress

--- progress.new(total[, label]) -> bar
-- A one-line progress bar for `total` steps, drawn on stderr only when
-- stderr is a terminal (logs stay clean). Like a minimal tqdm.
-- Example: local bar = require("ember.progress").new(#loader, "epoch 1")
function progress.new(total, label)
  return setmetatable({total = total, label = label or "", tty = sys.isatty("stderr"), last = -1,
                       start = sys.time()}, progress)
end

--- bar:update(i[, info])
-- Draws step i of total with an optional text (e.g. the loss), at most
-- about 20 times a second (the last step always).
-- Example: bar:update(i, string.format("loss %.4f", loss:item()))
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

--- bar:done() -> seconds
-- Clears the bar's line; returns the seconds since progress.new.
function progress:done()
  if self.tty then io.stderr:write("\r\27[K") io.stderr:flush() end
  return sys.time() - self.start
end

return progress
