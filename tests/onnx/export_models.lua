-- export_models.lua OUTDIR — writes the models tests/examples/test_onnx_export.sh
-- checks: each NAME.onnx with, for batches of 1 and 7, NAME_bB_in.idx (the
-- input) and NAME_bB_out.idx (ember's output), float32 IDX files.
local out = assert(arg[1], "usage: export_models.lua OUTDIR")
torch.manual_seed(7)

local MNISTClassifier = nn.Module:extend("MNISTClassifier")
function MNISTClassifier:__init()
  nn.Module.__init(self)
  self.flatten = nn.Flatten()
  self.fc1 = nn.Linear(784, 256)
  self.fc2 = nn.Linear(256, 128)
  self.fc3 = nn.Linear(128, 10)
  self.dropout = nn.Dropout(0.2)
end
function MNISTClassifier:forward(x)
  x = self.flatten(x)
  x = self.dropout(F.relu(self.fc1(x)))
  x = self.dropout(F.relu(self.fc2(x)))
  return self.fc3(x)
end

local function seed_cnn()
  return nn.Sequential(
    nn.Conv2d(1, 32, 3, {padding = 1}), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, {padding = 1}), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(3136, 256), nn.Dropout(0.5), nn.Linear(256, 10))
end

-- A custom forward using tensor operations directly, not only layers.
local Custom = nn.Module:extend("CustomNet")
function Custom:__init()
  nn.Module.__init(self)
  self.fc = nn.Linear(784, 32)
  self.scale = nn.Parameter(torch.full({32}, 0.5))
  self.head = nn.Linear(32, 10)
end
function Custom:forward(x)
  local h = x:view(x:size(1), -1)
  h = torch.tanh(self.fc(h)) * self.scale + 1
  h = h:sigmoid() - h / 4
  return F.log_softmax(self.head(h), -1)
end

-- The other exported operations: average pooling, sigmoid, tanh, softmax,
-- a Linear on a 3-D tensor (MatMul + Add), reshape back, log_softmax.
local Mixed = nn.Module:extend("MixedNet")
function Mixed:__init()
  nn.Module.__init(self)
  self.features = nn.Sequential(nn.Conv2d(1, 4, 3, {padding = 1}), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2))
  self.row = nn.Linear(14, 6)
  self.head = nn.Linear(4 * 7 * 6, 10)
end
function Mixed:forward(x)
  local h = self.features(x)                                  -- (N, 4, 14, 14)
  h = torch.avg_pool2d(h, {2, 1}) + torch.softmax(h, 4):narrow(3, 1, 7) * 0
  h = torch.sigmoid(self.row(h:reshape(h:size(1), 4 * 7, 14)))   -- (N, 28, 6): MatMul + Add
  return F.log_softmax(torch.tanh(self.head(h:flatten(2))), 2)
end

-- LayerNorm (LayerNormalization, opset 17) over one and two dims, and
-- Softmin (Neg + Softmax).
local Norm = nn.Module:extend("NormNet")
function Norm:__init()
  nn.Module.__init(self)
  self.fc = nn.Linear(784, 32)
  self.ln = nn.LayerNorm(32)
  self.ln2 = nn.LayerNorm({4, 8}, {eps = 1e-3})
  self.head = nn.Linear(32, 10)
end
function Norm:forward(x)
  local h = self.ln(self.fc(nn.Flatten()(x)))
  h = self.ln2(h:reshape(h:size(1), 4, 8)):reshape(h:size(1), 32)
  return F.softmin(self.head(h), 2)
end

local models = {mlp = MNISTClassifier(), cnn = seed_cnn(), custom = Custom(), mixed = Mixed(), norm = Norm()}
-- give BatchNorm real running statistics, then evaluate as exported
models.cnn:train()
for _ = 1, 3 do models.cnn(torch.randn(16, 1, 28, 28) * 2 + 0.5) end

for name, model in pairs(models) do
  torch.onnx.export(model, torch.randn(1, 1, 28, 28), out .. "/" .. name .. ".onnx",
    {input_names = {"image"}, output_names = {"logits"},
     dynamic_axes = {image = {"batch"}, logits = {"batch"}}})
  model:eval()
  for _, b in ipairs({1, 7}) do
    local x = torch.randn(b, 1, 28, 28)
    local y = torch.no_grad(function() return model(x) end)
    torch.io.write_idx(string.format("%s/%s_b%d_in.idx", out, name, b), x)
    torch.io.write_idx(string.format("%s/%s_b%d_out.idx", out, name, b), y:contiguous())
  end
end
print("exported: cnn custom mixed mlp norm")
