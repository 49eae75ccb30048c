-- test_nn_options.lua — the options of the nn layers, functions and losses
-- are never ignored (issue 20): every constructor and function refuses a
-- misspelled option (naming it and the closest valid one) and a PyTorch
-- option ember lacks; conv2d's dilation, groups and padding "same"/"valid",
-- the pooling's stride 0, ceil_mode and dilation, BatchNorm's momentum =
-- torch.None do what PyTorch does; sizes that do not fit are clear errors;
-- print() shows the options as PyTorch does; ONNX export writes them.
-- Numbers against real PyTorch: tests/peer/test_nnopts_parity.lua.
-- Run: build/ember run tests/lua/test_nn_options.lua

local T = require "ember.test"

local function shape(t) return tostring(t:size()) end

-- every constructor and function with an options table: a misspelled option
T.test("a misspelled option is an error naming the function, the key and the closest option", function()
  local x4, w = torch.randn(1, 2, 6, 6), torch.randn(2, 2, 3, 3)
  local logits, labels = torch.randn(2, 3), torch.tensor({0, 1})
  local cases = {
    {"nn.Conv2d: unknown option 'strid' (did you mean 'stride'?)", function() nn.Conv2d(2, 2, 3, {strid = 2}) end},
    {"nn.Conv2d: unknown option 'dilatoin' (did you mean 'dilation'?)",
      function() nn.Conv2d(2, 2, 3, {dilatoin = 2}) end},
    {"nn.Linear: unknown option 'bais' (did you mean 'bias'?)", function() nn.Linear(2, 3, {bais = false}) end},
    {"nn.BatchNorm1d: unknown option 'momentun' (did you mean 'momentum'?)",
      function() nn.BatchNorm1d(2, {momentun = 0.2}) end},
    {"nn.BatchNorm2d: unknown option 'esp' (did you mean 'eps'?)", function() nn.BatchNorm2d(2, {esp = 1e-3}) end},
    {"nn.MaxPool2d: unknown option 'ceil_mod' (did you mean 'ceil_mode'?)",
      function() nn.MaxPool2d(2, {ceil_mod = true}) end},
    {"nn.AvgPool2d: unknown option 'strid' (did you mean 'stride'?)", function() nn.AvgPool2d(2, {strid = 1}) end},
    {"nn.Dropout: unknown option 'prob'", function() nn.Dropout({prob = 0.1}) end},
    {"nn.Flatten: unknown option 'start'", function() nn.Flatten({start = 1}) end},
    {"nn.Softmax: unknown option 'dm' (did you mean 'dim'?)", function() nn.Softmax({dm = 1}) end},
    {"nn.LogSoftmax: unknown option 'dm' (did you mean 'dim'?)", function() nn.LogSoftmax({dm = 1}) end},
    {"nn.ReLU: unknown option 'inplce' (did you mean 'inplace'?)", function() nn.ReLU({inplce = false}) end},
    {"nn.Tanh: unknown option 'x' (it takes no options)", function() nn.Tanh({x = 1}) end},
    {"nn.CrossEntropyLoss: unknown option 'reductio' (did you mean 'reduction'?)",
      function() nn.CrossEntropyLoss({reductio = "sum"}) end},
    {"nn.NLLLoss: unknown option 'label_smoothing'", function() nn.NLLLoss({label_smoothing = 0.1}) end},
    {"nn.MSELoss: unknown option 'weight'", function() nn.MSELoss({weight = torch.ones(2)}) end},
    {"nn.L1Loss: unknown option 'reducton' (did you mean 'reduction'?)", function() nn.L1Loss({reducton = "sum"}) end},
    {"nn.BCEWithLogitsLoss: unknown option 'pos_weigth' (did you mean 'pos_weight'?)",
      function() nn.BCEWithLogitsLoss({pos_weigth = torch.ones(1)}) end},
    {"nn.init.kaiming_uniform_: unknown option 'mod' (did you mean 'mode'?)",
      function() nn.init.kaiming_uniform_(torch.empty(3, 4), {mod = "fan_out"}) end},
    {"nn.init.uniform_: unknown option 'c'", function() nn.init.uniform_(torch.empty(3), {c = 1}) end},
    {"nn.init.normal_: unknown option 'sdt' (did you mean 'std'?)", function() nn.init.normal_(torch.empty(3), {sdt = 1}) end},
    {"nn.init.xavier_uniform_: unknown option 'gian' (did you mean 'gain'?)",
      function() nn.init.xavier_uniform_(torch.empty(3, 4), {gian = 1}) end},
    {"nn.init.constant_: unknown option 'vall' (did you mean 'val'?)",
      function() nn.init.constant_(torch.empty(3), {vall = 1}) end},
    {"nn.init.calculate_gain: unknown option 'params' (did you mean 'param'?)",
      function() nn.init.calculate_gain("leaky_relu", {params = 0.2}) end},
    {"F.mse_loss: unknown option 'reductoin' (did you mean 'reduction'?)",
      function() F.mse_loss(torch.ones(2), torch.ones(2), {reductoin = "sum"}) end},
    {"F.l1_loss: unknown option 'weight'", function() F.l1_loss(torch.ones(2), torch.ones(2), {weight = 1}) end},
    {"F.batch_norm: unknown option 'trainig' (did you mean 'training'?)",
      function() F.batch_norm(torch.randn(4, 3), torch.zeros(3), torch.ones(3), {trainig = true}) end},
    {"F.dropout: unknown option 'trainig' (did you mean 'training'?)",
      function() F.dropout(torch.ones(3), {trainig = false}) end},
    {"conv2d: unknown option 'strid' (did you mean 'stride'?)", function() torch.conv2d(x4, w, nil, {strid = 2}) end},
    {"conv2d: unknown option 'padidng' (did you mean 'padding'?)", function() F.conv2d(x4, w, {padidng = 1}) end},
    {"max_pool2d: unknown option 'ceilmode' (did you mean 'ceil_mode'?)",
      function() F.max_pool2d(x4, 2, {ceilmode = true}) end},
    {"avg_pool2d: unknown option 'count_include_pads' (did you mean 'count_include_pad'?)",
      function() torch.avg_pool2d(x4, 2, {count_include_pads = false}) end},
    {"softmax: unknown option 'dtpye' (did you mean 'dtype'?)", function() torch.softmax(x4, 2, {dtpye = torch.float64}) end},
    {"log_softmax: unknown option 'dims' (did you mean 'dim'?)", function() x4:log_softmax({dims = 2}) end},
    {"nll_loss: unknown option 'label_smoothing'", function() torch.nll_loss(logits, labels, {label_smoothing = 0.1}) end},
    {"cross_entropy: unknown option 'ignore_idx' (did you mean 'ignore_index'?)",
      function() F.cross_entropy(logits, labels, {ignore_idx = 1}) end},
    {"binary_cross_entropy_with_logits: unknown option 'ignore_index'",
      function() F.binary_cross_entropy_with_logits(logits, logits:sigmoid(), {ignore_index = 1}) end},
    {"dropout: unknown option 'generater' (did you mean 'generator'?)",
      function() torch.dropout(x4, 0.5, true, {generater = torch.Generator()}) end},
    {"bernoulli: unknown option 'generater' (did you mean 'generator'?)",
      function() torch.rand(3):bernoulli(0.5, {generater = torch.Generator()}) end},
    {"bernoulli_: unknown option 'p'", function() torch.rand(3):bernoulli_({p = 0.5}) end},
  }
  for _, c in ipairs(cases) do T.error(c[2], c[1]) end
end)

