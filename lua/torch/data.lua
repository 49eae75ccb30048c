-- torch.data — PyTorch's torch.utils.data for ember (the global `data`):
-- TensorDataset, and DataLoader, which cuts a dataset into batches, shuffles
-- with the same random draws as PyTorch 1.13 (so a seed gives PyTorch's batch
-- order) and can save and restore its position for an exact resume.
-- Datasets read from files (MNIST, Fashion-MNIST) are in torch.datasets.
--
-- The dataset protocol (what DataLoader accepts):
--   #ds              number of samples
--   ds:get(i)        the fields of sample i (1-based), as several values;
--                    without a get method, ds[i] (one value; a torch.tuple
--                    is unpacked into its fields). A tensor or a plain list
--                    of samples is a dataset too.
--   ds:get_batch(ix) optional: the fields of a whole batch at once, ix an
--                    int64 tensor of 0-based sample numbers (fast path).
local torch = require "torch"
local options = require "torch.options"

local data = {}

local function typename(v)
  if torch.is_tensor(v) then return "Tensor" end
  local mt = getmetatable(v)
  return type(mt) == "table" and type(mt.__name) == "string" and mt.__name or type(v)
end

local function shape_str(t)
  return table.concat(t:size(), "x")
end

---------------------------------------------------------------------------
-- TensorDataset(t1, t2, ...): sample i is the i-th row of every tensor.
---------------------------------------------------------------------------
local TensorDataset = {__name = "TensorDataset"}

-- Methods first, then integer keys: ds[i] is torch.tuple{t1[i], t2[i], ...}.
TensorDataset.__index = function(self, k)
  local m = TensorDataset[k]
  if m ~= nil then return m end
  if math.type(k) == "integer" then return torch.tuple({self:get(k)}) end
  return nil
end

TensorDataset.__len = function(self) return self._n end

TensorDataset.__tostring = function(self)
  local parts = {}
  for i, t in ipairs(self.tensors) do parts[i] = shape_str(t) end
  return string.format("TensorDataset(%d samples: %s)", self._n, table.concat(parts, ", "))
end

--- data.TensorDataset(t1, t2, ...) -> dataset
-- Sample i is the i-th row of every tensor: ds[i] = torch.tuple{t1[i], t2[i], ...}
-- (i 1-based), #ds the number of rows. Every tensor needs the same size
-- along dim 1. PyTorch's torch.utils.data.TensorDataset.
-- Example: local ds = data.TensorDataset(X, y); local x1, y1 = ds:get(1)
function data.TensorDataset(...)
  local tensors = table.pack(...)
  if tensors.n == 0 then error("TensorDataset: expected at least one tensor", 2) end
  local n
  for i = 1, tensors.n do
    local t = tensors[i]
    if not torch.is_tensor(t) then
      error(string.format("TensorDataset: argument %d is a %s, expected a tensor", i, typename(t)), 2)
    end
    if t:dim() == 0 then
      error(string.format("TensorDataset: argument %d is a 0-dim tensor; samples are rows along dim 1",
        i), 2)
    end
    if n == nil then
      n = t:size(1)
    elseif t:size(1) ~= n then
      error(string.format("TensorDataset: size mismatch between tensors: tensor 1 has %d rows (%s), "
        .. "tensor %d has %d (%s)", n, shape_str(tensors[1]), i, t:size(1), shape_str(t)), 2)
    end
  end
  tensors.n = nil
  return setmetatable({tensors = tensors, _n = n}, TensorDataset)
end

