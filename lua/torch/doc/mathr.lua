-- torch.doc.mathr — help texts of the math bound in src/bind/lua_mathr.c
-- (cumsum, cumprod, logsumexp, amax, amin, count_nonzero, norm,
-- linalg.vector_norm, std_mean, var_mean, isnan & co., isclose, nan_to_num,
-- lerp) and the creators logspace, normal and randint_like
-- (src/bind/lua_create.c).
local M = {}

local DIMS = [=[
dim is 1-based (1 = first dim, -1 = last) and may be a table of dims;
keepdim = true keeps the reduced dims with size 1.]=]

M["Tensor.cumsum"] = [=[
x:cumsum(dim[, {dtype=}]) -> Tensor
Cumulative sums along dim (1-based): element i is the sum of elements 1..i.
Integers and bools give int64; {dtype =} converts x first. Floats add up in
double and round each partial sum, as PyTorch's CPU kernel. The gradient
is the reversed cumulative sum of the incoming one (CumsumBackward0).
Example:
  torch.tensor({1, 2, 3}):cumsum(1)       --> tensor([1, 3, 6])
  local m = torch.tensor({{1.0, 2.0}, {3.0, 4.0}})
  m:cumsum(2)                             --> tensor([[1., 3.], [3., 7.]])]=]

M["Tensor.cumprod"] = [=[
x:cumprod(dim[, {dtype=}]) -> Tensor
Cumulative products along dim (1-based): element i is the product of
elements 1..i. Integers and bools give int64. The gradient handles zeros as
PyTorch does: an element after the first zero of its line gets 0
(CumprodBackward0).
Example:
  torch.tensor({1, 2, 3, 4}):cumprod(1)   --> tensor([ 1,  2,  6, 24])]=]

M["Tensor.logsumexp"] = [=[
x:logsumexp(dim[, keepdim=false]) -> Tensor
log(sum(exp(x))) over dim, computed without overflow: the maximum is taken
out first. dim is required, as in PyTorch 1.13.
]=] .. DIMS .. [=[

Integers give float32.
Example:
  torch.tensor({1000.0, 1000.0}):logsumexp(1)  --> tensor(1000.6932)]=]

M["Tensor.amax"] = [=[
x:amax([dim[, keepdim=false]]) -> Tensor
The maximum over dim (every dim when none), without indices. Unlike max,
ties share the gradient evenly (AmaxBackward0).
]=] .. DIMS .. [=[

Example:
  local x = torch.tensor({{1.0, 5.0}, {7.0, 2.0}})
  x:amax()                                --> tensor(7.)
  x:amax(2)                               --> tensor([5., 7.])]=]

M["Tensor.amin"] = [=[
x:amin([dim[, keepdim=false]]) -> Tensor
The minimum over dim (every dim when none), without indices; ties share
the gradient evenly (AminBackward0).
]=] .. DIMS .. [=[

Example:
  torch.tensor({{1.0, 5.0}, {7.0, 2.0}}):amin(1)  --> tensor([1., 2.])]=]

M["Tensor.count_nonzero"] = [=[
x:count_nonzero([dim]) -> Tensor
The number of non-zero elements, over dim (1-based, or a table of dims) or
over everything: an int64 tensor.
Example:
  torch.tensor({{0, 1, 2}, {3, 0, 0}}):count_nonzero()   --> tensor(3)
  torch.tensor({{0, 1, 2}, {3, 0, 0}}):count_nonzero(2)  --> tensor([2, 1])]=]

M["Tensor.norm"] = [=[
x:norm([p='fro'[, dim[, keepdim=false]]][, opts]) -> Tensor
The p-norm (sum |x|^p)^(1/p) over dim (every element when no dim).
p: a number (2, 1, 3, 0.5, ...), math.huge (max |x|), -math.huge (min
|x|), 0 (the count of non-zeros) or 'fro' (= 2; over two dims it is
sqrt(sum(x * x)), recorded op by op as in PyTorch). 'nuc' needs singular
values, which ember does not compute: an error. opts: {p=, dim=, keepdim=,
dtype=}. Use torch.linalg.vector_norm
and torch.linalg.matrix_norm in new code, as PyTorch advises.
Example:
  local x = torch.tensor({3.0, -4.0})
  x:norm()                                --> tensor(5.)
  x:norm(1)                               --> tensor(7.)
  x:norm(math.huge)                       --> tensor(4.)]=]

M["torch.linalg.vector_norm"] = [=[
torch.linalg.vector_norm(x[, ord=2[, dim[, keepdim=false]]][, opts]) -> Tensor
The vector norm of x over dim (every element when no dim):
(sum |x|^ord)^(1/ord); ord math.huge is max |x|, -math.huge min |x|, 0 the
count of non-zeros. x must be floating point ({dtype =} converts it first).
opts: {ord=, dim=, keepdim=, dtype=}.
]=] .. DIMS .. [=[

Example:
  torch.linalg.vector_norm(torch.tensor({3.0, -4.0}))     --> tensor(5.)
  local m = torch.tensor({{3.0, -4.0}, {1.0, 1.0}})
  torch.linalg.vector_norm(m, 1, 2)       --> tensor([7., 2.])]=]

