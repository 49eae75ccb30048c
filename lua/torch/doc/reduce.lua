-- torch.doc.reduce — help texts of the reductions (sum, mean, max, argmax,
-- var, ...) and the matrix products (matmul, mm, bmm, mv, dot), written in C
-- (src/bind/lua_math.c).
local M = {}

local DIMS = [=[
dim is 1-based (1 = first dim, -1 = last) and may be a table of dims;
keepdim = true keeps the reduced dims with size 1. Both may also be given
as one table: {dim = 2, keepdim = true}.]=]

M["Tensor.sum"] = [=[
x:sum([dim[, keepdim=false]][, {dtype=}]) -> Tensor
The sum of all elements (a 0-dim tensor), or along dim.
]=] .. DIMS .. [=[

Sums of integers or bools are int64. {dtype = torch.float64} converts x to
that dtype first and sums in it (PyTorch's dtype=).
Example:
  local x = torch.tensor({{1.0, 2.0}, {3.0, 4.0}})
  x:sum()                                 --> tensor(10.)
  x:sum(1)                                --> tensor([4., 6.])
  x:sum(2, true)                          --> tensor([[3.], [7.]])
  torch.tensor({true, true, false}):sum()  --> tensor(2)
  local n = torch.tensor({1, 2})
  n:sum({dtype = torch.float64})          --> tensor(3., dtype=torch.float64)]=]

M["Tensor.mean"] = [=[
x:mean([dim[, keepdim=false]][, {dtype=}]) -> Tensor
The mean of all elements, or along dim (x must be floating point, or
{dtype =} a floating dtype to convert it to first).
]=] .. DIMS .. [=[

Example:
  local x = torch.tensor({{1.0, 2.0}, {3.0, 4.0}})
  x:mean()                                --> tensor(2.5000)
  x:mean(1)                               --> tensor([2., 3.])
  local n = torch.tensor({1, 2})
  n:mean({dtype = torch.float64})  --> tensor(1.5000, dtype=torch.float64)]=]

M["Tensor.prod"] = [=[
x:prod([dim[, keepdim=false]][, {dtype=}]) -> Tensor
The product of all elements, or along dim; {dtype =} converts x first.
]=] .. DIMS .. [=[

Example:
  local x = torch.tensor({{1.0, 2.0}, {3.0, 4.0}})
  x:prod()                                --> tensor(24.)
  x:prod(2)                               --> tensor([ 2., 12.])]=]

M["Tensor.var"] = [=[
x:var([unbiased]) / x:var(dim[, unbiased=true[, keepdim=false]])
  [, {correction=1}] -> Tensor
The variance of all elements, or along dim (x must be floating point).
Unbiased by default (divides by N - 1), as PyTorch; unbiased = false or
{correction = 0} divides by N. The positions are PyTorch's: unbiased comes
before keepdim (x:var(1, true, true) keeps the dim); as options,
{dim =, unbiased =, correction =, keepdim =}.
Example:
  local x = torch.tensor({{1.0, 2.0}, {3.0, 4.0}})
  x:var()                                 --> tensor(1.6667)
  x:var(1, false)                         --> tensor([1., 1.])
  x:var(2, {correction = 0, keepdim = true}):size()  --> torch.Size([2, 1])]=]

M["Tensor.std"] = [=[
x:std([unbiased]) / x:std(dim[, unbiased=true[, keepdim=false]])
  [, {correction=1}] -> Tensor
The standard deviation (square root of var), of all elements or along dim.
Unbiased by default, as PyTorch; {correction = 0} divides by N. The
positions are PyTorch's, as for var: (dim, unbiased, keepdim).
Example:
  local x = torch.tensor({{1.0, 2.0}, {3.0, 4.0}})
  x:std()                                 --> tensor(1.2910)
  x:std({correction = 0})                 --> tensor(1.1180)]=]

M["Tensor.max"] = [=[
x:max() / x:max(dim[, keepdim=false]) / x:max(other) -> Tensor[, Tensor]
The largest element (a 0-dim tensor); along dim, two results: the values
and their indices (int64, 0-based, as in PyTorch); with a tensor, the
elementwise maximum (as x:maximum(other)).
Example:
  local x = torch.tensor({{1.0, 2.0}, {3.0, 4.0}})
  x:max()                                 --> tensor(4.)
  x:max(2)                                --> tensor([2., 4.]), tensor([1, 1])
  local values, indices = x:max(1)]=]

M["Tensor.min"] = [=[
x:min() / x:min(dim[, keepdim=false]) / x:min(other) -> Tensor[, Tensor]
The smallest element; along dim, values and 0-based int64 indices; with a
tensor, the elementwise minimum.
Example:
  local x = torch.tensor({{1.0, 2.0}, {3.0, 4.0}})
  x:min()                                 --> tensor(1.)
  x:min(1, true)  --> tensor([[1., 2.]]), tensor([[0, 0]])]=]

M["Tensor.argmax"] = [=[
x:argmax([dim[, keepdim=false]]) -> Tensor
The 0-based position (int64) of the largest element: in the flattened
tensor, or along dim. Indices are data, 0-based as in PyTorch, so they
compare with class labels: (logits:argmax(2)):eq(labels).
Example:
  local x = torch.tensor({{1.0, 2.0}, {3.0, 4.0}})
  x:argmax()                              --> tensor(3)
  x:argmax(2)                             --> tensor([1, 1])]=]

M["Tensor.argmin"] = [=[
x:argmin([dim[, keepdim=false]]) -> Tensor
The 0-based position (int64) of the smallest element: in the flattened
tensor, or along dim.
Example:
  local x = torch.tensor({{1.0, 2.0}, {3.0, 4.0}})
  x:argmin()                              --> tensor(0)
  x:argmin(1, true)                       --> tensor([[0, 0]])]=]

M["Tensor.all"] = [=[
x:all([dim[, keepdim=false]]) -> Tensor
True if every element is true (non-zero): a bool tensor, of all elements or
along dim. all() of an empty tensor is true.
Example:
  torch.tensor({true, false}):all()       --> tensor(False)
  torch.tensor({{1, 0}, {1, 1}}):all(2)   --> tensor([False,  True])]=]

M["Tensor.any"] = [=[
x:any([dim[, keepdim=false]]) -> Tensor
True if some element is true (non-zero): a bool tensor, of all elements or
along dim. any() of an empty tensor is false.
Example:
  torch.tensor({true, false}):any()       --> tensor(True)]=]

-- Matrix products
M["Tensor.matmul"] = [=[
x:matmul(other) -> Tensor
The matrix product, as torch.matmul: 1-D . 1-D is a dot product, 2-D @ 2-D
a matrix product, 2-D @ 1-D a matrix-vector product; with more dims the
last two are matrices and the leading (batch) dims broadcast.
Shapes that do not fit give an error naming both, e.g.
"matmul: shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4)".
Example:
  local x = torch.tensor({{1.0, 2.0}, {3.0, 4.0}})
  x:matmul(x)                             --> tensor([[ 7., 10.], [15., 22.]])
  x:matmul(torch.tensor({1.0, 1.0}))      --> tensor([3., 7.])
  torch.ones(5, 2, 3):matmul(torch.ones(3, 4)):size()  --> torch.Size([5, 2, 4])]=]

M["Tensor.mm"] = [=[
x:mm(other) -> Tensor
The product of two matrices: (n x m) mm (m x p) -> (n x p). No broadcasting.
Example:
  local x = torch.tensor({{1.0, 2.0}, {3.0, 4.0}})
  x:mm(x)                                 --> tensor([[ 7., 10.], [15., 22.]])]=]

M["Tensor.bmm"] = [=[
x:bmm(other) -> Tensor
Batched matrix product: (b x n x m) bmm (b x m x p) -> (b x n x p).
Example:
  torch.ones(2, 2, 3):bmm(torch.ones(2, 3, 4)):size()  --> torch.Size([2, 2, 4])]=]

M["Tensor.mv"] = [=[
x:mv(vec) -> Tensor
Matrix-vector product: (n x m) mv (m) -> (n).
Example:
  torch.tensor({{1.0, 2.0}, {3.0, 4.0}}):mv(torch.tensor({1.0, 1.0}))
  --> tensor([3., 7.])]=]

M["Tensor.dot"] = [=[
x:dot(other) -> Tensor
The dot product of two 1-D tensors of the same length: a 0-dim tensor.
Example:
  torch.tensor({1.0, 2.0}):dot(torch.tensor({3.0, 4.0}))  --> tensor(11.)]=]

-- the function forms torch.NAME(x, ...) of these methods
require("torch.doc.aliases")(M, {
  "sum", "mean", "prod", "var", "std", "max", "min", "argmax", "argmin", "all", "any", "matmul", "mm", "bmm",
  "mv", "dot"
})
-- (shorter signatures than the generated ones)
for _, name in ipairs({"max", "min"}) do
  M["torch." .. name] = {"Tensor." .. name, "torch." .. name .. "(x[, dim[, keepdim]]) / torch." .. name ..
                         "(x, other) -> Tensor[, Tensor]"}
end

return M
