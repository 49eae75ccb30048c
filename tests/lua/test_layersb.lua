-- The spatial layers of issue 22 (group B): conv1d, conv_transpose2d,
-- adaptive average / max pooling, dropout2d, interpolate / Upsample, pad,
-- unfold / fold. Every gradient against finite differences in float64
-- (small sizes), the unbatched forms, the module constructors' checks, and
-- the error messages: each names what the user called (F.NAME, nn.Layer)
-- and the shapes, in PyTorch's words. Values against PyTorch itself:
-- tests/peer/test_layersb_parity.lua.
local T = require "ember.test"
local gradcheck = require "torch.gradcheck"
local F = nn.functional

torch.manual_seed(0)
local function rnd(...) return torch.randn(...):double():requires_grad_() end

local function check(name, fn, inputs)
  T.test("gradcheck " .. name, function() gradcheck(fn, inputs) end)
end

-- conv1d: input, weight and bias at once
check("conv1d", function(x, w, b) return F.conv1d(x, w, b) end, {rnd(2, 3, 6), rnd(4, 3, 3), rnd(4)})
check("conv1d stride padding dilation", function(x, w, b) return F.conv1d(x, w, b, 2, 1, 2) end,
  {rnd(2, 2, 8), rnd(3, 2, 3), rnd(3)})
check("conv1d groups", function(x, w) return F.conv1d(x, w, nil, {groups = 2, padding = 1}) end,
  {rnd(1, 4, 5), rnd(4, 2, 2)})
check("conv1d same even kernel", function(x, w, b) return F.conv1d(x, w, b, 1, "same") end,
  {rnd(2, 2, 5), rnd(3, 2, 4), rnd(3)})
check("conv1d unbatched", function(x, w) return F.conv1d(x, w) end, {rnd(2, 6), rnd(3, 2, 3)})
local reflect_conv = nn.Conv1d(2, 3, 3, {padding = 1, padding_mode = "reflect"}):double()
check("nn.Conv1d reflect", function(x) return reflect_conv(x) end, {rnd(2, 2, 5)})

-- conv_transpose2d
check("conv_transpose2d", function(x, w, b) return F.conv_transpose2d(x, w, b) end,
  {rnd(2, 2, 3, 3), rnd(2, 3, 2, 2), rnd(3)})
check("conv_transpose2d stride padding output_padding", function(x, w, b)
  return F.conv_transpose2d(x, w, b, 2, 1, 1)
end, {rnd(1, 2, 3, 2), rnd(2, 2, 3, 3), rnd(2)})
check("conv_transpose2d groups dilation", function(x, w)
  return F.conv_transpose2d(x, w, nil, {stride = {2, 1}, groups = 2, dilation = {1, 2}})
end, {rnd(1, 4, 2, 3), rnd(4, 1, 2, 2)})
check("conv_transpose2d unbatched", function(x, w) return F.conv_transpose2d(x, w, nil, 2) end,
  {rnd(2, 2, 2), rnd(2, 1, 2, 2)})

-- adaptive pooling
check("adaptive_avg_pool2d down", function(x) return F.adaptive_avg_pool2d(x, {2, 3}) end, {rnd(2, 2, 5, 7)})
check("adaptive_avg_pool2d up", function(x) return F.adaptive_avg_pool2d(x, {4, 3}) end, {rnd(1, 2, 3, 2)})
check("adaptive_avg_pool2d global", function(x) return F.adaptive_avg_pool2d(x, 1) end, {rnd(2, 2, 3, 3)})
check("adaptive_max_pool2d", function(x) return F.adaptive_max_pool2d(x, {2, 3}) end, {rnd(2, 2, 5, 7)})
check("adaptive_max_pool2d up", function(x) return F.adaptive_max_pool2d(x, {4, 5}) end, {rnd(1, 2, 3, 3)})

-- interpolation
check("interpolate nearest", function(x) return F.interpolate(x, {5, 3}) end, {rnd(1, 2, 3, 4)})
check("interpolate nearest 1d", function(x) return F.interpolate(x, {scale_factor = 2.5}) end, {rnd(1, 2, 3)})
check("interpolate nearest-exact", function(x) return F.interpolate(x, {scale_factor = 1.7, mode = "nearest-exact"}) end,
  {rnd(1, 1, 3, 3)})
check("interpolate bilinear", function(x) return F.interpolate(x, {5, 4}, nil, "bilinear") end, {rnd(1, 2, 3, 3)})
check("interpolate bilinear align_corners", function(x) return F.interpolate(x, {4, 7}, nil, "bilinear", true) end,
  {rnd(2, 1, 3, 4)})
