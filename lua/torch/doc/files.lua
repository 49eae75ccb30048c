-- torch.doc.files — help texts of the file functions written in C
-- (src/bind/lua_save.c, lua_load.c, lua_safetensors.c, lua_io.c,
-- lua_inspect.c): torch.save/load, torch.list, safetensors, IDX files,
-- torch.io.escape, and the raw readers behind `ember inspect`.
-- torch.checkpoint is Lua.
local M = {}

M["torch.save"] = [=[
torch.save(value, path[, {pickle_protocol=2, _use_new_zipfile_serialization=}])
Writes value in PyTorch's file format (zip + pickle): a file that real
PyTorch loads with torch.load. value may hold tensors, nn.Parameters,
torch.OrderedDict (e.g. model:state_dict()), torch.dict, torch.tuple,
torch.list, lists, other tables (as dicts, keys sorted), numbers
(integers stay 64-bit ints), booleans, strings and torch.None (Python's
None; nil saves as None too). Dict keys may be strings, numbers,
booleans, torch.None or torch.tuples of those. Views sharing storage are
written once.
Options: _use_new_zipfile_serialization = false writes PyTorch's legacy
format (as PyTorch before 1.6); pickle_protocol 2 to 5.
The save is atomic: a temporary file, fsync, rename; a crash never leaves
a half-written file at path. A symlink is followed: the file it points to
is replaced and the link kept. A FIFO or device (/dev/null) is written
directly, never replaced. Functions and other userdata are refused, with
the key path in the message.
A whole model, torch.save(model, path), is saved as architecture plus
weights: each module's class name, constructor arguments and settings, and
the state dict, all plain data (PyTorch loads it as a dict). torch.load
rebuilds it from registered classes only (see torch.model_file).
Example:
  local path = os.tmpname()
  torch.save({w = torch.ones(2), epoch = 3}, path)
  torch.load(path).epoch                  --> 3
  os.remove(path)]=]

M["torch.load"] = [=[
torch.load(path[, {map_location="cpu", weights_only=true}]) -> value
Reads a file written by torch.save of PyTorch (1.13 / 2.x, the zip format
or the legacy one, pickle protocols 2 to 5) or ember. dicts come back as
torch.OrderedDict (order kept, keys of every kind kept: 2.0 stays a float
key), tuples as torch.tuple, lists as Lua lists, an empty list as
torch.list{}, None as torch.None (so a list keeps its length), ints as
exact 64-bit integers (a Python int beyond 64 bits is an error). It never
runs code from the file: only data is accepted (PyTorch's weights_only =
true; weights_only = false is an error), and anything else is refused
with a message naming it. A file whose tensors would not fit
EMBER_MEMORY_BUDGET is refused before it is read. CUDA tensors load to
the CPU with a notice. A file written by torch.save(model, path) comes back
as the model, rebuilt from registered module classes (built-in layers and
classes made by nn.Module:extend, which must be defined before loading);
a file naming an unknown class is refused.
Example:
  local path = os.tmpname()
  torch.save({torch.tensor({1, 2})}, path)
  torch.load(path)[1]                     --> tensor([1, 2])
  os.remove(path)]=]

M["torch.save_safetensors"] = [=[
torch.save_safetensors(tensors, path[, metadata])
Writes a .safetensors file (as safetensors.torch.save_file): tensors is a
table or an OrderedDict (a state_dict) of name -> contiguous tensor;
metadata an optional table of string -> string.
Example:
  local path = os.tmpname()
  torch.save_safetensors({w = torch.ones(2)}, path, {note = "hi"})
  torch.load_safetensors(path).w          --> tensor([1., 1.])
  os.remove(path)]=]

M["torch.load_safetensors"] = [=[
torch.load_safetensors(path[, {device="cpu"}]) -> OrderedDict, metadata
Reads a .safetensors file (as safetensors.torch.load_file): an OrderedDict
name -> tensor in the file's data order, and the metadata table (also
the dict's field .metadata unless a tensor is named "metadata"). The
header is validated as the reference implementation does.
Example:
  local path = os.tmpname()
  torch.save_safetensors({w = torch.ones(2)}, path, {note = "hi"})
  local tensors, meta = torch.load_safetensors(path)
  meta.note                               --> hi
  os.remove(path)]=]

