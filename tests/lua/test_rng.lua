-- test_rng.lua — the random-number API (docs/lua-api.md): manual_seed,
-- initial_seed, get_rng_state/set_rng_state round trips (cached normal
-- included), torch.Generator objects and {generator=} options, and the
-- errors for bad states. Literal values were checked against PyTorch 1.13;
-- stream-by-stream parity is tests/peer/test_rng_parity.lua.

local T = require "ember.test"

local function same(a, b, msg)
  T.eq(a:numel(), b:numel(), msg)
  T.eq(a:eq(b):sum():item(), a:numel(), msg)
end

T.test("manual_seed gives PyTorch's numbers and returns the default generator", function()
  T.ok(rawequal(torch.manual_seed(42), torch.default_generator))
  T.eq(torch.randn(1):item(), 0.33669036626815796)
  T.eq(torch.initial_seed(), 42)
  torch.manual_seed(0)
  T.eq(table.concat(torch.randperm(10):tolist(), " "), "4 1 7 5 3 9 0 8 6 2")
  T.eq(table.concat(torch.randint(0, 10, {5}):tolist(), " "), "3 1 6 6 9")
end)

T.test("seeds are uint64 as in PyTorch", function()
  torch.manual_seed(-1)
  T.eq(torch.initial_seed(), -1)            -- 2^64 - 1, seen through Lua's int64
  local a = torch.rand(3)
  torch.manual_seed(2.0 ^ 64 - 2048)        -- a float seed beyond 2^63
  T.eq(torch.initial_seed(), -2048)
  torch.manual_seed(-1)
  same(torch.rand(3), a)
  T.error(function() torch.manual_seed(0.5) end, "integer seed")
end)

T.test("get_rng_state is PyTorch's 5056 uint8 bytes", function()
  torch.manual_seed(2)
  torch.randn(1)                            -- caches the second normal of the pair
  local s = torch.get_rng_state()
  T.eq(tostring(s.dtype), "torch.uint8")
  T.eq(s:numel(), 5056)
  T.eq(s[5041]:item(), 1)                   -- normal_is_valid
  T.eq(torch.randn(1):item(), -0.223564013838768)   -- the cached one
end)

T.test("set_rng_state restores the stream exactly, with or without a cached normal", function()
  for _, warm in ipairs{0, 1, 3, 700} do
    torch.manual_seed(7)
    if warm > 0 then torch.randn(warm) end
    local s = torch.get_rng_state()
    local a = {torch.randn(1), torch.rand(5), torch.randn(33), torch.randint(0, 100, {4}),
      torch.randperm(20), torch.randn(2, {dtype = torch.float64})}
    torch.manual_seed(123)                  -- move away
    torch.set_rng_state(s)
    local b = {torch.randn(1), torch.rand(5), torch.randn(33), torch.randint(0, 100, {4}),
      torch.randperm(20), torch.randn(2, {dtype = torch.float64})}
    for i = 1, #a do same(a[i], b[i], "warm " .. warm .. " draw " .. i) end
    T.eq(torch.initial_seed(), 7)
    torch.set_rng_state(s)
    same(torch.get_rng_state(), s, "state bytes")
  end
end)

T.test("Generator objects are independent of the global generator", function()
  local g = torch.Generator()
  T.eq(g:initial_seed(), 67280421310721)
  T.ok(rawequal(g:manual_seed(5), g))
  torch.manual_seed(0)
  T.eq(torch.rand(1, {generator = g}):item(), 0.8302518725395203)
  T.eq(table.concat(torch.randperm(5, {generator = g}):tolist(), " "), "4 0 2 3 1")
  T.eq(table.concat(torch.randperm(10):tolist(), " "), "4 1 7 5 3 9 0 8 6 2")   -- untouched
  local st = g:get_state()
  local x = torch.empty(40):normal_(0, 1, {generator = g})
  local y = torch.empty(3, {dtype = torch.float64}):uniform_(-1, 1, {generator = g})
  T.ok(rawequal(g:set_state(st), g))
  same(torch.empty(40):normal_(0, 1, {generator = g}), x)
  same(torch.empty(3, {dtype = torch.float64}):uniform_(-1, 1, {generator = g}), y)
  local h = torch.Generator("cpu")
  h:set_state(st)                           -- a state moves between generators
  same(h:get_state(), st)
  T.error(function() torch.Generator("cuda") end, "cpu")
end)

T.test("bad states are refused and leave the generator as it was", function()
  torch.manual_seed(3)
  local s = torch.get_rng_state()
  T.error(function() torch.set_rng_state(torch.zeros(5056)) end, "uint8")
  T.error(function() torch.set_rng_state(torch.zeros(10, {dtype = torch.uint8})) end, "5056 bytes")
  T.error(function() torch.set_rng_state(torch.zeros(5056, {dtype = torch.uint8})) end, "invalid mt19937 state")
  T.error(function() torch.Generator():set_state("x") end, "uint8")
  same(torch.get_rng_state(), s)
end)

T.test("filling an expanded tensor is refused, as in PyTorch", function()
  T.error(function() torch.empty(3):expand(4, 3):normal_() end, "single memory location")
  T.error(function() torch.empty(1, 3):expand(2, 3):uniform_(0, 1) end, "single memory location")
end)

T.test("torch.seed seeds with a fresh number and returns it: manual_seed of it repeats the draws", function()
  local s = torch.seed()
  T.ok(math.type(s) == "integer" and s >= 0, "seed is a non-negative integer: " .. tostring(s))
  T.eq(torch.initial_seed(), s)
  local a = torch.rand(4)
  torch.manual_seed(s)
  T.ok(torch.equal(torch.rand(4), a), "manual_seed(seed()) repeats the stream")
  local seen = {}
  for _ = 1, 5 do seen[torch.seed()] = true end
  local n = 0
  for _ in pairs(seen) do n = n + 1 end
  T.ok(n >= 4, "five calls gave " .. n .. " different seeds")
end)

T.run()
