-- nn.Embedding: a lookup table of num_embeddings vectors, PyTorch's
-- constructor arguments, weight (N(0, 1) at first, the padding row zero),
-- print format and Embedding.from_pretrained, over torch.embedding
-- (lua/torch/layer_functions.lua). Token ids are data, so they are
-- 0-based as in PyTorch, and so is padding_idx (a token id).
-- Not implemented (errors that say so): max_norm (renormalising rows in
-- place), scale_grad_by_freq, sparse gradients.
local torch = require "torch"
local M = require "torch.nn.module"
local args = require "torch.nn.args"
local init = require "torch.nn.initializers"
local Module, Parameter = M.Module, M.Parameter

local embedding = {}

local EMBEDDING = args.declare("nn.Embedding", {{"padding_idx", args.NONE}, {"max_norm", args.NONE},
  {"norm_type", 2.0}, {"scale_grad_by_freq", false}, {"sparse", false}, {"_weight", args.NONE}}, "device dtype")

-- The options PyTorch has and ember refuses; shared with F.embedding.
function embedding._check_unimplemented(decl, o)
  if o.max_norm ~= nil then
    decl:error("max_norm=%s is not implemented in ember (renormalising the looked-up rows in place); leave it " ..
      "None", tostring(o.max_norm))
  end
  if o.scale_grad_by_freq ~= false then
    decl:error("scale_grad_by_freq=%s is not implemented in ember (only false)", tostring(o.scale_grad_by_freq))
  end
  if o.sparse ~= false then decl:error("sparse=%s is not implemented in ember (only false)", tostring(o.sparse)) end
  if type(o.norm_type) ~= "number" then decl:error("norm_type must be a number, got %s", tostring(o.norm_type)) end
end

-- PyTorch's padding_idx checks; a negative one counts from the end. nil
-- stays nil (no padding row).
function embedding._padding_idx(decl, padding_idx, num_embeddings)
  if padding_idx == nil then return nil end
  if math.type(padding_idx) ~= "integer" then decl:error("padding_idx must be an integer, got %s", tostring(padding_idx)) end
  if padding_idx >= num_embeddings or padding_idx < -num_embeddings then
    decl:error("Padding_idx must be within num_embeddings (padding_idx=%d, num_embeddings=%d; token ids are 0-based)",
      padding_idx, num_embeddings)
  end
  return padding_idx < 0 and num_embeddings + padding_idx or padding_idx
end

--- nn.Embedding(num_embeddings, embedding_dim[, {padding_idx =, ...}])
-- A table of num_embeddings vectors of size embedding_dim, looked up by
-- int64 token ids (0-based, as PyTorch: ids are data): x of any shape ->
-- x's shape + (embedding_dim). weight (num_embeddings, embedding_dim) starts
-- as N(0, 1) draws, as PyTorch's (torch.manual_seed gives the same numbers).
-- padding_idx (0-based; negative counts from the end): that row starts at
-- zero and gets no gradient (a padding token). PyTorch's positional order:
-- padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight (a
-- tensor to use as the weight). max_norm, scale_grad_by_freq and sparse are
-- not implemented (an error). See also nn.Embedding.from_pretrained.
-- Differs from PyTorch: max_norm, scale_grad_by_freq and sparse are not
-- implemented (an error); the grad_fn is that of the lookup it is built
-- from, not EmbeddingBackward0.
-- Example:
--   local emb = nn.Embedding(10, 3, {padding_idx = 0})
--   emb(torch.tensor({{1, 2, 0}})):size()  --> torch.Size([1, 3, 3])
local Embedding = Module:extend("Embedding")
function Embedding:__init(num_embeddings, embedding_dim, ...)
  Module.__init(self)
  local o = EMBEDDING:parse(...)
  for _, p in ipairs({{"num_embeddings", num_embeddings}, {"embedding_dim", embedding_dim}}) do
    if math.type(p[2]) ~= "integer" or p[2] < 0 then
      EMBEDDING:error("%s must be a non-negative integer, got %s", p[1], tostring(p[2]))
    end
  end
  embedding._check_unimplemented(EMBEDDING, o)
  self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
  self.padding_idx = embedding._padding_idx(EMBEDDING, o.padding_idx, num_embeddings)
  self.max_norm, self.norm_type = nil, o.norm_type
  self.scale_grad_by_freq, self.sparse = false, false
  if o._weight ~= nil then
    local w = o._weight
    if not torch.is_tensor(w) or w:dim() ~= 2 or w:size(1) ~= num_embeddings or w:size(2) ~= embedding_dim then
      EMBEDDING:error("Shape of weight does not match num_embeddings and embedding_dim (_weight %s, expected (%d, %d))",
        torch.is_tensor(w) and tostring(w:size()) or type(w), num_embeddings, embedding_dim)
    end
    self.weight = Parameter.new(w)
    -- a whole-model file rebuilds the layer from its sizes; the weight comes
    -- from the state dict (a file holds no tensors among the arguments)
    rawset(self, "_init_args", table.pack(num_embeddings, embedding_dim,
      {padding_idx = self.padding_idx, norm_type = o.norm_type}))
  else
    self.weight = Parameter.new(torch.empty(num_embeddings, embedding_dim))
    self:reset_parameters()
  end