M["torch.io"] = [=[
torch.io
Low-level file readers and writers: IDX files (MNIST's format), the raw
views behind `ember inspect` (zip records, checkpoint structure,
safetensors headers), and escape, the one escaping of text from files for
the terminal. torch.save/torch.load are the everyday functions.]=]

M["torch.list"] = [=[
torch.list([t]) -> t
Marks a table as a Python list, so that torch.save writes it as a list
even when it is empty (a plain {} is saved as a dict). torch.load gives
an empty list back this way. Items are t[1] .. t[#t]; write torch.None
for Python's None (a nil hole, or a key that is not 1..#t, is an error).
Example:
  local path = os.tmpname()
  torch.save({losses = torch.list()}, path)
  #torch.load(path).losses                --> 0
  os.remove(path)]=]

M["torch.io.escape"] = [=[
torch.io.escape(s[, quote]) -> string
s with its control characters (ESC, BEL, newline...), bytes that are not
UTF-8 and the Unicode controls that reorder or hide text (bidi
overrides) written as Lua escapes ("\27", "\n"), so text from a file
cannot drive the terminal. With quote ('"' or "'") the result is a
quoted Lua string literal. The REPL and `ember inspect` show file text
through it.
Example:
  torch.io.escape("\27]0;title\7")         --> \27]0;title\7
  torch.io.escape("a\nb", '"')             --> "a\nb"]=]

M["torch.io.read_idx"] = [=[
torch.io.read_idx(path) -> Tensor
Reads an IDX file (MNIST's format; plain or gzip): uint8, int32, float32
or float64 tensor of the file's shape.
Example:
  local path = os.tmpname()
  torch.io.write_idx(path, torch.tensor({{1, 2}}, {dtype = torch.uint8}))
  torch.io.read_idx(path)  --> tensor([[1, 2]], dtype=torch.uint8)
  os.remove(path)]=]

M["torch.io.write_idx"] = [=[
torch.io.write_idx(path, tensor[, {gzip=}])
Writes a tensor as an IDX file; gzip defaults to whether path ends in
".gz". The file is replaced atomically, as torch.save does.
Example:
  local path = os.tmpname()
  torch.io.write_idx(path, torch.zeros(2, 2, {dtype = torch.uint8}))
  torch.io.read_idx(path):size()          --> torch.Size([2, 2])
  os.remove(path)]=]

M["torch.io.safetensors_info"] = [=[
torch.io.safetensors_info(path[, {checksum=true}]) -> table
The validated header of a .safetensors file: {header_len, file_size,
data_start, tensors = {{name, dtype, shape, offsets, nbytes, crc32,
loads_as, widened}, ...} in data order, metadata, metadata_keys}; widened
is true where ember loads a wider dtype (I16 as int32). Used by
`ember inspect`.
Example:
  local path = os.tmpname()
  torch.save_safetensors({w = torch.ones(2)}, path)
  torch.io.safetensors_info(path).tensors[1].dtype  --> F32
  os.remove(path)]=]

M["torch.io.zip_records"] = [=[
torch.io.zip_records(path) -> table
The entries of a checked zip archive (a .pt file) in directory order:
{{name=, size=, crc32=}, ...}; a bad archive raises the reason.
Used by `ember inspect`.
Example:
  local path = os.tmpname()
  torch.save(torch.ones(1), path)
  torch.io.zip_records(path)[1].name:match("data%.pkl$")  --> data.pkl
  os.remove(path)]=]

M["torch.io.pt_describe"] = [=[
torch.io.pt_describe(path) -> tree, notice
Loads a PyTorch checkpoint (zip or legacy format) with torch.load's safe
reader and describes it as a plain Lua tree ({kind=, ...}: keys, tensor
dtypes, shapes, strides, storage sharing, a CRC-32 per tensor), with the
loader's notice ("" if none). Used by `ember inspect`.
Example:
  local path = os.tmpname()
  torch.save({a = 1}, path)
  torch.io.pt_describe(path).kind         --> dict
  os.remove(path)]=]

return M
