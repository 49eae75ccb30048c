-- torch.doc.math — help texts of the elementwise operations written in C
-- (src/bind/lua_math.c): arithmetic, unary functions, comparisons, logical
-- ops, where, clamp, their in-place forms and the operators.
local M = {}

-- One example line: `code  --> result`, the result on its own line if long.
local function ex(code, result)
  local line = code .. string.rep(" ", math.max(2, 40 - #code)) .. "--> " .. result
  if #line + 2 <= 80 then return "  " .. line end
  return "  " .. code .. "\n  --> " .. result
end

-- Binary arithmetic: x:op(other) and torch.op(x, other)
M["Tensor.add"] = [=[
x:add(other[, {alpha=1}]) -> Tensor
x + alpha * other, elementwise, with broadcasting.
other is a tensor or a number. Also written x + other. Types promote as in
PyTorch: int64 + float -> float32.
Example:
  local a = torch.tensor({1, 2, 3})
  a:add(1)                                --> tensor([2, 3, 4])
  a:add(torch.tensor({10, 20, 30}), {alpha = 2})  --> tensor([21, 42, 63])
  a + 0.5                                 --> tensor([1.5000, 2.5000, 3.5000])]=]

M["Tensor.sub"] = [=[
x:sub(other[, {alpha=1}]) -> Tensor
x - alpha * other, elementwise, with broadcasting. Also written x - other.
Example:
  local a = torch.tensor({1, 2, 3})
  a:sub(1)                                --> tensor([0, 1, 2])
  2 - a                                   --> tensor([ 1,  0, -1])]=]

M["Tensor.mul"] = [=[
x:mul(other) -> Tensor
x * other, elementwise (not the matrix product: see matmul), broadcasting.
Also written x * other.
Example:
  torch.tensor({1, 2, 3}):mul(2)          --> tensor([2, 4, 6])
  torch.tensor({1, 2}) * torch.tensor({3, 4})  --> tensor([3, 8])]=]

M["Tensor.div"] = [=[
x:div(other[, {rounding_mode=}]) -> Tensor
x / other, elementwise, with broadcasting. Also written x / other.
True division: integers divided give a float result, as torch.div.
rounding_mode = "floor" rounds the quotient down (Python's //) and
"trunc" toward zero; with them integers stay integers, computed exactly,
and an integer division by zero is an error (ZeroDivisionError). The
gradient of a rounded quotient is zero, as in PyTorch.
Example:
  torch.tensor({7, 8}):div(2)             --> tensor([3.5000, 4.0000])
  1 / torch.tensor({2.0, 4.0})            --> tensor([0.5000, 0.2500])
  torch.tensor({-7, 7}):div(2, {rounding_mode = "floor"})  --> tensor([-4,  3])
  torch.tensor({-7, 7}):div(2, {rounding_mode = "trunc"})  --> tensor([-3,  3])]=]

M["Tensor.floor_divide"] = [=[
x:floor_divide(other) -> Tensor
x divided by other, rounded down: x:div(other, {rounding_mode = "floor"}).
Example:
  torch.floor_divide(torch.tensor({-7, 7}), 2)   --> tensor([-4,  3])
  torch.tensor({5.0}):floor_divide(0.1)   --> tensor([49.])]=]

M["Tensor.true_divide"] = {"Tensor.div", "x:true_divide(other) -> Tensor (x:div(other))"}

M["Tensor.pow"] = [=[
x:pow(exponent) -> Tensor
x to the power exponent (a number or a tensor), elementwise. Also x ^ e.
An integer tensor to a non-negative integer power stays an integer tensor,
computed exactly (wrapping around on overflow, as int64 does in PyTorch).
Example:
  torch.tensor({1, 2, 3}):pow(2)          --> tensor([1, 4, 9])
  torch.tensor({2.0, 3.0}) ^ torch.tensor({2.0, 0.5})
  --> tensor([4.0000, 1.7321])]=]

M["Tensor.subtract"] = {"Tensor.sub", "x:subtract(other[, {alpha=1}]) -> Tensor"}
M["Tensor.multiply"] = {"Tensor.mul", "x:multiply(other) -> Tensor"}
M["Tensor.divide"] = {"Tensor.div", "x:divide(other) -> Tensor"}

M["Tensor.maximum"] = [=[
x:maximum(other) -> Tensor
The larger of x and other, elementwise, with broadcasting.
(x:max(other) with a tensor does the same.)
Example:
  torch.tensor({1, 2, 3}):maximum(torch.tensor({2, 2, 2}))
  --> tensor([2, 2, 3])]=]

M["Tensor.minimum"] = [=[
x:minimum(other) -> Tensor
The smaller of x and other, elementwise, with broadcasting.
Example:
  torch.tensor({1, 2, 3}):minimum(torch.tensor({2, 2, 2}))
  --> tensor([1, 2, 2])]=]

-- Unary functions
local function unary(name, summary, example, result, extra)
  M["Tensor." .. name] = "x:" .. name .. "() -> Tensor\n" .. summary .. "\n" .. (extra and (extra .. "\n") or "") ..
    "Example:\n" .. ex(example, result)
end

unary("neg", "-x, elementwise. Also written -x.", "-torch.tensor({1, -2})", "tensor([-1,  2])")
unary("exp", "e^x, elementwise. Integer input gives float32.", "torch.tensor({0.0, 1.0}):exp()",
  "tensor([1.0000, 2.7183])")
unary("log", "The natural logarithm, elementwise (-inf at 0, nan below 0).",
  "torch.tensor({1.0, math.exp(2)}):log()", "tensor([0., 2.])")
unary("log1p", "log(1 + x), elementwise, accurate for small x.", "torch.tensor({0.0, 1e-3}):log1p()",
  "tensor([0.0000, 0.0010])")
unary("sqrt", "The square root, elementwise (nan below 0).", "torch.tensor({4.0, 9.0}):sqrt()",
  "tensor([2., 3.])")
unary("rsqrt", "1 / sqrt(x), elementwise.", "torch.tensor({4.0, 16.0}):rsqrt()", "tensor([0.5000, 0.2500])")
unary("abs", "|x|, elementwise.", "torch.tensor({-1.5, 0.0, 2.0}):abs()", "tensor([1.5000, 0.0000, 2.0000])")
unary("sign", "-1, 0 or 1 by the sign of each element.", "torch.tensor({-1.5, 0.0, 2.0}):sign()",
  "tensor([-1.,  0.,  1.])")
unary("sgn", "-1, 0 or 1 by the sign of each element (0 for 0 and NaN), as sign.", "torch.tensor({-1.5, 0.0, 2.0}):sgn()",
  "tensor([-1.,  0.,  1.])", "PyTorch's sgn extends sign to complex numbers; ember's tensors are real, so\nthe two agree. Its gradient is 0 (SgnBackward0).")
unary("relu", "max(x, 0), elementwise: the rectified linear unit.", "torch.tensor({-1.5, 0.0, 2.0}):relu()",
  "tensor([0., 0., 2.])", "The layer form is nn.ReLU(); the functional one F.relu(x).")
unary("sigmoid", "1 / (1 + e^-x), elementwise: squashes into (0, 1).", "torch.tensor({0.0}):sigmoid()",
  "tensor([0.5000])")
unary("tanh", "The hyperbolic tangent, elementwise: squashes into (-1, 1).", "torch.tensor({0.0, 1.0}):tanh()",
  "tensor([0.0000, 0.7616])")
unary("reciprocal", "1 / x, elementwise.", "torch.tensor({2.0, 4.0}):reciprocal()", "tensor([0.5000, 0.2500])")
unary("square", "x * x, elementwise (integers stay integers).", "torch.tensor({-2, 3}):square()",
  "tensor([4, 9])")
unary("erf", "The error function 2/sqrt(pi) * integral of e^(-t^2) from 0 to x, elementwise.",
  "torch.tensor({0.0, 0.5, 3.0}):erf()", "tensor([0.0000, 0.5205, 1.0000])")

M["nn.functional.softplus"] = [=[
F.softplus(x[, beta=1[, threshold=20]]) -> Tensor
log(1 + e^(beta x)) / beta, elementwise: a smooth relu, always positive.
Where beta x > threshold the result is x itself (the two agree there to
float precision). The layer form is nn.Softplus(beta, threshold).
Example:
  local F = torch.nn.functional
  F.softplus(torch.tensor({0.0, 30.0}))   --> tensor([ 0.6931, 30.0000])
  F.softplus(torch.tensor({1.0}), 2)      --> tensor([1.0635])]=]

-- The activations of the op table (nn modules and F forms from their rows).
-- inplace = true (PyTorch's) is an error in each: ember returns a new tensor.
M["nn.functional.leaky_relu"] = [=[
F.leaky_relu(x[, negative_slope=0.01[, inplace=false]]) -> Tensor
x where x > 0, else negative_slope * x, elementwise: a relu that lets a
little gradient through for negative inputs. The layer form is
nn.LeakyReLU(negative_slope, inplace); inplace = true is not implemented.
Example:
  local F, x = torch.nn.functional, torch.tensor({-2.0, 0.0, 3.0})
  F.leaky_relu(x)        --> tensor([-0.0200,  0.0000,  3.0000])
  F.leaky_relu(x, 0.2)   --> tensor([-0.4000,  0.0000,  3.0000])]=]

M["nn.functional.elu"] = [=[
F.elu(x[, alpha=1.0[, inplace=false]]) -> Tensor
x where x > 0, else alpha * (e^x - 1), elementwise: the exponential linear
unit, smooth at 0 for alpha = 1 and bounded below by -alpha. The layer form
is nn.ELU(alpha, inplace); inplace = true is not implemented.
Example:
  local F, x = torch.nn.functional, torch.tensor({-2.0, 0.0, 3.0})
  F.elu(x)   --> tensor([-0.8647,  0.0000,  3.0000])]=]

M["nn.functional.selu"] = [=[
F.selu(x[, inplace=false]) -> Tensor
scale * elu(x, alpha) with PyTorch's fixed alpha = 1.6732632423543772 and
scale = 1.0507009873554805, elementwise: the self-normalizing activation.
Also torch.selu(x); the layer form is nn.SELU(inplace); inplace = true is
not implemented.
Example:
  local F, x = torch.nn.functional, torch.tensor({-2.0, 0.0, 3.0})
  F.selu(x)   --> tensor([-1.5202,  0.0000,  3.1521])]=]

M["nn.functional.silu"] = [=[
F.silu(x[, inplace=false]) -> Tensor
x * sigmoid(x), elementwise: the sigmoid linear unit (also called swish).
The layer form is nn.SiLU(inplace); inplace = true is not implemented.
Example:
  local F, x = torch.nn.functional, torch.tensor({-2.0, 0.0, 3.0})
  F.silu(x)   --> tensor([-0.2384,  0.0000,  2.8577])]=]

M["nn.functional.mish"] = [=[
F.mish(x[, inplace=false]) -> Tensor
x * tanh(softplus(x)) = x * tanh(log(1 + e^x)), elementwise: a smooth,
non-monotonic activation. The layer form is nn.Mish(inplace); inplace =
true is not implemented.
Example:
  local F, x = torch.nn.functional, torch.tensor({-2.0, 0.0, 3.0})
  F.mish(x)   --> tensor([-0.2525,  0.0000,  2.9865])]=]

M["nn.functional.hardtanh"] = [=[
F.hardtanh(x[, min_val=-1.0[, max_val=1.0[, inplace=false]]]) -> Tensor
x limited to [min_val, max_val], elementwise (integers stay integers). Its
gradient is 0 at and beyond the bounds and 1 strictly between them (clamp's
is 1 at the bounds too). The layer form is nn.Hardtanh(min_val, max_val,
inplace); inplace = true is not implemented.
Example:
  local F, x = torch.nn.functional, torch.tensor({-2.0, 0.0, 3.0})
  F.hardtanh(x)          --> tensor([-1.,  0.,  1.])
  F.hardtanh(x, -2, 2)   --> tensor([-2.,  0.,  2.])]=]

M["nn.functional.gelu"] = [=[
F.gelu(x[, approximate='none']) / F.gelu(x, {approximate='tanh'}) -> Tensor
x * Phi(x) = x * (1 + erf(x / sqrt(2))) / 2, elementwise: the Gaussian error
linear unit (Phi is the standard normal's cumulative distribution).
approximate='tanh' uses PyTorch's approximation
0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (GPT-2's GELU), with its
exact derivative. Any other value is an error. The layer form is
nn.GELU(approximate='none'), e.g. nn.GELU('tanh').
Example:
  local F, x = torch.nn.functional, torch.tensor({-2.0, 0.0, 3.0})
  F.gelu(x)                          --> tensor([-0.0455,  0.0000,  2.9960])
  F.gelu(x, {approximate = 'tanh'})  --> tensor([-0.0454,  0.0000,  2.9964])]=]

M["Tensor.clamp"] = [=[
x:clamp(min[, max]) / x:clamp{min=, max=} -> Tensor
Limits every element to [min, max]; either bound may be nil (not both).
A bound may also be a tensor (broadcast with x): each element gets its own
limit, and the bounds get gradients too (PyTorch's ClampBackward0).
Example:
  local a = torch.tensor({1, 2, 3})
  a:clamp(2, 3)                           --> tensor([2, 2, 3])
  a:clamp(nil, 2)                         --> tensor([1, 2, 2])
  a:clamp{min = 2}                        --> tensor([2, 2, 3])
  a:clamp(torch.tensor({2, 0, 0}), torch.tensor(2))  --> tensor([2, 2, 2])]=]
M["Tensor.clip"] = {"Tensor.clamp", "x:clip(min[, max]) / x:clip{min=, max=} -> Tensor"}

-- Comparisons
local function compare(name, op, result)
  M["Tensor." .. name] = "x:" .. name .. "(other) -> Tensor\n" ..
    "x " .. op .. " other, elementwise, with broadcasting: a bool tensor.\n" ..
    "other is a tensor or a number. Lua cannot return a tensor from an operator\n" ..
    "here" .. (name == "eq" and " (x == y compares the objects, not the values)" or "") ..
    ", so the method is the way.\nExample:\n" .. ex("torch.tensor({1, 2, 3}):" .. name .. "(2)", result)
end
compare("eq", "==", "tensor([False,  True, False])")
compare("ne", "~=", "tensor([ True, False,  True])")
compare("lt", "<", "tensor([ True, False, False])")
compare("le", "<=", "tensor([ True,  True, False])")
compare("gt", ">", "tensor([False, False,  True])")
compare("ge", ">=", "tensor([False,  True,  True])")

-- Logical
M["Tensor.logical_and"] = [=[
x:logical_and(other) -> Tensor
True where both x and other are true (non-zero), elementwise: bool.
Example:
  local a = torch.tensor({true, false, true})
  a:logical_and(torch.tensor({true, true, false}))
  --> tensor([ True, False, False])]=]
M["Tensor.logical_or"] = [=[
x:logical_or(other) -> Tensor
True where x or other is true (non-zero), elementwise: bool.
Example:
  local a, b = torch.tensor({true, false}), torch.tensor({false, false})
  a:logical_or(b)                         --> tensor([ True, False])]=]
M["Tensor.logical_xor"] = [=[
x:logical_xor(other) -> Tensor
True where exactly one of x and other is true (non-zero): bool.
Example:
  local a, b = torch.tensor({true, false}), torch.tensor({true, true})
  a:logical_xor(b)                        --> tensor([False,  True])]=]
M["Tensor.logical_not"] = [=[
x:logical_not() -> Tensor
True where x is false (zero), elementwise: bool.
Example:
  torch.tensor({0, 2}):logical_not()      --> tensor([ True, False])]=]

M["torch.where"] = [=[
torch.where(condition, a, b) -> Tensor
a where condition is true, b elsewhere, elementwise, with broadcasting.
a and b are tensors or numbers; condition a bool tensor.
torch.where(condition) alone is condition:nonzero({as_tuple = true}): one
int64 tensor of 0-BASED positions per dim.
Example:
  local a = torch.tensor({1, 2, 3})
  torch.where(a:gt(1), a, 0)              --> tensor([0, 2, 3])
  torch.where(a:gt(1))                    --> (tensor([1, 2]),)]=]
M["Tensor.where"] = [=[
x:where(condition, y) -> Tensor
x where condition is true, y elsewhere: torch.where(condition, x, y).
Example:
  local a = torch.tensor({1, 2, 3})
  a:where(a:gt(1), -1)                    --> tensor([-1,  2,  3])]=]

-- Rounding and remainders (op table rows floor .. round, remainder, fmod)
M["Tensor.floor"] = [=[
x:floor() -> Tensor
The largest whole number <= x, elementwise (rounds toward -inf). Integer
tensors are returned unchanged, keeping their dtype; bool is refused. The
gradient is zero everywhere, as in PyTorch.
Example:
  torch.tensor({-1.5, 0.5, 2.0}):floor()  --> tensor([-2.,  0.,  2.])]=]

M["Tensor.ceil"] = [=[
x:ceil() -> Tensor
The smallest whole number >= x, elementwise (rounds toward +inf). Integer
tensors are returned unchanged; the gradient is zero.
Example:
  torch.tensor({-1.5, 0.5, 2.0}):ceil()   --> tensor([-1.,  1.,  2.])]=]

M["Tensor.trunc"] = [=[
x:trunc() -> Tensor
x rounded toward zero, elementwise (drops the fractional part). Integer
tensors are returned unchanged; the gradient is zero.
Example:
  torch.tensor({-1.5, 0.5, 2.7}):trunc()  --> tensor([-1.,  0.,  2.])]=]

M["Tensor.frac"] = [=[
x:frac() -> Tensor
The fractional part, x - trunc(x), elementwise: it has x's sign. Only for
float tensors (integer tensors are an error, as in PyTorch). The gradient
passes through unchanged (d frac(x) = g).
Example:
  torch.tensor({-1.25, 2.75}):frac()     --> tensor([-0.2500,  0.7500])]=]

M["Tensor.round"] = [=[
x:round([{decimals=0}]) -> Tensor
x rounded to the nearest whole number, elementwise; halves go to the even
neighbour (0.5 -> 0, 1.5 -> 2, 2.5 -> 2), as in PyTorch. With decimals = d
it rounds to d decimal places the way PyTorch computes it: rint(x * 10^d) /
10^d in x's dtype (d < 0: rint(x / 10^-d) * 10^-d), so float32 values that
are not exact in binary may round either way (2.675 -> 2.67 or 2.68).
Integer tensors are returned unchanged without decimals, and refused with
them. The gradient is zero (RoundBackward0; RoundBackward1 with decimals).
Example:
  torch.tensor({0.5, 1.5, 2.5, -0.5}):round()  --> tensor([0., 2., 2., -0.])
  torch.tensor({1.2345}):round({decimals = 2})  --> tensor([1.2300])
  torch.tensor({1234.0}):round({decimals = -2})  --> tensor([1200.])]=]

M["Tensor.remainder"] = [=[
x:remainder(other) -> Tensor
The remainder of x / other with the divisor's sign, as Python's %:
x - other * floor(x / other). Also written x % other (and number % x).
other is a tensor or a number; types promote as in add. Integers are
computed exactly; an integer remainder by zero is an error
(ZeroDivisionError); floats by zero give nan. For C's rule (the
dividend's sign) see fmod. Gradient: g for x, -g * floor(x / other) for
other; PyTorch has none for number % x, so its backward is an error.
Example:
  torch.tensor({-7, 7}):remainder(3)      --> tensor([2, 1])
  torch.tensor({-7.0, 7.0}) % -3          --> tensor([-1., -2.])
  5 % torch.tensor({3, -3})               --> tensor([ 2, -1])]=]

M["Tensor.fmod"] = [=[
x:fmod(other) -> Tensor
The remainder of x / other with the dividend's sign, as C's fmod:
x - other * trunc(x / other). other is a tensor or a number (x must be a
tensor). Integers are computed exactly; an integer fmod by zero is an
error (ZeroDivisionError). For Python's rule (the divisor's sign) see
remainder and %. Gradient: g for x, -g * trunc(x / other) for other.
Example:
  torch.tensor({-7, 7}):fmod(3)           --> tensor([-1,  1])
  torch.fmod(torch.tensor({-7.5, 7.5}), -2)  --> tensor([-1.5000,  1.5000])]=]

-- In place
local function inplace(name, sig, summary, example, result)
  M["Tensor." .. name] = sig .. " -> x\n" .. summary .. "\n" ..
    "In place: x itself changes and is returned. Refused on a leaf that\n" ..
    "requires grad (outside torch.no_grad), as in PyTorch; if x was saved\n" ..
    "for backward (by mul, exp, relu...), that backward fails.\nExample:\n" .. ex(example, result)
end
inplace("add_", "x:add_(other[, {alpha=1}])", "x = x + alpha * other.", "torch.tensor({1, 2}):add_(1)",
  "tensor([2, 3])")
inplace("sub_", "x:sub_(other[, {alpha=1}])", "x = x - alpha * other (a gradient step: w:sub_(w.grad * lr)).",
  "torch.tensor({1, 2}):sub_(1)", "tensor([0, 1])")
inplace("mul_", "x:mul_(other)", "x = x * other, elementwise.", "torch.tensor({1, 2}):mul_(3)", "tensor([3, 6])")
inplace("div_", "x:div_(other[, {rounding_mode=}])",
  "x = x / other (x must be floating point, unless rounding_mode\nis \"floor\" or \"trunc\").",
  "torch.tensor({1.0, 2.0}):div_(2)", "tensor([0.5000, 1.0000])")
inplace("floor_divide_", "x:floor_divide_(other)", "x = x // other (rounded down).",
  "torch.tensor({-7, 7}):floor_divide_(2)", "tensor([-4,  3])")
inplace("pow_", "x:pow_(exponent)", "x = x ^ exponent, elementwise.", "torch.tensor({2.0, 3.0}):pow_(2)",
  "tensor([4., 9.])")
inplace("clamp_", "x:clamp_(min[, max]) / x:clamp_{min=, max=}", "Limits x to [min, max].",
  "torch.tensor({1, 5}):clamp_(2, 3)", "tensor([2, 3])")
inplace("neg_", "x:neg_()", "x = -x.", "torch.tensor({1, -2}):neg_()", "tensor([-1,  2])")
inplace("exp_", "x:exp_()", "x = e^x.", "torch.tensor({0.0}):exp_()", "tensor([1.])")
inplace("log_", "x:log_()", "x = log(x).", "torch.tensor({1.0}):log_()", "tensor([0.])")
inplace("sqrt_", "x:sqrt_()", "x = sqrt(x).", "torch.tensor({4.0}):sqrt_()", "tensor([2.])")
inplace("abs_", "x:abs_()", "x = |x|.", "torch.tensor({-3, 2}):abs_()", "tensor([3, 2])")
inplace("relu_", "x:relu_()", "x = max(x, 0).", "torch.tensor({-1.0, 2.0}):relu_()", "tensor([0., 2.])")
inplace("sigmoid_", "x:sigmoid_()", "x = 1 / (1 + e^-x).", "torch.tensor({0.0}):sigmoid_()", "tensor([0.5000])")
inplace("tanh_", "x:tanh_()", "x = tanh(x).", "torch.tensor({0.0}):tanh_()", "tensor([0.])")
inplace("sign_", "x:sign_()", "x = sign(x): -1, 0 or 1.", "torch.tensor({-2.0, 3.0}):sign_()",
  "tensor([-1.,  1.])")
inplace("reciprocal_", "x:reciprocal_()", "x = 1 / x.", "torch.tensor({4.0}):reciprocal_()",
  "tensor([0.2500])")
inplace("square_", "x:square_()", "x = x * x.", "torch.tensor({3.0}):square_()", "tensor([9.])")
inplace("fill_", "x:fill_(value)", "Sets every element to value (a number, boolean or 0-dim tensor).",
  "torch.zeros(2):fill_(7)", "tensor([7., 7.])")
inplace("zero_", "x:zero_()", "Sets every element to 0 (as after opt:zero_grad(), w.grad:zero_()).",
  "torch.ones(2):zero_()", "tensor([0., 0.])")
inplace("copy_", "x:copy_(src)", "Copies src's values into x (src broadcasts to x's size; dtypes convert).",
  "torch.zeros(2, 2):copy_(torch.tensor({1.0, 2.0}))", "tensor([[1., 2.], [1., 2.]])")

-- Every other name of an op in the op table (src/core/op_table.h, read
-- through torch.core._ops): torch.NAME and its aliases, x:NAME_() and
-- F.NAME point at the op's own text, M[row.doc].
local function signature(key)
  local raw = M[key]
  return type(raw) == "table" and raw[2] or raw:match("^[^\n]*")
end
local function alias(name, key, sig)
  if M[name] == nil then M[name] = {key, sig} end
end
for _, row in ipairs(require("torch.core")._ops) do
  local key = row.doc
  if M[key] ~= nil then
    local sig = signature(key)
    local names = {row.name}
    for _, a in ipairs(row.aliases) do names[#names + 1] = a end
    for _, n in ipairs(names) do
      if row.func then alias("torch." .. n, key, (sig:gsub("^x:" .. row.name .. "%(%)", "torch." .. n .. "(x)")
        :gsub("^x:" .. row.name .. "%(", "torch." .. n .. "(x, "))) end
      if n ~= row.name and row.method then alias("Tensor." .. n, key, (sig:gsub("^x:" .. row.name, "x:" .. n))) end
    end
    if row.inplace then alias("Tensor." .. row.name .. "_", key, (sig:gsub("^x:" .. row.name .. "(%b())%s*%->.*", "x:" .. row.name .. "_%1 -> x (in place)"))) end
    if row.nn then
      local ps = {}
      for _, p in ipairs(row.param_list) do
        ps[#ps + 1] = p.name .. "=" .. (type(p.default) == "string" and "'" .. p.default .. "'" or tostring(p.default))
      end
      alias("nn." .. row.nn, key, "nn." .. row.nn .. "(" .. table.concat(ps, ", ") .. ")")
    end
    if row.F and key ~= "nn.functional." .. row.name then
      alias("nn.functional." .. row.name, key, (sig:gsub("^x:" .. row.name .. "%(%)", "F." .. row.name .. "(x)")
        :gsub("^x:" .. row.name .. "%(", "F." .. row.name .. "(x, ")))
    end
  end
end
M["torch.logical_not"] = {"Tensor.logical_not", "torch.logical_not(x) -> Tensor"}
M["torch.pow"] = {"Tensor.pow", "torch.pow(x, exponent) -> Tensor"}
M["torch.clamp"] = {"Tensor.clamp", "torch.clamp(x, min[, max]) / torch.clamp(x, {min=, max=}) -> Tensor"}
M["torch.clip"] = {"Tensor.clamp", "torch.clip(x, min[, max]) / torch.clip(x, {min=, max=}) -> Tensor"}

return M
