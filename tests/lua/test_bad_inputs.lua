-- test_bad_inputs.lua — bad inputs through the Lua API must raise a Lua error
-- whose message names the op (and the shapes where they matter); nothing may
-- crash, and the engine must keep working and release what it allocated.
-- Not here: correct behaviour (test_tensor.lua) or gradients (test_gradcheck.lua).
-- Run: build/ember run tests/lua/test_bad_inputs.lua [name filter]

local T = require "ember.test"

local function ones(...) return torch.ones(...) end
local function leaf(...) return torch.ones(...):requires_grad_(true) end

-- A case: {name, op (a substring the message must hold, or a list of which one
-- must be present), fn, shapes = {{2, 3}, ...} that must appear in the message}.
local cases = {
  -- wrong argument types
  {"add a string", "add", function() return ones(2):add("a") end},
  {"add nil", "add", function() return ones(2):add(nil) end},
  {"add a table", "add", function() return ones(2):add({1, 2}) end},
  {"operator + with a string", "add", function() return ones(2) + "x" end},
  {"torch.add with nil self", "add", function() return torch.add(nil, 1) end},
  {"mul a function", "mul", function() return ones(2):mul(function() end) end},
  {"matmul a number", "matmul", function() return ones(2, 2):matmul(3) end},
  {"method called with a dot", "sum", function() local x = ones(2); return x.sum() end},
  {"cat of a non-tensor", "cat", function() return torch.cat({ones(2), "b"}) end},
  {"unknown method", "frobnicate", function() return ones(2):frobnicate() end},
  -- mismatched shapes
  {"add shapes", "add", function() return ones(2, 3) + ones(4) end, shapes = {{2, 3}, {4}}},
  {"mul shapes", "mul", function() return ones(2, 3):mul(ones(3, 2)) end, shapes = {{2, 3}, {3, 2}}},
  {"matmul 2-D", "matmul", function() return ones(2, 3):matmul(ones(4, 5)) end, shapes = {{2, 3}, {4, 5}}},
  {"matmul 1-D", "matmul", function() return ones(3):matmul(ones(4)) end},
  {"matmul batch dims", "matmul", function() return ones(2, 3, 4):matmul(ones(3, 4, 5)) end},
  {"matmul 0-dim", "matmul", function() return torch.tensor(1.0):matmul(ones(2)) end},
  {"mm of a vector", "mm", function() return ones(3):mm(ones(3, 2)) end},
  {"mm shapes", "mm", function() return ones(2, 3):mm(ones(2, 3)) end, shapes = {{2, 3}}},
  {"bmm of 2-D", "bmm", function() return ones(2, 3):bmm(ones(3, 2)) end},
  {"bmm batch sizes", "bmm", function() return ones(2, 3, 4):bmm(ones(3, 4, 2)) end},
  {"mv shapes", "mv", function() return ones(2, 3):mv(ones(4)) end},
  {"dot lengths", "dot", function() return ones(3):dot(ones(4)) end},
  {"dot of 2-D", "dot", function() return ones(2, 2):dot(ones(2, 2)) end},
  {"cat shapes", "cat", function() return torch.cat({ones(2, 3), ones(2, 4)}, 1) end, shapes = {{2, 3}, {2, 4}}},
  {"cat empty list", "cat", function() return torch.cat({}) end},
  {"stack shapes", "stack", function() return torch.stack({ones(2, 3), ones(3, 2)}) end},
  {"stack empty list", "stack", function() return torch.stack({}) end},
  {"view numel", "shape '[4]' is invalid for input of size 6", function() return ones(2, 3):view(4) end},
  {"view two -1", "view", function() return ones(2, 3):view(-1, -1) end},
  {"view of non-contiguous", "view", function() return ones(2, 3):t():view(6) end},
  {"reshape numel", "reshape", function() return ones(2, 3):reshape(5) end},
  {"expand incompatible", "expand", function() return ones(3):expand(2, 4) end},
  {"expand fewer dims", "expand", function() return ones(2, 3):expand(3) end},
  {"expand huge", "expand", function() return ones(1, 1):expand(1 << 62, 4) end},
  {"expand huge 2", "expand", function() return ones(1):expand(1 << 40, 1 << 40) end},
  {"where shapes", "where", function() return torch.where(torch.tensor({true, false}), ones(3), ones(3)) end},
  {"copy_ shapes", "copy_", function() return ones(3):copy_(ones(2, 3)) end},
  {"add_ output shape", "add_", function() return ones(3):add_(ones(2, 3)) end, shapes = {{3}, {2, 3}}},
  {"backward gradient shape", "backward", function() (leaf(2) * 2):backward(ones(3)) end},
  -- out-of-range dims
  {"sum dim too big", "sum", function() return ones(2, 3):sum(3) end},
  {"sum dim too negative", "sum", function() return ones(2, 3):sum(-3) end},
  {"sum dim 0 (dims are 1-based)", "sum", function() return ones(2, 3):sum(0) end},
  {"sum repeated dims", "sum", function() return ones(2, 3):sum({1, 1}) end},
  {"mean dim", "mean", function() return ones(2, 3):mean(4) end},
  {"max dim", "max", function() return ones(2, 3):max(3) end},
  {"argmax dim", "argmax", function() return ones(2, 3):argmax(-4) end},
  {"transpose dim", "transpose", function() return ones(2, 3):transpose(1, 3) end},
  {"unsqueeze dim", "unsqueeze", function() return ones(2):unsqueeze(4) end},
  {"unsqueeze negative dim", "unsqueeze", function() return ones(2):unsqueeze(-4) end},
  {"squeeze dim", "squeeze", function() return ones(2, 3):squeeze(3) end},
  {"permute count", "permute", function() return ones(2, 3):permute(1) end},
  {"permute duplicates", "permute", function() return ones(2, 3):permute(1, 1) end},
  {"t of 3-D", {"t:", "t()", "'t'"}, function() return ones(2, 2, 2):t() end},
  {"flatten start after end", "flatten", function() return ones(2, 3, 4):flatten(3, 2) end},
  {"cat dim", "cat", function() return torch.cat({ones(2), ones(2)}, 3) end},
  {"stack dim", "stack", function() return torch.stack({ones(2), ones(2)}, 4) end},
  {"size dim", {"size:", "size(", "'size'"}, function() return ones(2, 3):size(3) end},
  {"stride dim", {"stride:", "stride(", "'stride'"}, function() return ones(2, 3):stride(0) end},
  {"index_select dim", "index_select", function() return ones(2, 3):index_select(3, torch.tensor({0})) end},
  -- out-of-range positions
  {"select too big", "select", function() return ones(2, 3):select(1, 3) end},
  {"select too negative", "select", function() return ones(2, 3):select(2, -4) end},
  {"select 0", "select", function() return ones(2, 3):select(1, 0) end},
  {"x[i] too big", {"select", "index"}, function() return ones(2, 3)[3] end},
  {"x[-i] too negative", {"select", "index"}, function() return ones(2, 3)[-3] end},
  {"x[{...}] too many", {"select", "index"}, function() return ones(2, 3)[{1, 2, 3}] end},
  {"x[{range}] out of range", {"narrow", "index", "select"}, function() return ones(2, 3)[{{}, {2, 4}}] end},
  {"x[i] = string", {"copy_", "fill_", "index", "assign"}, function() local x = ones(2); x[1] = "a" end},
  {"narrow past the end", "narrow", function() return ones(5):narrow(1, 4, 3) end},
  {"narrow start 0", "narrow", function() return ones(5):narrow(1, 0, 2) end},
  {"narrow negative length", "narrow", function() return ones(5):narrow(1, 2, -1) end},
  {"item of many", "item", function() return ones(2):item() end},
  {"item of empty", "item", function() return torch.zeros(0):item() end},
  -- index tensors
  {"index_select float index", "index_select", function() return ones(3):index_select(1, torch.tensor({0.0})) end},
  {"index_select index too big", "index_select", function() return ones(3):index_select(1, torch.tensor({3})) end},
  {"index_select negative index", "index_select", function() return ones(3):index_select(1, torch.tensor({-1})) end},
  {"index_select 2-D index", "index_select", function() return ones(2, 3):index_select(1, torch.tensor({{0}})) end},
  {"gather float index", "gather", function() return ones(2, 3):gather(2, torch.ones(2, 1)) end},
  {"gather index too big", "gather", function() return ones(2, 3):gather(2, torch.tensor({{3}, {0}})) end},
  {"gather index rank", "gather", function() return ones(2, 3):gather(2, torch.tensor({0})) end},
  {"scatter_add index too big", "scatter_add", function()
    return ones(2, 3):scatter_add(1, torch.tensor({{5, 0, 0}}), ones(1, 3)) end},
  {"scatter_add float index", "scatter_add", function()
    return ones(2, 3):scatter_add(1, torch.zeros(1, 3), ones(1, 3)) end},
  -- creation
  {"zeros 2^62 x 4", "zeros", function() return torch.zeros(1 << 62, 4) end},
  {"zeros 2^40 (too much memory)", "zeros", function() return torch.zeros(1 << 40) end},
  {"zeros -1", "zeros", function() return torch.zeros(-1) end},
  {"zeros 2.5", "zeros", function() return torch.zeros(2.5) end},
  {"zeros too many dims", "zeros", function() return torch.zeros(1, 1, 1, 1, 1, 1, 1, 1, 1) end},
  {"ones of a string", "ones", function() return torch.ones("a") end},
  {"ones with a string size", "ones", function() return torch.ones(2, "a") end},
  {"zeros unknown dtype name", "zeros", function() return torch.zeros(2, {dtype = "float65"}) end},
  {"zeros dtype a number", "zeros", function() return torch.zeros(2, {dtype = 5}) end},
  {"tensor unknown dtype name", "tensor", function() return torch.tensor({1}, {dtype = "bogus"}) end},
  {"to an unknown name", {"to:", "to(", "'to'"}, function() return ones(2):to("float65") end},
  {"type an unknown name", {"type:", "type(", "'type'"}, function() return ones(2):type("torch.Float65") end},
  {"device name", "device", function() return torch.device("gpu") end},
  {"tensor ragged", "tensor", function() return torch.tensor({{1, 2}, {3}}) end},
  {"tensor ragged deep", "tensor", function() return torch.tensor({{1, 2}, {3, {4}}}) end},
  {"tensor with strings", "tensor", function() return torch.tensor({1, "a"}) end},
  {"tensor of nil", "tensor", function() return torch.tensor(nil) end},
  {"tensor of a function", "tensor", function() return torch.tensor(print) end},
  {"full with a string", "full", function() return torch.full({2}, "x") end},
  {"arange step 0", "arange", function() return torch.arange(0, 10, 0) end},
  {"arange wrong sign", "arange", function() return torch.arange(0, 10, -1) end},
  {"linspace negative steps", "linspace", function() return torch.linspace(0, 1, -1) end},
  {"eye negative", "eye", function() return torch.eye(-1) end},
  {"randint empty range", "randint", function() return torch.randint(3, 3, {2}) end},
  -- dtype rules
  {"mean of int64", "mean", function() return torch.tensor({1, 2}):mean() end},
  {"var of int64", "var", function() return torch.tensor({1, 2}):var() end},
  {"int pow negative int", "pow", function() return torch.tensor({1, 2}):pow(-1) end},
  {"where float condition", "where", function() return torch.where(ones(2), ones(2), ones(2)) end},
  {"neg of bool", "neg", function() return torch.tensor({true}):neg() end},
  {"sub of bools", "sub", function() return torch.tensor({true}) - torch.tensor({false}) end},
  {"add_ float into int64", "add_", function() return torch.tensor({1, 2}):add_(1.5) end},
  {"clamp without bounds", "clamp", function() return ones(2):clamp() end},
  {"max of empty", "max", function() return torch.zeros(0):max() end},
  {"max dim of empty", "max", function() return torch.zeros(0, 3):max(1) end},
  -- autograd
  {"backward on non-scalar", "backward", function() (leaf(2) * 2):backward() end},
  {"backward without grad", "backward", function() ones(1):sum():backward() end},
  {"backward twice", "backward", function()
    local y = (leaf(2) * leaf(2)):sum(); y:backward(); y:backward() end},
  {"in-place on a leaf", "add_", function() leaf(2):add_(1) end},
  {"requires_grad on int64", "floating point", function()
    return torch.zeros(2, {dtype = torch.int64, requires_grad = true}) end},
  {"requires_grad_ on int64", "floating point", function() return torch.tensor({1}):requires_grad_() end},
  {"requires_grad of a non-leaf", "requires_grad", function() local y = leaf(2) * 2; y.requires_grad = false end},
  {"grad assigned a string", "grad", function() local x = leaf(2); x.grad = "a" end},
  {"grad assigned a wrong shape", "grad", function() local x = leaf(2); x.grad = ones(3) end},
  -- devices (this machine has no CUDA device)
  {"empty on a named cuda device without CUDA", "CUDA is not available", function()
    return torch.empty(1, {device = torch.device("cuda")}) end},
  {"to cuda without CUDA", "CUDA is not available", function() return ones(2):to("cuda") end},
  {"x:cuda() without CUDA", "CUDA is not available", function() return ones(2):cuda() end},
  {"creation on cuda without CUDA", "zeros", function() return torch.zeros(2, {device = "cuda"}) end},
  {"unknown device", "unknown device 'tpu'", function() return ones(2):to("tpu") end},
  {"model:to cuda without CUDA", "CUDA is not available", function() return nn.Linear(1, 1):to("cuda") end},
  {"map_location of a wrong type", "map_location", function() return torch.load("x.pt", {map_location = 5}) end},
  -- files: missing, folders, wrong kinds, unwritable places, unsavable values
  {"load a missing file", {"No such file", "not exist"}, function() return torch.load("does/not/exist.pt") end},
  {"load a folder", "not a regular file", function() return torch.load("tests") end},
  {"load a text file", "not a PyTorch zip checkpoint", function() return torch.load("README.md") end},
  {"load a safetensors file as .pt", "not a PyTorch zip checkpoint", function()
    return torch.load("../shared/fixtures/safetensors/bad_gap.safetensors") end},
  {"load a file that runs code", "os.system, which could run code", function()
    return torch.load("../shared/fixtures/pytorch/malicious/global_os_system.pt") end},
  {"load a file with a bad memo", "bad memo reference", function()
    return torch.load("../shared/fixtures/pytorch/malicious/bad_memo.pt") end},
  {"save into a missing folder", "No such file", function() return torch.save(ones(2), "/nonexistent/dir/x.pt") end},
  {"save a function", "cannot save a function", function() return torch.save({f = print}, os.tmpname()) end},
  {"read_idx of a .pt file", "not an IDX file", function()
    return torch.io.read_idx("../shared/fixtures/pytorch/linear_state.pt") end},
  {"checkpoint load of a missing file", "No such file", function() return torch.checkpoint.load("/nonexistent.tar") end},
  -- closed tensors
  {"a tensor used after <close>", "tensor was closed", function()
    local x; do local t <close> = ones(2); x = t end; return x + 1 end},
  {"a closed tensor as method self", "closed", function()
    local x; do local t <close> = ones(2); x = t end; return x:sum() end},
  -- mismatched state dicts
  {"load_state_dict missing keys", "Missing key(s)", function() nn.Linear(2, 2):load_state_dict({}) end},
  {"load_state_dict size mismatch", "size mismatch for weight", function()
    nn.Linear(2, 2):load_state_dict({weight = ones(3, 3), bias = ones(2)}) end},
  {"load_state_dict unexpected key", "Unexpected key(s)", function()
    local m = nn.Linear(2, 2); local sd = m:state_dict(); sd.extra = ones(1); m:load_state_dict(sd) end},
  {"load_state_dict of a number", "dict-like", function() nn.Linear(2, 2):load_state_dict(5) end},
  {"optimizer state with other groups", "parameter groups", function()
    local o = optim.SGD(nn.Linear(2, 2):parameters(), {lr = 0.1})
    o:load_state_dict({state = {}, param_groups = {}}) end},
  -- NaN and out-of-range hyperparameters
  {"Dropout(NaN)", "dropout probability", function() return nn.Dropout(0 / 0) end},
  {"SGD lr NaN", "Invalid learning rate", function() return optim.SGD(nn.Linear(1, 1):parameters(), {lr = 0 / 0}) end},
  {"Adam lr NaN", "Invalid learning rate", function() return optim.Adam(nn.Linear(1, 1):parameters(), {lr = 0 / 0}) end},
  {"Adam beta >= 1", "Invalid beta parameter", function()
    return optim.Adam(nn.Linear(1, 1):parameters(), {betas = {1.5, 0.9}}) end},
  {"arange to NaN", "arange", function() return torch.arange(0, 0 / 0) end},
  {"cross_entropy target out of range", "out of bounds", function()
    return F.cross_entropy(ones(2, 3), torch.tensor({0, 7})) end},
  {"cross_entropy float targets", "int64", function() return F.cross_entropy(ones(2, 3), torch.tensor({0.0, 1.0})) end},
  {"DataLoader batch_size 0", "batch_size", function()
    return data.DataLoader(data.TensorDataset(ones(4)), {batch_size = 0}) end},
  {"Linear on the wrong width", "in_features", function() return nn.Linear(3, 2)(ones(4, 5)) end},
  {"Conv2d on the wrong channels", "expected 1 channels (in_channels) in dim 2", function() return nn.Conv2d(1, 2, 3)(ones(1, 2, 5, 5)) end},
  {"huge randn", "out of memory", function() return torch.randn(1e6, 1e6) end},
}

