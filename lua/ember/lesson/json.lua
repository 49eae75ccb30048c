-- ember.lesson.json — a small, strict JSON reader and writer for the lesson
-- runner's own files (progress.json, batch results). Not a general library:
-- objects are plain Lua tables (key order is not kept; the writer sorts keys
-- so files are stable), arrays are sequences, null reads as json.null.
-- decode() never loops or crashes on bad input: it returns nil, "message at
-- byte N"; nesting is limited to 64 levels.
local json = {}

json.null = setmetatable({}, {__tostring = function() return "null" end})

local max_depth = 64

---------------------------------------------------------------------------
-- Writer
---------------------------------------------------------------------------
local escapes = {['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
                 ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t"}

local function encode_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

local function is_array(t)
  local n = #t
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 or k > n then return false end
  end
  return n > 0 or next(t) == nil
end

local function encode(v, indent, depth, out)
  if depth > max_depth then error("json: nesting deeper than " .. max_depth .. " levels", 0) end
  local t = type(v)
  if v == nil or v == json.null then out[#out + 1] = "null"
  elseif t == "boolean" then out[#out + 1] = tostring(v)
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then
      error("json: cannot write " .. tostring(v), 0)
    end
    out[#out + 1] = math.type(v) == "integer" and tostring(v) or string.format("%.17g", v)
  elseif t == "string" then out[#out + 1] = encode_string(v)
  elseif t == "table" then
    local pad = indent and ("\n" .. string.rep("  ", depth + 1)) or ""
    local close = indent and ("\n" .. string.rep("  ", depth)) or ""
    if is_array(v) and #v > 0 then
      out[#out + 1] = "["
      for i = 1, #v do
        out[#out + 1] = (i > 1 and "," or "") .. pad
        encode(v[i], indent, depth + 1, out)
      end
      out[#out + 1] = close .. "]"
    elseif next(v) == nil then
      out[#out + 1] = "{}"
    else
      local keys = {}
      for k in pairs(v) do
        if type(k) ~= "string" then error("json: object keys must be strings, got " .. type(k), 0) end
        keys[#keys + 1] = k
      end
      table.sort(keys)
      out[#out + 1] = "{"
      for i, k in ipairs(keys) do
        out[#out + 1] = (i > 1 and "," or "") .. pad .. encode_string(k) .. (indent and ": " or ":")
        encode(v[k], indent, depth + 1, out)
      end
      out[#out + 1] = close .. "}"
    end
  else
    error("json: cannot write a " .. t, 0)
  end
end

--- json.encode(value[, pretty]) -> string (raises on functions, NaN, mixed tables)
function json.encode(v, pretty)
  local out = {}
  encode(v, pretty, 0, out)
  return table.concat(out)
end

---------------------------------------------------------------------------
-- Reader
---------------------------------------------------------------------------
local function fail(i, what) error({json_error = what .. " at byte " .. i}, 0) end

local function skip(s, i) return s:find("[^ \t\r\n]", i) or #s + 1 end

local decode_value

local function decode_string(s, i)
  local out, j = {}, i + 1
  while true do
    local k = s:find('["\\%c]', j)
    if not k then fail(i, "unterminated string") end
    out[#out + 1] = s:sub(j, k - 1)
    local c = s:sub(k, k)
    if c == '"' then return table.concat(out), k + 1 end
    if c ~= "\\" then fail(k, "control character in string") end
    local e = s:sub(k + 1, k + 1)
    if e == "u" then
      local hex = s:match("^%x%x%x%x", k + 2)
      if not hex then fail(k, "bad \\u escape") end
      local cp = tonumber(hex, 16)
      j = k + 6
      if cp >= 0xD800 and cp <= 0xDBFF then            -- a surrogate pair
        local lo = s:match("^\\u(%x%x%x%x)", j)
        lo = lo and tonumber(lo, 16)
        if lo and lo >= 0xDC00 and lo <= 0xDFFF then
          cp = 0x10000 + (cp - 0xD800) * 0x400 + (lo - 0xDC00)
          j = j + 6
        else
          cp = 0xFFFD
        end
      elseif cp >= 0xDC00 and cp <= 0xDFFF then
        cp = 0xFFFD
      end
      out[#out + 1] = utf8.char(cp)
    else
      local map = {b = "\b", f = "\f", n = "\n", r = "\r", t = "\t", ['"'] = '"', ["\\"] = "\\", ["/"] = "/"}
      if not map[e] then fail(k, "bad escape") end
      out[#out + 1] = map[e]
      j = k + 2
    end
  end
end

function decode_value(s, i, depth)
  if depth > max_depth then fail(i, "nesting deeper than " .. max_depth .. " levels") end
  i = skip(s, i)
  local c = s:sub(i, i)
  if c == "{" then
    local obj = {}
    i = skip(s, i + 1)
    if s:sub(i, i) == "}" then return obj, i + 1 end
    while true do
      if s:sub(i, i) ~= '"' then fail(i, "expected a string key") end
      local k
      k, i = decode_string(s, i)
      i = skip(s, i)
      if s:sub(i, i) ~= ":" then fail(i, "expected ':'") end
      obj[k], i = decode_value(s, i + 1, depth + 1)
      i = skip(s, i)
      local d = s:sub(i, i)
      if d == "}" then return obj, i + 1 end
      if d ~= "," then fail(i, "expected ',' or '}'") end
      i = skip(s, i + 1)
    end
  elseif c == "[" then
    local arr = {}
    i = skip(s, i + 1)
    if s:sub(i, i) == "]" then return arr, i + 1 end
    while true do
      arr[#arr + 1], i = decode_value(s, i, depth + 1)
      i = skip(s, i)
      local d = s:sub(i, i)
      if d == "]" then return arr, i + 1 end
      if d ~= "," then fail(i, "expected ',' or ']'") end
      i = i + 1
    end
  elseif c == '"' then
    return decode_string(s, i)
  elseif s:sub(i, i + 3) == "true" then return true, i + 4
  elseif s:sub(i, i + 4) == "false" then return false, i + 5
  elseif s:sub(i, i + 3) == "null" then return json.null, i + 4
  else
    local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
    local v = num and (math.tointeger(tonumber(num)) or tonumber(num))
    if not v then fail(i, c == "" and "unexpected end of input" or "unexpected character") end
    return v, i + #num
  end
end

--- json.decode(text) -> value | nil, message
function json.decode(s)
  if type(s) ~= "string" then return nil, "json: expected a string" end
  local ok, v, i = pcall(decode_value, s, 1, 0)
  if not ok then
    if type(v) == "table" and v.json_error then return nil, "json: " .. v.json_error end
    return nil, "json: " .. tostring(v)
  end
  i = skip(s, i)
  if i <= #s then return nil, "json: trailing characters at byte " .. i end
  return v
end

return json
