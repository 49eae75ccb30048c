-- torch.linalg — the norms of PyTorch's torch.linalg: vector_norm (C:
-- src/bind/lua_mathr.c, its help in torch/doc/mathr.lua) and matrix_norm,
-- composed here from vector_norm, amax and amin as PyTorch composes it (so
-- its grad_fn is theirs). The norms that need a singular value
-- decomposition (ord = 2, -2, 'nuc') are an error: ember has no SVD.
local core = require "torch.core"
local options = require "torch.options"

local linalg = {}

linalg.vector_norm = core._vector_norm

local MATRIX_NORM = options.spec("torch.linalg.matrix_norm", "ord dim keepdim dtype", "out")

--- torch.linalg.matrix_norm(A[, ord='fro'[, dim={-2, -1}[, keepdim=false]]][, opts]) -> Tensor
-- The matrix norm of A over the two dims dim (1-based; default the last
-- two, so a batch of matrices gives one norm each): ord 'fro' (Frobenius,
-- sqrt of the sum of squares), 1 / -1 (largest / smallest column sum of
-- |A|), math.huge / -math.huge (largest / smallest row sum of |A|). ord 2,
-- -2 and 'nuc' need singular values, which ember does not compute: an
-- error. opts: {ord =, dim =, keepdim =, dtype =}.
-- Example: torch.linalg.matrix_norm(torch.tensor({{1.0, -2.0}, {3.0, 4.0}}), 1)  --> tensor(6.)
function linalg.matrix_norm(A, ...)
  local args = table.pack(...)
  local o = {}
  local last = args[args.n]
  if type(last) == "table" and not core.is_tensor(last) and last[1] == nil then   -- options, not dims
    o = MATRIX_NORM:check(last)
    args[args.n] = nil
    args.n = args.n - 1
  end
  if args.n > 3 then error("torch.linalg.matrix_norm: too many arguments (A, ord, dim, keepdim, then options)", 2) end
  local function pick(name, pos)
    if o[name] ~= nil and args[pos] ~= nil then
      error("torch.linalg.matrix_norm: " .. name .. " given twice (as an argument and as an option)", 3)
    end
    if o[name] ~= nil then return o[name] end
    return args[pos]
  end
  local ord, dim, keepdim
  ord, dim, keepdim = pick("ord", 1), pick("dim", 2), pick("keepdim", 3)
  if ord == nil then ord = "fro" end
  dim = dim or {-2, -1}
  keepdim = keepdim or false
  if not core.is_tensor(A) then error("torch.linalg.matrix_norm: expected a tensor A", 2) end
  local nd = A:dim()
  if nd < 2 then
    error("torch.linalg.matrix_norm: The input tensor A must have at least 2 dimensions.", 2)
  end
  if type(dim) ~= "table" or #dim ~= 2 then
    error("torch.linalg.matrix_norm: dim must be a 2-tuple of ints (a table of two dims)", 2)
  end
  local d1, d2 = dim[1], dim[2]
  for _, d in ipairs({d1, d2}) do
    if math.type(d) ~= "integer" or d == 0 or d > nd or d < -nd then
      error(string.format("torch.linalg.matrix_norm: dim %s out of range for a %d-D tensor", tostring(d), nd), 2)
    end
  end
  if d1 < 0 then d1 = d1 + nd + 1 end
  if d2 < 0 then d2 = d2 + nd + 1 end
  if d1 == d2 then error("torch.linalg.matrix_norm: dims must be different. Got (" .. d1 .. ", " .. d2 .. ")", 2) end
  if o.dtype then A = A:to(o.dtype) end
  if ord == "fro" then return linalg.vector_norm(A, 2, {d1, d2}, keepdim) end
  if ord == "nuc" or ord == 2 or ord == -2 then
    error("torch.linalg.matrix_norm: ord=" .. tostring(ord) .. " needs a singular value decomposition, "
      .. "which ember does not implement", 2)
  end
  if ord ~= 1 and ord ~= -1 and ord ~= math.huge and ord ~= -math.huge then
    error("torch.linalg.matrix_norm: Order " .. tostring(ord) .. " not supported.", 2)
  end
  -- PyTorch: the inf norms are the 1 norms of the transpose
  if math.abs(ord) == math.huge then d1, d2 = d2, d1 end
  if not keepdim and d1 < d2 then d2 = d2 - 1 end
  local sums = linalg.vector_norm(A, 1, d1, keepdim)
  if ord > 0 then return sums:amax(d2, keepdim) end
  return sums:amin(d2, keepdim)
end

return options.namespace(linalg, "torch.linalg")
