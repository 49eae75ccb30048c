-- title: Find the bottom of a curve with autograd
-- lesson: autograd
-- hint: Inside the loop: y = f(x); y:backward(); then, inside torch.no_grad,
-- hint: x:sub_(x.grad * lr); and finally x.grad:zero_(). Repeat `steps` times.
--
-- f(x) = x^4 - 3x^2 + x has a valley near x = 1.1. Starting from x = 2, use
-- the engine's autograd and gradient descent to walk down into it: the loop
-- you wrote at the end of the lesson, with learning rate lr and `steps` steps.
local function f(x) return x ^ 4 - 3 * x ^ 2 + x end
local x = torch.tensor(2.0, {dtype = torch.float64, requires_grad = true})
local lr, steps = 0.01, 300
local start = f(x):item()

-- BEGIN SOLUTION
for _ = 1, steps do
  local y = f(x)
  y:backward()
  torch.no_grad(function() x:sub_(x.grad * lr) end)
  x.grad:zero_()
end
-- END SOLUTION

local xv = x:item()
check(xv ~= 2.0, "x has not moved from 2 — update it with x:sub_(x.grad * lr) inside torch.no_grad")
check(f(x):item() < start, "f(x) should be lower than where it started (f(2) = " .. start .. ")")
-- at the bottom of a valley the slope 4x^3 - 6x + 1 is zero
local slope = 4 * xv ^ 3 - 6 * xv + 1
check(math.abs(slope) < 1e-3, string.format(
  "at the bottom the slope should be 0, but at x = %.4f it is %.4f — more steps, or did you forget x.grad:zero_()?",
  xv, slope))
check.close(xv, 1.1309, 1e-3, "x should settle in the valley near 1.1309")
print(string.format("the valley bottom is at x = %.4f, f(x) = %.4f", xv, f(x):item()))
