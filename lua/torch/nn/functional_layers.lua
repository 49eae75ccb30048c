-- More of torch.nn.functional: the functional forms of LayerNorm,
-- GroupNorm, Embedding and Softmin, and F.one_hot, F.normalize,
-- F.cosine_similarity, F.pairwise_distance. Each is composed from ops that
-- have autograd; options come positionally in PyTorch's order or in a
-- trailing table (torch.nn.args). Dims are 1-based (PyTorch's dim=1 is
-- dim = 2 here). Merged into F by torch.nn.functional.
local torch = require "torch"
local args = require "torch.nn.args"

local F = {}

local function is_none(v) return v == nil or rawequal(v, torch.None) end

local LAYER_NORM = args.declare("F.layer_norm", {{"weight", args.NONE}, {"bias", args.NONE}, {"eps", 1e-5}})

--- F.layer_norm(x, normalized_shape[, weight[, bias[, eps = 1e-5]]]) -> Tensor
-- Normalises x over its last dims (sizes normalized_shape, an integer or a
-- list): (x - mean) / sqrt(var + eps) * weight + bias. Also as a trailing
-- table {weight =, bias =, eps =}. The same as torch.layer_norm; nn.LayerNorm
-- holds weight and bias.
-- Example: F.layer_norm(torch.tensor({{1.0, 3.0}}), 2)  --> tensor([[-1.0000,  1.0000]])
function F.layer_norm(x, normalized_shape, ...)
  local o = LAYER_NORM:parse(...)
  return torch.layer_norm(x, normalized_shape, o.weight, o.bias, o.eps)
end

local GROUP_NORM = args.declare("F.group_norm", {{"weight", args.NONE}, {"bias", args.NONE}, {"eps", 1e-5}})

--- F.group_norm(x, num_groups[, weight[, bias[, eps = 1e-5]]]) -> Tensor
-- Group normalisation of x (N, C, ...): each of num_groups groups of
-- channels is normalised per sample, then * weight + bias per channel.
-- Also as a trailing table. The same as torch.group_norm (nn.GroupNorm).
-- Example: F.group_norm(torch.tensor({{1.0, 3.0}}), 1)  --> tensor([[-1.0000,  1.0000]])
function F.group_norm(x, num_groups, ...)
  local o = GROUP_NORM:parse(...)
  return torch.group_norm(x, num_groups, o.weight, o.bias, o.eps)
end

local EMBEDDING = args.declare("F.embedding", {{"padding_idx", args.NONE}, {"max_norm", args.NONE},
  {"norm_type", 2.0}, {"scale_grad_by_freq", false}, {"sparse", false}})

--- F.embedding(x, weight[, padding_idx[, max_norm[, norm_type[, scale_grad_by_freq[, sparse]]]]]) -> Tensor
-- The rows of weight (num_embeddings, embedding_dim) picked by the int64
-- token ids x (0-based): shape x's shape + (embedding_dim). padding_idx
-- (0-based, negative from the end): that row gets no gradient. max_norm,
-- scale_grad_by_freq and sparse are not implemented (an error). Note the
-- order: ids first, as PyTorch's F.embedding (torch.embedding takes weight first).
-- Example: F.embedding(torch.tensor({1}), torch.eye(2))  --> tensor([[0., 1.]])
function F.embedding(x, weight, ...)
  local o = EMBEDDING:parse(...)
  local emb = require "torch.nn.embedding"
  emb._check_unimplemented(EMBEDDING, o)
  if not torch.is_tensor(weight) or weight:dim() ~= 2 then
    EMBEDDING:error("'weight' must be 2-D, got %s", torch.is_tensor(weight) and tostring(weight:size()) or type(weight))
  end
  local pad = emb._padding_idx(EMBEDDING, o.padding_idx, weight:size(1))
  return torch.embedding(weight, x, pad or -1)
end

--- F.softmin(x, dim[, {dtype =}]) -> Tensor
-- softmax(-x) along dim (1-based): the smallest values get the largest
-- weights; each slice sums to 1. dtype converts x first, as softmax's.
-- nn.Softmin(dim) is the layer.
-- Example: F.softmin(torch.tensor({1.0, 1.0}), 1)  --> tensor([0.5000, 0.5000])
function F.softmin(x, ...)
  if not torch.is_tensor(x) then args.error("softmin: expected a tensor, got " .. type(x)) end
  return torch.softmax(-x, ...)
