-- ember's DataLoader against real PyTorch 1.13 (make_data_reference.py):
-- for the same seed, shuffled batches come in exactly PyTorch's order, epoch
-- after epoch, with the loader's own generator or the global one, with
-- drop_last and after a `break`; and the global random stream afterwards is
-- the same (ember draws what PyTorch's DataLoader and RandomSampler draw).
local T = require "ember.test"
local data = require "torch.data"
local cases = dofile(arg[1])

local function show(batches)
  local parts = {}
  for i, b in ipairs(batches) do parts[i] = "{" .. table.concat(b, ",") .. "}" end
  return table.concat(parts, " ")
end

for _, c in ipairs(cases) do
  T.test(c.name, function()
    torch.manual_seed(c.seed)
    local gen
    if c.own then
      gen = torch.Generator()
      gen:manual_seed(c.seed)
    end
    local loader = data.DataLoader(data.TensorDataset(torch.arange(c.n)), {batch_size = c.batch_size,
      shuffle = c.shuffle, drop_last = c.drop_last, generator = gen})
    for e = 1, 3 do
      local batches = {}
      for y in loader do
        batches[#batches + 1] = y:tolist()
        if c.brk and e == 1 then break end
      end
      T.eq(show(batches), show(c.epochs[e]), "epoch " .. e)
    end
    T.close(torch.rand(3), c.after, {rtol = 0, atol = 0, msg = "global stream afterwards"})
  end)
end

T.run()
