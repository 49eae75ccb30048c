-- title: A safetensors round trip
-- lesson: file-formats
-- hint: torch.save_safetensors(model:state_dict(), "weights.safetensors"), then
-- hint: loaded = torch.load_safetensors("weights.safetensors").
-- hint: same(a, b): every name of a must be in b and the other way round, and
-- hint: for each name the shapes must agree and (x - y):abs():max():item() == 0.
--
-- Save the model's state_dict as weights.safetensors and load it back into
-- `loaded`. Then write same(a, b): true when two tables of tensors have
-- exactly the same names, shapes and values (to the last bit), else false.
torch.manual_seed(0)
local model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 2))
local loaded
-- BEGIN SOLUTION
--starter -- TODO: save with torch.save_safetensors, load with torch.load_safetensors
torch.save_safetensors(model:state_dict(), "weights.safetensors")
loaded = torch.load_safetensors("weights.safetensors")
-- END SOLUTION

function same(a, b)
  -- BEGIN SOLUTION
  --starter return false  -- TODO: compare names, shapes and values
  for name, x in pairs(a) do
    local y = b[name]
    if not torch.is_tensor(x) or not torch.is_tensor(y) then return false end
    if tostring(x.shape) ~= tostring(y.shape) then return false end
    if x:numel() > 0 and (x - y):abs():max():item() ~= 0 then return false end
  end
  for name in pairs(b) do
    if a[name] == nil then return false end
  end
  return true
  -- END SOLUTION
end

local f = io.open("weights.safetensors", "rb")
check(f ~= nil, "save the state_dict as weights.safetensors")
f:close()
check(type(loaded) == "table", "load weights.safetensors into `loaded` with torch.load_safetensors")
local sd = model:state_dict()
check(loaded["0.weight"] and tostring(loaded["0.weight"].shape) == "torch.Size([8, 5])",
  "loaded should hold 0.weight with shape [8, 5], the state_dict's names")
check(same(sd, loaded) == true, "same(state_dict, loaded) should be true: the round trip is exact")

-- same() must also notice what is different
local nudged = {}
for name, t in pairs(loaded) do nudged[name] = t:clone() end
nudged["2.bias"] = nudged["2.bias"] + 1e-7
check(same(sd, nudged) == false, "same() should be false when one value differs, even by 1e-7")
local missing = {}
for name, t in pairs(loaded) do if name ~= "0.bias" then missing[name] = t end end
check(same(sd, missing) == false and same(missing, sd) == false,
  "same() should be false when a name is missing from either table")
local reshaped = {}
for name, t in pairs(loaded) do reshaped[name] = t end
reshaped["2.weight"] = loaded["2.weight"]:reshape(-1)
check(same(sd, reshaped) == false, "same() should be false when a shape differs")

local fresh = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 2))
fresh:load_state_dict(loaded)
local x = torch.randn(4, 5)
check((fresh(x) - model(x)):abs():max():item() == 0, "a model loaded from the file must give exactly the same outputs")
