-- title: A model summary as data
-- lesson: model-summary
-- hint: for _, nm in ipairs(m:named_modules()) do local name, layer = nm[1], nm[2] ... end
-- hint: Keep only the leaves (#layer:children() == 0); their type is
-- hint: layer:class_name() and their count the sum of p:numel() over
-- hint: layer:parameters(). Add each row's params to the total.
--
-- Write summary_rows(m): it returns a list of rows, one per leaf layer (a
-- module without children) in named_modules() order, each
-- {name = "features.0", type = "Conv2d", params = 80}, and as a second
-- value the total number of parameters of the model.
function summary_rows(m)
  local rows, total = {}, 0
  -- BEGIN SOLUTION
  --starter -- TODO: one row per leaf layer, and the total
  for _, nm in ipairs(m:named_modules()) do
    local name, layer = nm[1], nm[2]
    if #layer:children() == 0 then
      local n = 0
      for _, p in ipairs(layer:parameters()) do n = n + p:numel() end
      rows[#rows + 1] = {name = name, type = layer:class_name(), params = n}
      total = total + n
    end
  end
  -- END SOLUTION
  return rows, total
end

-- A small CNN with its layers in two named parts
local TinyCNN = nn.Module:extend("TinyCNN")
function TinyCNN:__init()
  nn.Module.__init(self)
  self.features = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2))
  self.head = nn.Sequential(nn.Flatten(), nn.Linear(8 * 13 * 13, 10))
end
function TinyCNN:forward(x) return self.head(self.features(x)) end

local model = TinyCNN()
local rows, total = summary_rows(model)
check(type(rows) == "table" and #rows == 5,
  "TinyCNN has 5 leaf layers (Conv2d, ReLU, MaxPool2d, Flatten, Linear); got " .. tostring(type(rows) == "table" and #rows))
local want = {
  {"features.0", "Conv2d", 1 * 8 * 3 * 3 + 8},
  {"features.1", "ReLU", 0},
  {"features.2", "MaxPool2d", 0},
  {"head.0", "Flatten", 0},
  {"head.1", "Linear", 8 * 13 * 13 * 10 + 10},
}
for i, w in ipairs(want) do
  local r = rows[i]
  check(r.name == w[1], string.format("row %d: name should be %q (the dotted name from named_modules), got %s", i, w[1], tostring(r.name)))
  check(r.type == w[2], string.format("row %d (%s): type should be %s (layer:class_name()), got %s", i, w[1], w[2], tostring(r.type)))
  check(r.params == w[3], string.format("row %d (%s): params should be %d, got %s", i, w[1], w[3], tostring(r.params)))
end
local numel = 0
for _, p in ipairs(model:parameters()) do numel = numel + p:numel() end
check(total == numel, "the total should equal the sum of p:numel() over model:parameters(): " .. numel .. ", got " .. tostring(total))

-- and the MNIST classifier of the lesson
local mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
local mlp_rows, mlp_total = summary_rows(mlp)
check(#mlp_rows == 6 and mlp_rows[1].name == "0" and mlp_rows[2].params == 784 * 256 + 256,
  "for a plain Sequential the rows are named \"0\", \"1\", ... and the first Linear holds 200,960")
check(mlp_total == 235146, "the 784-256-128-10 MLP has 235,146 parameters, got " .. tostring(mlp_total))
