-- Compares ember's spatial layers (issue 22, layers group B: conv1d,
-- conv_transpose2d, adaptive pooling, dropout2d, interpolate / Upsample,
-- pad, unfold / fold) with real PyTorch 1.13: outputs, the gradients of
-- inputs and parameters, grad_fn names, error messages (test_nn_parity.lua's
-- checks, run on this file), and for the module cases print(module), the
-- state_dict keys and the parameter shapes PyTorch gives (layersb_module,
-- called by each module case's Lua chunk). The data file (arg[1]) comes
-- from tests/peer/make_layersb_reference.py. Run by tests/peer/peer.sh layersb.
local T = require "ember.test"

F = nn.functional

-- A module against PyTorch's: its repr, then its state_dict keys in order
-- and the shapes of their tensors. Raises (the case fails) on a difference.
function layersb_module(m, repr, keys, shapes)
  T.eq(tostring(m), repr, "print(module)")
  local got_keys, got_shapes = {}, {}
  for k, v in pairs(m:state_dict()) do
    got_keys[#got_keys + 1] = k
    local dims = {}
    for i = 1, v:dim() do dims[i] = v:size(i) end
    got_shapes[#got_shapes + 1] = "(" .. table.concat(dims, ", ") .. ")"
  end
  T.eq(table.concat(got_keys, " "), table.concat(keys, " "), "state_dict keys")
  local want = {}
  for i, s in ipairs(shapes) do want[i] = "(" .. table.concat(s, ", ") .. ")" end
  T.eq(table.concat(got_shapes, " "), table.concat(want, " "), "state_dict shapes")
end

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
dofile(here .. "/test_nn_parity.lua")