T.test("PyTorch's options that ember lacks are refused, never ignored", function()
  T.error(function() nn.Conv2d(2, 2, 3, {dtype = torch.float64}) end,
    "nn.Conv2d: option 'dtype' is PyTorch's but not implemented in ember")
  T.error(function() nn.Linear(2, 3, {device = "cpu"}) end, "nn.Linear: option 'device' is PyTorch's")
  T.error(function() nn.BatchNorm2d(2, {dtype = torch.float64}) end, "nn.BatchNorm2d: option 'dtype' is PyTorch's")
  T.error(function() nn.Conv2d(2, 2, 3, {padding_mode = "reflect"}) end,
    "nn.Conv2d: padding_mode='reflect' is PyTorch's but not implemented in ember")
  T.error(function() nn.Conv2d(2, 2, 3, {padding_mode = "mirror"}) end,
    "padding_mode must be one of {'zeros', 'replicate', 'reflect', 'circular'}, but got padding_mode='mirror'")
  T.error(function() nn.CrossEntropyLoss({size_average = false}) end,
    "nn.CrossEntropyLoss: option 'size_average' is PyTorch's but not implemented in ember")
  T.error(function() F.mse_loss(torch.ones(2), torch.ones(2), {reduce = false}) end, "F.mse_loss: option 'reduce'")
  T.error(function() torch.cross_entropy(torch.randn(2, 3), torch.tensor({0, 1}), {reduce = false}) end,
    "cross_entropy: option 'reduce' is PyTorch's")
  T.error(function() nn.ReLU(true) end, "nn.ReLU: inplace=true is not implemented in ember")
  T.error(function() nn.Dropout(0.5, true) end, "nn.Dropout: inplace=true is not implemented in ember")
  T.error(function() F.dropout(torch.ones(2), 0.5, true, true) end, "F.dropout: inplace=true is not implemented")
  T.error(function() F.relu(torch.ones(2), {inplace = true}) end, "F.relu: inplace=true is not implemented")
  T.error(function() F.relu(torch.ones(2), {inplac = false}) end, "F.relu: unknown option 'inplac'")
  T.close(F.relu(torch.tensor({-1.0, 2.0}), false), {0, 2})
  -- a positional PyTorch-only argument gets the same message: Conv2d's 10th is device
  T.error(function() nn.Conv2d(2, 2, 3, 1, 0, 1, 1, true, "zeros", "cpu") end,
    "nn.Conv2d: option 'device' is PyTorch's but not implemented in ember")
  T.error(function() nn.MaxPool2d(2, 2, 0, 1, false, false, 7) end,
    "nn.MaxPool2d: takes at most 5 positional arguments after the required ones, but 6 were given")
  T.error(function() nn.CrossEntropyLoss({reduction = "avg"}) end,
    "nn.CrossEntropyLoss: avg is not a valid value for reduction: reduction must be 'mean', 'sum' or 'none', got 'avg'")
  T.error(function() nn.MSELoss({reduction = "avg"}) end, "nn.MSELoss: avg is not a valid value for reduction")
  -- PyTorch-only keys of the C functions
  T.error(function() torch.rand(3):bernoulli(0.5, {out = torch.empty(3)}) end,
    "bernoulli: option 'out' is PyTorch's but not implemented in ember")
end)