local function stat_mean(name, stat, example, result)
  M["torch." .. name] = "torch." .. name .. "(x[, dim[, unbiased=true[, keepdim=false]]][, opts]) -> " ..
    stat .. ", mean\n" ..
    "The " .. stat .. " and the mean of x in one call (two tensors), over dim or\n" ..
    "everything; positions and opts {correction=1} as x:" .. stat .. "().\nTheir grad_fn is " ..
    (name == "std_mean" and "StdMeanBackward0" or "VarMeanBackward0") .. ".\n" ..
    DIMS .. "\nExample:\n  " .. example .. "  --> " .. result
end
stat_mean("std_mean", "std", "torch.std_mean(torch.tensor({1.0, 2.0, 3.0}))", "tensor(1.), tensor(2.)")
stat_mean("var_mean", "var", "torch.var_mean(torch.tensor({1.0, 2.0, 6.0}))", "tensor(7.), tensor(3.)")

local SAMPLE = "torch.tensor({1.0, 0/0, 1/0, -1/0})"
local function predicate(name, summary, result)
  M["Tensor." .. name] = "x:" .. name .. "() -> Tensor\n" .. summary ..
    "\nA bool tensor; integer and bool tensors are always finite.\nExample:\n  local x = " .. SAMPLE ..
    "\n  x:" .. name .. "()  --> " .. result
end
predicate("isnan", "True where x is NaN (not a number).", "tensor([False,  True, False, False])")
predicate("isinf", "True where x is +inf or -inf.", "tensor([False, False,  True,  True])")
predicate("isposinf", "True where x is +inf.", "tensor([False, False,  True, False])")
predicate("isneginf", "True where x is -inf.", "tensor([False, False, False,  True])")
predicate("isfinite", "True where x is neither NaN nor infinite.", "tensor([ True, False, False, False])")

M["Tensor.isclose"] = [=[
x:isclose(other[, rtol=1e-5[, atol=1e-8[, equal_nan=false]]][, opts]) -> Tensor
True where x == other, or where |x - other| <= atol + |rtol * other| and
is finite (a bool tensor, broadcasting). NaN is close to NaN only with
equal_nan = true. opts: {rtol=, atol=, equal_nan=}. x and other must have
the same dtype; the arithmetic is in that dtype, as PyTorch's.
torch.allclose(x, other) is isclose(...):all().
Example:
  local x = torch.tensor({1.0, 1.0})
  x:isclose(torch.tensor({1.0 + 1e-6, 1.1}))  --> tensor([ True, False])]=]

M["Tensor.nan_to_num"] = [=[
x:nan_to_num([nan=0[, posinf[, neginf]]][, opts]) -> Tensor
x with NaN replaced by nan, +inf by posinf and -inf by neginf; by default
the infinities become the largest and lowest finite values of x's dtype.
opts: {nan=, posinf=, neginf=}. Integer tensors are copied unchanged.
Gradient: g where x is finite, else 0.
Example:
  local x = torch.tensor({0/0, 1/0, 2.0})
  x:nan_to_num(0, 100)                    --> tensor([  0., 100.,   2.])]=]

M["Tensor.lerp"] = [=[
x:lerp(end, weight) -> Tensor
Linear interpolation x + weight * (end - x), with weight a number or a
tensor (broadcasting). Computed as PyTorch's kernel: for |weight| >= 0.5 as
end - (end - x) * (1 - weight), so weight 1 gives end exactly. x and end
(and a tensor weight) must share a floating dtype.
Example:
  local a, b = torch.tensor({0.0, 10.0}), torch.tensor({10.0, 20.0})
  a:lerp(b, 0.25)                         --> tensor([ 2.5000, 12.5000])]=]

M["torch.logspace"] = [=[
torch.logspace(start, end, steps[, base=10][, opts]) -> Tensor
steps values base^v for v evenly spaced from start to end (both included),
computed as PyTorch's CPU kernel (the second half counted back from end).
opts: {base=, dtype=, device=, requires_grad=}.
Example:
  torch.logspace(0, 2, 3)                 --> tensor([  1.,  10., 100.])
  torch.logspace(0, 3, 4, 2)              --> tensor([1., 2., 4., 8.])]=]

M["torch.normal"] = [=[
torch.normal(mean, std[, size][, opts]) -> Tensor
Normal random numbers with the given mean and standard deviation. Either
may be a tensor (the result has their broadcast shape and draws one number
per element) or a number; with two numbers give the size. The stream is
PyTorch's for the same seed: a tensor std draws standard normals z and
returns z * std + mean. The gradients for tensor mean and std are zeros
(NormalBackward1-3), as in PyTorch. opts:
{generator=, size=}, and with two numbers {dtype=, device=,
requires_grad=}.
Example:
  torch.manual_seed(0)
  local z = torch.normal(torch.zeros(3), torch.ones(3))
  z                                  --> tensor([ 1.5410, -0.2934, -2.1788])
  torch.manual_seed(0)
  torch.normal(2.0, 3.0, {3})        --> tensor([ 6.6230,  1.1197, -4.5364])]=]

M["torch.randint_like"] = [=[
torch.randint_like(input, [low=0,] high[, opts]) -> Tensor
Random integers in [low, high) with input's shape and dtype (unless dtype
is given), from the default generator (PyTorch's stream). opts: {dtype=,
device=, requires_grad=, generator=}.
Example:
  torch.manual_seed(0)
  torch.randint_like(torch.zeros(3), 10)  --> tensor([4., 9., 3.])]=]

return M
