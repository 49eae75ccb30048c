-- torch.data, torch.datasets and torch.io: TensorDataset, DataLoader
-- (batching, drop_last, shuffling, epochs in generic for, exact resume,
-- bad arguments), other datasets and collation, IDX read/write, and MNIST
-- from the bundled assets (and its errors). PyTorch's batch order is checked
-- in tests/peer/peer.sh (peer test "data"); full Fashion-MNIST in run_fashion_mnist.sh.
local T = require "ember.test"
local data = require "torch.data"
local datasets = require "torch.datasets"

local function range_ds(n)
  return data.TensorDataset(torch.arange(n):float():view(n, 1) * 10, torch.arange(n))
end

-- The label batches of one epoch as lists.
local function epoch(loader)
  local out = {}
  for _, y in loader do out[#out + 1] = y:tolist() end
  return out
end

local function flat(batches)
  local out = {}
  for _, b in ipairs(batches) do for _, v in ipairs(b) do out[#out + 1] = v end end
  return out
end

local function same(a, b, msg)
  T.eq(table.concat(flat(a), ","), table.concat(flat(b), ","), msg)
end

local function tmpdir()
  local name = os.tmpname()
  os.remove(name)
  assert(os.execute("mkdir -p '" .. name .. "'"))
  return name
end

T.test("TensorDataset rows, tuples, length and errors", function()
  local ds = range_ds(5)
  T.eq(#ds, 5)
  local x, y = ds:get(2)
  T.close(x, torch.tensor({10.0}))
  T.eq(y:item(), 1)
  local s = ds[3]
  T.ok(torch.is_tuple(s) and #s == 2)
  T.eq(s[2]:item(), 2)
  T.eq(select(2, ds:get(-1)):item(), 4)
  T.error(function() return ds:get(6) end, "index 6 is out of range for 5 samples")
  T.error(function() return ds:get(0) end, "out of range")
  T.error(function() data.TensorDataset(torch.zeros(4, 2), torch.zeros(3)) end,
    "size mismatch between tensors: tensor 1 has 4 rows (4x2), tensor 2 has 3 (3)")
  T.error(function() data.TensorDataset(torch.zeros(4), {1, 2, 3, 4}) end, "argument 2 is a table")
  T.error(function() data.TensorDataset() end, "at least one tensor")
  T.error(function() data.TensorDataset(torch.tensor(3)) end, "0-dim")
end)

T.test("DataLoader batches in order, with and without drop_last", function()
  local ds = range_ds(10)
  local loader = data.DataLoader(ds, {batch_size = 4})
  T.eq(#loader, 3)
  local xs, ys = {}, {}
  for x, y in loader do xs[#xs + 1] = x; ys[#ys + 1] = y end
  T.eq(#ys, 3)
  same({ys[1]:tolist(), ys[2]:tolist(), ys[3]:tolist()}, {{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}})
  T.eq(tostring(xs[1]:size()), "torch.Size([4, 1])")
  T.close(xs[3], torch.tensor({{80.0}, {90.0}}))
  T.ok(ys[1].dtype == torch.int64)
  xs[1]:fill_(-1)                                  -- a batch is a copy, not a view
  T.close(select(1, ds:get(1)), torch.tensor({0.0}))
  local dl = data.DataLoader(ds, {batch_size = 4, drop_last = true})
  T.eq(#dl, 2)
  same(epoch(dl), {{0, 1, 2, 3}, {4, 5, 6, 7}})
  T.eq(#data.DataLoader(ds), 10)                   -- batch_size defaults to 1
  T.eq(#data.DataLoader(range_ds(3), {batch_size = 8, drop_last = true}), 0)
  T.eq(#epoch(data.DataLoader(range_ds(3), {batch_size = 8, drop_last = true})), 0)
  local it = loader:iter()
  local _, y1 = it()
  T.eq(y1:tolist()[1], 0)
end)

T.test("DataLoader argument errors", function()
  local ds = range_ds(4)
  T.error(function() data.DataLoader(ds, {batch_size = 0}) end,
    "batch_size should be a positive integer value")
  T.error(function() data.DataLoader(ds, {batch_size = -2}) end, "batch_size=-2")
  T.error(function() data.DataLoader(ds, {batch_size = 1.5}) end, "batch_size=1.5")
  T.error(function() data.DataLoader(ds, {batch_size = "8"}) end, "positive integer")
  T.error(function() data.DataLoader(42) end, "expected a dataset")
  T.error(function() data.DataLoader(nil) end, "got nil")
  T.error(function() data.DataLoader("abc") end, "got string")
  T.error(function() data.DataLoader(ds, {batchsize = 4}) end, "unknown option 'batchsize'")
  T.error(function() data.DataLoader(ds, {shuffle = 1}) end, "shuffle must be a boolean")
  T.error(function() data.DataLoader(ds, {generator = 42}) end, "torch.Generator")
  T.error(function() data.DataLoader(ds, {collate_fn = 1}) end, "collate_fn must be a function")
  T.eq(#data.DataLoader(ds, {batch_size = 2.0, num_workers = 4}), 2)   -- 2.0 is an integer; workers ignored
end)

T.test("shuffle: permutations from the generator, a new one each epoch", function()
  local ds = range_ds(10)
  local g = torch.Generator()
  g:manual_seed(7)
  local loader = data.DataLoader(ds, {batch_size = 3, shuffle = true, generator = g})
  local e1, e2 = epoch(loader), epoch(loader)
  local f1 = flat(e1)
  table.sort(f1)
  T.eq(table.concat(f1, ","), "0,1,2,3,4,5,6,7,8,9")
  T.ok(table.concat(flat(e1), ",") ~= table.concat(flat(e2), ","), "epochs differ")
  -- PyTorch's draws: one 64-bit base seed, then randperm (see the peer test)
  local g2 = torch.Generator()
  g2:manual_seed(7)
  torch.randint(math.mininteger, math.maxinteger, {1}, {generator = g2})
  same(e1, {torch.randperm(10, {generator = g2}):tolist()})
  -- the same seed gives the same order; the global generator is untouched
  torch.manual_seed(1)
  local before = torch.get_rng_state()
  g:manual_seed(7)
  same(epoch(loader), e1)
  T.eq(torch.get_rng_state():eq(before):sum():item(), before:numel(),
    "own generator leaves the global one alone")
end)

T.test("a new for loop starts a new epoch, also after break", function()
  local loader = data.DataLoader(range_ds(6), {batch_size = 2})
  for _, y in loader do
    T.eq(y:tolist()[1], 0)
    break
  end
  same(epoch(loader), {{0, 1}, {2, 3}, {4, 5}})
  T.eq(loader:state_dict().epoch, 2)
  -- two iterators of one loader are independent
  local a, b = loader:iter(), loader:iter()
  T.eq(select(2, a()):tolist()[1], 0)
  T.eq(select(2, b()):tolist()[1], 0)
  T.eq(select(2, a()):tolist()[1], 2)
end)

-- Uninterrupted epochs vs. stopping at (stop_epoch, stop_batch), saving,
-- and continuing in a fresh loader: the batch order must be identical.
local function check_resume(opts, n, stop_epoch, stop_batch, use_global)
  local ds = range_ds(n)
  local function make(seed)
    local o = {batch_size = opts.batch_size, shuffle = opts.shuffle, drop_last = opts.drop_last}
    if not use_global then
      o.generator = torch.Generator()
      o.generator:manual_seed(seed)
    end
    return data.DataLoader(ds, o)
  end
  torch.manual_seed(11)
  local straight, l1 = {}, make(5)
  for _ = 1, 4 do straight[#straight + 1] = flat(epoch(l1)) end
  local after_straight = torch.rand(3)

  torch.manual_seed(11)
  local l2, saved, rng = make(5), nil, nil
  local got = {}
  for e = 1, stop_epoch do
    local this = {}
    for _, y in l2 do
      for _, v in ipairs(y:tolist()) do this[#this + 1] = v end
      if e == stop_epoch and l2:state_dict().position == stop_batch then
        saved, rng = l2:state_dict(), torch.get_rng_state()
        break
      end
    end
    got[e] = this
  end
  T.ok(saved ~= nil, "the stop position was reached")
  if torch.save and torch.load then                -- through a file, as a checkpoint would
    local path = os.tmpname()
    torch.save({loader = saved, rng = rng}, path)
    local back = torch.load(path)
    os.remove(path)
    saved, rng = back.loader, back.rng
  end
  torch.manual_seed(999)                           -- a fresh process: other state everywhere
  local l3 = make(12345)
  torch.set_rng_state(rng)
  l3:load_state_dict(saved)
  if saved.position < #l3 then                     -- else that epoch had ended
    for _, y in l3 do
      for _, v in ipairs(y:tolist()) do got[stop_epoch][#got[stop_epoch] + 1] = v end
    end
  end
  for e = stop_epoch + 1, 4 do got[e] = flat(epoch(l3)) end
  for e = 1, 4 do
    T.eq(table.concat(got[e], ","), table.concat(straight[e], ","), "epoch " .. e)
  end
  T.close(torch.rand(3), after_straight, {rtol = 0, atol = 0, msg = "global stream after 4 epochs"})
end

T.test("resume mid-epoch continues exactly (own generator)", function()
  check_resume({batch_size = 3, shuffle = true}, 10, 2, 2, false)
  check_resume({batch_size = 4, shuffle = true, drop_last = true}, 10, 3, 1, false)
end)

T.test("resume mid-epoch continues exactly (global generator)", function()
  check_resume({batch_size = 3, shuffle = true}, 10, 2, 1, true)
  check_resume({batch_size = 3}, 10, 2, 2, true)
end)

T.test("resume at the end of an epoch starts the next one", function()
  check_resume({batch_size = 5, shuffle = true}, 10, 2, 2, false)   -- divisible: last batch
  check_resume({batch_size = 3, shuffle = true}, 10, 1, 4, false)   -- partial last batch
  check_resume({batch_size = 5, shuffle = true}, 10, 1, 2, true)
end)

T.test("state_dict is plain data; load_state_dict checks it", function()
  local g = torch.Generator()
  g:manual_seed(3)
  local loader = data.DataLoader(range_ds(10), {batch_size = 3, shuffle = true, generator = g})
  local s0 = loader:state_dict()
  T.eq(s0.epoch, 0)
  T.eq(s0.position, 0)
  local it = loader:iter()
  it()
  local s = loader:state_dict()
  T.eq(s.epoch, 1)
  T.eq(s.position, 1)
  T.ok(torch.is_tensor(s.permutation) and s.permutation:numel() == 10)
  T.ok(torch.is_tensor(s.generator_state) and s.generator_state.dtype == torch.uint8)
  T.eq(s.batch_size, 3)
  T.eq(s.num_samples, 10)
  local other = data.DataLoader(range_ds(9), {batch_size = 3})
  T.error(function() other:load_state_dict(s) end, "dataset of 10 samples, this one has 9")
  local wrong_bs = data.DataLoader(range_ds(10), {batch_size = 2})
  T.error(function() wrong_bs:load_state_dict(s) end, "batch_size 3, this loader has 2")
  T.error(function() loader:load_state_dict({epoch = -1, position = 0}) end, "'epoch' must be a non-negative")
  T.error(function() loader:load_state_dict(5) end, "expected a table")
end)

T.test("other datasets: lists, tensors, get(), collate and collate_fn", function()
  local tb = {}
  for b in data.DataLoader(torch.arange(5) * 2, {batch_size = 2}) do tb[#tb + 1] = b:tolist() end
  same(tb, {{0, 2}, {4, 6}, {8}})
  local batches = {}
  for b in data.DataLoader({3, 1, 4, 1, 5}, {batch_size = 2}) do batches[#batches + 1] = b end
  T.ok(batches[1].dtype == torch.int64)
  same({batches[1]:tolist(), batches[3]:tolist()}, {{3, 1}, {5}})
  for b in data.DataLoader({0.5, 1.5}, {batch_size = 2}) do T.ok(b.dtype == torch.float64) end
  -- a user dataset with get(i) returning several fields, one of them a table
  local squares = setmetatable({}, {__len = function() return 4 end})
  function squares.get(_, i) return torch.full({2}, i * 1.0), i * i, {name = "s" .. i, ok = i % 2 == 0} end
  local n = 0
  for x, y, meta in data.DataLoader(squares, {batch_size = 3}) do
    n = n + 1
    if n == 1 then
      T.eq(tostring(x:size()), "torch.Size([3, 2])")
      same({y:tolist()}, {{1, 4, 9}})
      T.eq(meta.name[2], "s2")
      T.ok(meta.ok.dtype == torch.bool)
    end
  end
  T.eq(n, 2)
  local seen
  local loader = data.DataLoader(range_ds(4), {batch_size = 2, collate_fn = function(items)
    seen = items
    return #items, "custom"
  end})
  local count, tag = loader()
  T.eq(count, 2)
  T.eq(tag, "custom")
  T.ok(torch.is_tuple(seen[1]) and #seen[1] == 2)
  local x, y = data.default_collate(seen)
  T.eq(tostring(x:size()), "torch.Size([2, 1])")
  same({y:tolist()}, {{0, 1}})
  local bad = data.DataLoader({function() end}, {batch_size = 1})
  T.error(function() return bad() end, "cannot batch values of type function")
end)

T.test("torch.io: write_idx / read_idx round trip, gzip by name or option", function()
  local dir = tmpdir()
  local x = torch.tensor({{1.5, -2.0, 0.25}, {3e38, -0.0, 1e-3}})
  torch.io.write_idx(dir .. "/f.idx", x)
  T.close(torch.io.read_idx(dir .. "/f.idx"), x, {rtol = 0, atol = 0})
  local labels = torch.tensor({7, 0, 9})                     -- int64 -> IDX int32
  torch.io.write_idx(dir .. "/l.gz", labels)
  local back = torch.io.read_idx(dir .. "/l.gz")
  T.ok(back.dtype == torch.int32)
  same({back:tolist()}, {{7, 0, 9}})
  local f = io.open(dir .. "/l.gz", "rb")
  T.eq(f:read(2), "\x1f\x8b")
  f:close()
  torch.io.write_idx(dir .. "/plain.gz", labels:to(torch.uint8), {gzip = false})
  f = io.open(dir .. "/plain.gz", "rb")
  T.eq(f:read(4), "\0\0\8\1")
  f:close()
  T.error(function() torch.io.read_idx(dir .. "/missing") end, "missing: No such file")
  T.error(function() torch.io.write_idx(dir .. "/s", torch.tensor(1)) end, "0-dim")
  T.error(function() torch.io.write_idx(dir .. "/b", torch.tensor({1 << 40})) end, "does not fit")
  os.execute("rm -rf '" .. dir .. "'")
end)

T.test("MNIST from the bundled assets", function()
  local root = datasets.dirs.mnist
  local train = datasets.MNIST{root = root}
  local test = datasets.MNIST{root = root, train = false}
  T.eq(#train, 8000)
  T.eq(#test, 2000)
  T.eq(tostring(train.data:size()), "torch.Size([8000, 28, 28])")
  T.ok(train.data.dtype == torch.uint8 and train.targets.dtype == torch.int64)
  T.eq(train.targets:min():item(), 0)
  T.eq(train.targets:max():item(), 9)
  for d = 0, 9 do T.ok(train.targets:eq(d):sum():item() > 600, "digit " .. d .. " present") end
  T.eq(train.data:max():item(), 255)
  T.ok(train.source:find("assets/mnist", 1, true) ~= nil, train.source)
  local img, label = train:get(1)
  T.eq(tostring(img:size()), "torch.Size([28, 28])")
  T.eq(label, train.targets[1]:item())
  T.ok(torch.is_tuple(train[2]) and train[2][2] == train.targets[2]:item())
  T.eq(#train.classes, 10)
  -- the fast path (whole-batch index_select) equals sample-by-sample with a transform
  local g1, g2 = torch.Generator(), torch.Generator()
  g1:manual_seed(0)
  g2:manual_seed(0)
  local fast = data.DataLoader(train, {batch_size = 16, shuffle = true, generator = g1})
  local scaled = datasets.MNIST{root = root, transform = function(x) return x:float() / 255 end}
  local slow = data.DataLoader(scaled,
    {batch_size = 16, shuffle = true, generator = g2})
  local xf, yf = fast()
  local xs, ys = slow()
  T.close(xf:float() / 255, xs)
  same({yf:tolist()}, {ys:tolist()})
  -- without a root, MNIST is found somewhere (bundled unless EMBER_DATA has it)
  T.ok(#datasets.MNIST{} > 0)
end)

T.test("MNIST errors: truncated file, nothing found, download", function()
  local dir = tmpdir()
  local images = torch.zeros(5, 28, 28, {dtype = torch.uint8})
  torch.io.write_idx(dir .. "/train-images-idx3-ubyte", images)
  torch.io.write_idx(dir .. "/train-labels-idx1-ubyte", torch.tensor({1, 2, 3, 4, 5}):to(torch.uint8))
  T.eq(#datasets.MNIST{root = dir}, 5)
  local f = io.open(dir .. "/train-images-idx3-ubyte", "rb")
  local bytes = f:read("a")
  f:close()
  f = io.open(dir .. "/train-images-idx3-ubyte", "wb")
  f:write(bytes:sub(1, #bytes - 100))
  f:close()
  T.error(function() datasets.MNIST{root = dir} end,
    "MNIST: read_idx: " .. dir .. "/train-images-idx3-ubyte: truncated")
  torch.io.write_idx(dir .. "/train-images-idx3-ubyte", torch.zeros(4, 28, 28, {dtype = torch.uint8}))
  T.error(function() datasets.MNIST{root = dir} end, "4 images in")
  torch.io.write_idx(dir .. "/t10k-images-idx3-ubyte", torch.zeros(1, 28, 28, {dtype = torch.uint8}))
  torch.io.write_idx(dir .. "/t10k-labels-idx1-ubyte", torch.tensor({12}):to(torch.uint8))
  T.error(function() datasets.MNIST{root = dir, train = false} end, "label 12 is out of range 0..9")
  T.error(function() datasets.MNIST{download = true} end, "never downloads")
  if os.getenv("EMBER_DATA") == nil then
    local saved = datasets.dirs.fashion_mnist
    datasets.dirs.fashion_mnist = dir .. "/nowhere"
    local msg = T.error(function() datasets.FashionMNIST{root = dir .. "/empty"} end,
      "FashionMNIST: no training files (train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz])")
    datasets.dirs.fashion_mnist = saved
    T.ok(msg:find(dir .. "/empty/FashionMNIST/raw", 1, true), "lists the torchvision layout")
    T.ok(msg:find(dir .. "/nowhere  (Debian", 1, true), "lists the Debian folder")
    T.ok(msg:find("apt-get install dataset-fashion-mnist", 1, true), "says how to get it")
  end
  os.execute("rm -rf '" .. dir .. "'")
end)

T.run()