T.test("an argument given positionally and in the options table is an error", function()
  local x, w = torch.randn(1, 2, 6, 6), torch.randn(2, 2, 3, 3)
  T.error(function() torch.conv2d(x, w, nil, 2, {stride = 2}) end,
    "conv2d: got multiple values for argument 'stride'")
  T.error(function() torch.max_pool2d(x, 2, 2, {stride = 1}) end, "max_pool2d: got multiple values for argument 'stride'")
  T.error(function() nn.Conv2d(2, 2, 3, 2, {stride = 2}) end, "nn.Conv2d: got multiple values for argument 'stride'")
  T.error(function() nn.MaxPool2d(2, 2, {stride = 2}) end, "nn.MaxPool2d: got multiple values for argument 'stride'")
end)

-- conv2d --------------------------------------------------------------------

T.test("conv2d: dilation, groups, padding 'same'/'valid' give PyTorch's shapes", function()
  local x = torch.randn(1, 2, 6, 6)
  T.eq(shape(nn.Conv2d(2, 2, 3, {dilation = 2})(x)), "torch.Size([1, 2, 2, 2])")
  T.eq(shape(nn.Conv2d(4, 6, 3, {groups = 2}).weight), "torch.Size([6, 2, 3, 3])")
  T.eq(shape(nn.Conv2d(4, 6, 3, {groups = 2})(torch.randn(1, 4, 6, 6))), "torch.Size([1, 6, 4, 4])")
  T.eq(shape(nn.Conv2d(2, 3, 3, {padding = "same"})(x)), "torch.Size([1, 3, 6, 6])")
  T.eq(shape(nn.Conv2d(2, 3, 4, {padding = "same"})(x)), "torch.Size([1, 3, 6, 6])")         -- even kernel
  T.eq(shape(nn.Conv2d(2, 3, 3, {padding = "same", dilation = 3})(x)), "torch.Size([1, 3, 6, 6])")
  T.eq(shape(nn.Conv2d(2, 3, 3, {padding = "valid"})(x)), "torch.Size([1, 3, 4, 4])")
  T.eq(shape(torch.conv2d(x, torch.randn(2, 2, 2, 2), nil, 1, "same")), "torch.Size([1, 2, 6, 6])")
  -- float64 takes the im2col fallback
  T.eq(shape(torch.conv2d(x:double(), torch.randn(2, 2, 3, 3):double(), nil, 1, 0, 2)), "torch.Size([1, 2, 2, 2])")
end)

