-- ember.lesson.wrap — a writer that wraps what a lesson step prints to the
-- terminal's width as it streams by: a line longer than the width continues
-- on the next line, indented by two spaces and marked "↪", broken at the
-- last space or tab of what one print wrote when there is one (else inside
-- the word); a tab that would cross the edge becomes the line break. Escape sequences (colours) take no
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
  return function(s)
    local i, n = 1, #s
    local pieces = {}
    -- the last space or tab of the current line within this piece of
    -- output: its index in pieces and the column after it
    local brk, brk_col
    local function newline() pieces[#pieces + 1] = "\n" .. CONT col = CONT_W brk = nil end
    while i <= n do
      local c = s:sub(i, i)
      if c == "\n" or c == "\r" then
        pieces[#pieces + 1] = c
        col, brk = 0, nil
        i = i + 1
      elseif c == "\27" then
        -- CSI ... final byte, or a two-byte escape
        local e = s:match("^\27%[[0-9;?]*[ -/]*[@-~]()", i) or math.min(i + 2, n + 1)
        pieces[#pieces + 1] = s:sub(i, e - 1)
        i = e
      elseif c == "\t" then
        local nxt = (col // 8 + 1) * 8
        if nxt >= width then
          newline()
        else
          pieces[#pieces + 1] = c
          col = nxt
          brk, brk_col = #pieces, col
        end
        i = i + 1
      else
        local b = c:byte()
        local len = b < 0x80 and 1 or b >= 0xF0 and 4 or b >= 0xE0 and 3 or b >= 0xC0 and 2 or 1
        if col >= width then
          if c ~= " " and brk and col - brk_col < width // 2 then
            -- break at the last blank: the word moves to the next line
            pieces[brk] = "\n" .. CONT
            col, brk = CONT_W + (col - brk_col), nil
          else
            newline()
          end
        end
        pieces[#pieces + 1] = s:sub(i, i + len - 1)
        col = col + 1
        if c == " " then brk, brk_col = #pieces, col end
        i = i + len
      end
    end
    if #pieces > 0 then out:write(table.concat(pieces)) end
  end
end

return wrap
