-- title: Double a tensor
-- lesson: basics
-- hint: Multiply by 2: `t * 2`.
-- hint: The result must be a tensor of the same shape.
local t = torch.tensor({1.5, -2, 4})
-- BEGIN SOLUTION
--starter local doubled = nil  -- TODO: t doubled
local doubled = t * 2
-- END SOLUTION
check(torch.is_tensor(doubled), "doubled should be a tensor")
check.close(doubled, torch.tensor({3, -4, 8}), 1e-9, "doubled should be t * 2")