check("interpolate bilinear down", function(x) return F.interpolate(x, {scale_factor = 0.5, mode = "bilinear"}) end,
  {rnd(1, 1, 6, 5)})
check("interpolate area", function(x) return F.interpolate(x, {2, 3}, nil, "area") end, {rnd(1, 2, 5, 7)})

-- padding
check("pad constant with crop", function(x) return F.pad(x, {1, -1, 2, 0}, "constant", 3) end, {rnd(2, 3, 4)})
check("pad reflect 2d", function(x) return F.pad(x, {2, 1, 1, 2}, "reflect") end, {rnd(1, 2, 3, 4)})
check("pad reflect 1d", function(x) return F.pad(x, {1, 2}, "reflect") end, {rnd(2, 3, 4)})
check("pad replicate 2d", function(x) return F.pad(x, {3, 0, 1, 2}, "replicate") end, {rnd(2, 3, 3)})
check("pad replicate 1d", function(x) return F.pad(x, {2, 2}, "replicate") end, {rnd(2, 3)})
check("nn.ReflectionPad2d", function(x) return nn.ReflectionPad2d({1, 2, 2, 0})(x) end, {rnd(1, 2, 3, 3)})
check("nn.ConstantPad1d", function(x) return nn.ConstantPad1d({2, -1}, 0.5)(x) end, {rnd(2, 4)})

-- unfold / fold
check("unfold", function(x) return F.unfold(x, {2, 3}, {dilation = {1, 2}, padding = 1, stride = {2, 1}}) end,
  {rnd(2, 2, 4, 5)})
check("fold", function(x) return F.fold(x, {3, 4}, 2, 1, 1, 2) end, {rnd(2, 8, 6)})
check("unfold unbatched", function(x) return F.unfold(x, 2) end, {rnd(2, 3, 3)})

-- dropout2d: the same mask on every call (reseeded)
check("dropout2d", function(x)
  torch.manual_seed(3)
  return F.dropout2d(x, 0.5)
end, {rnd(3, 4, 2, 2)})

T.test("dropout2d drops whole channels, scales the rest, eval and p = 0 return the input", function()
  torch.manual_seed(1)
  local x = torch.ones(4, 6, 3, 3)
  local y = F.dropout2d(x, 0.5)
  local per_channel = y:sum({3, 4})
  for _, v in ipairs(per_channel:reshape(-1):tolist()) do T.ok(v == 0 or v == 18, "a channel is all 0 or all 2") end
  T.ok(rawequal(F.dropout2d(x, 0.5, false), x), "training = false: the input itself")
  T.ok(rawequal(F.dropout2d(x, 0.0), x), "p = 0: the input itself")
  local m = nn.Dropout2d(0.3)
  m:eval()
  T.ok(rawequal(m(x), x), "eval mode: the input itself")
  T.eq(F.dropout2d(x, 1.0):sum():item(), 0.0, "p = 1 drops everything")
end)

T.test("unbatched conv and sizes", function()
  T.eq(tostring(F.conv1d(torch.ones(2, 5), torch.ones(3, 2, 2)):size()), "torch.Size([3, 4])")
  T.eq(tostring(F.conv_transpose2d(torch.ones(2, 3, 3), torch.ones(2, 1, 2, 2), nil, 2):size()),
    "torch.Size([1, 6, 6])")
  T.eq(tostring(nn.ConvTranspose2d(8, 4, 3, {stride = 2, padding = 1})(torch.ones(1, 8, 7, 7), {14, 14}):size()),
    "torch.Size([1, 4, 14, 14])")
  T.eq(tostring(nn.AdaptiveAvgPool2d({torch.None, 3})(torch.ones(2, 5, 4)):size()), "torch.Size([2, 5, 3])")
  local y, idx = nn.AdaptiveMaxPool2d(1, true)(torch.arange(6.0):view(1, 1, 2, 3))
  T.eq(y:item(), 5.0)
  T.eq(idx:item(), 5)
end)

