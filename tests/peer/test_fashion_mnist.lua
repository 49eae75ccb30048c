-- Full Fashion-MNIST through data.datasets.FashionMNIST, found where Debian's
-- dataset-fashion-mnist installs it (run_fashion_mnist.sh skips without it).
-- Checked against the facts in shared/docs/formats/idx.md: sizes, the first
-- 20 labels of each split, image 0's pixel sum, balanced classes.
local T = require "ember.test"
local data = require "torch.data"
local datasets = require "torch.datasets"

-- With EMBER_DATA set, another copy may come first: ask for Debian's.
local root = os.getenv("EMBER_DATA") and datasets.dirs.fashion_mnist or nil

T.test("FashionMNIST train: 60,000 images from the Debian package", function()
  local t0 = os.clock()
  local ds = datasets.FashionMNIST{root = root}
  print(string.format("loaded in %.2f s of CPU time", os.clock() - t0))   -- a figure, not a check
  T.eq(#ds, 60000)
  T.eq(tostring(ds.data:size()), "torch.Size([60000, 28, 28])")
  T.ok(ds.data.dtype == torch.uint8 and ds.targets.dtype == torch.int64)
  T.eq(ds.source, datasets.dirs.fashion_mnist)
  T.eq(table.concat(ds.targets:narrow(1, 1, 20):tolist(), " "), "9 0 0 3 0 2 7 2 5 5 0 9 5 5 7 9 1 0 6 4")
  for c = 0, 9 do T.eq(ds.targets:eq(c):sum():item(), 6000, "class " .. c) end
  T.eq(ds.classes[10], "Ankle boot")
end)

T.test("FashionMNIST test: 10,000 images, batches through a DataLoader", function()
  local ds = datasets.FashionMNIST{root = root, train = false}
  T.eq(#ds, 10000)
  T.eq(table.concat(ds.targets:narrow(1, 1, 20):tolist(), " "), "9 2 1 1 6 1 4 6 5 7 4 5 7 3 4 1 2 4 8 0")
  T.eq(ds.data[1]:long():sum():item(), 33456)
  T.eq(ds.data:max():item(), 255)
  local loader = data.DataLoader(ds, {batch_size = 1000})
  local n, seen = 0, 0
  for x, y in loader do
    n = n + 1
    seen = seen + y:numel()
    T.eq(tostring(x:size()), "torch.Size([1000, 28, 28])")
  end
  T.eq(n, 10)
  T.eq(seen, 10000)
end)

T.run()
