-- torch.doc.tensor — help texts of the Tensor class, its properties (shape,
-- dtype, grad, ...) and the methods written in C that say what a tensor is
-- or convert it (src/bind/lua_info.c, lua_meta.c): size, item, tolist, to,
-- float, ... Autograd methods are in doc/autograd.lua.
local M = {}

-- One example line: `code  --> result`, the result on its own line if long.
local function ex(code, result)
  local line = code .. string.rep(" ", math.max(2, 40 - #code)) .. "--> " .. result
  if #line + 2 <= 80 then return "  " .. line end
  return "  " .. code .. "\n  --> " .. result
end

M["Tensor"] = [=[
torch.Tensor
A multi-dimensional array of numbers of one dtype, with autograd.
Make one with torch.tensor, torch.zeros, torch.randn, torch.arange, ...
Methods use `:` (x:sum(2)); keyword arguments go in a trailing table;
dims and positions are 1-based (x:size(1), x[1]); index tensors
(argmax, labels) are 0-based data, as in PyTorch.
Operators: + - * / ^ and unary - (numbers on either side), #x (size of
dim 1), x[i] and x[{...}] (help("Tensor.indexing")). x == y compares the
objects: use x:eq(y) for values.
Properties: x.shape, x.dtype, x.device, x.ndim, x.grad, x.requires_grad,
x.grad_fn, x.is_leaf, x.T, x.data, x.is_cuda (help("Tensor.grad") etc.).
`local x <close> = ...` frees a big tensor at the end of the scope.
Example:
  local x = torch.tensor({{1.0, 2.0}, {3.0, 4.0}})
  x:sum(2)                                --> tensor([3., 7.])
  x.shape                                 --> torch.Size([2, 2])]=]

-- Properties
M["Tensor.shape"] = [=[
x.shape -> torch.Size
The size of every dim, as x:size(): a list that prints as torch.Size([...]).
Example:
  torch.zeros(2, 3).shape                 --> torch.Size([2, 3])
  torch.zeros(2, 3).shape[2]              --> 3]=]
M["Tensor.dtype"] = [=[
x.dtype -> torch.dtype
The type of x's elements: torch.float32, float64, int64, int32, uint8, bool,
float16, bfloat16.
Compare with ==; convert with x:to(dtype), x:float(), x:long(), ...
Example:
  torch.zeros(2).dtype                    --> torch.float32
  torch.tensor({1, 2}).dtype == torch.int64  --> true]=]
M["Tensor.device"] = [=[
x.device -> torch.device
Where x lives. This ember computes on the CPU: always device cpu.
Example:
  torch.zeros(2).device                   --> cpu]=]
M["Tensor.ndim"] = [=[
x.ndim -> integer
The number of dims, as x:dim().
Example:
  torch.zeros(2, 3).ndim                  --> 2]=]
M["Tensor.is_cuda"] = [=[
x.is_cuda -> boolean
Whether x is on a CUDA device (false: this ember computes on the CPU).
Example:
  torch.zeros(1).is_cuda                  --> false]=]
M["Tensor.T"] = [=[
x.T -> Tensor
x with all its dims reversed (the transpose of a matrix): a view.
Example:
  torch.zeros(2, 3, 4).T:size()           --> torch.Size([4, 3, 2])]=]
M["Tensor.data"] = [=[
x.data -> Tensor
x's values without autograd history (as x:detach(), sharing storage).
Assigning x.data = y makes x use y's values (same object, new contents).
Example:
  torch.ones(2, {requires_grad = true}).data.requires_grad  --> false]=]

-- Size and layout
M["Tensor.size"] = [=[
x:size([dim]) -> torch.Size or integer
The size of every dim (a torch.Size, a list of integers that prints as
torch.Size([2, 3])), or of one dim (1-based; -1 = last). Same as x.shape.
Example:
  local x = torch.zeros(2, 3)
  x:size()                                --> torch.Size([2, 3])
  x:size(1)                               --> 2
  x:size(-1)                              --> 3]=]
M["torch.Size"] = [=[
torch.Size
What x:size() and x.shape return: a Lua list of the sizes of the dims that
prints as torch.Size([2, 3]) and compares with == element by element.
s[1] is the first size, #s the number of dims, s:numel() their product.
Example:
  local s = torch.zeros(2, 3):size()
  s[2], #s                                --> 3, 2]=]
M["torch.Size.numel"] = [=[
s:numel() -> integer
The product of the sizes: the number of elements of a tensor of that size.
Example:
  torch.zeros(2, 3):size():numel()        --> 6]=]
M["Tensor.stride"] = [=[
x:stride([dim]) -> table or integer
How many elements to step in storage to move by one along each dim (a
list), or along one dim (1-based).
Example:
  torch.zeros(2, 3):stride(1)             --> 3
  torch.zeros(2, 3):t():stride(1)         --> 1]=]
M["Tensor.dim"] = [=[
x:dim() -> integer
The number of dims (0 for a scalar tensor).
Example:
  torch.zeros(2, 3):dim()                 --> 2
  torch.tensor(5):dim()                   --> 0]=]
M["Tensor.ndimension"] = {"Tensor.dim", "x:ndimension() -> integer"}
M["Tensor.numel"] = [=[
x:numel() -> integer
The number of elements (the product of the sizes).
Example:
  torch.zeros(2, 3):numel()               --> 6]=]
M["Tensor.nelement"] = {"Tensor.numel", "x:nelement() -> integer"}
M["torch.numel"] = {"Tensor.numel", "torch.numel(x) -> integer"}
M["Tensor.storage_offset"] = [=[
x:storage_offset() -> integer
Where x's first element is in its storage, 0-based as in PyTorch.
Example:
  torch.zeros(2, 3)[2]:storage_offset()   --> 3]=]
M["Tensor.is_contiguous"] = [=[
x:is_contiguous() -> boolean
Whether x's elements lie row by row in memory with no gaps (as a new
tensor's do). Transposes and expands are not; view needs it.
Example:
  torch.zeros(2, 3):is_contiguous()       --> true
  torch.zeros(2, 3):t():is_contiguous()   --> false]=]
M["Tensor.is_floating_point"] = [=[
x:is_floating_point() -> boolean
Whether x's dtype is a float (float16, bfloat16, float32 or float64).
Example:
  torch.zeros(1):is_floating_point()      --> true
  torch.tensor({1}):is_floating_point()   --> false]=]
M["Tensor.element_size"] = [=[
x:element_size() -> integer
The size of one element in bytes (4 for float32, 8 for int64).
Example:
  torch.zeros(1):element_size()           --> 4]=]

-- Values out
M["Tensor.item"] = [=[
x:item() -> number or boolean
The value of a one-element tensor as a Lua value: an integer for integer
dtypes, a float for float dtypes, a boolean for bool. Use it for losses:
loss:item(). An error for more than one element.
Example:
  torch.tensor({2.5}):item()              --> 2.5
  torch.tensor(3):item()                  --> 3
  torch.tensor(true):item()               --> true]=]
M["Tensor.tolist"] = [=[
x:tolist() -> table or number
x's values as nested Lua tables (a number for a 0-dim tensor).
Example:
  torch.tensor({{1, 2}}):tolist()[1][2]   --> 2
  torch.tensor(2.5):tolist()              --> 2.5]=]

-- Conversions
local function convert(name, dtype, example, result)
  M["Tensor." .. name] = "x:" .. name .. "() -> Tensor\n" ..
    "x as " .. dtype .. " (no copy if it already is).\n" ..
    "Floats to integers truncate toward zero, as in PyTorch. Differentiable\n" ..
    "when the result is floating point.\nExample:\n" .. ex(example, result)
end
convert("float", "torch.float32", "torch.tensor({1}):float()", "tensor([1.])")
convert("double", "torch.float64", "torch.tensor({1}):double()", "tensor([1.], dtype=torch.float64)")
convert("long", "torch.int64", "torch.tensor({1.7, -1.7}):long()", "tensor([ 1, -1])")
convert("int", "torch.int32", "torch.tensor({1.7}):int()", "tensor([1], dtype=torch.int32)")
convert("byte", "torch.uint8", "torch.tensor({3}):byte()", "tensor([3], dtype=torch.uint8)")
convert("bool", "torch.bool, non-zero being true,", "torch.tensor({1, 0}):bool()", "tensor([ True, False])")
M["Tensor.half"] = [=[
x:half() -> Tensor
x as torch.float16 (no copy if it already is): 11 significant bits, rounded
to nearest (ties to even); beyond 65504 it is inf. Differentiable.
Example:
  torch.tensor({1 / 3}):half()  --> tensor([0.3333], dtype=torch.float16)]=]
M["Tensor.bfloat16"] = [=[
x:bfloat16() -> Tensor
x as torch.bfloat16 (no copy if it already is): float32's range with 8
significant bits, rounded to nearest (ties to even). Differentiable.
Example:
  torch.tensor({1 / 3}):bfloat16()  --> tensor([0.3340], dtype=torch.bfloat16)]=]

M["Tensor.to"] = [=[
x:to(dtype) / x:to(device) / x:to(other) / x:to{dtype=, device=} -> Tensor
x converted to a dtype (torch.float64, or a name like "float64"), to a
device ("cpu"; "cuda" is an error in this CPU-only ember), or to other's
dtype. No copy is made when nothing changes.
Example:
  torch.tensor({1.5}):to(torch.float64)
  --> tensor([1.5000], dtype=torch.float64)
  torch.tensor({1.5}):to{dtype = torch.int64}  --> tensor([1])]=]
M["Tensor.type"] = [=[
x:type([dtype]) -> string or Tensor
Without an argument, PyTorch's type name ("torch.FloatTensor"); with a
dtype, x converted to it (as x:to(dtype)).
Example:
  torch.zeros(1):type()                   --> torch.FloatTensor
  torch.zeros(1):type(torch.int64).dtype  --> torch.int64]=]
M["Tensor.cpu"] = [=[
x:cpu() -> Tensor
x on the CPU: x itself (this ember computes on the CPU).
Example:
  local x = torch.zeros(1)
  rawequal(x:cpu(), x)                    --> true]=]

M["torch.is_tensor"] = [=[
torch.is_tensor(v) -> boolean
Whether v is a tensor.
Example:
  torch.is_tensor(torch.zeros(1))         --> true
  torch.is_tensor({1, 2})                 --> false]=]

M["torch.memory_allocated"] = [=[
torch.memory_allocated() -> integer
The bytes held by live tensors now. Tensors are freed when Lua's garbage
collector finds them unused, or at once with `local x <close> = ...`.
Example:
  local before = torch.memory_allocated()
  local x <close> = torch.zeros(1000)
  torch.memory_allocated() - before       --> 4000]=]
M["torch.max_memory_allocated"] = [=[
torch.max_memory_allocated() -> integer
The most bytes held by live tensors at any moment so far (the peak).
Example:
  torch.max_memory_allocated() >= torch.memory_allocated()  --> true]=]

return M
