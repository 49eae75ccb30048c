-- optim.check — the hyper-parameter checks PyTorch's optimizer constructors
-- make, with their messages ("Invalid learning rate: -1"), shared by the
-- optimizers defined with Optimizer.define. Not the option-name check
-- (torch.options does that).
local M = {}

-- error unless lo <= g[key] (and g[key] < hi when hi is given)
function M.range(name, g, key, what, lo, hi)
  local v = g[key]
  if type(v) ~= "number" or not (v >= lo) or (hi ~= nil and not (v < hi)) then
    error(string.format("%s: Invalid %s: %s", name, what, tostring(v)), 5)
  end
end

-- betas = {b1, b2}, each in [0, 1); kept as a torch.tuple (saved as a Python tuple)
function M.betas(name, g, torch)
  local b = g.betas
  if type(b) ~= "table" or type(b[1]) ~= "number" or not (b[1] >= 0 and b[1] < 1) then
    error(name .. ": Invalid beta parameter at index 0: " .. tostring(type(b) == "table" and b[1] or b), 5)
  end
  if type(b[2]) ~= "number" or not (b[2] >= 0 and b[2] < 1) then
    error(name .. ": Invalid beta parameter at index 1: " .. tostring(b[2]), 5)
  end
  if not torch.is_tuple(b) then g.betas = torch.tuple{b[1], b[2]} end
end

return M
