-- torch.doc.creation — help texts of the tensor creators written in C
-- (src/bind/lua_create.c): tensor, zeros, ones, empty, full, arange,
-- linspace, eye and the *_like forms. Random creators are in doc/random.lua.
-- Format (see torch/doc/init.lua): signature line, one-line summary, text,
-- "Example:" lines whose `--> value` results the tests check.
return {
  ["torch.tensor"] = [=[
torch.tensor(data[, {dtype=, requires_grad=false}]) -> Tensor
A new tensor holding a copy of data: a number, a boolean, nested tables or
a tensor.
Nested tables must be rectangular. The dtype is inferred as in PyTorch: any
float -> float32, all integers -> int64, only booleans -> bool (Lua's
math.type tells integers from floats: 1 is an integer, 1.0 a float).
Give {dtype = torch.float64} to choose. A number gives a 0-dim tensor.
Example:
  torch.tensor({{1, 2}, {3, 4}})          --> tensor([[1, 2], [3, 4]])
  torch.tensor({1.5, 2})                  --> tensor([1.5000, 2.0000])
  torch.tensor(3)                         --> tensor(3)
  torch.tensor({1, 2}, {dtype = torch.float32})  --> tensor([1., 2.])]=],

  ["torch.zeros"] = [=[
torch.zeros(size...[, {dtype=torch.float32, requires_grad=false}]) -> Tensor
A tensor of the given size filled with 0.
The size is given as integers or as one table: zeros(2, 3) == zeros({2, 3}).
Example:
  torch.zeros(2, 3)  --> tensor([[0., 0., 0.], [0., 0., 0.]])
  torch.zeros(3, {dtype = torch.int64})   --> tensor([0, 0, 0])]=],

  ["torch.ones"] = [=[
torch.ones(size...[, {dtype=torch.float32, requires_grad=false}]) -> Tensor
A tensor of the given size filled with 1.
Example:
  torch.ones(2)                           --> tensor([1., 1.])
  torch.ones({1, 2}, {dtype = torch.bool})  --> tensor([[True, True]])]=],

  ["torch.empty"] = [=[
torch.empty(size...[, {dtype=torch.float32, requires_grad=false}]) -> Tensor
A tensor of the given size whose values you are about to overwrite.
PyTorch leaves the memory uninitialised; ember fills it with zeros, but do
not rely on that: use torch.zeros when you need zeros.
Example:
  torch.empty(2, 3):size()                --> torch.Size([2, 3])]=],

  ["torch.full"] = [=[
torch.full(size, fill_value[, {dtype=, requires_grad=false}]) -> Tensor
A tensor of the given size (a table) filled with fill_value.
The dtype follows the value as in PyTorch: a Lua integer gives int64, a
float gives float32, a boolean gives bool.
Example:
  torch.full({2}, 7)                      --> tensor([7, 7])
  torch.full({2}, 0.5)                    --> tensor([0.5000, 0.5000])
  torch.full({1, 2}, 3.0)                 --> tensor([[3., 3.]])]=],

  ["torch.zeros_like"] = [=[
torch.zeros_like(t[, {dtype=, requires_grad=false}]) -> Tensor
A tensor of zeros with t's size and dtype (unless dtype is given).
Example:
  torch.zeros_like(torch.tensor({1, 2}))  --> tensor([0, 0])]=],

  ["torch.ones_like"] = [=[
torch.ones_like(t[, {dtype=, requires_grad=false}]) -> Tensor
A tensor of ones with t's size and dtype (unless dtype is given).
Example:
  torch.ones_like(torch.zeros(2, 2))      --> tensor([[1., 1.], [1., 1.]])]=],

  ["torch.empty_like"] = [=[
torch.empty_like(t[, {dtype=, requires_grad=false}]) -> Tensor
A tensor with t's size and dtype, to be overwritten (see torch.empty).
Example:
  torch.empty_like(torch.zeros(2, 3)):size()  --> torch.Size([2, 3])]=],

  ["torch.full_like"] = [=[
torch.full_like(t, fill_value[, {dtype=, requires_grad=false}]) -> Tensor
A tensor with t's size and dtype, filled with fill_value.
Example:
  torch.full_like(torch.tensor({1.0, 2.0}), 5)  --> tensor([5., 5.])]=],

  ["torch.arange"] = [=[
torch.arange(end) / torch.arange(start, end[, step])[, {dtype=}] -> Tensor
The numbers start, start + step, ... up to but not including end.
start defaults to 0 and step to 1. The result is int64 when every argument
is a Lua integer, float32 otherwise; its length is ceil((end - start) /
step), as in PyTorch. Note the end is exclusive (unlike Lua's for loop).
Example:
  torch.arange(5)                         --> tensor([0, 1, 2, 3, 4])
  torch.arange(1, 2, 0.25)  --> tensor([1.0000, 1.2500, 1.5000, 1.7500])
  torch.arange(0, 1, 0.5):unsqueeze(2):size()  --> torch.Size([2, 1])]=],

  ["torch.linspace"] = [=[
torch.linspace(start, end, steps[, {dtype=torch.float32}]) -> Tensor
steps numbers evenly spaced from start to end, both included.
Example:
  torch.linspace(0, 1, 5)  --> tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])]=],

  ["torch.eye"] = [=[
torch.eye(n[, m][, {dtype=torch.float32}]) -> Tensor
The n x m identity matrix (m defaults to n): ones on the diagonal.
Example:
  torch.eye(2)                            --> tensor([[1., 0.], [0., 1.]])
  torch.eye(2, 3):size()                  --> torch.Size([2, 3])]=],
}