local function has_shape(msg, dims)
  local forms = {"[" .. table.concat(dims, ", ") .. "]", "(" .. table.concat(dims, ", ") .. ")",
    table.concat(dims, "x")}
  if #dims == 1 then forms[#forms + 1] = "(" .. dims[1] .. ",)" end
  for _, f in ipairs(forms) do
    if msg:find(f, 1, true) then return true end
  end
  return false
end

for _, c in ipairs(cases) do
  local name, op, fn = c[1], c[2], c[3]
  T.test(name, function()
    local ok, err = pcall(fn)
    if ok then error("expected an error from: " .. name, 0) end
    err = tostring(err)
    local ops = type(op) == "table" and op or {op}
    local named = false
    for _, o in ipairs(ops) do named = named or err:find(o, 1, true) ~= nil end
    T.ok(named, string.format("message '%s' does not name '%s'", err, table.concat(ops, "' or '")))
    for _, dims in ipairs(c.shapes or {}) do
      T.ok(has_shape(err, dims), string.format("message '%s' does not show shape %s", err, table.concat(dims, "x")))
    end
  end)
end

T.test("at least 60 distinct bad inputs", function() T.ok(#cases >= 60, #cases .. " cases") end)

T.test("the engine still works after every error, and errors leak nothing", function()
  collectgarbage("collect"); collectgarbage("collect")
  local before = torch.memory_allocated()
  for _ = 1, 3 do
    for _, c in ipairs(cases) do pcall(c[3]) end
  end
  collectgarbage("collect"); collectgarbage("collect")
  T.eq(torch.memory_allocated(), before, "bytes live after the bad inputs")
  T.ok(torch.is_grad_enabled())
  local x = leaf(2, 2)
  ;(x * x):sum():backward()
  T.close(x.grad, {2, 2, 2, 2})
  T.close(ones(2, 3):matmul(ones(3)), {3, 3})
end)

T.run()
