-- torch.shape_ops — shape operations composed in Lua from the engine's
-- differentiable ops (permute, reshape, diagonal, mul, sum, bmm, expand,
-- index_select, stack), so autograd comes for free and the last op gives
-- the grad_fn PyTorch shows: torch.einsum, torch.meshgrid,
-- torch.cartesian_prod, torch.outer and repeat_interleave. Loaded on first
-- use of one of them (torch.lazy), which passes the torch module. Not here:
-- the C ops (flip, roll, chunk, ... in src/bind/lua_rearrange.c).
return function(torch)
  local options = require "torch.options"

  local function fail(msg) error(msg, options.user_level()) end

  ---------------------------------------------------------------- einsum

  -- The operands of a call f(first, ...) given as arguments or as one list.
  local function operand_list(first, ...)
    if select("#", ...) == 0 and type(first) == "table" and not torch.is_tensor(first) then return first end
    return {first, ...}
  end

  local function index_of(list, v)
    for i, x in ipairs(list) do if x == v then return i end end
    return nil
  end

  -- Labels of t (a list of one-letter strings) with each label that
  -- appears twice replaced by the diagonal of its two dims.
  local function take_diagonals(t, labels)
    local i = 1
    while i <= #labels do
      local j = index_of({table.unpack(labels, i + 1)}, labels[i])
      if j then
        j = i + j
        local l = labels[i]
        t = t:diagonal(0, i, j)
        table.remove(labels, j)
        table.remove(labels, i)
        labels[#labels + 1] = l
      else
        i = i + 1
      end
    end
    return t, labels
  end

  -- t (with labels) summed over the labels not in keep (a set).
  local function sum_out(t, labels, keep)
    local dims, kept = {}, {}
    for i, l in ipairs(labels) do
      if keep[l] then kept[#kept + 1] = l else dims[#dims + 1] = i end
    end
    if #dims == 0 then return t, labels end
    return t:sum(dims), kept
  end

  -- t permuted so that its labels come in the order of target (a list
  -- holding all of them, maybe more: those become size-1 dims).
  local function align(t, labels, target)
    local perm, shape = {}, {}
    for _, l in ipairs(target) do
      local i = index_of(labels, l)
      if i then
        perm[#perm + 1] = i
        shape[#shape + 1] = t:size(i)
      else
        shape[#shape + 1] = 1
      end
    end
    if #perm > 0 then t = t:permute(perm) end
    if #shape ~= #perm then t = t:reshape(shape) end
    return t
  end

  local function product(list, sizes)
    local p = 1
    for _, l in ipairs(list) do p = p * sizes[l] end
    return p
  end

  -- a (labels la) times b (labels lb), summed over the shared labels not in
  -- keep; target: the order the result's labels should have when it is the
  -- last step (nil otherwise). Returns the result and its labels.
  local function contract(a, la, b, lb, keep, sizes, target)
    local batch, summed, left, right = {}, {}, {}, {}
    for _, l in ipairs(la) do
      if index_of(lb, l) then
        if keep[l] then batch[#batch + 1] = l else summed[#summed + 1] = l end
      else
        left[#left + 1] = l
      end
    end
    for _, l in ipairs(lb) do if not index_of(la, l) then right[#right + 1] = l end end
    if #summed == 0 then   -- no contraction: a broadcasting product
      local order = target or {}
      if not target then
        for _, l in ipairs(batch) do order[#order + 1] = l end
        for _, l in ipairs(left) do order[#order + 1] = l end
        for _, l in ipairs(right) do order[#order + 1] = l end
      end
      return align(a, la, order) * align(b, lb, order), order, false
    end
    local ab, bb = {}, {}
    for _, l in ipairs(batch) do ab[#ab + 1] = l; bb[#bb + 1] = l end
    for _, l in ipairs(left) do ab[#ab + 1] = l end
    for _, l in ipairs(summed) do ab[#ab + 1] = l; bb[#bb + 1] = l end
    for _, l in ipairs(right) do bb[#bb + 1] = l end
    local B, L, S, R = product(batch, sizes), product(left, sizes), product(summed, sizes), product(right, sizes)
    local r = align(a, la, ab):reshape(B, L, S):bmm(align(b, lb, bb):reshape(B, S, R))
    local labels, shape = {}, {}
    for _, group in ipairs({batch, left, right}) do
      for _, l in ipairs(group) do
        labels[#labels + 1] = l
        shape[#shape + 1] = sizes[l]
      end
    end
    return r:view(shape), labels, true
  end

  --- torch.einsum(equation, operands...) -> Tensor
  -- Einstein summation: equation names each operand's dims with letters
  -- ("ij,jk->ik" is a matrix product); letters that do not appear after ->
  -- are summed over. Without ->, the output holds the letters that appear
  -- once, in alphabetical order. Operands may also come as one list.
  -- Built from permute, reshape, diagonal, mul, sum and bmm, so it is
  -- differentiable. A letter repeated in one operand takes a diagonal
  -- ("ii->i", "ii->" is the trace). Any number of operands (contracted left
  -- to right).
  -- Differs from PyTorch: no ellipsis "...", and no broadcasting of a
  -- size-1 dim against a larger one (an error names the equation).
  -- Example:
  --   local a, b = torch.arange(6.):view(2, 3), torch.ones(3, 2)
  --   torch.einsum("ij,jk->ik", a, b)   --> tensor([[ 3.,  3.], [12., 12.]])
  --   torch.einsum("ii->", torch.eye(3))   --> tensor(3.)
  function torch.einsum(equation, ...)
    if type(equation) ~= "string" then fail("einsum(): the equation must be a string, got " .. type(equation)) end
    local ops = operand_list(...)
    local eq = equation:gsub("%s", "")
    local where = " (equation '" .. equation .. "')"
    if eq:find("...", 1, true) then fail("einsum(): ellipsis (...) is not supported in ember" .. where) end
    local lhs, rhs = eq:match("^(.-)%->(.*)$")
    lhs = lhs or eq
    local terms = {}
    for term in (lhs .. ","):gmatch("([^,]*),") do terms[#terms + 1] = term end
    if #ops == 0 then fail("einsum(): must provide at least one operand" .. where) end
    if #terms > #ops then fail("einsum(): fewer operands were provided than specified in the equation" .. where) end
    if #terms < #ops then fail("einsum(): more operands were provided than specified in the equation" .. where) end
    local sizes, count, labels = {}, {}, {}
    for k, term in ipairs(terms) do
      local t = ops[k]
      if not torch.is_tensor(t) then fail("einsum(): operand " .. k .. " is a " .. type(t) .. ", expected a tensor" .. where) end
      local bad = term:find("[^a-zA-Z]")
      if bad then
        fail("einsum(): invalid subscript given at index " .. bad .. " in the equation string, subscripts must be in [a-zA-Z]" .. where)
      end
      if #term ~= t:dim() then
        fail(string.format("einsum(): the number of subscripts in the equation (%d) does not match the number of " ..
          "dimensions (%d) for operand %d and no ellipsis was given%s", #term, t:dim(), k, where))
      end
      labels[k] = {}
      for i = 1, #term do
        local l = term:sub(i, i)
        labels[k][i] = l
        count[l] = (count[l] or 0) + 1
        local n = t:size(i)
        if sizes[l] == nil then
          sizes[l] = n
        elseif sizes[l] ~= n then
          if sizes[l] == 1 or n == 1 then
            fail(string.format("einsum(): subscript %s has size %d for operand %d and size %d elsewhere; broadcasting " ..
              "a size-1 subscript is not supported in ember%s", l, n, k, sizes[l], where))
          end
          fail(string.format("einsum(): subscript %s has size %d for operand %d which does not broadcast with " ..
            "previously seen size %d%s", l, n, k, sizes[l], where))
        end
      end
    end
    local out = {}
    if rhs then
      local bad = rhs:find("[^a-zA-Z]")
      if bad then fail("einsum(): invalid subscript given at index " .. (#lhs + 2 + bad) .. " in the equation string, " ..
        "subscripts must be in [a-zA-Z]" .. where) end
      for i = 1, #rhs do
        local l = rhs:sub(i, i)
        if not count[l] then fail("einsum(): output subscript " .. l .. " does not appear in the equation for any input operand" .. where) end
        if index_of(out, l) then fail("einsum(): output subscript " .. l .. " appears more than once in the output" .. where) end
        out[#out + 1] = l
      end
    else
      for l, c in pairs(count) do if c == 1 then out[#out + 1] = l end end
      table.sort(out)
    end
    local out_set = {}
    for _, l in ipairs(out) do out_set[l] = true end
    -- each operand: diagonals, then the labels no other operand or the output needs summed out
    local ts = {}
    for k = 1, #ops do
      local t, ls = take_diagonals(ops[k], labels[k])
      local keep = {}
      for l in pairs(out_set) do keep[l] = true end
      for j = 1, #ops do
        if j ~= k then for _, l in ipairs(labels[j]) do keep[l] = true end end
      end
      if #ops > 1 then t, ls = sum_out(t, ls, keep) end
      ts[k], labels[k] = t, ls
    end
    local r, lr = ts[1], labels[1]
    if #ops == 1 then   -- permute to the output's order, then sum what is left
      local order = {}
      for _, l in ipairs(out) do order[#order + 1] = index_of(lr, l) end
      local dims = {}
      for i, l in ipairs(lr) do
        if not out_set[l] then order[#order + 1] = i; dims[#dims + 1] = #order end
      end
      if #order > 0 then r = r:permute(order) end
      if #dims > 0 then r = r:sum(dims) end
      return r
    end
    local viewed
    for k = 2, #ops do
      local keep = {}
      for l in pairs(out_set) do keep[l] = true end
      for j = k + 1, #ops do for _, l in ipairs(labels[j]) do keep[l] = true end end
      r, lr, viewed = contract(r, lr, ts[k], labels[k], keep, sizes, k == #ops and out or nil)
    end
    local same = #lr == #out
    for i = 1, #out do same = same and lr[i] == out[i] end
    if not same then
      local perm = {}
      for _, l in ipairs(out) do perm[#perm + 1] = index_of(lr, l) end
      r = r:permute(perm)
      viewed = false
    end
    -- PyTorch ends with a view dropping the summed dims whenever a label
    -- was summed over: the same last node (ViewBackward0) here
    local summed_any = false
    for l in pairs(count) do summed_any = summed_any or not out_set[l] end
    if summed_any and not viewed then
      local shape = {}
      for i, l in ipairs(out) do shape[i] = sizes[l] end
      r = r:view(shape)
    end
    return r
  end

  ---------------------------------------------------------------- grids

  local MESHGRID = options.spec("torch.meshgrid", "indexing")

  --- torch.meshgrid(tensors...[, {indexing = "ij"}]) -> tuple of Tensors
  -- Coordinate grids: for n 1-D tensors of sizes s1..sn, n tensors of size
  -- (s1, ..., sn), the k-th holding tensor k's values along dim k (views
  -- made with expand). indexing = "xy" swaps the first two dims (the
  -- Cartesian convention of NumPy and plotting). The default is "ij", as in
  -- PyTorch (ember does not warn about it). Tensors may also come as one list.
  -- Example:
  --   local xs, ys = table.unpack(torch.meshgrid(torch.tensor({1, 2}), torch.tensor({3, 4, 5})))
  --   xs   --> tensor([[1, 1, 1], [2, 2, 2]])
  --   ys   --> tensor([[3, 4, 5], [3, 4, 5]])
  function torch.meshgrid(...)
    local args = table.pack(...)
    local opts = {}
    local last = args[args.n]
    if args.n > 0 and type(last) == "table" and not torch.is_tensor(last) and not torch.is_tensor(last[1]) then
      opts = MESHGRID:check(args[args.n])
      args.n = args.n - 1
    end
    local ts = args.n == 1 and type(args[1]) == "table" and not torch.is_tensor(args[1]) and args[1] or
      {table.unpack(args, 1, args.n)}
    local indexing = opts.indexing or "ij"
    if indexing ~= "ij" and indexing ~= "xy" then
      fail('torch.meshgrid: indexing must be one of "xy" or "ij", but received: ' .. tostring(indexing))
    end
    if #ts == 0 then fail("torch.meshgrid: expects a non-empty list of tensors") end
    for i, t in ipairs(ts) do
      if not torch.is_tensor(t) then fail("torch.meshgrid: element " .. i .. " is a " .. type(t) .. ", expected a tensor") end
      if t:dim() > 1 then
        fail("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got a " .. t:dim() .. "-D tensor at position " .. i)
      end
      if t.dtype ~= ts[1].dtype then
        fail("torch.meshgrid: expects all tensors to have the same dtype (" .. tostring(ts[1].dtype) .. " at position 1, " ..
          tostring(t.dtype) .. " at position " .. i .. ")")
      end
    end
    local refs = {table.unpack(ts)}
    local swap = indexing == "xy" and #refs >= 2
    if swap then refs[1], refs[2] = refs[2], refs[1] end
    local shape = {}
    for i, t in ipairs(refs) do shape[i] = t:numel() end
    local grids = {}
    for i, t in ipairs(refs) do
      local view = {}
      for j = 1, #refs do view[j] = j == i and -1 or 1 end
      grids[i] = t:view(view):expand(shape)
    end
    if swap then grids[1], grids[2] = grids[2], grids[1] end
    return torch.tuple(grids)
  end

  --- torch.cartesian_prod(tensors...) -> Tensor
  -- Every combination of one element from each 1-D tensor, as the rows of
  -- an (N, n) tensor (itertools.product order: the last tensor varies
  -- fastest). With one tensor, that tensor itself. Tensors may also come as one list.
  -- Example:
  --   torch.cartesian_prod(torch.tensor({1, 2}), torch.tensor({3, 4}))
  --   --> tensor([[1, 3], [1, 4], [2, 3], [2, 4]])
  function torch.cartesian_prod(...)
    local ts = operand_list(...)
    for i, t in ipairs(ts) do
      if not torch.is_tensor(t) then fail("cartesian_prod: element " .. i .. " is a " .. type(t) .. ", expected a tensor") end
      if t:dim() ~= 1 then
        fail("cartesian_prod: Expect a 1D vector, but got shape " .. tostring(t:size()):gsub("^torch%.Size%((.*)%)$", "%1"))
      end
    end
    if #ts == 0 then fail("cartesian_prod: expects a non-empty list of tensors") end
    if #ts == 1 then return ts[1] end
    local grids = torch.meshgrid(ts, {indexing = "ij"})
    for i, g in ipairs(grids) do grids[i] = g:flatten() end
    return torch.stack(grids, 2)
  end

  --- torch.outer(a, b) -> Tensor
  -- The outer product of two 1-D tensors: out[i][j] = a[i] * b[j]
  -- (a:reshape(n, 1) * b, as PyTorch computes it). Also a:outer(b).
  -- Example:
  --   torch.outer(torch.tensor({1, 2}), torch.tensor({1, 10, 100}))
  --   --> tensor([[  1,  10, 100], [  2,  20, 200]])
  function torch.outer(a, b)
    if not torch.is_tensor(a) or not torch.is_tensor(b) then fail("outer: expected two tensors") end
    if a:dim() ~= 1 then fail("outer: Expected 1-D argument self, but got " .. a:dim() .. "-D") end
    if b:dim() ~= 1 then fail("outer: Expected 1-D argument vec2, but got " .. b:dim() .. "-D") end
    return a:reshape(a:size(1), 1) * b
  end
  torch.Tensor.outer = torch.outer

  ---------------------------------------------------------------- repeat_interleave

  local REPEAT_INTERLEAVE = options.spec("repeat_interleave", "repeats dim output_size")

  -- Counts from repeats (a number, or a 0-D/1-D int64 tensor) for n items.
  local function repeat_counts(repeats, n)
    local counts = {}
    if torch.is_tensor(repeats) then
      if repeats:is_floating_point() or repeats.dtype == torch.bool then
        fail("repeat_interleave: repeats has to be Long tensor, got " .. tostring(repeats.dtype))
      end
      if repeats:dim() > 1 then fail("repeat_interleave: repeats must be 0-dim or 1-dim tensor") end
      if repeats:dim() == 0 then
        repeats = repeats:item()
      else
        if repeats:numel() ~= n then fail("repeat_interleave: repeats must have the same size as input along dim") end
        counts = repeats:tolist()
      end
    end
    if type(repeats) == "number" then
      if math.type(repeats) ~= "integer" and repeats ~= math.floor(repeats) then
        fail("repeat_interleave: repeats must be an integer, got " .. repeats)
      end
      for i = 1, n do counts[i] = math.tointeger(repeats) end
    elseif not torch.is_tensor(repeats) then
      fail("repeat_interleave: repeats must be a number or a tensor, got " .. type(repeats))
    end
    for _, c in ipairs(counts) do
      if c < 0 then fail("repeat_interleave: repeats can not be negative") end
    end
    return counts
  end

  -- 0-based positions 0..n-1, position i repeated counts[i + 1] times.
  local function repeated_positions(counts, output_size)
    local idx = {}
    for i, c in ipairs(counts) do for _ = 1, c do idx[#idx + 1] = i - 1 end end
    if output_size ~= nil and output_size ~= #idx then
      fail("repeat_interleave: output_size (" .. tostring(output_size) .. ") does not match the sum of repeats (" .. #idx .. ")")
    end
    if #idx == 0 then return torch.zeros(0, {dtype = torch.int64}) end
    return torch.tensor(idx, {dtype = torch.int64})
  end

  --- torch.repeat_interleave(x, repeats[, dim][, {output_size =}]) -> Tensor
  -- Each element (or each slice along dim) of x repeated: repeats is a
  -- number (the same for all) or an int64 tensor with one count per
  -- element of dim. Without dim, x is flattened first. Made with
  -- index_select (IndexSelectBackward0, as PyTorch). torch.repeat_interleave(r)
  -- with one int64 tensor r gives 0-based positions: i repeated r[i + 1] times.
  -- Also x:repeat_interleave(repeats[, dim]). (x:repeat(...), the whole
  -- tensor tiled, is x:tile(...) in Lua: repeat is a Lua keyword.)
  -- Example:
  --   torch.tensor({1, 2, 3}):repeat_interleave(2)   --> tensor([1, 1, 2, 2, 3, 3])
  --   torch.tensor({{1, 2}, {3, 4}}):repeat_interleave(torch.tensor({1, 2}), 1)
  --   --> tensor([[1, 2], [3, 4], [3, 4]])
  function torch.repeat_interleave(x, repeats, dim, opts)
    if not torch.is_tensor(x) then fail("repeat_interleave: expected a tensor, got " .. type(x)) end
    if type(dim) == "table" and opts == nil then dim, opts = nil, dim end
    if type(repeats) == "table" and not torch.is_tensor(repeats) and dim == nil and opts == nil then
      repeats, opts = nil, repeats
    end
    opts = REPEAT_INTERLEAVE:check(opts)
    if opts.repeats ~= nil then
      if repeats ~= nil then fail("repeat_interleave: repeats given twice (as an argument and as an option)") end
      repeats = opts.repeats
    end
    if opts.dim ~= nil then
      if dim ~= nil then fail("repeat_interleave: dim given twice (as an argument and as an option)") end
      dim = opts.dim
    end
    if repeats == nil then   -- repeat_interleave(r): positions
      if x:dim() > 1 then fail("repeat_interleave: repeats must be 0-dim or 1-dim tensor") end
      local r = x:dim() == 0 and x:reshape(1) or x
      return repeated_positions(repeat_counts(r, r:numel()), opts.output_size)
    end
    local src, d = x, dim
    if d == nil then
      src, d = x:reshape(-1), 1
    end
    local n = src:dim() == 0 and 1 or src:size(d)
    return src:index_select(d, repeated_positions(repeat_counts(repeats, n), opts.output_size))
  end
  torch.Tensor.repeat_interleave = torch.repeat_interleave
end
