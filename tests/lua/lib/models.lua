-- models.lua — the models the tests share, defined once: the lesson's
-- MNISTClassifier (784-256-128-10 with ReLU and Dropout 0.2), whose
-- state-dict keys must equal PyTorch's (features.0/3, classifier).
local MNISTClassifier = nn.Module:extend("MNISTClassifier")
function MNISTClassifier:__init()
  nn.Module.__init(self)
  self.features = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
                                nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2))
  self.classifier = nn.Linear(128, 10)
end
function MNISTClassifier:forward(x) return self.classifier(self.features(x)) end

return {MNISTClassifier = MNISTClassifier}
