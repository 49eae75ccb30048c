-- torch.doc.rearrange — help texts of the ops that move, pick or mask
-- elements (src/bind/lua_rearrange.c): flip, roll, repeat/tile, tril, triu,
-- diagonal, diag, trace, masked_fill(_), masked_select, nonzero, the split
-- family (chunk, split, tensor_split) and addmm/baddbmm. einsum, meshgrid,
-- cartesian_prod, outer and repeat_interleave are Lua (torch/shape_ops.lua)
-- and documented there.
local M = {}

local TUPLE = "The pieces come back as a Lua list marked torch.tuple (PyTorch returns\n" ..
  "a tuple): index it, ipairs it, or table.unpack it."

M["Tensor.flip"] = [=[
x:flip(dims...) / x:flip({dims}) -> Tensor
x with the order of its elements reversed along each of dims (1-based).
A copy (PyTorch's flip copies too); the gradient is flipped back.
Example:
  local y = torch.arange(6):view(2, 3)
  y:flip(2)                               --> tensor([[2, 1, 0], [5, 4, 3]])
  y:flip(1, 2)                            --> tensor([[5, 4, 3], [2, 1, 0]])]=]

M["Tensor.roll"] = [=[
x:roll(shifts[, dims]) -> Tensor
x shifted by shifts places along dims, elements that fall off one end
coming back at the other. shifts and dims are numbers or tables of the same
length (dims 1-based). Without dims, x is rolled as if flattened and keeps
its size.
Example:
  torch.arange(5):roll(2)                 --> tensor([3, 4, 0, 1, 2])
  torch.arange(6):view(2, 3):roll(-1, 2)  --> tensor([[1, 2, 0], [4, 5, 3]])
  torch.arange(6):view(2, 3):roll({1, 1}, {1, 2})
  --> tensor([[5, 3, 4], [2, 0, 1]])]=]

M["Tensor.repeat"] = [=[
x["repeat"](x, sizes...) -> Tensor
x tiled sizes[i] times along dim i: the result's size is x's size times
sizes, with new leading dims when more sizes than dims are given. A copy.
For repeating each element in place, see repeat_interleave.
Differs from PyTorch: repeat is a Lua keyword, so x:repeat(...) does not
parse; write x:tile(...) (the same op, PyTorch's torch.tile) or
x["repeat"](x, ...).
Example:
  local v = torch.tensor({1, 2})
  v["repeat"](v, 2)                       --> tensor([1, 2, 1, 2])
  v["repeat"](v, 2, 2)
  --> tensor([[1, 2, 1, 2], [1, 2, 1, 2]])]=]

M["Tensor.tile"] = [=[
x:tile(sizes...) / x:tile({sizes}) -> Tensor
x tiled sizes[i] times along dim i (PyTorch's x.repeat, under its other
name torch.tile): with fewer sizes than dims, 1s are put in front. A copy;
the gradient sums the copies (RepeatBackward0).
Example:
  torch.tensor({1, 2}):tile(3)            --> tensor([1, 2, 1, 2, 1, 2])
  torch.tensor({{1, 2}}):tile(2, 1)       --> tensor([[1, 2], [1, 2]])
  torch.ones(2, 3):tile(2):size()         --> torch.Size([2, 6])]=]

M["Tensor.tril"] = [=[
x:tril([diagonal=0]) -> Tensor
The lower triangle of the last two dims of x: elements (i, j) with
j - i <= diagonal kept, the rest zero. diagonal > 0 keeps more diagonals
above the main one, < 0 fewer. Also x:tril({diagonal = k}).
Example:
  local y = torch.ones(3, 3)
  y:tril()
  --> tensor([[1., 0., 0.], [1., 1., 0.], [1., 1., 1.]])
  y:tril(-1)
  --> tensor([[0., 0., 0.], [1., 0., 0.], [1., 1., 0.]])]=]

M["Tensor.triu"] = [=[
x:triu([diagonal=0]) -> Tensor
The upper triangle of the last two dims of x: elements (i, j) with
j - i >= diagonal kept, the rest zero (e.g. the causal mask of attention is
torch.ones(n, n):triu(1):bool(), the positions to hide).
Example:
  torch.ones(3, 3):triu(1)
  --> tensor([[0., 1., 1.], [0., 0., 1.], [0., 0., 0.]])]=]

M["Tensor.diagonal"] = [=[
x:diagonal([offset=0[, dim1=1[, dim2=2]]]) -> Tensor
A view of the offset-th diagonal of the matrices in dims dim1, dim2
(1-based), as a new last dim; offset > 0 is above the main diagonal, < 0
below. Writing to it writes into x. Also x:diagonal({offset =, dim1 =, dim2 =}).
Example:
  local y = torch.arange(9):view(3, 3)
  y:diagonal()                            --> tensor([0, 4, 8])
  y:diagonal(1)                           --> tensor([1, 5])
  torch.zeros(2, 2):diagonal():fill_(1)   --> tensor([1., 1.])]=]

M["Tensor.diag"] = [=[
x:diag([diagonal=0]) -> Tensor
For a 1-D x: a square matrix with x on its diagonal-th diagonal and zeros
elsewhere. For a 2-D x: a copy of its diagonal-th diagonal (1-D). Other
sizes are an error.
Example:
  torch.tensor({1, 2}):diag()             --> tensor([[1, 0], [0, 2]])
  torch.tensor({1, 2}):diag(1)
  --> tensor([[0, 1, 0], [0, 0, 2], [0, 0, 0]])
  torch.arange(9):view(3, 3):diag(-1)     --> tensor([3, 7])]=]

M["Tensor.trace"] = [=[
x:trace() -> Tensor
The sum of the main diagonal of a 2-D x, as a 0-dim tensor (integers sum
to int64, as sum does).
Example:
  torch.arange(9.0):view(3, 3):trace()    --> tensor(12.)]=]

M["Tensor.masked_fill"] = [=[
x:masked_fill(mask, value) -> Tensor
A copy of x with value wherever the bool tensor mask is true. mask
broadcasts with x; value is a number or a 0-dim tensor (converted to x's
dtype; a tensor value that requires grad gets the sum of the gradient at
the masked places). Typical: scores:masked_fill(pad_mask, -math.huge).
Example:
  local a = torch.tensor({1.0, 2.0, 3.0})
  a:masked_fill(a:gt(1), 0)               --> tensor([1., 0., 0.])
  a:masked_fill(torch.tensor({true, false, false}), torch.tensor(9.0))
  --> tensor([9., 2., 3.])]=]

M["Tensor.masked_fill_"] = [=[
x:masked_fill_(mask, value) -> x
In place: value written into x wherever mask is true. mask must broadcast
to x's size (not beyond it). Returns x.
Example:
  local a = torch.zeros(2, 2)
  a:masked_fill_(torch.tensor({true, false}), 5)
  --> tensor([[5., 0.], [5., 0.]])]=]

M["Tensor.masked_select"] = [=[
x:masked_select(mask) -> Tensor
A 1-D copy of x's elements where the bool tensor mask is true, in
row-major order (x and mask broadcast together).
Example:
  local a = torch.tensor({{1, 2}, {3, 4}})
  a:masked_select(a:gt(1))                --> tensor([2, 3, 4])]=]

M["Tensor.nonzero"] = [=[
x:nonzero([{as_tuple = false}]) -> Tensor or tuple
The positions of x's nonzero (true) elements: an int64 tensor of size
(count, x:dim()) holding 0-BASED indices, one row per element in
row-major order (index tensors are data, as in PyTorch). With
{as_tuple = true}: one 1-D int64 tensor per dim (as torch.where(cond)).
Example:
  local a = torch.tensor({{0, 1}, {2, 0}})
  a:nonzero()                             --> tensor([[0, 1], [1, 0]])
  a:nonzero({as_tuple = true})            --> (tensor([0, 1]), tensor([1, 0]))]=]

M["Tensor.chunk"] = [=[
x:chunk(chunks[, dim=1]) -> tuple of Tensors
x cut along dim into chunks pieces of equal size (the last one smaller when
the size does not divide; fewer pieces when there is not enough to go
round). The pieces are views of x.
]=] .. TUPLE .. [=[

Example:
  torch.arange(5):chunk(2)
  --> (tensor([0, 1, 2]), tensor([3, 4]))
  local a, b = table.unpack(torch.arange(6):view(2, 3):chunk(3, 2))
  b                                       --> tensor([[1], [4]])]=]

M["Tensor.split"] = [=[
x:split(split_size_or_sizes[, dim=1]) -> tuple of Tensors
x cut along dim into pieces of split_size elements (the last one smaller),
or, given a list {sizes}, into pieces of the listed sizes (which must add
up to the dim's size).
The pieces are views of x. dim may also be given as {dim = d}.
]=] .. TUPLE .. [=[

Example:
  torch.arange(5):split(2)
  --> (tensor([0, 1]), tensor([2, 3]), tensor([4]))
  torch.arange(5):split({1, 4})
  --> (tensor([0]), tensor([1, 2, 3, 4]))]=]

M["Tensor.tensor_split"] = [=[
x:tensor_split(indices_or_sections[, dim=1]) -> tuple of Tensors
With a number: sections pieces of nearly equal size (the first ones one
larger when the size does not divide). With a list: the split points,
PyTorch's numbers: piece k ends after element indices[k] (1-based, the same
as PyTorch's 0-based "before index"), so {2, 5} gives x[1..2], x[3..5],
x[6..]. The pieces are views of x.
]=] .. TUPLE .. [=[

Example:
  torch.arange(7):tensor_split(3)
  --> (tensor([0, 1, 2]), tensor([3, 4]), tensor([5, 6]))
  torch.arange(7):tensor_split({2, 5})
  --> (tensor([0, 1]), tensor([2, 3, 4]), tensor([5, 6]))]=]

M["Tensor.addmm"] = [=[
x:addmm(mat1, mat2[, {beta = 1, alpha = 1}]) -> Tensor
beta * x + alpha * (mat1 @ mat2) for 2-D mat1 (n, k) and mat2 (k, m); x
broadcasts to (n, m). With beta = 0, x is ignored (NaNs in it too).
torch.addmm(x, mat1, mat2, opts) is the same. All three need one dtype.
Example:
  local m = torch.tensor({{1.0, 2.0}})
  torch.addmm(torch.ones(1, 1), m, m:t())  --> tensor([[6.]])
  torch.addmm(torch.ones(1), m, m:t(), {beta = 0.5, alpha = 2})
  --> tensor([[10.5000]])]=]

M["Tensor.baddbmm"] = [=[
x:baddbmm(batch1, batch2[, {beta = 1, alpha = 1}]) -> Tensor
beta * x + alpha * (batch1 @ batch2) for 3-D batch1 (b, n, k) and batch2
(b, k, m), one matrix product per batch; x broadcasts to (b, n, m).
Example:
  local a = torch.ones(2, 1, 3)
  torch.baddbmm(torch.zeros(2, 1, 1), a, a:transpose(2, 3), {alpha = 2})
  --> tensor([[[6.]], [[6.]]])]=]

-- the function forms torch.NAME(x, ...) of these methods
require("torch.doc.aliases")(M, {
  "flip", "roll", "tile", "tril", "triu", "diagonal", "diag", "trace", "masked_fill", "masked_select",
  "nonzero", "chunk", "split", "tensor_split", "addmm", "baddbmm"
})

return M
