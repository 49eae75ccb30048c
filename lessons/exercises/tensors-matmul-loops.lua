-- title: Matrix multiplication with loops
-- lesson: tensors
-- hint: The result has a:size(1) rows and b:size(2) columns. Element (i, j)
-- hint: is the sum over k of a[i][k] * b[k][j] — use :item() to get Lua
-- hint: numbers, and remember positions start at 1. Check first that
-- hint: a:size(2) == b:size(1) and call error("...") when it is not.
--
-- Write matmul_loops(a, b) for 2-D tensors with three plain Lua loops, and
-- make it refuse shapes that cannot be multiplied with an error whose
-- message contains "cannot be multiplied". It is slow, but it shows
-- exactly what a:matmul(b) computes.

-- BEGIN SOLUTION
--starter local function matmul_loops(a, b)
--starter   -- TODO: check the shapes, then fill a result of size a:size(1) x b:size(2)
--starter   return nil
--starter end
local function matmul_loops(a, b)
  local n, m, p = a:size(1), a:size(2), b:size(2)
  if b:size(1) ~= m then
    error(string.format("matmul_loops: (%dx%d) and (%dx%d) cannot be multiplied", n, m, b:size(1), p))
  end
  local out = torch.zeros(n, p)
  for i = 1, n do
    for j = 1, p do
      local s = 0
      for k = 1, m do s = s + a[i][k]:item() * b[k][j]:item() end
      out[i][j] = s
    end
  end
  return out
end
-- END SOLUTION

torch.manual_seed(1)
local a, b = torch.randn(3, 4), torch.randn(4, 2)
local got = matmul_loops(a, b)
check(torch.is_tensor(got), "matmul_loops should return a tensor")
check(got:size(1) == 3 and got:size(2) == 2,
  "a (3x4) times b (4x2) gives a 3x2 result — got " .. tostring(got.shape))
check.close(got, a:matmul(b), 1e-5, "matmul_loops(a, b) should equal a:matmul(b)")
local v = torch.tensor({{1., 2.}, {3., 4.}})
check.close(matmul_loops(v, torch.eye(2)), v, 1e-6, "multiplying by the identity matrix torch.eye(2) changes nothing")
local ok, err = pcall(matmul_loops, torch.ones(2, 3), torch.ones(2, 3))
check(not ok, "a (2x3) times a (2x3) cannot be multiplied: matmul_loops should raise an error")
check(tostring(err):find("cannot be multiplied", 1, true),
  "the error message should say the shapes 'cannot be multiplied' — got: " .. tostring(err))
print("matmul_loops agrees with matmul")