T.test("conv2d: padding 'same' with an odd total pads one more at the bottom and right, as PyTorch", function()
  -- a 2x2 kernel of ones on a 3x3 image: same padding is 0 before and 1 after
  local img = torch.arange(1, 10, {dtype = torch.float64}):reshape(1, 1, 3, 3)
  local y = torch.conv2d(img, torch.ones(1, 1, 2, 2, {dtype = torch.float64}), nil, {padding = "same"})
  T.close(y, {{{{12, 16, 9}, {24, 28, 15}, {15, 17, 9}}}})
  local y32 = torch.conv2d(img:float(), torch.ones(1, 1, 2, 2), nil, {padding = "same"})   -- oneDNN
  T.close(y32:double(), y)
end)

T.test("conv2d: PyTorch's positional order (bias, stride, padding, dilation, groups) and the options table agree", function()
  torch.manual_seed(1)
  local x, w, b = torch.randn(2, 4, 7, 6), torch.randn(6, 2, 3, 3), torch.randn(6)
  local pos = torch.conv2d(x, w, b, 2, 1, 2, 2)
  local opt = torch.conv2d(x, w, {bias = b, stride = 2, padding = 1, dilation = 2, groups = 2})
  T.eq(shape(pos), "torch.Size([2, 6, 3, 2])")
  T.close(pos, opt)
  T.close(F.conv2d(x, w, b, {2, 2}, {1, 1}, {2, 2}, 2), pos)
  -- the forms that existed before keep working
  T.eq(shape(torch.conv2d(x, torch.randn(3, 4, 3, 3), nil, 2, 1)), "torch.Size([2, 3, 4, 3])")
  T.eq(shape(torch.conv2d(x, torch.randn(3, 4, 3, 3), nil, {stride = 2, padding = 1})), "torch.Size([2, 3, 4, 3])")
end)

T.test("conv2d: errors with PyTorch's messages", function()
  local x = torch.randn(1, 2, 6, 6)
  T.error(function() torch.conv2d(x, torch.randn(2, 2, 3, 3), nil, 2, "same") end,
    "conv2d: padding='same' is not supported for strided convolutions")
  T.error(function() nn.Conv2d(2, 2, 3, {padding = "same", stride = 2}) end,
    "nn.Conv2d: padding='same' is not supported for strided convolutions")
  T.error(function() torch.conv2d(x, torch.randn(2, 2, 3, 3), nil, 1, "full") end,
    "conv2d: Invalid padding string 'full', should be one of {'valid', 'same'}")
  T.error(function() nn.Conv2d(2, 2, 3, {padding = "full"}) end, "Invalid padding string 'full'")
  T.error(function() nn.Conv2d(4, 6, 3, {groups = 3}) end, "nn.Conv2d: in_channels must be divisible by groups")
  T.error(function() nn.Conv2d(4, 5, 3, {groups = 2}) end, "nn.Conv2d: out_channels must be divisible by groups")
  T.error(function() nn.Conv2d(4, 6, 3, {groups = 0}) end, "nn.Conv2d: groups must be a positive integer")
  T.error(function() torch.conv2d(x, torch.randn(3, 1, 3, 3), nil, {groups = 2}) end,
    "conv2d: Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size " ..
    "[3, 1, 3, 3] instead")
  T.error(function() torch.conv2d(x, torch.randn(2, 2, 3, 3), nil, {groups = 3}) end,
    "Given groups=3, expected weight to be at least 3 at dimension 0")
  T.error(function() torch.conv2d(torch.randn(1, 3, 6, 6), torch.randn(4, 1, 3, 3), nil, {groups = 2}) end,
    "Given groups=2, weight of size [4, 1, 3, 3], expected input[1, 3, 6, 6] to have 2 channels, but got 3 " ..
    "channels instead")
  T.error(function() torch.conv2d(x, torch.randn(2, 2, 3, 3), nil, {groups = 0}) end,
    "conv2d: non-positive groups is not supported")
  T.error(function() torch.conv2d(x, torch.randn(2, 2, 3, 3), nil, {dilation = 0}) end,
    "conv2d: dilation should be greater than zero, but got [0, 0]")
  T.error(function() torch.conv2d(x, torch.randn(2, 2, 3, 3), nil, {padding = -1}) end,
    "conv2d: negative padding is not supported")
  T.error(function() nn.Conv2d(2, 2, 3, {stride = 0}) end, "nn.Conv2d: stride must be a positive integer")
  T.error(function() nn.Conv2d(2, 2, 3, {dilation = {1, 0}}) end, "nn.Conv2d: dilation must be a positive integer")
  -- the layer's first line (torch.nn.layer_errors), then the op's PyTorch message
  T.error(function() nn.Conv2d(1, 2, 3)(torch.randn(1, 2, 5, 5)) end, "got 1x2x5x5, expected 1 channels (in_channels) in dim 2")
  T.error(function() nn.Conv2d(1, 2, 3)(torch.randn(1, 2, 5, 5)) end,
    "expected input[1, 2, 5, 5] to have 1 channels, but got 2 channels instead")
end)

