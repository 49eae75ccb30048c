-- ember.worker.frame — the framed protocol of the remote worker: what
-- `ember worker __serve` (on the host) and ember.worker.run{host = ...} (here)
-- say to each other over the ssh channel's stdin and stdout. One frame is
--   "EMBER-FRAME/1 KIND HLEN PLEN\n" .. header .. payload .. sha256 .. "\n"
-- with KIND a word, header HLEN bytes of JSON (an object), payload PLEN raw
-- bytes (a file's contents, printed text) and sha256 the 64 hex digits of
-- header .. payload: a frame that arrives damaged is an error, never data.
-- The text line first means that anything else on the channel (a login
-- script that prints) is reported as it is, not misread as a length.
-- Not here: what the frames mean (ember.worker.ssh_job, ember.worker.serve).
local json = require "ember.lesson.json"
local sha256 = require "ember.sha256"

local frame = {}

frame.MAGIC = "EMBER-FRAME/1"
local MAX_HEADER = 1 << 20

--- frame.encode(kind, header, payload) -> the bytes of one frame
function frame.encode(kind, header, payload)
  assert(kind:match("^%l[%l_]*$"), "frame kind must be a lowercase word")
  local h = json.encode(header or {})
  payload = payload or ""
  return string.format("%s %s %d %d\n", frame.MAGIC, kind, #h, #payload) .. h .. payload ..
         sha256.string(h .. payload) .. "\n"
end

-- A printable excerpt of bytes that are not a frame, for messages.
local function excerpt(s)
  s = s:sub(1, 200):gsub("[^\32-\126\n]", "?"):gsub("\n", " | ")
  return s
end

--- frame.reader() -> reader: reader:feed(bytes); reader:next() -> frame | nil
-- Collects bytes as they come and hands out whole frames, {kind =,
-- header =, payload =}, in order; next() returns nil while a frame is
-- incomplete and raises an error (a string) on bytes that are not a frame
-- or a frame whose sha256 does not match.
function frame.reader()
  -- bytes fed go to `parts` and are joined only once a whole frame (`need`
  -- bytes from `pos`) can be there: a large file arrives in linear time
  local r = {buf = "", pos = 1, parts = {}, have = 0, need = 1}
  function r:feed(bytes)
    if bytes and bytes ~= "" then
      self.parts[#self.parts + 1] = bytes
      self.have = self.have + #bytes
    end
  end
  function r:pending() return #self.buf - self.pos + 1 + self.have end
  function r:next()
    if self:pending() < self.need then return nil end
    if self.have > 0 then
      self.buf = self.buf:sub(self.pos) .. table.concat(self.parts)
      self.pos, self.parts, self.have = 1, {}, 0
    end
    local buf, pos = self.buf, self.pos
    local nl = buf:find("\n", pos, true)
    local line = buf:sub(pos, nl and nl - 1 or pos + 99)
    if line ~= frame.MAGIC:sub(1, #line) and line:sub(1, #frame.MAGIC + 1) ~= frame.MAGIC .. " " then
      error("not ember's protocol: " .. excerpt(buf:sub(pos)), 0)
    end
    if not nl then
      if #line >= 100 then error("not ember's protocol: " .. excerpt(line), 0) end
      self.need = #buf - pos + 2
      return nil
    end
    local kind, hlen, plen = line:match("^" .. frame.MAGIC:gsub("%p", "%%%0") .. " (%l[%l_]*) (%d+) (%d+)$")
    hlen, plen = tonumber(hlen), tonumber(plen)
    if not kind or not hlen or not plen or hlen > MAX_HEADER then
      error("not ember's protocol: " .. excerpt(line), 0)
    end
    local body = nl + 1
    local total = hlen + plen + 65
    if #buf - body + 1 < total then
      self.need = body - pos + total
      return nil
    end
    local h = buf:sub(body, body + hlen - 1)
    local payload = buf:sub(body + hlen, body + hlen + plen - 1)
    local digest = buf:sub(body + hlen + plen, body + hlen + plen + 63)
    if buf:sub(body + total - 1, body + total - 1) ~= "\n" or sha256.string(h .. payload) ~= digest then
      error(string.format("a damaged '%s' frame (its sha256 does not match what arrived)", kind), 0)
    end
    local header, err = json.decode(h)
    if type(header) ~= "table" then error("a '" .. kind .. "' frame with a bad header: " .. tostring(err), 0) end
    self.pos, self.need = body + total, 1
    return {kind = kind, header = header, payload = payload}
  end
  return r
end

return frame
