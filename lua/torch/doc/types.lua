-- torch.doc.types — help texts of dtypes, devices, torch.cuda, the
-- namespaces that are not files of their own (torch.autograd, torch.cuda,
-- torch.utils) and help itself.
local M = {}

M["torch.dtype"] = [=[
torch.dtype
The type of a tensor's elements: torch.float32 (= torch.float, the
default), torch.float64 (= torch.double), torch.int64 (= torch.long),
torch.int32 (= torch.int), torch.uint8, torch.bool, and the 16-bit floats
torch.float16 (= torch.half) and torch.bfloat16. They print as
torch.float32 and compare with ==. Fields: is_floating_point, itemsize
(bytes), name. Choose one with {dtype = torch.int64} when creating a
tensor; convert with x:to(dtype).
16-bit floats are stored (and saved in .pt and .safetensors files) as
such; ops compute them in float32 and round the result to nearest, ties
to even. float16 with float32 or with bfloat16 gives float32; float16
with an integer tensor or a Lua number stays float16.
Example:
  torch.zeros(2, {dtype = torch.int64}).dtype  --> torch.int64
  torch.float == torch.float32            --> true
  torch.int64.itemsize                    --> 8
  torch.half                              --> torch.float16]=]

M["torch.dtype.is_floating_point"] = [=[
dtype.is_floating_point -> boolean
Whether the dtype is a float: float16, bfloat16, float32 or float64.
Example:
  torch.float32.is_floating_point         --> true
  torch.bfloat16.is_floating_point        --> true]=]
M["torch.dtype.itemsize"] = [=[
dtype.itemsize -> integer
The size of one element in bytes.
Example:
  torch.int64.itemsize                    --> 8]=]
M["torch.dtype.name"] = [=[
dtype.name -> string
The dtype's name without "torch.".
Example:
  torch.float.name                        --> float32]=]

M["torch.None"] = [=[
torch.None
Python's None, where a Lua nil cannot stand: an element of a list (a nil
would leave a hole, and the list would lose its length), a value in a dict,
or an option that PyTorch sets to None (nn.BatchNorm1d's momentum).
torch.load gives it for a None inside a list or dict; torch.save writes it
as None. It prints as None and compares with ==.
Example:
  local xs = {1, torch.None, 3}
  #xs                                     --> 3
  xs[2] == torch.None                     --> true
  tostring(torch.None)                    --> None]=]

M["torch.device"] = [=[
torch.device(type[, index]) / torch.device(index) -> torch.device
A device: a type ("cpu" or "cuda") and an optional index, written as
PyTorch writes them: "cpu", "cuda", "cuda:1". Any device can be named, as
in PyTorch; using one that is not there (this ember computes on the CPU)
is the error: torch.zeros(2, {device = "cuda:1"}) says CUDA is not
available. Devices compare by value ("cuda" and "cuda:0" differ, as in
PyTorch). x.device is one; x:to(device) moves a tensor.
Fields: type ("cpu", "cuda"), index (an integer, or nil when none is given).
Example:
  torch.device("cpu")                     --> cpu
  torch.device("cuda:1").index            --> 1
  torch.device("cuda", 1) == torch.device("cuda:1")  --> true
  torch.zeros(2).device == torch.device("cpu")      --> true]=]

M["torch.cuda"] = [=[
torch.cuda
CUDA support. This ember computes on the CPU: torch.cuda.is_available()
is false, so PyTorch code written as
  local device = torch.cuda.is_available() and "cuda" or "cpu"
runs unchanged.]=]

M["torch.cuda.is_available"] = [=[
torch.cuda.is_available() -> boolean
Whether a CUDA GPU can be used: false in this CPU-only ember.
Example:
  torch.cuda.is_available()               --> false]=]

M["torch.autograd"] = [=[
torch.autograd
Automatic differentiation: every operation on tensors that require grad is
recorded; loss:backward() computes the gradients into .grad.
torch.autograd.backward(t) is t:backward(); torch.autograd.gradcheck
checks backward against finite differences. See help("autograd").]=]

M["torch.utils"] = [=[
torch.utils
PyTorch's utilities; torch.utils.data is the data loading module (the
global `data`: TensorDataset, DataLoader).]=]

M["help"] = [=[
help([x])
Shows the documentation of x: a function (help(torch.zeros)), a class
(help(nn.Linear)), a method (help("Tensor.view")), a module (help(nn)), an
instance (help(model), help(x) for a tensor), a name as a string
(help("torch.zeros"), help("zeros")) or a topic (help("autograd")).
help() alone lists the topics. In the REPL, ?x is help(x).
help.doc(x) returns the text instead of printing it (nil when there is
none); help.text(x) returns what help(x) prints.
Example:
  help.doc("torch.zeros") ~= nil          --> true]=]

M["torch.set_num_threads"] = [=[
torch.set_num_threads(n)
Sets how many CPU threads ember's kernels use: matrix products (oneDNN, and
OpenBLAS for small ones and float64), convolutions (oneDNN) and the large
elementwise, batch-norm and pooling loops (OpenMP). ember starts with 1
(EMBER_NUM_THREADS=n at start for more): on the small models of the lessons
extra threads gain little, and busy threads slow a shared machine down.
Results do not depend on the thread count, except for the last bits of
gemms and convolutions. As in PyTorch.
Example:
  torch.set_num_threads(1)
  torch.get_num_threads()                 --> 1]=]

M["torch.get_num_threads"] = [=[
torch.get_num_threads() -> integer
The number of CPU threads ember's kernels use (see torch.set_num_threads).
Example:
  torch.get_num_threads()                 --> 1]=]

return M