T.test("conv2d: sizes past 2^46 elements or 64 bits are clear errors, not overflows", function()
  local x, w = torch.randn(1, 1, 3, 3), torch.randn(1, 1, 3, 3)
  -- a padding near 2^32: the output plane alone has about 2^66 elements
  T.error(function() torch.conv2d(x, w, nil, 1, 4294967290) end,
    "conv2d: the output would have size [1, 1, 8589934581, 8589934581], more than 2^46 elements")
  T.error(function() torch.conv2d(x:double(), w:double(), nil, 1, {2147483648, 2147483648}) end,
    "more than 2^46 elements")
  -- sums that do not fit in 64 bits
  T.error(function() torch.conv2d(x, w, nil, 1, 1 << 62) end, "does not fit in 64 bits")
  T.error(function() torch.conv2d(x, w, nil, 1, 0, 1 << 62) end, "does not fit in 64 bits")
  T.error(function() torch.conv2d(x, w, nil, 1, "same", 1 << 62) end, "conv2d")
  T.error(function() torch.max_pool2d(x, 3, 1, 1, 1 << 62) end, "does not fit in 64 bits")
  T.error(function() torch.avg_pool2d(x, 3, 1, 1 << 61) end, "pad should be at most half of kernel size")
  -- a huge stride is fine: one output
  T.eq(shape(torch.conv2d(x, w, nil, 1 << 62)), "torch.Size([1, 1, 1, 1])")
  T.eq(shape(torch.max_pool2d(x, 3, 1 << 62)), "torch.Size([1, 1, 1, 1])")
end)

-- pooling --------------------------------------------------------------------

T.test("max_pool2d: ceil_mode, stride defaults, both constructor forms", function()
  local x = torch.randn(1, 1, 5, 5)
  T.eq(shape(nn.MaxPool2d(2, {stride = 2, ceil_mode = true})(x)), "torch.Size([1, 1, 3, 3])")
  T.eq(shape(nn.MaxPool2d(2, 2, 0)(x)), "torch.Size([1, 1, 2, 2])")
  T.eq(shape(nn.MaxPool2d(2, nil, 0, 1, false, true)(x)), "torch.Size([1, 1, 3, 3])")   -- PyTorch's order
  T.eq(shape(nn.MaxPool2d(2, torch.None)(x)), "torch.Size([1, 1, 2, 2])")
  T.eq(shape(F.max_pool2d(x, 2, 2, 0, 1, true)), "torch.Size([1, 1, 3, 3])")            -- F's order
  T.eq(shape(torch.max_pool2d(x, 2, {})), "torch.Size([1, 1, 2, 2])")                   -- stride=[]
  -- the last window must start inside the input or the left padding
  T.eq(shape(torch.max_pool2d(x, 2, 2, 1, 1, true)), "torch.Size([1, 1, 3, 3])")
  T.eq(shape(torch.max_pool2d(torch.randn(1, 1, 6, 6), 2, 2, 1, 1, true)), "torch.Size([1, 1, 4, 4])")
  local out, idx = nn.MaxPool2d(2, {ceil_mode = true, return_indices = true})(x)
  T.eq(shape(out), "torch.Size([1, 1, 3, 3])")
  T.eq(tostring(idx.dtype), "torch.int64")
end)

