-- ember's random streams against real PyTorch 1.13 (data from
-- make_rng_reference.py): rand, randn, randint, randperm, normal_, uniform_
-- (float32 and float64, contiguous and transposed), layer initialisation,
-- torch.Generator objects, and get/set_rng_state byte for byte. Everything is
-- compared exactly, bit for bit. That includes randn/normal_ on 16 or more
-- float32 values, which PyTorch's AVX2 build computes with the vector
-- logf/sincosf of its avx_mathfun.h (Cephes polynomials, not libm) and fused
-- multiply-adds: core/rng_normal.c redoes those polynomials in the same
-- operation order, so there is no 1-ulp allowance; a mismatch reports how
-- many values differ and by how many ulps.
local T = require "ember.test"
local ref = dofile(arg[1])

local K = 0x9E3779B97F4A7C15
local DTYPE = {float32 = torch.float32, float64 = torch.float64}

local function bits(v, dtype)
  if dtype == "float32" then return (string.unpack("<I4", string.pack("<f", v))) end
  if dtype == "float64" then return (string.unpack("<i8", string.pack("<d", v))) end
  return v
end

local function hash(words)
  local h = 0
  for i, w in ipairs(words) do h = h + w * ((2 * i - 1) * K) end   -- wraps mod 2^64
  return h
end

local function parse_hex(s, dtype)
  local width = dtype == "float32" and 8 or 16
  local out = {}
  for i = 1, #s, width do out[#out + 1] = math.tointeger(tonumber(s:sub(i, i + width - 1), 16)) end
  return out
end

-- the float32 words in hex are < 2^32; float64 words may be "negative" int64
local function ulps(a, b, dtype)
  if dtype == "int64" then return a == b and 0 or math.huge end
  local function ordered(w)
    local sign = dtype == "float32" and (w >= 0x80000000) or (w < 0)
    local mag = dtype == "float32" and (w & 0x7fffffff) or (w & math.maxinteger)
    return sign and -mag or mag
  end
  return math.abs(ordered(a) - ordered(b))
end

local function fmt_word(w, dtype)
  if dtype == "int64" then return tostring(w) end
  local v = dtype == "float32" and string.unpack("<f", string.pack("<I4", w))
    or string.unpack("<d", string.pack("<i8", w))
  return string.format("%.9g (0x%x)", v, w)
end

-- compares words ours[first..] with theirs; returns count differing, max ulp, first index
local function diff(ours, theirs, offset, dtype)
  local n, worst, first = 0, 0, nil
  for i, w in ipairs(theirs) do
    local o = ours[offset + i]
    if o ~= w then
      n = n + 1
      worst = math.max(worst, ulps(o, w, dtype))
      first = first or i
    end
  end
  return n, worst, first
end

