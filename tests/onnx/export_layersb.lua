-- export_layersb.lua OUTDIR — exports small models of the spatial layers
-- (Conv1d, ConvTranspose2d, AdaptiveAvgPool2d, interpolate nearest and
-- bilinear, F.pad in its three modes, Dropout2d in eval mode) and writes,
-- for each NAME, NAME.onnx, NAME_in.idx (the input) and NAME_out.idx (ember's
-- output); tests/examples/test_onnx_layersb.sh runs them in ONNX Runtime.
-- Prints the names on its last line.
local F = nn.functional
local out = assert(arg[1], "usage: export_layersb.lua OUTDIR")
local function model(fwd, mods)
  local M = nn.Module:extend("M")
  function M:__init() nn.Module.__init(self); for k, v in pairs(mods or {}) do self[k] = v end end
  M.forward = fwd
  local m = M(); m:eval(); return m
end
local cases = {
  conv1d = {model(function(s, x) return s.c(x) end, {c = nn.Conv1d(2, 4, 3, {padding = 1, stride = 2, dilation = 2})}), {2, 2, 9}},
  conv1d_same = {model(function(s, x) return s.c(x) end, {c = nn.Conv1d(2, 4, 4, {padding = 'same', groups = 2})}), {2, 2, 7}},
  convt = {model(function(s, x) return s.c(x) end, {c = nn.ConvTranspose2d(4, 6, 3, {stride = 2, padding = 1, output_padding = 1, groups = 2})}), {2, 4, 3, 5}},
  convt_dil = {model(function(s, x) return s.c(x) end, {c = nn.ConvTranspose2d(2, 3, {3, 2}, {stride = {2, 3}, dilation = {2, 1}, bias = false})}), {1, 2, 4, 3}},
  apool = {model(function(s, x) return s.p(x) end, {p = nn.AdaptiveAvgPool2d({2, 3})}), {2, 3, 6, 9}},
  apool1 = {model(function(s, x) return F.adaptive_avg_pool2d(x, 1) end), {2, 3, 5, 4}},
  near2 = {model(function(s, x) return F.interpolate(x, {scale_factor = 2}) end), {1, 2, 3, 4}},
  near_size = {model(function(s, x) return F.interpolate(x, {5, 7}) end), {1, 2, 3, 4}},
  near_1_5 = {model(function(s, x) return F.interpolate(x, {scale_factor = 1.5}) end), {1, 2, 4, 5}},
  near_down = {model(function(s, x) return F.interpolate(x, {3, 2}) end), {1, 2, 7, 5}},
  near1d = {model(function(s, x) return F.interpolate(x, 7) end), {2, 3, 4}},
  bil = {model(function(s, x) return F.interpolate(x, {5, 7}, nil, 'bilinear') end), {2, 2, 3, 4}},
  bil_scale = {model(function(s, x) return F.interpolate(x, {scale_factor = 1.5, mode = 'bilinear'}) end), {1, 2, 3, 3}},
  bil_align = {model(function(s, x) return F.interpolate(x, {6, 5}, nil, 'bilinear', true) end), {2, 2, 3, 4}},
  bil_down = {model(function(s, x) return F.interpolate(x, {3, 4}, nil, 'bilinear') end), {1, 3, 7, 9}},
  pad_c = {model(function(s, x) return F.pad(x, {1, -1, 2, 0}, 'constant', 2.5) end), {2, 3, 4}},
  pad_r = {model(function(s, x) return F.pad(x, {2, 1, 1, 2}, 'reflect') end), {1, 2, 3, 4}},
  pad_e = {model(function(s, x) return F.pad(x, {3, 0}, 'replicate') end), {2, 3, 4}},
  drop2d = {model(function(s, x) return s.d(x) * 2 end, {d = nn.Dropout2d(0.5)}), {2, 3, 2, 2}},
}
local names = {}
for name, c in pairs(cases) do
  torch.manual_seed(1)
  local x = torch.randn(c[2])
  torch.onnx.export(c[1], x, out .. "/" .. name .. ".onnx")
  torch.io.write_idx(out .. "/" .. name .. "_in.idx", x)
  torch.io.write_idx(out .. "/" .. name .. "_out.idx", c[1](x))
  names[#names + 1] = name
end
print(table.concat(names, " "))