T.test("max_pool2d: dilation and ceil_mode values and gradients as a plain loop gives", function()
  torch.manual_seed(5)
  local H, W = 7, 8
  local x = torch.randint(0, 5, {2, 2, H, W}):double():requires_grad_()   -- ties
  local k, s, p, d = {3, 2}, {2, 3}, {1, 1}, {2, 3}
  local out, idx = torch.max_pool2d(x, k, s, p, d, true, true)
  local X, O, I = x:detach():tolist(), out:detach():tolist(), idx:tolist()
  local oh, ow = out:size(3), out:size(4)
  local ok = true
  for n = 1, 2 do for c = 1, 2 do for oy = 0, oh - 1 do for ox = 0, ow - 1 do
    local best, bi = -math.huge, nil
    for i = 0, k[1] - 1 do for j = 0, k[2] - 1 do
      local iy, ix = oy * s[1] - p[1] + i * d[1], ox * s[2] - p[2] + j * d[2]
      if iy >= 0 and iy < H and ix >= 0 and ix < W then
        local v = X[n][c][iy + 1][ix + 1]
        if bi == nil or v > best then best, bi = v, iy * W + ix end
      end
    end end
    ok = ok and O[n][c][oy + 1][ox + 1] == best and I[n][c][oy + 1][ox + 1] == bi
  end end end end
  T.ok(ok, "values and indices")
  -- the gradient goes to the index of each window (added where windows share it)
  out:sum():backward()
  local want = torch.zeros(2, 2, H * W, {dtype = torch.float64})
  for n = 1, 2 do for c = 1, 2 do for _, i in ipairs(idx[n][c]:reshape(-1):tolist()) do
    want[n][c][i + 1] = want[n][c][i + 1] + 1
  end end end
  T.close(x.grad, want:reshape(2, 2, H, W))
end)

T.test("pooling: stride 0 and other bad sizes are PyTorch's errors", function()
  local x = torch.randn(1, 1, 5, 5)
  T.error(function() torch.max_pool2d(x, 2, 0) end, "max_pool2d: stride should not be zero")
  T.error(function() F.max_pool2d(x, 2, {stride = 0}) end, "max_pool2d: stride should not be zero")
  T.error(function() nn.MaxPool2d(2, 0)(x) end, "max_pool2d: stride should not be zero")
  T.error(function() torch.avg_pool2d(x, 2, 0) end, "avg_pool2d: stride should not be zero")
  T.error(function() nn.AvgPool2d(2, 0)(x) end, "avg_pool2d: stride should not be zero")
  T.error(function() torch.max_pool2d(x, 2, -1) end, "stride should be greater than zero, but got dH: -1 dW: -1")
  T.error(function() torch.max_pool2d(x, 0, 1) end, "kernel size should be greater than zero, but got kH: 0 kW: 0")
  T.error(function() torch.max_pool2d(x, 2, 2, 0, 0) end,
    "dilation should be greater than zero, but got dilationH: 0 dilationW: 0")
  T.error(function() torch.max_pool2d(x, 2, 1, -1) end, "pad must be non-negative")
  T.error(function() torch.max_pool2d(x, {2, 3}, 1, {0, 2}) end,
    "pad should be at most half of kernel size, but got pad=2 and kernel_size=3")
  T.error(function() torch.max_pool2d(x, 3, {dilation = 3}) end,
    "Given input size: (1x5x5). Calculated output size: (1x0x0). Output size is too small")
  T.error(function() torch.max_pool2d(x, 2, {ceil_mode = 1}) end, "max_pool2d: ceil_mode must be a boolean")
  T.error(function() torch.avg_pool2d(x, 2, {divisor_override = 0}) end, "avg_pool2d: divisor must be not zero")
  T.error(function() torch.max_pool2d(x) end, "max_pool2d: kernel_size is required")
  T.error(function() nn.MaxPool2d() end, "nn.MaxPool2d: kernel_size is required")
end)

T.test("avg_pool2d: ceil_mode, count_include_pad and divisor_override as PyTorch divides", function()
  local img = torch.arange(16, {dtype = torch.float64}):reshape(1, 1, 4, 4)
  -- the windows past the end divide by their part inside the (padded) input
  T.close(torch.avg_pool2d(img, 3, {stride = 2, ceil_mode = true}), {{{{5, 6.5}, {11, 12.5}}}})
  -- padding 1: counted (divide by 4 everywhere) or not (divide by the cells inside)
  local with = torch.avg_pool2d(img, 2, 2, 1)
  local without = torch.avg_pool2d(img, 2, 2, 1, false, false)
  T.close(with, {{{{0 / 4, 3 / 4, 3 / 4}, {12 / 4, 30 / 4, 18 / 4}, {12 / 4, 27 / 4, 15 / 4}}}})
  T.close(without, {{{{0, 1.5, 3}, {6, 7.5, 9}, {12, 13.5, 15}}}})
  T.close(torch.avg_pool2d(img, 2, {divisor_override = 2}), {{{{5, 9}, {21, 25}}}})
  T.eq(tostring(nn.AvgPool2d(2, 1, 1, true, false)), "AvgPool2d(kernel_size=2, stride=1, padding=1)")
end)