end

--- emb:reset_parameters()
-- Draws weight from N(0, 1) again and zeroes the padding_idx row, as PyTorch.
function Embedding:reset_parameters()
  init.normal_(self.weight)
  if self.padding_idx ~= nil then
    torch.no_grad(function() self.weight[self.padding_idx + 1]:fill_(0) end)
  end
end

--- emb:forward(x) -> Tensor
-- The rows of weight picked by the int64 token ids x (0-based); shape
-- x's shape + (embedding_dim). Call emb(x). Float ids or ids out of
-- 0..num_embeddings-1 are errors naming the shapes.
function Embedding:forward(x)
  if not torch.is_tensor(x) or (x.dtype ~= torch.int64 and x.dtype ~= torch.int32) then
    error(string.format("nn.Embedding: expected int64 (or int32) token ids, got %s%s", torch.is_tensor(x) and
      tostring(x.dtype) .. " input of shape " or type(x), torch.is_tensor(x) and tostring(x:size()) or ""), 2)
  end
  return torch.embedding(self.weight, x, self.padding_idx or -1)
end

--- emb:extra_repr() -> "10, 3, padding_idx=0"
function Embedding:extra_repr()
  local s = string.format("%d, %d", self.num_embeddings, self.embedding_dim)
  if self.padding_idx ~= nil then s = s .. ", padding_idx=" .. self.padding_idx end
  if self.norm_type ~= 2 then s = s .. ", norm_type=" .. tostring(self.norm_type) end
  return s
end

local FROM_PRETRAINED = args.declare("nn.Embedding.from_pretrained", {{"freeze", true}, {"padding_idx", args.NONE},
  {"max_norm", args.NONE}, {"norm_type", 2.0}, {"scale_grad_by_freq", false}, {"sparse", false}})

--- nn.Embedding.from_pretrained(embeddings[, freeze = true[, padding_idx]]) -> Embedding
-- An Embedding whose weight is the 2-D tensor embeddings (num_embeddings,
-- embedding_dim), e.g. pretrained word vectors; freeze = true (the default)
-- keeps it fixed (weight.requires_grad = false). Options as nn.Embedding.
-- Example:
--   local emb = nn.Embedding.from_pretrained(torch.eye(3))
--   emb(torch.tensor({2}))  --> tensor([[0., 0., 1.]])
function Embedding.from_pretrained(embeddings, ...)
  local o = FROM_PRETRAINED:parse(...)
  if not torch.is_tensor(embeddings) or embeddings:dim() ~= 2 then
    FROM_PRETRAINED:error("Embeddings parameter is expected to be 2-dimensional, got %s",
      torch.is_tensor(embeddings) and tostring(embeddings:size()) or type(embeddings))
  end
  if type(o.freeze) ~= "boolean" then FROM_PRETRAINED:error("freeze must be a boolean, got %s", tostring(o.freeze)) end
  local emb = Embedding(embeddings:size(1), embeddings:size(2), {padding_idx = o.padding_idx, max_norm = o.max_norm,
    norm_type = o.norm_type, scale_grad_by_freq = o.scale_grad_by_freq, sparse = o.sparse, _weight = embeddings})
  emb.weight:requires_grad_(not o.freeze)
  return emb
end
embedding.Embedding = Embedding

return embedding