end

local ONE_HOT = args.declare("F.one_hot", {{"num_classes", -1}})

--- F.one_hot(x[, num_classes = -1]) -> Tensor
-- x: int64 class indices (0-based); the result has x's shape + (num_classes),
-- int64, 1 at each index and 0 elsewhere. num_classes = -1 uses the largest
-- index + 1. Negative indices or indices >= num_classes are errors.
-- Example: F.one_hot(torch.tensor({0, 2}))  --> tensor([[1, 0, 0], [0, 0, 1]])
function F.one_hot(x, ...)
  local o = ONE_HOT:parse(...)
  if not torch.is_tensor(x) or x.dtype ~= torch.int64 then
    ONE_HOT:error("one_hot is only applicable to index tensor (int64), got %s",
      torch.is_tensor(x) and tostring(x.dtype) or type(x))
  end
  local n = o.num_classes
  if math.type(n) ~= "integer" then ONE_HOT:error("num_classes must be an integer, got %s", tostring(n)) end
  if x:numel() == 0 then
    if n == -1 then ONE_HOT:error("Can not infer total number of classes from empty tensor.") end
  else
    if x:min():item() < 0 then ONE_HOT:error("Class values must be non-negative.") end
    local hi = x:max():item()
    if n == -1 then n = hi + 1
    elseif hi >= n then ONE_HOT:error("Class values must be smaller than num_classes.") end
  end
  if n < 0 then ONE_HOT:error("num_classes should be -1 or non-negative, got %d", n) end
  return x:unsqueeze(-1):eq(torch.arange(n)):long()
end

-- The p-norm of x along dim, as PyTorch's norm: its gradient is 0 where the
-- norm is 0 (the where()s keep sqrt and pow off 0).
local function vector_norm(x, p, dim, keepdim)
  if p == math.huge then return (x:abs():max(dim, keepdim)) end
  if p == -math.huge then return (x:abs():min(dim, keepdim)) end
  if p == 0 then return x:ne(0):to(x.dtype):sum(dim, keepdim) end
  if p == 1 then return x:abs():sum(dim, keepdim) end
  local s = p == 2 and (x * x):sum(dim, keepdim) or x:abs():pow(p):sum(dim, keepdim)
  local zero = s:eq(0)
  local safe = torch.where(zero, torch.ones_like(s), s)
  return torch.where(zero, torch.zeros_like(s), p == 2 and safe:sqrt() or safe:pow(1 / p))
end

local function check_float(decl, what, x)
  if not torch.is_tensor(x) then decl:error("expected a tensor %s, got %s", what, type(x)) end
  if not x:is_floating_point() then decl:error("expected a floating-point %s, got %s", what, tostring(x.dtype)) end
end

local function check_dim(decl, dim, n)
  if math.type(dim) ~= "integer" then decl:error("dim must be an integer, got %s", tostring(dim)) end
  local d = dim < 0 and n + dim + 1 or dim
  if d < 1 or d > math.max(n, 1) then
    decl:error("dim %d is out of range for a %d-dim input (dims are 1-based, -1 is the last)", dim, n)
  end
  return d
end

local NORMALIZE = args.declare("F.normalize", {{"p", 2.0}, {"dim", 2}, {"eps", 1e-12}}, "out")

--- F.normalize(x[, p = 2[, dim = 2[, eps = 1e-12]]]) -> Tensor
-- x divided by its p-norm along dim (1-based; 2 is PyTorch's default dim=1,
-- the features of an (N, C) batch): x / max(||x||_p, eps), so each slice
-- has norm 1. p may be any number, math.huge (max) included.
-- Example: F.normalize(torch.tensor({{3.0, 4.0}}))  --> tensor([[0.6000, 0.8000]])
function F.normalize(x, ...)
  local o = NORMALIZE:parse(...)
  check_float(NORMALIZE, "input", x)
  if type(o.p) ~= "number" then NORMALIZE:error("p must be a number, got %s", tostring(o.p)) end
  if type(o.eps) ~= "number" then NORMALIZE:error("eps must be a number, got %s", tostring(o.eps)) end
  local d = check_dim(NORMALIZE, o.dim, x:dim())
  if x:dim() == 0 then d = 1; x = x:reshape({1}) end
  return x / vector_norm(x, o.p, d, true):clamp({min = o.eps})
