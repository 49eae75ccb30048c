-- ember.test — a tiny test harness for Lua test files run by `ember run`.
-- Not a framework: named test functions, a few assertions, and a summary line
-- ("N passed, M failed") that ctest shows; the script exits 1 on any failure.
--
--   local T = require "ember.test"
--   T.test("sum keeps dims", function()
--     T.close(torch.ones(2, 3):sum(2, true), torch.full({2, 1}, 3.0))
--   end)
--   T.run()

local T = {}
local tests = {}

-- Registers a test. fn raises (through these assertions or error()) to fail.
function T.test(name, fn)
  tests[#tests + 1] = {name = name, fn = fn}
end

local function fmt(v)
  if torch and torch.is_tensor(v) then return tostring(v) end
  return tostring(v)
end

-- Asserts a == b (plain Lua equality), with an optional message.
function T.eq(a, b, msg)
  if a ~= b then
    error(string.format("%sexpected %s, got %s", msg and (msg .. ": ") or "", fmt(b), fmt(a)), 2)
  end
end

-- Asserts v is truthy.
function T.ok(v, msg)
  if not v then error(msg or "expected a true value", 2) end
end

local function to_list(v)
  if torch and torch.is_tensor(v) then
    local flat = v:detach():double():reshape(-1):tolist()
    return flat, v:size()
  end
  if type(v) == "number" then return {v}, nil end
  -- a (possibly nested) table of numbers
  local out = {}
  local function walk(t)
    if type(t) == "table" then for _, x in ipairs(t) do walk(x) end else out[#out + 1] = t end
  end
  walk(v)
  return out, nil
end

-- Asserts |actual - expected| <= atol + rtol * |expected| elementwise.
-- Accepts tensors, numbers or nested tables; shapes must match for tensors.
-- opts: {rtol = 1e-5, atol = 1e-8, msg = "..."}. NaN equals NaN.
function T.close(actual, expected, opts)
  opts = opts or {}
  local rtol, atol = opts.rtol or 1e-5, opts.atol or 1e-8
  local a, sa = to_list(actual)
  local e, se = to_list(expected)
  local prefix = opts.msg and (opts.msg .. ": ") or ""
  if sa and se and tostring(sa) ~= tostring(se) then
    error(string.format("%sshape %s ~= expected %s", prefix, tostring(sa), tostring(se)), 2)
  end
  if #a ~= #e then
    error(string.format("%s%d elements ~= expected %d", prefix, #a, #e), 2)
  end
  for i = 1, #a do
    local x, y = a[i], e[i]
    if type(x) == "boolean" then x = x and 1 or 0 end
    if type(y) == "boolean" then y = y and 1 or 0 end
    local both_nan = (x ~= x) and (y ~= y)
    if not both_nan and not (x == y or math.abs(x - y) <= atol + rtol * math.abs(y)) then
      error(string.format("%selement %d: got %.9g, expected %.9g (rtol %g, atol %g)",
        prefix, i, x, y, rtol, atol), 2)
    end
  end
end

-- Asserts fn(...) raises an error whose message contains `pattern` (a plain
-- substring, not a Lua pattern). Returns the message.
function T.error(fn, pattern, ...)
  local ok, err = pcall(fn, ...)
  if ok then error("expected an error" .. (pattern and (" containing '" .. pattern .. "'") or ""), 2) end
  err = tostring(err)
  if pattern and not err:find(pattern, 1, true) then
    error(string.format("error message '%s' does not contain '%s'", err, pattern), 2)
  end
  return err
end

-- Registers the test "gradcheck NAME": torch.gradcheck(fn, make()) holds,
-- make() giving the inputs (float64 leaves) drawn after manual_seed(1234).
function T.gradcheck(name, make, fn)
  T.test("gradcheck " .. name, function()
    torch.manual_seed(1234)
    T.ok(require("torch.gradcheck")(fn, make()))
  end)
end

-- Runs every registered test (or those whose name contains $EMBER_TEST_FILTER),
-- prints one line per failure and the summary; exits 1 if anything failed.
function T.run()
  local filter = os.getenv("EMBER_TEST_FILTER")
  local passed, failed = 0, 0
  for _, t in ipairs(tests) do
    if not filter or t.name:find(filter, 1, true) then
      local ok, err = xpcall(t.fn, debug.traceback)
      if ok then
        passed = passed + 1
      else
        failed = failed + 1
        io.stderr:write(string.format("FAIL %s\n  %s\n", t.name, tostring(err):gsub("\n", "\n  ")))
      end
    end
  end
  print(string.format("%d passed, %d failed", passed, failed))
  if failed > 0 then os.exit(1) end
end

return T