--- ds:get(i) -> t1[i], t2[i], ...
-- The fields of sample i (1-based; negative i counts from the end) as
-- several values, views of the rows. ds[i] gives them as one torch.tuple.
function TensorDataset:get(i)
  if math.type(i) ~= "integer" then
    error("TensorDataset: index must be an integer, got " .. typename(i), 2)
  end
  local j = i < 0 and self._n + 1 + i or i
  if j < 1 or j > self._n then
    error(string.format("TensorDataset: index %d is out of range for %d samples", i, self._n), 2)
  end
  local out = {}
  for k, t in ipairs(self.tensors) do out[k] = t[j] end
  return table.unpack(out, 1, #self.tensors)
end

--- ds:get_batch(ix) -> t1:index_select(1, ix), ...
-- The fields of several samples at once, ix an int64 tensor of 0-based
-- sample numbers; DataLoader uses it to cut batches fast.
function TensorDataset:get_batch(ix)
  local out = {}
  for k, t in ipairs(self.tensors) do out[k] = t:index_select(1, ix) end
  return table.unpack(out, 1, #self.tensors)
end

---------------------------------------------------------------------------
-- default_collate: a list of samples (each a list of fields) -> batch fields
---------------------------------------------------------------------------
local function collate_values(values)
  local first = values[1]
  if torch.is_tensor(first) then return torch.stack(values) end
  local kind = type(first)
  if kind == "number" then
    for _, v in ipairs(values) do
      if math.type(v) ~= "integer" then return torch.tensor(values, {dtype = torch.float64}) end
    end
    return torch.tensor(values)                      -- int64, as Python ints
  elseif kind == "boolean" then
    return torch.tensor(values)
  elseif kind == "string" then
    return values
  elseif kind == "table" then
    local out = {}
    for key in pairs(first) do
      local column = {}
      for j, v in ipairs(values) do column[j] = v[key] end
      out[key] = collate_values(column)
    end
    return setmetatable(out, getmetatable(first))
  end
  error("DataLoader: cannot batch values of type " .. typename(first) .. " (give a collate_fn)", 0)
end

-- samples[j] = {field1, field2, ...} -> field batches as several values
local function collate(samples, nfields)
  local out = {}
  for f = 1, nfields do
    local column = {}
    for j, s in ipairs(samples) do column[j] = s[f] end
    out[f] = collate_values(column)
  end
  return table.unpack(out, 1, nfields)
end

--- data.default_collate(items) -> batch fields
-- What DataLoader does without a collate_fn; items as a collate_fn gets
-- them (one value or a torch.tuple per sample). Tensors are stacked;
-- integers give int64, other numbers float64 and booleans bool tensors;
-- strings stay a list; tables are batched key by key.
-- Example:
--   local items = {torch.tuple{torch.ones(2), 1}, torch.tuple{torch.zeros(2), 0}}
--   local x, y = data.default_collate(items)
--   -- x: (2, 2) float tensor, y: tensor([1, 0])
function data.default_collate(items)
  if #items == 0 then return nil end
  local rows = {}
  for j, s in ipairs(items) do rows[j] = torch.is_tuple(s) and s or {s} end
  return collate(rows, #rows[1])
end

-- The fields of sample i (1-based) as a list.
local function get_sample(ds, i)
  local get = type(ds) == "table" and ds.get
  if type(get) == "function" then return table.pack(get(ds, i)) end
  local v = ds[i]
  if torch.is_tuple(v) then return table.pack(table.unpack(v)) end
  return table.pack(v)
end

---------------------------------------------------------------------------
-- DataLoader
---------------------------------------------------------------------------
local DataLoader = {__name = "DataLoader"}
-- loader[i] (and so ipairs(loader), which would silently run no batch) is
-- an error pointing at the loop that works.
DataLoader.__index = function(_, k)
  if math.type(k) == "integer" then
    error("DataLoader: a loader is not a list of batches; loop over it with `for x, y in loader do ... end`", 2)
  end
  return DataLoader[k]
end

-- num_workers and the other process options change how PyTorch loads, not
-- what: ember loads in one process, which gives the batches num_workers = 0
-- gives (where PyTorch calls no worker_init_fn either).
local DATALOADER = options.spec("data.DataLoader", "batch_size shuffle drop_last generator collate_fn num_workers "
  .. "pin_memory persistent_workers timeout prefetch_factor worker_init_fn pin_memory_device",
  "sampler batch_sampler multiprocessing_context")

local function is_generator(g)
  local mt = getmetatable(g)
  return type(g) == "userdata" and type(mt) == "table" and mt.__name == "torch.Generator"
end

local function dataset_len(ds)
  local tp = type(ds)
  if tp ~= "table" and not torch.is_tensor(ds) then return nil end
  local ok, n = pcall(function() return #ds end)
  if ok and math.type(n) == "integer" and n >= 0 then return n end
  return nil
end

--- data.DataLoader(dataset[, {batch_size = 1, shuffle = false, drop_last =, ...}])
-- Cuts a dataset into batches: `for x, y in loader do ... end` runs one
-- epoch (each new loop a new one, reshuffled); #loader is the number of
-- batches. Shuffling uses {generator =}, else the global generator
-- (torch.manual_seed), giving PyTorch's order for a seed. collate_fn(items)
-- builds a batch (default: data.default_collate); drop_last = true skips a
-- last, smaller batch. num_workers, pin_memory
-- & co. are accepted and ignored (one process).
-- Example:
--   for x, y in data.DataLoader(ds, {batch_size = 32, shuffle = true}) do ... end
function data.DataLoader(dataset, opts)
  if dataset_len(dataset) == nil then
    error("DataLoader: expected a dataset (a table or tensor with #dataset and dataset[i]), got "
      .. typename(dataset), 2)
  end
  opts = DATALOADER:check(opts)
  local bs = opts.batch_size
  if bs == nil then bs = 1 elseif type(bs) == "number" then bs = math.tointeger(bs) else bs = nil end
  if not bs or bs < 1 then
    error("DataLoader: batch_size should be a positive integer value, but got batch_size="
      .. tostring(opts.batch_size), 2)
  end
  for _, k in ipairs{"shuffle", "drop_last"} do
    if opts[k] ~= nil and type(opts[k]) ~= "boolean" then
      error("DataLoader: " .. k .. " must be a boolean, got " .. typename(opts[k]), 2)
    end
  end
  if opts.generator ~= nil and not is_generator(opts.generator) then
    error("DataLoader: generator must be a torch.Generator, got " .. typename(opts.generator), 2)
  end
  if opts.collate_fn ~= nil and type(opts.collate_fn) ~= "function" then
    error("DataLoader: collate_fn must be a function, got " .. typename(opts.collate_fn), 2)
  end
  local self = setmetatable({
    dataset = dataset, batch_size = bs, shuffle = opts.shuffle or false,
    drop_last = opts.drop_last or false, generator = opts.generator, collate_fn = opts.collate_fn,
  }, DataLoader)
  self._current = {epoch = 0, position = 0}   -- the latest iteration (state_dict reads it)
  return self
end

function DataLoader:_num_samples() return dataset_len(self.dataset) or 0 end

function DataLoader:__len()
  local n, bs = self:_num_samples(), self.batch_size
  if self.drop_last then return n // bs end
  return (n + bs - 1) // bs
end

DataLoader.__tostring = function(self)
  return string.format("DataLoader(%d batches of %d, shuffle=%s, drop_last=%s)", #self,
    self.batch_size, tostring(self.shuffle), tostring(self.drop_last))
end

-- One random64 draw, as torch.empty((), dtype=torch.int64).random_(generator=g)
-- (PyTorch draws this "base seed" for worker processes every epoch). The
-- result is that draw mod 2^63 — exact except when the draw is 2^64-1.
local function draw_seed(g)
  local v = torch.randint(math.mininteger, math.maxinteger, {1}, {generator = g}):item()
  return v & math.maxinteger
end

-- PyTorch 1.13 RandomSampler.__iter__: with no generator, a fresh one seeded
-- from the global generator; then randperm.
local function draw_permutation(self, n)
  local g = self.generator
  if g == nil then
    g = torch.Generator()
    g:manual_seed(draw_seed(nil))
  end
  return torch.randperm(n, {generator = g})
end

-- The batch at position b (0-based) of iteration it.
function DataLoader:_batch(it, b)
  local n, bs = it.n, self.batch_size
  local start = b * bs
  local len = math.min(bs, n - start)
  local ix = it.order and it.order:narrow(1, start + 1, len) or torch.arange(start, start + len)
  local ds = self.dataset
  if self.collate_fn == nil then
    if torch.is_tensor(ds) then return ds:index_select(1, ix) end
    if type(ds) == "table" and type(ds.get_batch) == "function" then return ds:get_batch(ix) end
  end
  local samples, nfields = {}, nil
  for j, i in ipairs(ix:tolist()) do
    local s = get_sample(ds, i + 1)
    if nfields == nil then nfields = s.n end
    if s.n ~= nfields or s[1] == nil then
      error(string.format("DataLoader: sample %d has %d fields (or a nil first field); the batch's "
        .. "first sample had %d", i + 1, s.n, nfields), 0)
    end
    samples[j] = s
  end
  if self.collate_fn then
    local items = {}
    for j, s in ipairs(samples) do items[j] = s.n == 1 and s[1] or torch.tuple({table.unpack(s, 1, s.n)}) end
    return self.collate_fn(items)
  end
  return collate(samples, nfields)
end

-- PyTorch's RandomSampler, once its permutation is used up, runs one more
-- randperm (for the empty tail of num_samples % n) before it stops: with a
-- generator of the loader's own, that draw moves the next epoch's order.
-- The sampler runs out when the last partial batch is cut, or else when the
-- loop asks for the batch after the last one.
local function finish_sampler(self, it)
  if it.sampler_done then return end
  it.sampler_done = true
  if self.shuffle and self.generator then torch.randperm(it.n, {generator = self.generator}) end
end

-- Starts an iteration: continues a loaded position, else a new epoch.
function DataLoader:_start()
  local n, nb = self:_num_samples(), #self
  local r = self._resume
  self._resume = nil
  if r and r.epoch >= 1 then
    if r.position < nb and (r.order or not self.shuffle or r.position == 0) then
      return {epoch = r.epoch, position = r.position, order = r.order, n = n,
        draw_order = self.shuffle and r.order == nil, sampler_done = r.sampler_done}
    end
    finish_sampler(self, r)             -- the saved epoch had ended: its last draw
  end
  draw_seed(self.generator)             -- PyTorch's per-epoch base seed draw
  return {epoch = self._current.epoch + 1, position = 0, n = n, draw_order = self.shuffle}
end

--- loader:iter() -> iterator function
-- An iterator over one epoch: each call returns the next batch's fields,
-- nil at the end. A new epoch each call (or the rest of a position given
-- to load_state_dict). `for x, y in loader` does the same.
-- Example: local next_batch = loader:iter(); local x, y = next_batch()
function DataLoader:iter()
  local it = self:_start()
  self._current = it
  return function()
    if it.draw_order then               -- RandomSampler draws at the first batch
      it.draw_order = false
      it.order = draw_permutation(self, it.n)
    end
    local nb = #self
    if it.position >= nb then
      finish_sampler(self, it)
      return nil
    end
    local b = it.position
    it.position = b + 1
    if b == nb - 1 and not self.drop_last and it.n % self.batch_size ~= 0 then
      finish_sampler(self, it)
    end
    return self:_batch(it, b)
  end
end

-- Generic for: `for x, y in loader do` calls loader(nil, nil) first (a new
-- loop: start an iteration), then loader(nil, x) with the last first value.
function DataLoader:__call(_, control)
  if control == nil or self._loop == nil then self._loop = self:iter() end
  return self._loop()
end

--- loader:state_dict() -> {epoch =, position =, permutation =, ...}
-- Where the loader is, as a plain table torch.save can write: position =
-- batches of that epoch already given out, the epoch's order, and the
-- generator's state when the loader has its own (save the global one with
-- torch.get_rng_state). PyTorch's DataLoader has no such method;
-- torch.checkpoint saves it for you.
function DataLoader:state_dict()
  local it = self._current
  return {
    epoch = it.epoch, position = it.position,
    permutation = it.order and it.order:clone() or nil,
    generator_state = self.generator and self.generator:get_state() or nil,
    batch_size = self.batch_size, num_samples = it.n or self:_num_samples(), shuffle = self.shuffle,
    sampler_done = it.sampler_done or false,
  }
end

--- loader:load_state_dict(t)
-- The next loop continues exactly where the saved loader stopped (the rest
-- of its epoch, same order), or starts the next epoch if that one had
-- finished. Needs the same dataset size and batch_size.
function DataLoader:load_state_dict(t)
  if type(t) ~= "table" then
    error("DataLoader.load_state_dict: expected a table, got " .. typename(t), 2)
  end
  local function int(k)
    local v = math.tointeger(t[k])
    if v == nil or v < 0 then
      error("DataLoader.load_state_dict: '" .. k .. "' must be a non-negative integer, got "
        .. tostring(t[k]), 3)
    end
    return v
  end
  local epoch, position = int("epoch"), int("position")
  local n = self:_num_samples()
  if t.num_samples ~= nil and int("num_samples") ~= n then
    error(string.format("DataLoader.load_state_dict: the state is for a dataset of %d samples, "
      .. "this one has %d",
      t.num_samples, n), 2)
  end
  if t.batch_size ~= nil and int("batch_size") ~= self.batch_size then
    error(string.format("DataLoader.load_state_dict: the state is for batch_size %d, this loader has %d",
      t.batch_size, self.batch_size), 2)
  end
  local order = t.permutation
  if order ~= nil then
    if not torch.is_tensor(order) or order:dim() ~= 1 or order:size(1) ~= n then
      error("DataLoader.load_state_dict: 'permutation' must be a 1-D tensor of " .. n .. " indices", 2)
    end
    order = order:long()
  end
  if t.generator_state ~= nil and self.generator then self.generator:set_state(t.generator_state) end
  local done = t.sampler_done == true
  self._resume = {epoch = epoch, position = position, order = order, n = n, sampler_done = done}
  self._current = {epoch = epoch, position = position, order = order, n = n, sampler_done = done}
  self._loop = nil
end

-- data.datasets (MNIST, FashionMNIST) loads on first use; another name data
-- does not have is an error suggesting the closest one.
return options.namespace(data, "data", function(t, k)
  if k == "datasets" then
    local m = require "torch.datasets"
    rawset(t, k, m)
    return m
  end
end, {"datasets"})
