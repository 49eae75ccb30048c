-- json.lua — a small JSON decoder for tests (reading fixture sidecars).
-- Objects keep their key order in a `__keys` list. Not a general library.
local json = {}

local function skip(s, i) return s:find("[^ \t\r\n]", i) or #s + 1 end

local decode_value

local function decode_string(s, i)
  local out, j = {}, i + 1
  while true do
    local c = s:sub(j, j)
    if c == '"' then return table.concat(out), j + 1 end
    if c == "\\" then
      local e = s:sub(j + 1, j + 1)
      local map = {b = "\b", f = "\f", n = "\n", r = "\r", t = "\t", ['"'] = '"', ["\\"] = "\\", ["/"] = "/"}
      if e == "u" then
        out[#out + 1] = utf8.char(tonumber(s:sub(j + 2, j + 5), 16))
        j = j + 6
      else
        out[#out + 1] = map[e]
        j = j + 2
      end
    else
      out[#out + 1] = c
      j = j + 1
    end
  end
end

function decode_value(s, i)
  i = skip(s, i)
  local c = s:sub(i, i)
  if c == "{" then
    local obj, keys = {}, {}
    i = skip(s, i + 1)
    if s:sub(i, i) == "}" then return setmetatable(obj, {__keys = keys}), i + 1 end
    while true do
      local k
      k, i = decode_string(s, skip(s, i))
      i = skip(s, i) + 1                       -- ':'
      obj[k], i = decode_value(s, i)
      keys[#keys + 1] = k
      i = skip(s, i)
      local d = s:sub(i, i)
      i = i + 1
      if d == "}" then return setmetatable(obj, {__keys = keys}), i end
    end
  elseif c == "[" then
    local arr = {}
    i = skip(s, i + 1)
    if s:sub(i, i) == "]" then return arr, i + 1 end
    while true do
      arr[#arr + 1], i = decode_value(s, i)
      i = skip(s, i)
      local d = s:sub(i, i)
      i = i + 1
      if d == "]" then return arr, i end
    end
  elseif c == '"' then
    return decode_string(s, i)
  elseif s:sub(i, i + 3) == "true" then return true, i + 4
  elseif s:sub(i, i + 4) == "false" then return false, i + 5
  elseif s:sub(i, i + 3) == "null" then return json.null, i + 4
  else
    local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
    local v = math.tointeger(tonumber(num)) or tonumber(num)
    return v, i + #num
  end
end

json.null = setmetatable({}, {__tostring = function() return "null" end})

function json.decode(s) return (decode_value(s, 1)) end

function json.read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return json.decode(s)
end

--- The keys of a decoded object, in file order.
function json.keys(obj) return getmetatable(obj).__keys end

return json