-- batch norm -----------------------------------------------------------------

T.test("BatchNorm momentum = torch.None: the cumulative average of every batch (1 / num_batches_tracked)", function()
  torch.manual_seed(2)
  local bn = nn.BatchNorm1d(3, {momentum = torch.None})
  T.eq(tostring(bn), "BatchNorm1d(3, eps=1e-05, momentum=None, affine=True, track_running_stats=True)")
  local batches = {torch.randn(6, 3):double(), torch.randn(6, 3):double() * 2 + 1, torch.randn(6, 3):double() - 3}
  bn:double()
  local mean_sum, var_sum = torch.zeros(3, {dtype = torch.float64}), torch.zeros(3, {dtype = torch.float64})
  for i, b in ipairs(batches) do
    bn(b)
    mean_sum = mean_sum + b:mean(1)
    var_sum = var_sum + b:var(1)                              -- unbiased, as the running variance
    -- starts from mean 0, var 1, then the plain average of the batches so far
    T.close(bn.running_mean, mean_sum / i, {rtol = 1e-12, atol = 1e-12})
    T.close(bn.running_var, var_sum / i, {rtol = 1e-12, atol = 1e-12})
    T.eq(bn.num_batches_tracked:item(), i)
  end
  -- positional form; the momentum of a plain number is unchanged
  T.eq(tostring(nn.BatchNorm2d(4, 1e-3, torch.None)),
    "BatchNorm2d(4, eps=0.001, momentum=None, affine=True, track_running_stats=True)")
  T.eq(tostring(nn.BatchNorm2d(4, {momentum = 0.3, affine = false})),
    "BatchNorm2d(4, eps=1e-05, momentum=0.3, affine=False, track_running_stats=True)")
end)

T.test("BatchNorm: every option checked", function()
  T.error(function() nn.BatchNorm1d(2, {momentum = "fast"}) end,
    "nn.BatchNorm1d: momentum must be a number or torch.None")
  T.error(function() nn.BatchNorm1d(2, {eps = "small"}) end, "nn.BatchNorm1d: eps must be a number")
  T.error(function() nn.BatchNorm1d(2, {affine = 1}) end, "nn.BatchNorm1d: affine must be a boolean")
  T.error(function() nn.BatchNorm2d(2, {track_running_stats = "yes"}) end,
    "nn.BatchNorm2d: track_running_stats must be a boolean")
  T.error(function() nn.BatchNorm2d(0) end, "nn.BatchNorm2d: num_features must be a positive integer")
  T.error(function() nn.BatchNorm2d(2, {device = "cpu"}) end, "option 'device' is PyTorch's")
end)

T.test("a model with momentum = None saves and loads whole", function()
  local model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2, {momentum = torch.None}))
  model(torch.randn(4, 3))
  local path = os.tmpname()
  torch.save(model, path)
  local back = torch.load(path)
  os.remove(path)
  T.ok(rawequal(back:at(2).momentum, torch.None), "momentum is torch.None after loading")
  T.close(back:at(2).running_mean, model:at(2).running_mean)
end)

-- printing --------------------------------------------------------------------

