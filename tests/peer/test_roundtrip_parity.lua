-- A state_dict written by real PyTorch (a trained MNISTClassifier) loads into
-- ember's MNISTClassifier and gives PyTorch's logits on 16 test images
-- within 1e-5; ember's own save of it loads back identically.
local T = require "ember.test"
local ref = dofile(arg[1])

package.path = "tests/lua/lib/?.lua;" .. package.path
local MNISTClassifier = require("models").MNISTClassifier

local test = data.datasets.MNIST{train = false}.data:narrow(1, 1, 16):float():div(255):view(-1, 784)

T.test("PyTorch's trained state_dict gives PyTorch's logits in ember", function()
  local model = MNISTClassifier()
  model:load_state_dict(torch.load(ref.pt))
  model:eval()
  local logits = torch.no_grad(function() return model(test) end)
  T.close(logits, ref.logits, {rtol = 1e-5, atol = 1e-5})
end)

T.test("ember saves it again and loads it back bit for bit", function()
  local model = MNISTClassifier()
  model:load_state_dict(torch.load(ref.pt))
  local path = ref.pt .. ".ember.pt"
  torch.save(model:state_dict(), path)
  local back = torch.load(path)
  for k, v in pairs(model:state_dict()) do T.close(back[k], v, {rtol = 0, atol = 0, msg = k}) end
  os.remove(path)
end)

T.run()
