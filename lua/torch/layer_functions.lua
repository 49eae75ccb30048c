-- torch.layer_norm, torch.group_norm, torch.embedding — PyTorch's torch.*
-- forms of LayerNorm, GroupNorm and Embedding, composed in Lua from ops
-- that have autograd (reshape, mean, rsqrt, index_select, where), so their
-- gradients need no formula of their own. F.layer_norm, F.group_norm,
-- F.embedding and the nn modules call these (through the torch table, so
-- the ONNX tracer sees one operation). Not here: fused kernels (none yet),
-- the modules' parameters (lua/torch/nn/normalization.lua, embedding.lua).
-- Installed into torch on first use of one of them (torch.lazy): install(torch).
return function(torch)

-- A size as a Lua list: an integer, a list of integers or a torch.Size.
local function shape_list(fn, v)
  local out = {}
  if math.type(v) == "integer" then out = {v}
  elseif type(v) == "table" or type(v) == "userdata" then
    local ok, n = pcall(function() return #v end)
    if ok then for i = 1, n do out[i] = v[i] end end
  end
  if #out == 0 then
    error(string.format("%s: normalized_shape must be an integer or a non-empty list of integers, got %s", fn,
      tostring(v)), 3)
  end
  for _, d in ipairs(out) do
    if math.type(d) ~= "integer" or d < 1 then
      error(string.format("%s: normalized_shape must hold positive integers, got %s", fn, tostring(d)), 3)
    end
  end
  return out
end

local function sizes(t)
  local s = {}
  for i = 1, t:dim() do s[i] = t:size(i) end
  return s
end

local function list_str(s) return "[" .. table.concat(s, ", ") .. "]" end

local function is_none(v) return v == nil or rawequal(v, torch.None) end

local function check_float(fn, x)
  if not torch.is_tensor(x) then error(string.format("%s: expected a tensor input, got %s", fn, type(x)), 3) end
  if not x:is_floating_point() then
    error(string.format("%s: expected a floating-point input, got %s", fn, tostring(x.dtype)), 3)
  end
end

-- (x - mean) / sqrt(var + eps) over the last dim of x (biased variance), as
-- PyTorch's kernels: mean, then the variance of x - mean, then x times rstd.
local function normalize_last(x, eps)
  local mean = x:mean(-1, true)
  local xc = x - mean
  local var = (xc * xc):mean(-1, true)
  return xc * (var + eps):rsqrt()
end

--- torch.layer_norm(x, normalized_shape[, weight[, bias[, eps = 1e-5]]]) -> Tensor
-- Normalises x over its last dims, whose sizes are normalized_shape (an
-- integer or a list): (x - mean) / sqrt(var + eps), the biased variance,
-- then * weight + bias (both of shape normalized_shape, optional; nil or
-- torch.None for none). What nn.LayerNorm computes; F.layer_norm is the same.
-- Example:
--   torch.layer_norm(torch.tensor({{1.0, 2.0, 3.0}}), 3)  --> tensor([[-1.2247,  0.0000,  1.2247]])
function torch.layer_norm(x, normalized_shape, weight, bias, eps, cudnn_enable)
  local fn = "layer_norm"
  check_float(fn, x)
  local shape = shape_list(fn, normalized_shape)
  if is_none(eps) then eps = 1e-5 end
  if type(eps) ~= "number" then error("layer_norm: eps must be a number, got " .. tostring(eps), 2) end
  if cudnn_enable ~= nil and type(cudnn_enable) ~= "boolean" then
    error("layer_norm: cudnn_enable must be a boolean, got " .. tostring(cudnn_enable), 2)
  end
  local xs, k = sizes(x), #shape
  local ok = #xs >= k
  for i = 1, k do ok = ok and xs[#xs - k + i] == shape[i] end
  if not ok then
    local star = {"*"}
    for i = 1, k do star[i + 1] = shape[i] end
    error(string.format("layer_norm: Given normalized_shape=%s, expected input with shape %s, but got input of " ..
      "size%s", list_str(shape), list_str(star), list_str(xs)), 2)
  end
  for _, p in ipairs({{"weight", weight}, {"bias", bias}}) do
    if not is_none(p[2]) and (not torch.is_tensor(p[2]) or list_str(sizes(p[2])) ~= list_str(shape)) then
      error(string.format("layer_norm: Expected %s to be of same shape as normalized_shape, but got %s of shape %s " ..
        "and normalized_shape = %s", p[1], p[1], torch.is_tensor(p[2]) and list_str(sizes(p[2])) or type(p[2]),
        list_str(shape)), 2)
    end
  end
  local flat = {}
  for i = 1, #xs - k do flat[i] = xs[i] end
  flat[#flat + 1] = -1
  local y = normalize_last(x:reshape(flat), eps):reshape(xs)
  if not is_none(weight) then y = y * weight end
  if not is_none(bias) then y = y + bias end
  return y
end

--- torch.group_norm(x, num_groups[, weight[, bias[, eps = 1e-5]]]) -> Tensor
-- Splits the channels (dim 2) of x (N, C, ...) into num_groups groups and
-- normalises each group of each sample over its channels and positions:
-- (x - mean) / sqrt(var + eps), the biased variance; then * weight + bias
-- per channel (shape (C), optional). C must be divisible by num_groups.
-- What nn.GroupNorm computes; F.group_norm is the same.
-- Example:
--   torch.group_norm(torch.tensor({{1.0, 3.0}}), 1)  --> tensor([[-1.0000,  1.0000]])
function torch.group_norm(x, num_groups, weight, bias, eps, cudnn_enable)
  local fn = "group_norm"
  check_float(fn, x)
  if math.type(num_groups) ~= "integer" or num_groups < 1 then
    error("group_norm: num_groups must be a positive integer, got " .. tostring(num_groups), 2)
  end
  if is_none(eps) then eps = 1e-5 end
  if type(eps) ~= "number" then error("group_norm: eps must be a number, got " .. tostring(eps), 2) end
  if cudnn_enable ~= nil and type(cudnn_enable) ~= "boolean" then
    error("group_norm: cudnn_enable must be a boolean, got " .. tostring(cudnn_enable), 2)
  end
  local xs = sizes(x)
  if #xs < 2 then
    error(string.format("group_norm: Expected at least 2 dimensions for input tensor but received %d (input shape %s)",
      #xs, list_str(xs)), 2)
  end
  local c = xs[2]
  if c % num_groups ~= 0 then
    error(string.format("group_norm: Expected number of channels in input to be divisible by num_groups, but got " ..
      "input of shape %s and num_groups=%d", list_str(xs), num_groups), 2)
  end
  for _, p in ipairs({{"weight", weight}, {"bias", bias}}) do
    if not is_none(p[2]) and (not torch.is_tensor(p[2]) or p[2]:dim() ~= 1 or p[2]:numel() ~= c) then
      error(string.format("group_norm: Expected %s to be a vector of size equal to the number of channels in input, " ..
        "but got %s of shape %s and input of shape %s", p[1], p[1],
        torch.is_tensor(p[2]) and list_str(sizes(p[2])) or type(p[2]), list_str(xs)), 2)
    end
  end
  local y = normalize_last(x:reshape({xs[1], num_groups, -1}), eps):reshape(xs)
  if is_none(weight) and is_none(bias) then return y end
  local per_channel = {c}                     -- (C, 1, ..., 1): broadcast over positions
  for i = 3, #xs do per_channel[i - 1] = 1 end
  if not is_none(weight) then y = y * weight:reshape(per_channel) end
  if not is_none(bias) then y = y + bias:reshape(per_channel) end
  return y
end

--- torch.embedding(weight, indices[, padding_idx = -1]) -> Tensor
-- The rows of weight (num_embeddings, embedding_dim) picked by the int64
-- (or int32) indices, 0-based as all index data: the result has shape
-- indices' shape + (embedding_dim). padding_idx >= 0 (0-based too): that
-- row gets no gradient; -1 means none. Indices outside 0..num_embeddings-1
-- are an error. What nn.Embedding and F.embedding compute.
-- Example:
--   torch.embedding(torch.eye(3), torch.tensor({2, 0}))  --> tensor([[0., 0., 1.], [1., 0., 0.]])
function torch.embedding(weight, indices, padding_idx, scale_grad_by_freq, sparse)
  if not torch.is_tensor(weight) or weight:dim() ~= 2 then
    error("embedding: 'weight' must be 2-D, got " .. (torch.is_tensor(weight) and ("shape " .. list_str(sizes(weight)))
      or type(weight)), 2)
  end
  if not torch.is_tensor(indices) or (indices.dtype ~= torch.int64 and indices.dtype ~= torch.int32) then
    error("embedding: Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; " ..
      "but got " .. (torch.is_tensor(indices) and tostring(indices.dtype) or type(indices)) .. " instead", 2)
  end
  if padding_idx == nil then padding_idx = -1 end
  if math.type(padding_idx) ~= "integer" then
    error("embedding: padding_idx must be an integer, got " .. tostring(padding_idx), 2)
  end
  if scale_grad_by_freq then
    error("embedding: scale_grad_by_freq=true is not implemented in ember (only false)", 2)
  end
  if sparse then error("embedding: sparse=true is not implemented in ember (sparse gradients; only false)", 2) end
  local n = weight:size(1)
  local flat = indices:reshape(-1):long()
  if flat:numel() > 0 then
    local lo, hi = flat:min():item(), flat:max():item()
    if lo < 0 or hi >= n then
      error(string.format("embedding: index out of range in self: index %d with %d embeddings (indices are 0-based, " ..
        "0..%d)", lo < 0 and lo or hi, n, n - 1), 2)
    end
  end
  local out = weight:index_select(1, flat)
  if padding_idx >= 0 and weight.requires_grad and torch.is_grad_enabled() then
    -- the padding row's value, with no path back to weight: its gradient stays 0
    local pad = flat:eq(padding_idx):unsqueeze(2)
    out = torch.where(pad, weight:detach():index_select(1, flat), out)
  end
  local shape = sizes(indices)
  shape[#shape + 1] = weight:size(2)
  return out:reshape(shape)
end

end
