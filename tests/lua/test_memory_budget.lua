-- test_memory_budget.lua — the optional memory budget (ember.budget,
-- EMBER_MEMORY_BUDGET): tensors and Lua tables that would exceed it fail
-- with a clear error in the statement that asked, and everything works again
-- once memory is released or the budget is lifted.
local T = require "ember.test"
local budget = require "ember.budget"

local MB = 2^20

local function with_budget(bytes, fn)
  collectgarbage("collect")
  local old = budget.set(bytes)
  local ok, err = pcall(fn)
  budget.set(old)
  collectgarbage("collect")
  if not ok then error(err, 0) end
end

T.test("tensors beyond the budget are a clear error, and memory comes back", function()
  with_budget(64 * MB, function()
    T.eq(budget.get(), 64 * MB)
    local held = {}
    local ok, err = pcall(function()
      for i = 1, 100 do held[i] = torch.ones(1024, 1024) end   -- 4 MB each
    end)
    T.ok(not ok, "100 x 4 MB must not fit in 64 MB")
    T.ok(err:find("memory budget of 64.0 MB exceeded", 1, true), err)
    T.ok(err:find("ones", 1, true), "the message names the op: " .. err)
    T.ok(#held >= 10 and #held < 16, "about 15 tensors fit, got " .. #held)
    held = nil
    collectgarbage("collect")
    local again = torch.ones(1024, 1024):sum():item()     -- fits again
    T.eq(again, 1024 * 1024)
  end)
end)

T.test("Lua memory counts too: a huge table fails with 'not enough memory'", function()
  with_budget(48 * MB, function()
    local ok, err = pcall(function()
      local t = {}
      for i = 1, 1e8 do t[i] = i end
    end)
    T.ok(not ok)
    T.ok(tostring(err):find("not enough memory", 1, true), tostring(err))
    collectgarbage("collect")
    local t = {}
    for i = 1, 1000 do t[i] = i end                          -- small ones still work
    T.eq(#t, 1000)
  end)
end)

T.test("no budget: large allocations work; bad budgets are refused", function()
  T.eq(budget.get(), 0)
  T.eq(torch.zeros(4096, 4096):numel(), 4096 * 4096)        -- 64 MB, no budget
  T.error(function() budget.set(-1) end, "budget must be >= 0")
  T.ok(budget.lua_bytes() > 0)
end)

T.run()
