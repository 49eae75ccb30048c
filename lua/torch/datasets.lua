-- torch.datasets — MNIST and Fashion-MNIST read from IDX files (data.datasets).
-- Nothing is ever downloaded: the files are looked for in an explicit root,
-- then in $EMBER_DATA, then in what ember ships (a real-MNIST subset in
-- assets/mnist) or what Debian's dataset-fashion-mnist installs. The file
-- format is torch.io.read_idx (src/io/idx.c); batching is torch.data.
local torch = require "torch"
local options = require "torch.options"

local datasets = {}

local FILES = {
  train = {images = "train-images-idx3-ubyte", labels = "train-labels-idx1-ubyte"},
  test = {images = "t10k-images-idx3-ubyte", labels = "t10k-labels-idx1-ubyte"},
}

-- The folder holding ember's assets: $EMBER_ASSETS, else assets/ beside the
-- lua/ folder this module was loaded from (the source tree, or
-- share/ember/ in an install).
local function assets_dir()
  local env = os.getenv("EMBER_ASSETS")
  if env and env ~= "" then return env end
  local src = debug.getinfo(1, "S").source
  local file = src:sub(1, 1) == "@" and src:sub(2) or package.searchpath("torch.datasets", package.path)
  if not file then return "assets" end
  local luadir = file:match("^(.*)/torch/datasets%.lua$") or "lua"
  local root = luadir:match("^(.*)/[^/]+$") or "."
  return root .. "/assets"
end

--- datasets.dirs: the last places looked at (what ember ships, what Debian
--- installs); a test may point them elsewhere.
datasets.dirs = {
  mnist = assets_dir() .. "/mnist",
  fashion_mnist = "/usr/share/datasets/fashion-mnist",
}

local function exists(path)
  local f = io.open(path, "rb")
  if not f then return false end
  local r, err = f:read(0)            -- a folder opens but cannot be read
  f:close()
  return r ~= nil or err == nil
end

-- name, plain preferred (faster) over .gz, or nil
local function find_file(dir, name)
  for _, p in ipairs{dir .. "/" .. name, dir .. "/" .. name .. ".gz"} do
    if exists(p) then return p end
  end
  return nil
end

local SPECS = {
  MNIST = {
    raw = "MNIST", sub = "mnist", data_root_itself = true,
    fallback = function() return datasets.dirs.mnist, "bundled MNIST subset" end,
    classes = {"0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six",
      "7 - seven", "8 - eight", "9 - nine"},
    hint = "put the four MNIST files (train-images-idx3-ubyte.gz, ...) in a folder and set EMBER_DATA to "
      .. "it, or pass root=",
  },
  FashionMNIST = {
    raw = "FashionMNIST", sub = "fashion-mnist", data_root_itself = false,
    fallback = function() return datasets.dirs.fashion_mnist, "Debian package dataset-fashion-mnist" end,
    classes = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
      "Bag", "Ankle boot"},
    hint = "apt-get install dataset-fashion-mnist, or put the four Fashion-MNIST files in "
      .. "$EMBER_DATA/fashion-mnist",
  },
}

