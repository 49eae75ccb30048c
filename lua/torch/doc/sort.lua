-- torch.doc.sort — help texts of the sorting and counting ops (sort,
-- argsort, topk, kthvalue, median, unique, searchsorted, bucketize,
-- bincount, histc), written in C (src/bind/lua_sort.c).
local M = {}

local TIES = [=[
Indices are int64 and 0-based, as in PyTorch. NaN sorts as the largest
value. Equal values come in position order (ember sorts stably); PyTorch
leaves that order unspecified, and among ties in longer rows its CPU kernel
may return other positions (the values are the same).]=]

M["Tensor.sort"] = [=[
x:sort([dim=-1[, descending=false]][, {stable=false}]) -> Tensor, Tensor
The values sorted along dim (1-based; -1 = last), and their positions in x.
]=] .. TIES .. [=[

{stable = true} keeps equal values in their original order. The gradient
of the values goes back to the positions they came from.
Example:
  local x = torch.tensor({3.0, 1.0, 2.0, 1.0})
  x:sort()                  --> tensor([1., 1., 2., 3.]), tensor([1, 3, 2, 0])
  x:sort(1, true)           --> tensor([3., 2., 1., 1.]), tensor([0, 2, 1, 3])
  torch.tensor({2.0, 0/0, 1.0}):sort()
  --> tensor([1., 2., nan]), tensor([2, 0, 1])
  local values, indices = x:sort({descending = true, stable = true})]=]

M["Tensor.msort"] = [=[
x:msort() -> Tensor
The values of x sorted along its first dim: x:sort(1)'s first result
(differentiable, SortBackward0).
Example:
  local x = torch.tensor({{3.0, 1.0}, {0.0, 2.0}})
  x:msort()                 --> tensor([[0., 1.], [3., 2.]])]=]

M["Tensor.argsort"] = [=[
x:argsort([dim=-1[, descending=false]][, {stable=false}]) -> Tensor
The positions (int64, 0-based) that sort x along dim: x:sort()'s second
result. Not differentiable.
Example:
  torch.tensor({3.0, 1.0, 2.0}):argsort()        --> tensor([1, 2, 0])
  torch.tensor({{3, 1}, {0, 2}}):argsort(1)      --> tensor([[1, 0], [0, 1]])]=]

M["Tensor.topk"] = [=[
x:topk(k[, dim=-1[, largest=true[, sorted=true]]]) -> Tensor, Tensor
The k largest values along dim (the k smallest with largest = false) and
their positions. sorted = false is accepted; ember returns them sorted
anyway (PyTorch leaves that order unspecified).
]=] .. TIES .. [=[

Example:
  local x = torch.tensor({1.0, 5.0, 2.0, 4.0})
  x:topk(2)                              --> tensor([5., 4.]), tensor([1, 3])
  x:topk(2, {largest = false})           --> tensor([1., 2.]), tensor([0, 2])]=]

M["Tensor.kthvalue"] = [=[
x:kthvalue(k[, dim=-1[, keepdim=false]]) -> Tensor, Tensor
The k-th smallest value along dim (k = 1 is the smallest) and its position.
]=] .. TIES .. [=[

Example:
  local x = torch.tensor({{4.0, 1.0, 3.0}, {2.0, 6.0, 5.0}})
  x:kthvalue(2)                          --> tensor([3., 5.]), tensor([2, 2])
  x:kthvalue(1, 1, true)  --> tensor([[2., 1., 3.]]), tensor([[1, 0, 0]])]=]

M["Tensor.median"] = [=[
x:median() / x:median(dim[, keepdim=false]) -> Tensor[, Tensor]
The median of all elements (a 0-dim tensor), or along dim the medians and
their positions. With an even count it is the lower of the two middle
values (no averaging), as in PyTorch. NaN anywhere makes the median NaN
(along dim: the first NaN and its position); torch.nanmedian is not here.
Among equal values the position is the one a stable sort puts in the middle.
The gradient of median() is shared equally by the elements equal to it.
Example:
  local x = torch.tensor({{1.0, 4.0, 2.0, 3.0}, {5.0, 5.0, 0.0, 5.0}})
  x:median()                             --> tensor(3.)
  x:median(2)                            --> tensor([2., 5.]), tensor([2, 0])]=]

