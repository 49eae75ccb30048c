-- Large matrix products run as several BLAS calls (row panels of C, so that
-- Ctrl-C is polled between them): the panelled result must equal the same
-- product computed in one piece, for plain and transposed operands.
local T = require "ember.test"

-- 2048 x 1100 x 1000 multiply-adds > 2^31: split into two panels
local m, k, n = 2048, 1100, 1000

-- max |a - b| relative to max |b|
local function assert_close(a, b, what)
  T.eq(a.shape, b.shape)
  local err = (a:double() - b:double()):abs():max():item() / b:double():abs():max():item()
  T.ok(err <= 1e-5, string.format("%s: relative error %.3g", what, err))
end

T.test("a panelled product equals the product of its row blocks", function()
  torch.manual_seed(0)
  local a, b = torch.randn(m, k), torch.randn(k, n)
  local c = a:matmul(b)
  T.eq(c.shape, {m, n})
  -- each block alone is below the panel size: one BLAS call each
  local top = a:narrow(1, 1, 1000):matmul(b)
  local bottom = a:narrow(1, 1001, m - 1000):matmul(b)
  assert_close(c:narrow(1, 1, 1000), top, "rows 1..1000")
  assert_close(c:narrow(1, 1001, m - 1000), bottom, "rows 1001..2048")
end)

T.test("transposed operands and float64 take the panelled path correctly", function()
  torch.manual_seed(1)
  local at = torch.randn(k, m)          -- a = at:t(), a transposed view
  local b = torch.randn(k, n)
  local c = at:t():matmul(b)
  local ref = at:t():contiguous():matmul(b)
  assert_close(c, ref, "trans_a")
  local c64 = at:double():t():matmul(b:double())
  assert_close(c, c64:float(), "float64")
end)

T.run()
