-- title: Teach Value subtraction, powers and exp
-- lesson: autograd
-- hint: Each operation makes an `out` Value and sets out.backward_step to add
-- hint: (local slope) * out.grad to each input's grad. The slopes: for a - b,
-- hint: 1 for a and -1 for b; for a ^ n (n a plain number), n * a^(n-1); for
-- hint: exp(a), exp(a) itself. Use Value.lift on both sides of __sub.
--
-- The tiny autograd from the lesson, with + and * and backward. Add three
-- operations — a - b, a ^ n (n a number) and v:exp() — so that the
-- expression at the bottom gets the same gradients as ember's engine.
local Value = {}
Value.__index = Value
function Value.new(data, children)
  return setmetatable({data = data, grad = 0, children = children or {},
                       backward_step = function() end}, Value)
end
function Value.lift(v) return getmetatable(v) == Value and v or Value.new(v) end
function Value.__add(a, b)
  a, b = Value.lift(a), Value.lift(b)
  local out = Value.new(a.data + b.data, {a, b})
  out.backward_step = function() a.grad = a.grad + out.grad; b.grad = b.grad + out.grad end
  return out
end
function Value.__mul(a, b)
  a, b = Value.lift(a), Value.lift(b)
  local out = Value.new(a.data * b.data, {a, b})
  out.backward_step = function()
    a.grad = a.grad + b.data * out.grad
    b.grad = b.grad + a.data * out.grad
  end
  return out
end
function Value:backward()
  local order, seen = {}, {}
  local function visit(v)
    if seen[v] then return end
    seen[v] = true
    for _, c in ipairs(v.children) do visit(c) end
    order[#order + 1] = v
  end
  visit(self)
  self.grad = 1
  for i = #order, 1, -1 do order[i].backward_step() end
end

-- BEGIN SOLUTION
function Value.__sub(a, b)
  a, b = Value.lift(a), Value.lift(b)
  local out = Value.new(a.data - b.data, {a, b})
  out.backward_step = function() a.grad = a.grad + out.grad; b.grad = b.grad - out.grad end
  return out
end
function Value.__pow(a, n)
  assert(type(n) == "number", "Value ^ n: n must be a plain number")
  local out = Value.new(a.data ^ n, {a})
  out.backward_step = function() a.grad = a.grad + n * a.data ^ (n - 1) * out.grad end
  return out
end
function Value:exp()
  local e = math.exp(self.data)
  local out = Value.new(e, {self})
  out.backward_step = function() self.grad = self.grad + e * out.grad end
  return out
end
-- END SOLUTION

check(Value.__sub, "define Value.__sub(a, b) so that a - b works")
check(Value.__pow, "define Value.__pow(a, n) so that a ^ 2 works")
check(Value.exp, "define Value:exp()")

-- f = (a - b)^2 * exp(c) - 3 * a, in both worlds
local a, b, c = Value.new(1.5), Value.new(-0.5), Value.new(0.3)
local f = (a - b) ^ 2 * c:exp() - a * 3
f:backward()

local o = {dtype = torch.float64, requires_grad = true}
local ta, tb, tc = torch.tensor(1.5, o), torch.tensor(-0.5, o), torch.tensor(0.3, o)
local tf = (ta - tb) ^ 2 * tc:exp() - ta * 3
tf:backward()

check.close(f.data, tf:item(), 1e-9, "the value of f should match the engine's")
check.close(b.grad, tb.grad:item(), 1e-9,
  "b.grad should match the engine's — in a - b, b receives -out.grad")
check.close(c.grad, tc.grad:item(), 1e-9,
  "c.grad should match the engine's — the slope of exp(c) is exp(c)")
check.close(a.grad, ta.grad:item(), 1e-9,
  "a.grad should match the engine's — a is used twice, so its gradients must add up")
print(string.format("f = %.4f   grads: a %.4f  b %.4f  c %.4f", f.data, a.grad, b.grad, c.grad))