T.test("print shows the options as PyTorch's extra_repr does", function()
  T.eq(tostring(nn.Conv2d(4, 6, 3, {groups = 2, dilation = 2, padding = "same"})),
    "Conv2d(4, 6, kernel_size=(3, 3), stride=(1, 1), padding=same, dilation=(2, 2), groups=2)")
  T.eq(tostring(nn.Conv2d(4, 6, 3, {padding = "valid"})), "Conv2d(4, 6, kernel_size=(3, 3), stride=(1, 1), padding=valid)")
  T.eq(tostring(nn.Conv2d(4, 6, {3, 2}, {2, 1}, {1, 0}, {2, 1}, 1, false)),
    "Conv2d(4, 6, kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), dilation=(2, 1), bias=False)")
  T.eq(tostring(nn.Conv2d(1, 32, 3, 1)), "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))")
  T.eq(tostring(nn.MaxPool2d(2, {stride = 2, ceil_mode = true})),
    "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=True)")
  T.eq(tostring(nn.MaxPool2d({2, 3}, nil, 1, 2)),
    "MaxPool2d(kernel_size=(2, 3), stride=(2, 3), padding=1, dilation=2, ceil_mode=False)")
  T.eq(tostring(nn.Softmax()), "Softmax(dim=None)")
  T.eq(tostring(nn.Dropout({p = 0.3})), "Dropout(p=0.3, inplace=False)")
  T.eq(tostring(nn.Flatten(1, 3)), "Flatten(start_dim=1, end_dim=3)")
end)

-- bernoulli ---------------------------------------------------------------------

T.test("bernoulli: a probability outside [0, 1] is PyTorch's error, number or tensor", function()
  T.error(function() torch.rand(3):bernoulli(2.0) end, "bernoulli: expects p to be in [0, 1], but got p=2")
  T.error(function() torch.bernoulli(torch.rand(3), -0.5) end, "expects p to be in [0, 1], but got p=-0.5")
  T.error(function() torch.rand(3):bernoulli_(2.0) end, "bernoulli_: expects p to be in [0, 1]")
  T.error(function() torch.bernoulli(torch.tensor({0.5, 2.0})) end,
    "bernoulli: expects every probability p to be in [0, 1] (PyTorch: Expected p_in >= 0 && p_in <= 1), but " ..
    "got p=2 at flat index 1")
  T.error(function() torch.zeros(3):bernoulli_(torch.tensor({0.1, -1.0, 0.2})) end, "but got p=-1 at flat index 1")
  T.error(function() torch.bernoulli(torch.tensor({0 / 0})) end, "but got p=")
  T.error(function() torch.rand(3):bernoulli("half") end, "probability p (a number) expected")
  -- a refused draw leaves the tensor as it was
  local z = torch.zeros(3)
  pcall(function() z:bernoulli_(torch.tensor({1.0, 1.0, 5.0})) end)
  T.close(z, {0, 0, 0})
end)

-- ONNX ---------------------------------------------------------------------------

T.test("ONNX export writes dilations, group, asymmetric pads and pooling's ceil_mode", function()
  local path = os.tmpname()
  local function attrs_of(model, x)
    torch.onnx.export(model, x, path)
    local d = torch.onnx.describe(path)
    local out = {}
    for i, n in ipairs(d.graph.nodes) do
      out[i] = {op = n.op_type}
      for _, a in ipairs(n.attributes) do
        out[i][a.name] = type(a.value) == "table" and table.concat(a.value, ",") or a.value
      end
    end
    return out
  end
  local a = attrs_of(nn.Sequential(nn.Conv2d(4, 6, 3, {groups = 2, dilation = 2, padding = "same"}),
    nn.Conv2d(6, 6, 4, {padding = "same", groups = 3}), nn.MaxPool2d(3, 2, 1, 2, false, true),
    nn.AvgPool2d(2, {ceil_mode = true, count_include_pad = false})), torch.randn(1, 4, 11, 9))
  T.eq(a[1].dilations, "2,2")
  T.eq(a[1].group, 2)
  T.eq(a[1].pads, "2,2,2,2")
  T.eq(a[2].pads, "1,1,2,2")                 -- even kernel: the extra at the bottom / right
  T.eq(a[2].group, 3)
  T.eq(a[3].op, "MaxPool")
  T.eq(a[3].dilations, "2,2")
  T.eq(a[3].ceil_mode, 1)
  T.eq(a[4].op, "AveragePool")
  T.eq(a[4].ceil_mode, 1)
  T.eq(a[4].count_include_pad, nil)
  T.error(function() torch.onnx.export(nn.Sequential(nn.MaxPool2d(2, {return_indices = true})), torch.randn(1, 1, 4, 4), path) end,
    "max_pool2d with return_indices cannot be exported")
  T.error(function() torch.onnx.export(nn.Sequential(nn.AvgPool2d(2, {divisor_override = 3})), torch.randn(1, 1, 4, 4), path) end,
    "avg_pool2d with divisor_override cannot be exported")
  os.remove(path)
end)

T.run()
