-- sort, argsort, topk, kthvalue, median, unique, searchsorted, bucketize,
-- bincount and histc against PyTorch 1.13 (tests/peer/make_sort_reference.py):
-- the same shapes and dtypes, float values within 1e-6 relative, integer
-- values and indices exactly (among ties and NaN too), and for the
-- differentiable ones the gradient of sum(values * w) and the grad_fn's name.
local T = require "ember.test"
local cases = dofile(assert(arg[1], "usage: test_sort_parity.lua REFERENCE.lua"))

local function make(rec, requires_grad)
  local dt = torch[rec.dtype]
  local t
  if #rec.shape == 0 then
    t = torch.tensor(rec.values[1], {dtype = dt})
  elseif #rec.values == 0 then
    t = torch.zeros(rec.shape, {dtype = dt})
  else
    t = torch.tensor(rec.values, {dtype = dt}):reshape(rec.shape)
  end
  if requires_grad then t:requires_grad_(true) end
  return t
end

-- {tensor = rec} anywhere in an argument becomes that tensor
local function arg_value(a)
  if type(a) ~= "table" then return a end
  if a.tensor then return make(a.tensor) end
  local out = {}
  for k, v in pairs(a) do out[k] = arg_value(v) end
  return out
end

local function compare(what, got, want)
  T.ok(torch.is_tensor(got), what .. ": not a tensor")
  T.eq(tostring(got.dtype), "torch." .. want.dtype, what .. " dtype")
  local shape = {}
  for d = 1, got:dim() do shape[d] = got:size(d) end
  T.eq(table.concat(shape, ","), table.concat(want.shape, ","), what .. " shape")
  local exact = want.dtype ~= "float32" and want.dtype ~= "float64"
  -- integers as Lua integers (int64 beyond 2^53 exactly), bools as 0/1
  local vals = got:numel() > 0 and got:detach():reshape(-1):tolist() or {}
  for i, g in ipairs(vals) do
    if type(g) == "boolean" then vals[i] = g and 1 or 0 end
  end
  for i, w in ipairs(want.values) do
    local g = vals[i]
    if type(w) == "boolean" then w = w and 1 or 0 end
    local ok = (g ~= g and w ~= w) or g == w or (not exact and math.abs(g - w) <= 1e-6 * math.abs(w))
    if not ok then error(string.format("%s element %d: ember %.9g, PyTorch %.9g", what, i, g, w), 0) end
  end
end

-- Where PyTorch leaves the order of ties unspecified (sort and argsort
-- with stable = false, topk, kthvalue), ember answers by its own rule
-- (ties in position order) and the test checks what the contract promises:
-- the values exactly; each index points at an element equal to the one
-- PyTorch's index points at (NaN at NaN); a sort's indices are a
-- permutation and topk's distinct; the gradient lands on the chosen indices.
function check_any_ties(c, x, out)
  local rule = c.ties_any
  local idx_at = c.fn == "argsort" and 1 or 2
  for i, want in ipairs(c.out) do
    if i ~= idx_at and not rule.unordered then compare("result " .. i, out[i], want) end
  end
  local idx, want = out[idx_at], c.out[idx_at]
  if rule.unordered then   -- topk(sorted = false): the same values in any order, at their indices
    local ref = torch.tensor(c.out[1].values, {dtype = out[1].dtype}):reshape(c.out[1].shape)
    compare("values (sorted)", out[1]:sort(rule.dim), {values = ref:sort(rule.dim):reshape(-1):tolist(),
      shape = c.out[1].shape, dtype = c.out[1].dtype})
    local at = x:detach():gather(rule.dim, idx):reshape(-1):tolist()
    local v = out[1]:detach():reshape(-1):tolist()
    for i = 1, #v do T.ok(at[i] == v[i] or (at[i] ~= at[i] and v[i] ~= v[i]), "value " .. i .. " is at its index") end
  end
  T.eq(tostring(idx.dtype), "torch.int64", "indices dtype")
  local ref = torch.tensor(want.values, {dtype = torch.int64}):reshape(want.shape)
  local d = rule.dim
  local mine, theirs = idx, ref
  if not rule.keepdim then mine, theirs = idx:unsqueeze(d), ref:unsqueeze(d) end
  T.eq(table.concat(mine:size(), ","), table.concat(theirs:size(), ","), "indices shape")
  local xd = x:detach()
  local a, b = xd:gather(d, mine):reshape(-1):tolist(), xd:gather(d, theirs):reshape(-1):tolist()
  for i = 1, rule.unordered and 0 or #a do   -- unordered: checked against the values above
    T.ok(a[i] == b[i] or (a[i] ~= a[i] and b[i] ~= b[i]),
      string.format("index %d points at %s, PyTorch's at %s", i, tostring(a[i]), tostring(b[i])))
  end
  local hits = torch.zeros(xd:size(), {dtype = torch.int64}):scatter_add(d, mine, torch.ones(mine:size(), {dtype = torch.int64}))
  if rule.permutation then
    T.ok(hits:eq(1):all():item(), "the indices are a permutation along the dim")
  else
    T.ok(hits:le(1):all():item(), "the indices are distinct along the dim")
  end
  if c.grad then
    local v = out[1]
    T.eq(v.grad_fn and v.grad_fn:name(), c.grad_fn, "grad_fn")
    local w = torch.linspace(0.5, 2.0, v:numel(), {dtype = v.dtype}):reshape(v:size())
    ;(v * w):sum():backward()
    if not rule.keepdim then w = w:unsqueeze(d) end
    local expected = torch.zeros(xd:size(), {dtype = xd.dtype}):scatter_add(d, mine, w)
    T.ok(torch.equal(x.grad, expected), "the gradient lands on the chosen indices")
  end
end

for _, c in ipairs(cases) do
  T.test(c.name, function()
    local x = make(c.x, c.grad ~= nil)
    local args = {}
    for i = 1, c.nargs do args[i] = arg_value(c.args[i]) end
    local n = c.nargs
    if c.opts then
      n = n + 1
      args[n] = arg_value(c.opts)
    end
    local out = table.pack(torch[c.fn](x, table.unpack(args, 1, n)))
    T.eq(out.n, #c.out, "number of results")
    if c.ties_any and x:dim() > 0 and x:numel() > 0 then
      check_any_ties(c, x, out)
      return
    end
    for i, want in ipairs(c.out) do compare("result " .. i, out[i], want) end
    if c.grad then
      local v = out[1]
      T.eq(v.grad_fn and v.grad_fn:name(), c.grad_fn, "grad_fn")
      local w = v:numel() > 0 and torch.linspace(0.5, 2.0, v:numel(), {dtype = v.dtype}):reshape(v:size())
                or v:detach()
      local loss = (v * w):sum()
      loss:backward()
      compare("gradient", x.grad, {values = c.grad, shape = c.x.shape, dtype = c.x.dtype})
    end
  end)
end

T.run()