end

-- The broadcast shape of a and b (PyTorch's rule), or an error naming both.
local function broadcast_shape(decl, a, b)
  local na, nb = a:dim(), b:dim()
  local n = math.max(na, nb)
  local out = {}
  for i = 1, n do
    local x = i - (n - na) >= 1 and a:size(i - (n - na)) or 1
    local y = i - (n - nb) >= 1 and b:size(i - (n - nb)) or 1
    if x ~= y and x ~= 1 and y ~= 1 then
      decl:error("the shapes of x1 %s and x2 %s cannot be broadcast together", tostring(a:size()), tostring(b:size()))
    end
    out[i] = x == 1 and y or x
  end
  return out
end

-- max(||x||, eps) along dim as PyTorch 1.13's cosine_similarity gets it: the
-- norm clamped in place without recording, so its gradient stays the
-- norm's own, x / (the clamped value). Here: the clamped value plus a term
-- worth 0 whose gradient is that, (s - s') / (2 n) with s = sum(x^2).
local function clamped_norm(x, dim, eps)
  local s = (x * x):sum(dim, true)
  local n = torch.no_grad(function() return s:sqrt():clamp({min = eps}) end)
  return n + (s - s:detach()) / (n * 2)
end

local COSINE = args.declare("F.cosine_similarity", {{"dim", 2}, {"eps", 1e-8}})

--- F.cosine_similarity(x1, x2[, dim = 2[, eps = 1e-8]]) -> Tensor
-- The cosine of the angle between x1 and x2 along dim (1-based; 2 is
-- PyTorch's default dim=1): sum(x1/||x1|| * x2/||x2||) with each norm at
-- least eps, as PyTorch 1.13 computes it (normalise first). x1 and x2
-- broadcast; the result drops dim.
-- Example: F.cosine_similarity(torch.tensor({{1.0, 0.0}}), torch.tensor({{1.0, 1.0}}))  --> tensor([0.7071])
function F.cosine_similarity(x1, x2, ...)
  local o = COSINE:parse(...)
  check_float(COSINE, "x1", x1)
  check_float(COSINE, "x2", x2)
  if type(o.eps) ~= "number" then COSINE:error("eps must be a number, got %s", tostring(o.eps)) end
  local shape = broadcast_shape(COSINE, x1, x2)
  local d = check_dim(COSINE, o.dim, #shape)
  if #shape == 0 then
    x1, x2, d = x1:reshape({1}), x2:reshape({1}), 1
  else
    x1, x2 = x1:expand(shape), x2:expand(shape)
  end
  local r = ((x1 / clamped_norm(x1, d, o.eps)) * (x2 / clamped_norm(x2, d, o.eps))):sum(d)
  if #shape == 0 then r = r:reshape({}) end
  return r
end

local PAIRWISE = args.declare("F.pairwise_distance", {{"p", 2.0}, {"eps", 1e-6}, {"keepdim", false}})

--- F.pairwise_distance(x1, x2[, p = 2[, eps = 1e-6[, keepdim = false]]]) -> Tensor
-- The p-norm distance between the rows of x1 and x2 along the last dim:
-- ||x1 - x2 + eps||_p, as PyTorch (eps is added to the difference). x1 and
-- x2 broadcast; keepdim keeps the last dim as size 1.
-- Example: F.pairwise_distance(torch.tensor({{0.0, 0.0}}), torch.tensor({{3.0, 4.0}}), 2, 0)  --> tensor([5.])
function F.pairwise_distance(x1, x2, ...)
  local o = PAIRWISE:parse(...)
  check_float(PAIRWISE, "x1", x1)
  check_float(PAIRWISE, "x2", x2)
  if type(o.p) ~= "number" then PAIRWISE:error("p must be a number, got %s", tostring(o.p)) end
  if type(o.eps) ~= "number" then PAIRWISE:error("eps must be a number, got %s", tostring(o.eps)) end
  if type(o.keepdim) ~= "boolean" then PAIRWISE:error("keepdim must be a boolean, got %s", tostring(o.keepdim)) end
  broadcast_shape(PAIRWISE, x1, x2)
  local diff = x1 - x2 + o.eps
  if diff:dim() == 0 then return vector_norm(diff:reshape({1}), o.p, 1, o.keepdim) end
  return vector_norm(diff, o.p, diff:dim(), o.keepdim)
end

return F
