-- title: A safetensors round trip
-- lesson: file-formats
-- hint: torch.save_safetensors(model:state_dict(), "weights.safetensors"), then
-- hint: fresh:load_state_dict(torch.load_safetensors("weights.safetensors")).
--
-- Save the model's state dict as weights.safetensors, load it into `fresh`
-- and make sure both models give identical outputs.
torch.manual_seed(0)
local model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 2))
local fresh = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 2))
-- BEGIN SOLUTION
--starter -- TODO: save as safetensors and load into fresh
torch.save_safetensors(model:state_dict(), "weights.safetensors")
fresh:load_state_dict(torch.load_safetensors("weights.safetensors"))
-- END SOLUTION
check(io.open("weights.safetensors", "rb") ~= nil, "write weights.safetensors")
local x = torch.randn(4, 5)
check((fresh(x) - model(x)):abs():max():item() == 0, "fresh must give exactly the model's outputs")