M["Tensor.unique"] = [=[
x:unique([sorted[, return_inverse[, return_counts[, dim]]]]) -> Tensor[, ...]
The distinct elements of x in ascending order (a 1-D tensor); with
return_inverse = true, also each element's position in that list (x's
shape); with return_counts = true, how often each occurs. With a dim: the
distinct slices along dim, the inverse and counts of those slices. The
defaults are sorted = true, return_inverse = false, return_counts = false,
no dim; as a table: {return_counts = true, dim = 1}. Not differentiable.
Differs from PyTorch: each NaN is a distinct value, sorted last with a
count of 1 (PyTorch 1.13's CPU hash puts NaN mid-list with count 0);
sorted = false gives ascending order too (PyTorch leaves it unspecified).
Example:
  local x = torch.tensor({3, 1, 3, 2, 1})
  x:unique()                         --> tensor([1, 2, 3])
  x:unique({return_inverse = true, return_counts = true})
  --> tensor([1, 2, 3]), tensor([2, 0, 2, 1, 0]), tensor([2, 1, 2])
  local rows = torch.tensor({{1, 2}, {0, 5}, {1, 2}})
  rows:unique({dim = 1})             --> tensor([[0, 5], [1, 2]])]=]

M["torch.searchsorted"] = [=[
torch.searchsorted(sorted_sequence, values[, opts]) -> Tensor
For each value, the 0-based position where inserting it keeps the innermost
dim of sorted_sequence sorted: before equal elements, or after them with
right = true (or side = "right"). sorted_sequence is 1-D, or has the
leading dims of values (one sorted row per row of values). values may be a
number (a 0-dim result). Options: {right = false, side = "left" or
"right", out_int32 = false (true: int32 positions), sorter = the int64
positions that sort an unsorted sequence}. The two are compared in their
promoted dtype; a NaN boundary counts as largest.
Example:
  local s = torch.tensor({1.0, 3.0, 5.0, 7.0})
  torch.searchsorted(s, torch.tensor({3.0, 6.0}))  --> tensor([1, 3])
  torch.searchsorted(s, 3.0, {right = true})       --> tensor(2)]=]

M["torch.bucketize"] = [=[
torch.bucketize(input, boundaries[, {right=false, out_int32=false}]) -> Tensor
The bucket of each element of input (a tensor or a number) between the
sorted 1-D boundaries: torch.searchsorted(boundaries, input) — the number
of boundaries below it (right = false: strictly below; right = true: at
or below).
Example:
  local b = torch.tensor({1.0, 3.0, 5.0})
  local x = torch.tensor({0.5, 3.0, 9.0})
  torch.bucketize(x, b)                   --> tensor([0, 1, 3])
  torch.bucketize(x, b, {right = true})   --> tensor([0, 2, 3])]=]

M["Tensor.bincount"] = [=[
x:bincount([weights[, minlength=0]]) -> Tensor
How often each value 0, 1, ..., max(x) occurs in x (1-D, non-negative
integers): int64 counts, at least minlength of them. With weights (a tensor
of x's length) the weights of each value are summed instead: float32
weights give float32 sums, any other dtype float64 (as PyTorch).
Example:
  local x = torch.tensor({1, 1, 3, 0})
  x:bincount()                                  --> tensor([1, 2, 0, 1])
  x:bincount({minlength = 6})                   --> tensor([1, 2, 0, 1, 0, 0])
  x:bincount(torch.tensor({0.5, 0.5, 1.0, 2.0}))  --> tensor([2., 1., 0., 1.])]=]

M["Tensor.histc"] = [=[
x:histc([bins=100[, min=0[, max=0]]]) -> Tensor
A histogram of x (floating point) with bins equal-width bins over
[min, max]: the count of elements in each (the last bin includes max;
elements outside are not counted). min = max (the default) uses x's own
smallest and largest values. As in PyTorch 1.13, a NaN element is counted
in the first bin.
Example:
  torch.tensor({1.0, 2.0, 1.0}):histc(4, 0, 3)   --> tensor([0., 2., 1., 0.])
  torch.tensor({1.0, 2.0, 1.0, 5.0}):histc({bins = 2})  --> tensor([3., 1.])]=]

-- the function forms torch.NAME(x, ...) of these methods
require("torch.doc.aliases")(M, {
  "sort", "msort", "argsort", "topk", "kthvalue", "median", "unique", "bincount", "histc"
})
-- (shorter than the generated one)
M["torch.unique"] = {"Tensor.unique", "torch.unique(x[, sorted[, return_inverse[, return_counts[, dim]]]]) -> ..."}

return M
