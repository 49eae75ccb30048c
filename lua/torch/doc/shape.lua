-- torch.doc.shape — help texts of the shape operations written in C
-- (src/bind/lua_shape.c): views (view, reshape, transpose, permute, squeeze,
-- expand, narrow, select, flatten), copies (contiguous, clone), joining (cat,
-- stack), index-tensor ops (index_select, gather, scatter_add), x[i].
local M = {}

local VIEW = "A view: it shares x's storage, so writing to one changes the other."

M["Tensor.view"] = [=[
x:view(size...) / x:view(other) -> Tensor
The same elements with a new size (one size may be -1: inferred).
]=] .. VIEW .. [=[

The elements must be laid out compatibly (a contiguous x always is); if not,
view fails with a message saying so: use reshape, or contiguous() first.
x:view_as(other) is x:view(other:size()).
Example:
  local x = torch.arange(6)
  x:view(2, 3)                            --> tensor([[0, 1, 2], [3, 4, 5]])
  x:view(-1, 2):size()                    --> torch.Size([3, 2])]=]
M["Tensor.view_as"] = [=[
x:view_as(other) -> Tensor
x:view(other:size()): x's elements viewed with other's size.
Example:
  torch.arange(6):view_as(torch.zeros(3, 2)):size()  --> torch.Size([3, 2])]=]

M["Tensor.reshape"] = [=[
x:reshape(size...) / x:reshape(other) -> Tensor
The same elements with a new size (one size may be -1): a view when the
layout allows it, otherwise a copy. x:reshape_as(other) uses other's size.
Example:
  local y = torch.arange(6):view(2, 3)
  y:t():reshape(6)                        --> tensor([0, 3, 1, 4, 2, 5])
  y:reshape({3, 2}):size()                --> torch.Size([3, 2])]=]
M["Tensor.reshape_as"] = [=[
x:reshape_as(other) -> Tensor
x:reshape(other:size()).
Example:
  torch.arange(6):view(2, 3):reshape_as(torch.zeros(6)):size()
  --> torch.Size([6])]=]

M["Tensor.expand"] = [=[
x:expand(size...) / x:expand(other) -> Tensor
x repeated along its size-1 dims to the given size, without copying (a
view whose repeated dims have stride 0). -1 keeps a size. New leading dims
may be added. Copy with clone() or contiguous() before writing to it.
Example:
  torch.tensor({1, 2, 3}):expand(2, 3)    --> tensor([[1, 2, 3], [1, 2, 3]])
  torch.zeros(3, 1):expand(-1, 4):size()  --> torch.Size([3, 4])]=]
M["Tensor.expand_as"] = [=[
x:expand_as(other) -> Tensor
x:expand(other:size()).
Example:
  torch.ones(1):expand_as(torch.zeros(3)) --> tensor([1., 1., 1.])]=]

M["Tensor.transpose"] = [=[
x:transpose(dim1, dim2) -> Tensor
x with dims dim1 and dim2 swapped (1-based; negative counts from the end).
]=] .. VIEW .. [=[

Example:
  torch.zeros(2, 3):transpose(1, 2):size()  --> torch.Size([3, 2])]=]

M["Tensor.t"] = [=[
x:t() -> Tensor
The transpose of a matrix (x:transpose(1, 2)); 0-D and 1-D x come back as
they are; more than 2 dims is an error (use transpose or permute).
]=] .. VIEW .. [=[

Example:
  torch.tensor({{1, 2}}):t()              --> tensor([[1], [2]])]=]

M["Tensor.permute"] = [=[
x:permute(dims...) -> Tensor
x with its dims reordered: dim i of the result is dim dims[i] of x
(1-based). dims may be one table. x.T reverses all dims.
]=] .. VIEW .. [=[

Example:
  torch.zeros(2, 3, 4):permute(3, 1, 2):size()  --> torch.Size([4, 2, 3])]=]

M["Tensor.unsqueeze"] = [=[
x:unsqueeze(dim) -> Tensor
x with a new dim of size 1 inserted at position dim (1-based; -1 = last).
]=] .. VIEW .. [=[

Example:
  torch.zeros(3):unsqueeze(1):size()      --> torch.Size([1, 3])
  torch.zeros(3):unsqueeze(-1):size()     --> torch.Size([3, 1])]=]

M["Tensor.squeeze"] = [=[
x:squeeze([dim]) -> Tensor
x without its size-1 dims (all of them, or only dim if it has size 1).
]=] .. VIEW .. [=[

Example:
  torch.zeros(1, 3, 1):squeeze():size()   --> torch.Size([3])
  torch.zeros(1, 3, 1):squeeze(1):size()  --> torch.Size([3, 1])]=]

M["Tensor.narrow"] = [=[
x:narrow(dim, start, length) -> Tensor
The length elements of dim starting at position start (1-based).
]=] .. VIEW .. [=[

Example:
  torch.arange(6):view(2, 3):narrow(2, 2, 2)  --> tensor([[1, 2], [4, 5]])]=]

