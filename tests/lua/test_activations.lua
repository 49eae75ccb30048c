-- The activations of the op table (leaky_relu, elu, selu, silu, mish,
-- hardtanh, gelu): PyTorch's signatures for F.NAME and nn.NAME, including
-- the options ember implements only in one value (inplace=false,
-- approximate='none'), which are accepted in that value and refused
-- otherwise. Values and gradients are checked against PyTorch by
-- tests/peer/test_op_parity.lua.
local T = require "ember.test"
local nn, F = torch.nn, torch.nn.functional

local INPLACE = {leaky_relu = "LeakyReLU", elu = "ELU", selu = "SELU", silu = "SiLU", mish = "Mish",
                 hardtanh = "Hardtanh"}

T.test("inplace=false is accepted by name and in PyTorch's position", function()
  local x = torch.tensor({-1.5, 0.0, 2.0})
  for f, m in pairs(INPLACE) do
    local want = F[f](x)
    T.close(F[f](x, {inplace = false}), want)
    T.close(nn[m]({inplace = false})(x), want)
  end
  T.close(nn.LeakyReLU(0.2, false)(x), F.leaky_relu(x, 0.2))
  T.close(nn.Hardtanh(-2, 2, false)(x), F.hardtanh(x, -2, 2))
  T.close(nn.ELU(0.5, false)(x), F.elu(x, 0.5))
  T.close(nn.SELU(false)(x), torch.selu(x))
end)

T.test("inplace=true is an error naming it, in F and nn", function()
  local x = torch.tensor({-1.5, 0.0, 2.0})
  for f, m in pairs(INPLACE) do
    T.error(function() F[f](x, {inplace = true}) end, f .. ": inplace=true is not implemented")
    T.error(function() nn[m]({inplace = true}) end, "nn." .. m .. ": inplace=true is not implemented")
  end
  T.error(function() nn.LeakyReLU(0.2, true) end, "inplace=true is not implemented")
  T.error(function() nn.Hardtanh(-1, 1, true) end, "inplace=true is not implemented")
  T.error(function() F.elu(x, 1.0, true) end, "inplace=true is not implemented")
  T.error(function() nn.SiLU("yes") end, "inplace='yes' is not implemented")
end)

T.test("gelu: approximate='none' and 'tanh' work, another value is an error naming the choices", function()
  local x = torch.tensor({-1.0, 0.5})
  T.close(F.gelu(x, {approximate = "none"}), F.gelu(x))
  T.close(nn.GELU("none")(x), F.gelu(x))
  local tanh = F.gelu(x, {approximate = "tanh"})
  T.close(F.gelu(x, "tanh"), tanh)
  T.close(nn.GELU("tanh")(x), tanh)
  T.close(nn.GELU({approximate = "tanh"})(x), tanh)
  -- 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), and it differs from erf's
  local function ref(v) return 0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ^ 3))) end
  T.close(tanh, {ref(-1.0), ref(0.5)})
  T.ok(math.abs(tanh[1]:item() - F.gelu(x)[1]:item()) > 1e-4, "tanh is the approximation, not erf")
  T.error(function() F.gelu(x, {approximate = "sigmoid"}) end,
    "gelu: approximate argument must be one of 'none', 'tanh', got 'sigmoid'")
  T.error(function() nn.GELU("tanhh")(x) end, "approximate argument must be one of 'none', 'tanh'")
  T.error(function() F.gelu(x, 1) end, "approximate argument must be one of 'none', 'tanh', got 1")
  T.eq(tostring(nn.GELU("tanh")), "GELU(approximate='tanh')")
  local xd = torch.tensor({-2.5, -0.7, 0.0, 0.3, 1.9}, {dtype = torch.float64, requires_grad = true})
  T.ok(require("torch.gradcheck")(function(v) return F.gelu(v, {approximate = "tanh"}) end, {xd}), "gradcheck tanh")
end)

T.test("the modules print as PyTorch's", function()
  T.eq(tostring(nn.LeakyReLU()), "LeakyReLU(negative_slope=0.01)")
  T.eq(tostring(nn.ELU()), "ELU(alpha=1.0)")
  T.eq(tostring(nn.Hardtanh()), "Hardtanh(min_val=-1.0, max_val=1.0)")
  T.eq(tostring(nn.GELU()), "GELU(approximate='none')")
  T.eq(tostring(nn.SELU()), "SELU()")
end)

T.test("unknown options and too many arguments are errors", function()
  local x = torch.tensor({1.0})
  T.error(function() F.elu(x, {inplac = false}) end, "did you mean 'inplace'")
  T.error(function() F.hardtanh(x, -1, 1, false, 2) end, "takes 3 arguments after the tensor, got 4")
  T.error(function() nn.Mish(false, 1) end, "nn.Mish")
end)

T.test("which names exist matches PyTorch: torch.selu and x:erf, not x:elu", function()
  T.ok(type(torch.selu) == "function", "torch.selu")
  local function has(t, k) local ok, v = pcall(function() return t[k] end) return ok and v ~= nil end
  for _, n in ipairs({"leaky_relu", "elu", "silu", "mish", "hardtanh", "gelu"}) do
    T.ok(not has(torch, n), "torch." .. n .. " is not PyTorch's")
  end
  for _, n in ipairs({"leaky_relu", "elu", "selu", "silu", "mish", "hardtanh", "gelu"}) do
    T.ok(not has(torch.Tensor, n), "x:" .. n .. " is not PyTorch's")
  end
  T.ok(type(torch.Tensor.erf) == "function" and type(torch.erf) == "function", "erf")
end)

T.run()
