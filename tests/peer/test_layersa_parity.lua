-- Compares the layers of issue 22 group A with real PyTorch 1.13. The data
-- file (arg[1]) comes from tests/peer/make_layersa_reference.py. Function
-- cases (layer_norm, group_norm, embedding, softmin, one_hot, normalize,
-- cosine_similarity, pairwise_distance, batch_norm on (N, C, L)) are checked
-- by test_nn_parity.lua's code, run here on this file. Module cases
-- (kind = "module") are checked here: print(module) and the state_dict
-- keys exactly as PyTorch's, the parameters ember draws after
-- torch.manual_seed(0) equal to PyTorch's, then PyTorch's parameters loaded
-- through load_state_dict, the output and the gradients of the input and of
-- every parameter (by state-dict name), and the buffers after the forward.
-- Run by tests/peer/peer.sh layersa.
local T = require "ember.test"

local data_path = arg and arg[1]
if not data_path then error("usage: ember run test_layersa_parity.lua DATA.lua") end
local cases = dofile(data_path)

local TOL = {float64 = {rtol = 1e-5, atol = 1e-12}, float32 = {rtol = 1e-5, atol = 2e-5}}
local EXACT = {rtol = 0, atol = 0}

local function check_tensor(t, exp, what)
  T.ok(torch.is_tensor(t), what .. ": expected a tensor, got " .. type(t))
  local dims = {}
  for i = 1, t:dim() do dims[i] = t:size(i) end
  T.eq("(" .. table.concat(dims, ", ") .. ")", "(" .. table.concat(exp.shape, ", ") .. ")", what .. " shape")
  T.eq(tostring(t.dtype), "torch." .. exp.dtype, what .. " dtype")
  local tol = TOL[exp.dtype] or EXACT
  if #exp.values > 0 then T.close(t, exp.values, {rtol = tol.rtol, atol = tol.atol, msg = what .. " values"}) end
end

-- A state dict (OrderedDict, as load_state_dict takes) from the records.
local function state_of(list)
  local sd = torch.OrderedDict()
  for _, kv in ipairs(list) do
    local v = kv[2]
    local t = #v.values == 0 and torch.zeros(v.shape, {dtype = torch[v.dtype]})
      or torch.tensor(v.values, {dtype = torch[v.dtype]}):reshape(v.shape)
    sd[kv[1]] = t
  end
  return sd
end

local function by_name(list)
  local out = {}
  for _, kv in ipairs(list) do out[kv[1]] = kv[2] end
  return out
end

local function run_module(c)
  torch.manual_seed(0)
  local m = assert(load(c.lua, "=" .. c.name, "t"))()
  if c.repr then T.eq(tostring(m), c.repr, "print(module)") end
  local keys = {}
  for k in pairs(m:state_dict()) do keys[#keys + 1] = k end
  T.eq(table.concat(keys, " "), table.concat(c.keys, " "), "state_dict keys")
  -- the initial parameters and buffers, drawn after manual_seed(0)
  local sd = m:state_dict()
  for _, kv in ipairs(c.init) do check_tensor(sd[kv[1]], kv[2], "initial " .. kv[1]) end
  m:to(torch[c.dtype])
  m:load_state_dict(state_of(c.state))
  if not c.input then return end
  local x = torch.tensor(c.input.data, {dtype = torch[c.input.dtype], requires_grad = c.input.grad})
  local out = m(x)
  check_tensor(out, c.out, "out")
  local w = torch.tensor(c.w, {dtype = out.dtype})
  if out:dim() == 0 then w = w:reshape({}) end
  (out * w):sum():backward()
  if c.input_grad then check_tensor(x.grad, c.input_grad, "grad of the input") end
  local grads = by_name(c.param_grads)
  for _, np in ipairs(m:named_parameters()) do
    local exp = grads[np[1]]
    if exp then check_tensor(np[2].grad, exp, "grad of " .. np[1])
    else T.ok(np[2].grad == nil, "grad of " .. np[1] .. ": PyTorch has none") end
  end
  local bufs = by_name(c.buffers_after)
  for _, nb in ipairs(m:named_buffers()) do check_tensor(nb[2], bufs[nb[1]], "buffer " .. nb[1]) end
end

for _, c in ipairs(cases) do
  if c.kind == "module" then T.test(c.name, function() run_module(c) end) end
end

-- the function cases: test_nn_parity.lua's checks on this same file (it
-- reads arg[1], registers its cases, and runs every registered test)
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
dofile(here .. "/test_nn_parity.lua")
