-- test_sort.lua — the sorting and counting ops (sort, argsort, topk,
-- kthvalue, median, unique, searchsorted, bucketize, bincount, histc):
-- gradients against finite differences in float64, the argument and option
-- checks, and the errors PyTorch raises (prefixed with the op's name). Their
-- values and indices against real PyTorch: tests/peer/test_sort_parity.lua.
local T = require "ember.test"
local gradcheck = require "torch.gradcheck"

-- distinct values (finite differences need a margin between neighbours)
local function distinct(...)
  torch.manual_seed(7)
  local n = 1
  local shape = {...}
  for _, s in ipairs(shape) do n = n * s end
  local x = torch.randperm(n):double() * 0.5 + torch.rand(n):double() * 0.1
  return x:reshape(shape):requires_grad_(true)
end

-- gradients ------------------------------------------------------------------

T.test("gradcheck: sort values along every dim, both directions, stable", function()
  T.ok(gradcheck(function(a) return (a:sort()) end, distinct(3, 4)))
  T.ok(gradcheck(function(a) return (a:sort(1, true)) end, distinct(3, 4)))
  T.ok(gradcheck(function(a) return (torch.sort(a, {dim = -2, stable = true})) end, distinct(2, 3, 2)))
end)

T.test("gradcheck: topk, kthvalue and median with and without keepdim", function()
  T.ok(gradcheck(function(a) return (a:topk(2)) end, distinct(3, 5)))
  T.ok(gradcheck(function(a) return (a:topk(2, 1, false)) end, distinct(3, 5)))
  T.ok(gradcheck(function(a) return (a:kthvalue(2, 2)) end, distinct(3, 5)))
  T.ok(gradcheck(function(a) return (a:kthvalue(3, 1, true)) end, distinct(4, 2)))
  T.ok(gradcheck(function(a) return (a:median(2)) end, distinct(3, 5)))
  T.ok(gradcheck(function(a) return (a:median(-1, true)) end, distinct(3, 4)))
  T.ok(gradcheck(function(a) return a:median() end, distinct(3, 5)))
end)

T.test("grad_fn names are PyTorch's", function()
  local x = distinct(4)
  T.eq((x:sort()).grad_fn:name(), "SortBackward0")
  T.eq((x:sort({stable = false})).grad_fn:name(), "SortBackward1")
  T.eq((x:topk(2)).grad_fn:name(), "TopkBackward0")
  T.eq((x:kthvalue(2)).grad_fn:name(), "KthvalueBackward0")
  T.eq(x:median().grad_fn:name(), "MedianBackward0")
  T.eq((x:median(1)).grad_fn:name(), "MedianBackward1")
  local _, i = x:sort()
  T.eq(i.requires_grad, false, "indices are not differentiable")
  T.eq(i.dtype, torch.int64)
  T.eq(x:argsort().requires_grad, false)
end)

T.test("median of all elements shares the gradient among ties (and among NaNs)", function()
  local x = torch.tensor({1.0, 2.0, 2.0, 3.0, 2.0}, {requires_grad = true})
  x:median():backward()
  T.close(x.grad, {0, 1 / 3, 1 / 3, 0, 1 / 3})
  local y = torch.tensor({1.0, 0 / 0, 3.0, 0 / 0}, {requires_grad = true})
  y:median():backward()
  T.close(y.grad, {0, 0.5, 0, 0.5})
end)

T.test("sort's gradient goes to the chosen positions, 0-dim included", function()
  local x = torch.tensor({{3.0, 1.0, 2.0}}, {requires_grad = true})
  local v = x:sort(2, true)
  local loss = (v * torch.tensor({{1.0, 10.0, 100.0}})):sum()
  loss:backward()
  T.close(x.grad, {{1, 100, 10}})
  local s = torch.tensor(2.0, {requires_grad = true})
  local sv = s:sort()
  sv:backward()
  T.close(s.grad, 1)
end)

-- values that need no peer ------------------------------------------------------

T.test("sort of a million floats is ordered and a permutation", function()
  torch.manual_seed(3)
  local x = torch.rand(1000000)
  local v, i = x:sort()
  T.ok(v:narrow(1, 2, 999999):ge(v:narrow(1, 1, 999999)):all():item(), "not ascending")
  T.ok(x:index_select(1, i):eq(v):all():item(), "indices do not give the values")
  T.eq(torch.bincount(i):eq(1):all():item(), true, "indices are not a permutation")
end)

T.test("a dim of stride 0 keeps positions 0, 1, 2, ... as PyTorch does", function()
  local x = torch.tensor({{5.0}}):expand(2, 40)
  local _, i = x:sort(2)
  T.close(i[1], torch.arange(0, 40))
end)

T.test("unique: sorted = false also gives ascending order; NaN is distinct from NaN", function()
  local u = torch.unique(torch.tensor({3, 1, 3, 2}), {sorted = false})
  T.close(u, {1, 2, 3})
  local v, inv, cnt = torch.unique(torch.tensor({0 / 0, 1.0, 0 / 0}), true, true, true)
  T.eq(v:numel(), 3)
  T.close(inv, {1, 0, 2})
  T.close(cnt, {1, 1, 1})
end)

T.test("results are contiguous and on x's dtype", function()
  local x = torch.tensor({{3, 1}, {2, 5}}, {dtype = torch.int32})
  local v, i = x:sort(1)
  T.eq(v.dtype, torch.int32)
  T.ok(v:is_contiguous() and i:is_contiguous())
  T.close(v, {{2, 1}, {3, 5}})
  T.close(i, {{1, 0}, {0, 1}})
end)

-- errors ------------------------------------------------------------------------

T.test("bad k, bad dim and wrong dtypes are errors naming the op", function()
  local x = torch.tensor({1.0, 2.0, 3.0})
  T.error(function() x:topk(4) end, "topk: selected index k out of range")
  T.error(function() x:topk(-1) end, "topk: selected index k out of range")
  T.error(function() x:topk(1.5) end, "topk: k must be an integer")
  T.error(function() x:topk() end, "topk: missing")
  T.error(function() x:kthvalue(0) end, "kthvalue: selected number k out of range")
  T.error(function() x:kthvalue(4) end, "kthvalue: selected number k out of range")
  T.error(function() x:sort(2) end, "sort: dim 2 is out of range")
  T.error(function() x:median(-2) end, "median: dim -2 is out of range")
  T.error(function() x:sort(0) end, "dims are 1-based")
  T.error(function() torch.zeros(3, 0):kthvalue(1, 2) end,
    "kthvalue: Expected reduction dim 2 to have non-zero size")
  T.error(function() torch.zeros(3, 0):median(2) end, "median: Expected reduction dim 2 to have non-zero size")
  local b = torch.tensor({true, false})
  T.error(function() b:topk(1) end, "topk: not supported for dtype bool")
  T.error(function() b:kthvalue(1) end, "kthvalue: not supported for dtype bool")
  T.error(function() b:median() end, "median: not supported for dtype bool")
  T.close(b:sort(), {false, true})
end)

T.test("options are checked: unknown, PyTorch-only, given twice, wrong type", function()
  local x = torch.tensor({1.0, 2.0})
  T.error(function() x:sort({descnding = true}) end, "did you mean 'descending'")
  T.error(function() x:sort({out = x}) end, "sort: option 'out' is PyTorch's but not implemented")
  T.error(function() x:sort(1, {dim = 1}) end, "sort: dim given twice")
  T.error(function() x:sort(1, "yes") end, "sort: descending must be a boolean")
  T.error(function() x:topk(1, 1, true, true, 5) end, "topk: too many arguments")
  T.error(function() x:median({keepdim = true}) end, "median: keepdim needs a dim")
  T.error(function() torch.unique(x, {return_counts = 1}) end, "unique: return_counts must be a boolean")
end)

T.test("unique with a dim: errors as PyTorch's", function()
  T.error(function() torch.unique(torch.tensor(3.0), {dim = 1}) end, "unique: dim 1 given but the tensor has no dimensions")
  T.error(function() torch.unique(torch.zeros(3, 0), {dim = 1}) end, "unique: There are 0 sized dimensions")
  T.error(function() torch.unique(torch.zeros(3, 2), {dim = 3}) end, "unique: dim 3 is out of range")
end)

T.test("searchsorted and bucketize: side, shapes, sorter and dtypes", function()
  local s = torch.tensor({1.0, 3.0, 5.0})
  T.error(function() torch.searchsorted(s, s, {side = "middle"}) end,
    "searchsorted: side can only be 'left' or 'right' but got middle")
  T.error(function() torch.searchsorted(s, s, {side = "left", right = true}) end,
    "searchsorted: side and right can't be set to opposites")
  T.error(function() torch.searchsorted(torch.tensor(1.0), s) end,
    "searchsorted: boundaries tensor should have positive dimension")
  T.error(function() torch.searchsorted(torch.zeros(2, 3), torch.zeros(3)) end,
    "searchsorted: boundaries tensor should be 1 dimension or the first N-1 dimensions")
  T.error(function() torch.searchsorted(torch.zeros(2, 3), 1.0) end,
    "searchsorted: input value can be a scalar only when boundaries tensor dimension is 1")
  T.error(function() torch.searchsorted(s, s, {sorter = torch.tensor({0, 1, 2}, {dtype = torch.int32})}) end,
    "searchsorted: sorter must be a tensor of long dtype")
  T.error(function() torch.searchsorted(s, s, {sorter = torch.tensor({0, 1})}) end,
    "searchsorted: boundary and sorter must have the same size")
  T.error(function() torch.searchsorted(s, s, {sorter = torch.tensor({0, 1, 7})}) end,
    "searchsorted: sorter index 7 is out of range")
  T.error(function() torch.searchsorted(s, s, {out = s}) end, "option 'out' is PyTorch's but not implemented")
  T.error(function() torch.bucketize(s, torch.zeros(2, 2)) end,
    "bucketize: boundaries tensor must be 1 dimension, but got dim(2)")
  T.eq(torch.bucketize(4, s):item(), 2)
  T.eq(torch.bucketize(4, s):dim(), 0)
  T.eq(torch.searchsorted(s, s, {out_int32 = true}).dtype, torch.int32)
  T.eq(torch.Tensor.searchsorted, nil, "searchsorted is not a Tensor method in PyTorch")
end)

T.test("bincount and histc: PyTorch's errors", function()
  T.error(function() torch.bincount(torch.tensor({1.0, 2.0})) end, "bincount: not supported for dtype float32")
  T.error(function() torch.bincount(torch.tensor({true})) end, "bincount: not supported for dtype bool")
  T.error(function() torch.bincount(torch.tensor({1, -1})) end,
    "bincount: bincount only supports 1-d non-negative integral inputs.")
  T.error(function() torch.bincount(torch.tensor({{1, 1}})) end, "1-d non-negative integral inputs")
  T.error(function() torch.bincount(torch.tensor({1, 2}), {minlength = -1}) end, "minlength should be >= 0")
  T.error(function() torch.bincount(torch.tensor({1, 2}), torch.tensor({1.0})) end,
    "bincount: weights should be 1-d and have the same length as input")
  T.error(function() torch.histc(torch.tensor({1, 2})) end, "histc: not supported for dtype int64")
  T.error(function() torch.histc(torch.tensor({1.0}), 0) end, "histc: bins must be > 0, but got 0")
  T.error(function() torch.histc(torch.tensor({1.0}), 4, 3, 1) end, "histc: max must be larger than min")
  T.error(function() torch.histc(torch.tensor({1.0, 1 / 0}), 4) end, "histc: range of [1, inf] is not finite")
  T.close(torch.histc(torch.tensor({}), 4), {0, 0, 0, 0})
end)

T.test("median of an empty tensor is NaN in its dtype (PyTorch's cast)", function()
  T.ok(torch.tensor({}):median():item() ~= torch.tensor({}):median():item())
  T.eq(torch.zeros(0, {dtype = torch.int64}):median():item(), math.mininteger)
end)

T.run()