M["Tensor.select"] = [=[
x:select(dim, index) -> Tensor
The slice at position index (1-based; -1 = last) of dim; that dim goes.
x[i] is x:select(1, i).
]=] .. VIEW .. [=[

Example:
  local y = torch.arange(6):view(2, 3)
  y:select(1, 2)                          --> tensor([3, 4, 5])
  y:select(2, -1)                         --> tensor([2, 5])]=]

M["Tensor.flatten"] = [=[
x:flatten([start_dim=1[, end_dim=-1]]) -> Tensor
Dims start_dim .. end_dim merged into one (a view when possible).
nn.Flatten() flattens from dim 2, keeping the batch dim.
Example:
  local x = torch.zeros(2, 3, 4)
  x:flatten():size()                      --> torch.Size([24])
  x:flatten(2):size()                     --> torch.Size([2, 12])]=]

M["Tensor.contiguous"] = [=[
x:contiguous() -> Tensor
x without copying if its elements are laid out row by row in memory, else
a copy that is (so that view works).
Example:
  torch.zeros(2, 3):t():contiguous():is_contiguous()  --> true]=]

M["Tensor.clone"] = [=[
x:clone() -> Tensor
A copy of x with its own storage (gradients flow back to x).
Example:
  local a = torch.zeros(2)
  local b = a:clone()
  b:fill_(1)
  a                                       --> tensor([0., 0.])]=]

M["Tensor.index_select"] = [=[
x:index_select(dim, index) -> Tensor
The slices of dim at the positions in index, a 1-D int64 tensor of 0-BASED
positions (index tensors are data, as in PyTorch). A copy.
Example:
  torch.arange(6):view(2, 3):index_select(2, torch.tensor({0, 2}))
  --> tensor([[0, 2], [3, 5]])]=]

M["Tensor.gather"] = [=[
x:gather(dim, index) -> Tensor
Picks along dim with an index tensor of 0-BASED positions, as PyTorch:
out[i][j] = x[i][index[i][j]] for dim 2. The result has index's size.
Example:
  local y = torch.arange(6):view(2, 3)
  y:gather(2, torch.tensor({{0}, {2}}))   --> tensor([[0], [5]])]=]

M["Tensor.scatter_add"] = [=[
x:scatter_add(dim, index, src) -> Tensor
A copy of x where each value of src is added at the 0-BASED position index
gives along dim (out of place: x is unchanged).
Example:
  local idx = torch.tensor({0, 0, 2})
  torch.zeros(3):scatter_add(1, idx, torch.tensor({1.0, 2.0, 3.0}))
  --> tensor([3., 0., 3.])]=]

M["Tensor.indexing"] = [=[
x[i], x[{...}], x[i] = v
Indexing with 1-based positions, Torch7-style. x[i] is x:select(1, i);
x[{a, b, ...}] takes one spec per dim: an integer selects (the dim goes),
{first, last} keeps an inclusive range, {} or ":" keeps the whole dim;
negative positions count from the end. The result is a view.
Assignment copies a tensor (broadcast) or fills a number into the view.
#x is x:size(1).
Example:
  local y = torch.arange(6):view(2, 3)
  y[2]                                    --> tensor([3, 4, 5])
  y[{2, 3}]                               --> tensor(5)
  y[{{}, {2, 3}}]                         --> tensor([[1, 2], [4, 5]])
  y[{":", -1}]                            --> tensor([2, 5])]=]

M["torch.cat"] = [=[
torch.cat(tensors[, dim=1]) -> Tensor
The tensors of the list joined along an existing dim (1-based).
All sizes must match except along dim.
Example:
  torch.cat({torch.ones(2), torch.zeros(1)})  --> tensor([1., 1., 0.])
  torch.cat({torch.zeros(2, 3), torch.zeros(2, 3)}, 2):size()
  --> torch.Size([2, 6])]=]
M["torch.concat"] = {"torch.cat", "torch.concat(tensors[, dim=1]) -> Tensor"}

M["torch.stack"] = [=[
torch.stack(tensors[, dim=1]) -> Tensor
The tensors of the list (all the same size) joined along a NEW dim.
Example:
  torch.stack({torch.ones(2), torch.zeros(2)})  --> tensor([[1., 1.], [0., 0.]])
  torch.stack({torch.ones(2), torch.zeros(2)}, 2):size()  --> torch.Size([2, 2])]=]

-- the function forms torch.NAME(x, ...) of these methods
require("torch.doc.aliases")(M, {
  "view", "reshape", "expand", "view_as", "reshape_as", "expand_as", "transpose", "t", "permute", "unsqueeze",
  "squeeze", "narrow", "select", "flatten", "contiguous", "clone", "index_select", "gather", "scatter_add"
})

return M
