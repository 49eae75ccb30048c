-- ember.lesson.wrap — a writer that wraps what a lesson step prints to the
-- terminal's width as it streams by: a line longer than the width continues
-- on the next line, indented by two spaces and marked "↪"; a tab that would
-- cross the edge becomes the line break. Escape sequences (colours) take no
-- room; UTF-8 characters count one column each. Only what the learner sees
-- is wrapped: the output compared with a ```output block is the raw one.
-- Not here: Markdown wrapping (render.lua).
local wrap = {}

local CONT = "  ↪ "           -- starts a continued line
local CONT_W = 4

--- wrap.writer(width, out) -> function(s): writes s to out (default
-- io.stdout as it is when the writer is made, so output captured later
-- still reaches the terminal), wrapped at width columns (at least 20).
function wrap.writer(width, out)
  width = math.max(20, math.floor(width or 80))
  out = out or io.stdout
  local col = 0
  local function put(s) out:write(s) end
  local function newline() put("\n" .. CONT) col = CONT_W end
  return function(s)
    local i, n = 1, #s
    local pieces = {}
    local function flush() if #pieces > 0 then put(table.concat(pieces)) pieces = {} end end
    while i <= n do
      local c = s:sub(i, i)
      if c == "\n" or c == "\r" then
        pieces[#pieces + 1] = c
        col = 0
        i = i + 1
      elseif c == "\27" then
        -- CSI ... final byte, or a two-byte escape
        local e = s:match("^\27%[[0-9;?]*[ -/]*[@-~]()", i) or math.min(i + 2, n + 1)
        pieces[#pieces + 1] = s:sub(i, e - 1)
        i = e
      elseif c == "\t" then
        local nxt = (col // 8 + 1) * 8
        if nxt >= width then
          flush() newline()
        else
          pieces[#pieces + 1] = c
          col = nxt
        end
        i = i + 1
      else
        local b = c:byte()
        local len = b < 0x80 and 1 or b >= 0xF0 and 4 or b >= 0xE0 and 3 or b >= 0xC0 and 2 or 1
        if col >= width then flush() newline() end
        pieces[#pieces + 1] = s:sub(i, i + len - 1)
        col = col + 1
        i = i + len
      end
    end
    flush()
  end
end

return wrap