-- A tensor against a recorded result ({shape, dtype, n, hex|ints|hash+head+tail}).
local function check(t, rec, what)
  T.eq(tostring(t.dtype), "torch." .. rec.dtype, what .. ": dtype")
  local shape = t:size()
  T.eq(#shape, #rec.shape, what .. ": dims")
  for d = 1, #rec.shape do T.eq(shape[d], rec.shape[d], what .. ": size " .. d) end
  local vals = t:contiguous():view(-1):tolist()
  if type(vals) ~= "table" then vals = {vals} end
  local words = {}
  for i, v in ipairs(vals) do words[i] = bits(v, rec.dtype) end
  T.eq(#words, rec.n, what .. ": numel")
  if rec.hash == nil then
    local theirs = rec.ints or parse_hex(rec.hex, rec.dtype)
    local n, worst, first = diff(words, theirs, 0, rec.dtype)
    if n > 0 then
      error(string.format("%s: %d of %d values differ (max %s ulp); first at %d: ember %s, PyTorch %s",
        what, n, rec.n, tostring(worst), first, fmt_word(words[first], rec.dtype),
        fmt_word(theirs[first], rec.dtype)), 0)
    end
    return
  end
  if hash(words) ~= rec.hash then
    local head = type(rec.head) == "string" and parse_hex(rec.head, rec.dtype) or rec.head
    local tail = type(rec.tail) == "string" and parse_hex(rec.tail, rec.dtype) or rec.tail
    local nh, wh, fh = diff(words, head, 0, rec.dtype)
    local nt, wt = diff(words, tail, #words - #tail, rec.dtype)
    error(string.format("%s: %d values hash differently; of the first/last 16, %d/%d differ (max %s ulp)%s",
      what, rec.n, nh, nt, tostring(math.max(wh, wt)),
      fh and string.format("; first at %d: ember %s, PyTorch %s", fh, fmt_word(words[fh], rec.dtype),
        fmt_word(head[fh], rec.dtype)) or ""), 0)
  end
end

local function bytes_of(state)
  local b = state:tolist()
  T.eq(#b, 5056, "state size")
  return b
end

local function hex_of(b, from, to)
  local s = {}
  for i = from, to do s[#s + 1] = string.format("%02x", b[i]) end
  return table.concat(s)
end

local function check_state(state, rec, what)
  local b = bytes_of(state)
  local words = {}
  for i = 1, #b, 8 do
    local w = 0
    for k = 7, 0, -1 do w = (w << 8) | b[i + k] end
    words[#words + 1] = w
  end
  if hash(words) ~= rec.hash then
    error(string.format("%s: state bytes differ: head ember %s / PyTorch %s; tail ember %s / PyTorch %s",
      what, hex_of(b, 1, 24), rec.head, hex_of(b, 5017, 5056), rec.tail), 0)
  end
end

-- the bytes of a PyTorch state stored whole
local function state_tensor(rec)
  local b = {}
  for i = 1, #rec.head, 2 do b[#b + 1] = tonumber(rec.head:sub(i, i + 1), 16) end
  for i = 1, #rec.mt, 8 do
    local w = tonumber(rec.mt:sub(i, i + 7), 16)
    for k = 0, 7 do b[#b + 1] = (w >> (8 * k)) & 0xff end
  end
  for i = 1, #rec.tail, 2 do b[#b + 1] = tonumber(rec.tail:sub(i, i + 1), 16) end
  return torch.tensor(b, {dtype = torch.uint8})
end

local function run_case(c)
  torch.manual_seed(c.seed)
  local gens, saved = {}, {}
  for k, st in ipairs(c.steps) do
    local what = string.format("step %d (%s)", k, st.op)
    local opts = {generator = st.gen and gens[st.gen] or nil}
    local op = st.op
    if op == "rand" or op == "randn" then
      opts.dtype = DTYPE[st.dtype or "float32"]
      check(torch[op](st.size, opts), st.out, what)
    elseif op == "randint" then
      check(torch.randint(st.low, st.high, st.size, opts), st.out, what)
    elseif op == "randperm" then
      check(torch.randperm(st.n, opts), st.out, what)
    elseif op == "normal_" or op == "uniform_" then
      local dt = {dtype = DTYPE[st.dtype or "float32"]}
      local x
      if st.transposed then x = torch.empty(st.size[2], st.size[1], dt):t()
      else x = torch.empty(st.size, dt) end
      x[op](x, st.a, st.b, opts)
      check(x, st.out, what)
    elseif op == "layer" then
      local m = torch.nn[st.kind](table.unpack(st.args))
      local got = {}
      for _, p in ipairs(m:parameters()) do got[#got + 1] = p end
      for _, b in ipairs(m:buffers()) do got[#got + 1] = b end
      T.eq(#got, #st.out, what .. ": number of parameters and buffers")
      for i, rec in ipairs(st.out) do check(got[i]:detach(), rec, what .. " " .. st.kind .. " tensor " .. i) end
    elseif op == "get_state" then
      check_state(st.gen and gens[st.gen]:get_state() or torch.get_rng_state(), st.out, what)
    elseif op == "save" then
      saved[st.slot] = torch.get_rng_state()
    elseif op == "restore" then
      torch.set_rng_state(saved[st.slot])
    elseif op == "set_state" then
      torch.set_rng_state(state_tensor(st.out))
    elseif op == "new_gen" then
      local g = torch.Generator()
      if st.seed then T.ok(rawequal(g:manual_seed(st.seed), g), "manual_seed returns the generator") end
      T.eq(g:initial_seed(), st.out.initial_seed, what .. ": initial_seed")
      gens[st.name] = g
    elseif op == "initial_seed" then
      T.eq(torch.initial_seed(), st.out.value, what)
    else
      error("unknown step " .. op)
    end
  end
end

io.write(string.format("PyTorch CPU capability: %s\n", ref.capability))

T.test("torch.Generator() starts from PyTorch's default seed", function()
  T.eq(torch.Generator():initial_seed(), ref.generator_seed)
end)

for _, c in ipairs(ref.cases) do
  T.test(c.name, function() run_case(c) end)
end

T.run()
