-- torch.nn.utils — helpers for the training loop, as PyTorch 1.13's:
-- gradient clipping (clip_grad_norm_, clip_grad_value_) and flattening the
-- parameters into one vector and back (parameters_to_vector,
-- vector_to_parameters). The parameters are a tensor or a list of tensors
-- (model:parameters()). Not here: the norms themselves
-- (nn.functional._pnorm) or the optimizers.
local torch = require "torch"
local args = require "torch.nn.args"
local F = require "torch.nn.functional"

local utils = {}

-- a tensor, or a list of tensors (model:parameters()), as a list
local function param_list(fn, parameters)
  if torch.is_tensor(parameters) then return {parameters} end
  if type(parameters) ~= "table" then
    args.error(string.format("%s: parameters must be a Tensor or a list of Tensors, got %s", fn, type(parameters)))
  end
  for i, p in ipairs(parameters) do
    if not torch.is_tensor(p) then
      args.error(string.format("%s: parameters[%d] is a %s, not a Tensor", fn, i, type(p)))
    end
  end
  return parameters
end

-- Python's str(float(x)): 2 -> "2.0", math.huge -> "inf"
local function pyfloat(x)
  if x == math.huge then return "inf" end
  if x == -math.huge then return "-inf" end
  if x ~= x then return "nan" end
  if x == math.floor(x) and math.abs(x) < 1e16 then return string.format("%.1f", x) end
  return string.format("%.17g", x)
end

local CLIP_NORM = args.declare("nn.utils.clip_grad_norm_", {{"norm_type", 2.0}, {"error_if_nonfinite", false}},
  "foreach")

--- nn.utils.clip_grad_norm_(parameters, max_norm[, norm_type = 2[, error_if_nonfinite = false]]) -> Tensor
-- Scales the gradients of parameters (a tensor or a list, e.g.
-- model:parameters()) in place so that their total norm — the norm_type
-- norm of all of them as one vector (math.huge: the largest |g|) — is at
-- most max_norm: each grad is multiplied by min(1, max_norm / (total +
-- 1e-6)). Returns the total norm before clipping, a 0-dim tensor.
-- Parameters without a grad are skipped. error_if_nonfinite = true raises
-- when the total is nan or inf instead of scaling by it. Call it between
-- loss:backward() and optimizer:step().
-- Example:
--   local w = torch.zeros(2, {requires_grad = true})
--   w.grad = torch.tensor({6.0, 8.0})   -- as after loss:backward(); norm 10
--   nn.utils.clip_grad_norm_(w, 5.0)    --> tensor(10.)
function utils.clip_grad_norm_(parameters, max_norm, ...)
  local fn = "nn.utils.clip_grad_norm_"
  local params = param_list(fn, parameters)
  local o = CLIP_NORM:parse(...)
  if type(max_norm) ~= "number" then args.error(fn .. ": max_norm must be a number, got " .. type(max_norm)) end
  if type(o.norm_type) ~= "number" then args.error(fn .. ": norm_type must be a number, got " .. type(o.norm_type)) end
  if type(o.error_if_nonfinite) ~= "boolean" then
    args.error(fn .. ": error_if_nonfinite must be a boolean, got " .. type(o.error_if_nonfinite))
  end
  local norm_type = o.norm_type
  local grads = {}
  for _, p in ipairs(params) do
    if p.grad ~= nil then grads[#grads + 1] = p.grad end
  end
  if #grads == 0 then return torch.tensor(0.0) end
  return torch.no_grad(function()
    local total
    if norm_type == math.huge then
      local norms = {}
      for i, g in ipairs(grads) do norms[i] = g:detach():abs():max() end
      total = #norms == 1 and norms[1] or torch.stack(norms):max()
    else
      local norms = {}
      for i, g in ipairs(grads) do norms[i] = F._pnorm(g:detach(), norm_type, nil, fn) end
      total = F._pnorm(torch.stack(norms), norm_type, nil, fn)
    end
    local t = total:item()
    if o.error_if_nonfinite and (t ~= t or t == math.huge or t == -math.huge) then
      args.error(string.format("%s: The total norm of order %s for gradients from `parameters` is non-finite, " ..
        "so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, " ..
        "set `error_if_nonfinite=False`", fn, pyfloat(norm_type)))
    end
    local clip_coef = (total + 1e-6):reciprocal() * max_norm
    local clamped = clip_coef:clamp({max = 1.0})
    for _, g in ipairs(grads) do g:mul_(clamped) end
    return total
  end)
end

--- nn.utils.clip_grad_value_(parameters, clip_value)
-- Clamps every gradient of parameters (a tensor or a list) in place to
-- [-clip_value, clip_value]. Parameters without a grad are skipped.
-- Example:
--   local w = torch.zeros(2, {requires_grad = true})
--   w.grad = torch.tensor({6.0, 8.0})
--   nn.utils.clip_grad_value_(w, 7)
--   w.grad  --> tensor([6., 7.])
function utils.clip_grad_value_(parameters, clip_value)
  local fn = "nn.utils.clip_grad_value_"
  local params = param_list(fn, parameters)
  if type(clip_value) ~= "number" then args.error(fn .. ": clip_value must be a number, got " .. type(clip_value)) end
  torch.no_grad(function()
    for _, p in ipairs(params) do
      if p.grad ~= nil then p.grad:clamp_(-clip_value, clip_value) end
    end
  end)
end

--- nn.utils.parameters_to_vector(parameters) -> Tensor
-- All the parameters (a list, e.g. model:parameters()) flattened and
-- concatenated into one 1-D tensor, in order; differentiable (as PyTorch's,
-- its grad_fn is CatBackward0). The inverse is vector_to_parameters.
-- Example:
--   nn.utils.parameters_to_vector(nn.Linear(3, 2):parameters()):numel()  --> 8
function utils.parameters_to_vector(parameters)
  local params = param_list("nn.utils.parameters_to_vector", parameters)
  local vec = {}
  for i, p in ipairs(params) do vec[i] = p:view(-1) end
  return torch.cat(vec)
end

--- nn.utils.vector_to_parameters(vec, parameters)
-- Copies consecutive slices of the 1-D tensor vec into the parameters (a
-- list), each reshaped to its parameter's shape: the inverse of
-- parameters_to_vector.
--
-- Differs from PyTorch: the values are copied; PyTorch 1.13 makes each
-- parameter a view of vec (param.data = ...), so later writes to vec show.
function utils.vector_to_parameters(vec, parameters)
  local fn = "nn.utils.vector_to_parameters"
  if not torch.is_tensor(vec) then args.error(fn .. ": expected torch.Tensor, but got: " .. type(vec)) end
  local params = param_list(fn, parameters)
  local pointer = 0
  torch.no_grad(function()
    for _, p in ipairs(params) do
      local n = p:numel()
      local have = math.max(0, math.min(n, vec:numel() - pointer))
      if have ~= n then
        args.error(string.format("%s: shape '%s' is invalid for input of size %d", fn,
          tostring(p:size()):match("%((.*)%)"), have))
      end
      p:copy_(vec:narrow(1, pointer + 1, n):view_as(p))
      pointer = pointer + n
    end
  end)
end

return require("torch.options").namespace(utils, "nn.utils")