T.test("parameters and state_dict keys", function()
  local c = nn.Conv1d(4, 6, 3, {groups = 2, bias = false})
  T.eq(tostring(c.weight:size()), "torch.Size([6, 2, 3])")
  local keys = {}
  for k in pairs(c:state_dict()) do keys[#keys + 1] = k end
  T.eq(table.concat(keys, " "), "weight")
  local t = nn.ConvTranspose2d(4, 6, {3, 2}, {groups = 2})
  T.eq(tostring(t.weight:size()), "torch.Size([4, 3, 3, 2])")
  T.eq(#t:parameters(), 2)
  local seq = nn.Sequential(nn.Conv1d(1, 2, 3), nn.Upsample({scale_factor = 2}), nn.AdaptiveAvgPool2d(1))
  keys = {}
  for k in pairs(seq:state_dict()) do keys[#keys + 1] = k end
  T.eq(table.concat(keys, " "), "0.weight 0.bias")
end)

T.test("errors name the function or the layer and the shapes", function()
  T.error(function() return nn.Conv1d(3, 4, 3)(torch.ones(1, 2, 5)) end,
    "nn.Conv1d: Given groups=1, weight of size [4, 3, 3], expected input[1, 2, 5] to have 3 channels, but got 2 " ..
    "channels instead")
  T.error(function() return nn.Conv1d(3, 4, 3)(torch.ones(1, 3, 5, 5)) end,
    "nn.Conv1d: Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [1, 3, 5, 5]")
  T.error(function() return nn.Conv1d(3, 4, 5)(torch.ones(1, 3, 4)) end,
    "nn.Conv1d: Calculated padded input size per channel: (4). Kernel size: (5). Kernel size can't be greater than " ..
    "actual input size")
  T.error(function() return nn.ConvTranspose2d(3, 4, 3)(torch.ones(1, 2, 5, 5)) end,
    "nn.ConvTranspose2d: Given transposed=1, weight of size [3, 4, 3, 3], expected input[1, 2, 5, 5] to have 3 " ..
    "channels, but got 2 channels instead")
  T.error(function() return nn.ConvTranspose2d(3, 4, 3, {stride = 2})(torch.ones(1, 3, 2, 2), {9, 9}) end,
    "requested an output size of {9, 9}, but valid sizes range from {5, 5} to {6, 6}")
  T.error(function() return nn.AdaptiveAvgPool2d(2)(torch.ones(5, 5)) end,
    "nn.AdaptiveAvgPool2d: adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [5, 5]")
  T.error(function() return nn.AdaptiveMaxPool2d(2)(torch.ones(1, 0, 5)) end,
    "nn.AdaptiveMaxPool2d: Expected input to have non-zero size for non-batch dimensions, but input has sizes " ..
    "[1, 0, 5] with dimension 2 being empty")
  T.error(function() return nn.Upsample()(torch.ones(1, 1, 2, 2)) end,
    "nn.Upsample: either size or scale_factor should be defined")
  T.error(function() return nn.Upsample({size = 4, mode = "bilinear"})(torch.ones(1, 1, 2)) end,
    "nn.Upsample: Got 3D input, but bilinear mode needs 4D input")
  T.error(function() return F.interpolate(torch.ones(1, 1, 2, 2), {scale_factor = 2, mode = "bicubic"}) end,
    "F.interpolate: mode 'bicubic' is PyTorch's but not implemented in ember")
  T.error(function() return F.interpolate(torch.ones(1, 1, 2, 2), {scale_factor = 2, antialias = true}) end,
    "antialias=true is not implemented in ember")
  T.error(function() return F.pad(torch.ones(1, 3, 3), {1, 1}, "circular") end,
    "F.pad: mode 'circular' is PyTorch's but not implemented in ember")
  T.error(function() return F.pad(torch.ones(1, 1, 3, 3), {1, 1}, "reflect") end,
    "F.pad: mode 'reflect' pads the last dim (2 values, 2-D or 3-D input) or the last two (4 values, 3-D or 4-D " ..
    "input); got 2 values for input [1, 1, 3, 3]")
  T.eq(tostring(F.pad(torch.ones(1, 3, 3), {1, 1}, "reflect", 0):size()), "torch.Size([1, 3, 5])")
  T.error(function() return F.pad(torch.ones(1, 3, 3), {1, 1}, "reflect", 2) end,
    "F.pad: Padding mode \"reflect\" doesn't take in value argument")
  T.error(function() return F.pad(torch.ones(3), {-2, -2}) end,
    "F.pad: The input size 3, plus negative padding -2 and -2 resulted in a negative output size")
  T.error(function() return F.unfold(torch.ones(2, 3), 2) end, "F.unfold: Expected 3D or 4D (batch mode) tensor")
  T.error(function() return nn.Fold({3, 3}, 2)(torch.ones(1, 4, 3)) end,
    "nn.Fold: Given output_size=(3, 3), kernel_size=(2, 2)")
  T.error(function() return F.conv_transpose2d(torch.ones(1, 2, 3, 3), torch.ones(2, 1, 3, 3), nil, 1, 0, 1, 1, 2) end,
    "output_padding (1, 1) at least the stride (1, 1)")
  T.error(function() return F.dropout2d(torch.ones(3), 0.5) end,
    "F.dropout2d: Feature dropout requires at least 2 dimensions in the input, got [3]")
  T.error(function() return F.adaptive_max_pool2d(torch.ones(1, 1, 3, 3, {dtype = torch.int64}), 2) end,
    "expected a floating point input, got int64")
end)

T.test("constructor checks", function()
  T.error(function() return nn.Conv1d(3, 4, 3, {groups = 2}) end, "nn.Conv1d: in_channels must be divisible by groups")
  T.error(function() return nn.Conv1d(3, 4, 3, {padding = "full"}) end,
    "nn.Conv1d: Invalid padding string 'full', should be one of {'valid', 'same'}")
  T.error(function() return nn.Conv1d(3, 4, 3, {padding = "same", stride = 2}) end,
    "padding='same' is not supported for strided convolutions")
  T.error(function() return nn.Conv1d(3, 4, 3, {padding_mode = "circular"}) end,
    "padding_mode='circular' is PyTorch's but not implemented in ember")
  T.error(function() return nn.Conv1d(3, 4, 3, {padding_mode = "mirror"}) end, "padding_mode must be one of")
  T.error(function() return nn.ConvTranspose2d(3, 4, 3, {padding_mode = "reflect"}) end,
    'nn.ConvTranspose2d: Only "zeros" padding mode is supported for ConvTranspose2d')
  T.error(function() return nn.ConvTranspose2d(4, 6, 3, {groups = 4}) end, "out_channels must be divisible by groups")
  T.error(function() return nn.ConvTranspose2d(3, 4, 3, {device = "cpu"}) end, "device")
  T.error(function() return nn.AdaptiveAvgPool2d(-1) end, "output_size must be a non-negative integer")
  T.error(function() return nn.Dropout2d(1.5) end, "dropout probability has to be between 0 and 1, but got 1.5")
  T.error(function() return nn.Dropout2d(0.5, true) end, "inplace=true is not implemented in ember")
  T.error(function() return nn.Unfold(0) end, "kernel_size must be a positive integer")
  T.error(function() return F.conv1d(torch.ones(1, 1, 5), torch.ones(1, 1, 2), {stride = 1, bogus = 2}) end, "bogus")
end)

T.test("ONNX export: the graphs, and clear errors for what ONNX cannot express", function()
  local tmp = os.tmpname()
  local function ops_of(model, x)
    torch.onnx.export(model, x, tmp)
    local out = {}
    for i, n in ipairs(torch.onnx.describe(tmp).graph.nodes) do out[i] = n.op_type end
    return table.concat(out, " ")
  end
  local Net = nn.Module:extend("LayersBNet")
  function Net:__init()
    nn.Module.__init(self)
    self.conv = nn.Conv1d(2, 4, 3, {padding = "same"})
    self.up = nn.ConvTranspose2d(1, 2, 2, {stride = 2})
    self.pool = nn.AdaptiveAvgPool2d({2, 4})
    self.gap = nn.AdaptiveAvgPool2d(1)
    self.drop = nn.Dropout2d(0.5)
    self.resize = nn.Upsample({scale_factor = 2, mode = "bilinear"})
  end
  function Net:forward(x)
    local y = self.conv(x):view(x:size(1), 1, 4, 8)
    y = self.drop(self.pool(self.up(y)))
    y = F.pad(self.resize(y), {1, 1, 0, 2}, "reflect")
    return self.gap(F.interpolate(y, {5, 5}))
  end
  local m = Net()
  m:eval()
  T.eq(ops_of(m, torch.randn(2, 2, 8)), "Conv Reshape ConvTranspose AveragePool Resize Pad Resize GlobalAveragePool")
  local bad = {
    {nn.Unfold(2), {1, 1, 4, 4}, "torch.core._unfold is not supported by the ONNX exporter"},
    {nn.AdaptiveMaxPool2d(2), {1, 1, 4, 4}, "torch.core._adaptive_max_pool2d is not supported by the ONNX exporter"},
    {nn.AdaptiveAvgPool2d(3), {1, 1, 4, 4}, "adaptive_avg_pool2d from 4x4 to 3x3 cannot be exported"},
    {nn.Upsample({scale_factor = 2, mode = "nearest-exact"}), {1, 1, 2, 2}, "mode 'nearest-exact' cannot be exported"},
  }
  for _, c in ipairs(bad) do T.error(function() torch.onnx.export(c[1], torch.randn(c[2]), tmp) end, c[3]) end
  local Drop = nn.Module:extend("LayersBDrop")
  function Drop:forward(x) return F.dropout2d(x, 0.5) end
  T.error(function() torch.onnx.export(Drop(), torch.randn(1, 2, 2, 2), tmp) end, "dropout2d in training mode")
  os.remove(tmp)
end)

T.run()