--- datasets.search_path(name[, root]) -> list of {dir =, why =}
-- Where the files of name ("MNIST" or "FashionMNIST") are looked for, in
-- order: root (also root/MNIST/raw, torchvision's layout), $EMBER_DATA, then
-- what ember ships or Debian installs. $EMBER_DATA itself counts for MNIST only
-- (both datasets' files have the same names).
function datasets.search_path(name, root)
  local spec = SPECS[name]
  if not spec then error("datasets.search_path: unknown dataset '" .. tostring(name) .. "'", 2) end
  local places = {}
  local function add(dir, why) places[#places + 1] = {dir = dir, why = why} end
  if root then
    add(root, "root")
    add(root .. "/" .. spec.raw .. "/raw", "root, torchvision layout")
    add(root .. "/" .. spec.sub, "root")
  end
  local env = os.getenv("EMBER_DATA")
  if env and env ~= "" then
    if spec.data_root_itself then add(env, "EMBER_DATA") end
    add(env .. "/" .. spec.sub, "EMBER_DATA")
    add(env .. "/" .. spec.raw .. "/raw", "EMBER_DATA, torchvision layout")
  end
  add(spec.fallback())
  return places
end

local LOCATE = options.spec("datasets.locate", "root train")
--- datasets.locate(name[, {root =, train = true}]) -> images, labels, place
-- The paths of the split's two IDX files (plain or .gz) in the first place
-- of search_path holding both; place is {dir =, why =}. Returns nil and the
-- list of places looked at when none has them.
function datasets.locate(name, opts)
  opts = LOCATE:check(opts)
  local files = FILES[opts.train == false and "test" or "train"]
  local places = datasets.search_path(name, opts.root)
  for _, place in ipairs(places) do
    local images, labels = find_file(place.dir, files.images), find_file(place.dir, files.labels)
    if images and labels then return images, labels, place end
  end
  return nil, places
end

local function read(name, path)
  local ok, t = pcall(torch.io.read_idx, path)
  if not ok then error(name .. ": " .. tostring(t), 0) end
  return t
end

local function load(name, images_path, labels_path)
  local images, labels = read(name, images_path), read(name, labels_path)
  if images.dtype ~= torch.uint8 or images:dim() ~= 3 then
    error(string.format("%s: %s: expected uint8 images with 3 dims (N x H x W), got %s of size %s",
      name, images_path, tostring(images.dtype), table.concat(images:size(), "x")), 0)
  end
  if labels.dtype ~= torch.uint8 or labels:dim() ~= 1 then
    error(string.format("%s: %s: expected uint8 labels with 1 dim, got %s of size %s",
      name, labels_path, tostring(labels.dtype), table.concat(labels:size(), "x")), 0)
  end
  if images:size(1) ~= labels:size(1) then
    error(string.format("%s: %d images in %s but %d labels in %s", name, images:size(1), images_path,
      labels:size(1), labels_path), 0)
  end
  if labels:numel() > 0 and labels:max():item() > 9 then
    error(string.format("%s: %s: label %d is out of range 0..9", name, labels_path, labels:max():item()), 0)
  end
  return images, labels:long()
end

-- The dataset object: data (uint8 N x H x W), targets (int64 N), ds[i].
local Dataset = {}

Dataset.__index = function(self, k)
  if k == "get_batch" and (self.transform or self.target_transform) then return nil end
  local m = Dataset[k]
  if m ~= nil then return m end
  if math.type(k) == "integer" then return torch.tuple({self:get(k)}) end
  return nil
end

Dataset.__len = function(self) return self._n end

Dataset.__tostring = function(self)
  return string.format("Dataset %s\n    Number of datapoints: %d\n    Split: %s\n    Source: %s (%s)",
    self.name, self._n, self.train and "Train" or "Test", self.source, self.source_kind)
end

--- ds:get(i) -> image, label
-- Sample i (1-based; negative counts from the end): image a uint8 (28, 28)
-- tensor, or transform(image); label an integer 0..9 (0-based class number),
-- or target_transform(label). ds[i] gives torch.tuple{image, label}.
function Dataset:get(i)
  if math.type(i) ~= "integer" then error(self.name .. ": index must be an integer, got " .. type(i), 2) end
  local j = i < 0 and self._n + 1 + i or i
  if j < 1 or j > self._n then
    error(string.format("%s: index %d is out of range for %d samples", self.name, i, self._n), 2)
  end
  local image, label = self.data[j], self.targets[j]:item()
  if self.transform then image = self.transform(image) end
  if self.target_transform then label = self.target_transform(label) end
  return image, label
end

--- ds:get_batch(ix) -> images, labels
-- Several samples at once: images uint8 (B, 28, 28), labels int64 (B); ix
-- an int64 tensor of 0-based sample numbers. DataLoader's fast path, used
-- only without transforms (then it goes sample by sample).
function Dataset:get_batch(ix)
  return self.data:index_select(1, ix), self.targets:index_select(1, ix)
end

local function make(name)
  local spec = SPECS[name]
  spec.options = options.spec("datasets." .. name, "root train transform target_transform download")
  --- datasets.MNIST{root =, train = true, ...} / datasets.FashionMNIST{...}
  -- Handwritten digits / clothing images read from IDX files, never
  -- downloaded (see datasets.search_path; ember ships an 8000 + 2000 MNIST
  -- subset). ds.data uint8 (N, 28, 28), ds.targets int64 labels 0..9, ds.classes,
  -- #ds; ds:get(i) -> image, label. Options: root (a folder), train (false:
  -- the test split), transform(image), target_transform(label). Also
  -- MNIST(root[, opts]) as torchvision's.
  -- Example:
  --   local ds = data.datasets.MNIST{train = false}; local img, label = ds:get(1)
  return function(a, b)
    local opts
    if type(a) == "string" then
      opts = setmetatable({root = a}, {__index = b or {}})
    else
      opts = a or {}
    end
    if type(opts) ~= "table" then error(name .. ": expected an options table, got " .. type(opts), 2) end
    spec.options:check(type(a) == "string" and (b or {}) or opts)
    for _, k in ipairs{"transform", "target_transform"} do
      if opts[k] ~= nil and type(opts[k]) ~= "function" then
        error(name .. ": " .. k .. " must be a function, got " .. type(opts[k]), 2)
      end
    end
    if opts.download then
      error(name .. ": ember never downloads; " .. spec.hint, 2)
    end
    local train = opts.train ~= false
    local images_path, labels_path, place = datasets.locate(name, {root = opts.root, train = train})
    if not images_path then
      local lines, f = {}, FILES[train and "train" or "test"]
      for _, p in ipairs(labels_path) do lines[#lines + 1] = "  " .. p.dir .. "  (" .. p.why .. ")" end
      error(string.format("%s: no %s files (%s[.gz] and %s[.gz]) in any of:\n%s\n%s", name,
        train and "training" or "test", f.images, f.labels, table.concat(lines, "\n"), spec.hint), 2)
    end
    local data, targets = load(name, images_path, labels_path)
    return setmetatable({
      name = name, data = data, targets = targets, train = train, classes = spec.classes,
      source = place.dir, source_kind = place.why, root = opts.root,
      images_file = images_path, labels_file = labels_path,
      transform = opts.transform, target_transform = opts.target_transform,
      _n = data:size(1),
    }, Dataset)
  end
end

-- datasets.MNIST{root =, train = true, transform =, target_transform =}
-- datasets.FashionMNIST{...}  (same options)
-- -> a dataset: ds.data (uint8 N x 28 x 28), ds.targets (int64 N),
-- ds.classes, ds.source (the folder used), #ds, ds[i] = torch.tuple{image, label},
-- ds:get(i) -> image, label. (help() reads the doc in make, above its closure.)
datasets.MNIST = make("MNIST")
datasets.FashionMNIST = make("FashionMNIST")

return datasets
