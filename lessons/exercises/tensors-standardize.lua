-- title: Standardise the columns of a table with broadcasting
-- lesson: tensors
-- hint: data:mean(1, true) gives one mean per column with shape (1, 2), and
-- hint: data:std(1) one standard deviation per column. Subtracting and
-- hint: dividing a (5, 2) tensor by (1, 2) tensors broadcasts over the rows.
--
-- Five people, two measurements each: height in cm and weight in kg. The two
-- columns have very different scales, which makes learning harder for a
-- model. Standardise each column: subtract the column's mean and divide by
-- the column's standard deviation, so every column has mean 0 and standard
-- deviation 1. Use broadcasting — no loops.
local data = torch.tensor({{170.0, 65.0},
                           {182.0, 80.0},
                           {158.0, 52.0},
                           {175.0, 72.0},
                           {165.0, 61.0}})

-- BEGIN SOLUTION
--starter local z = nil  -- TODO: (data - column means) / column standard deviations
local means = data:mean(1, true)
local stds = data:std(1)
local z = (data - means) / stds
-- END SOLUTION

check(torch.is_tensor(z), "z should be a tensor: the standardised data")
check(z:dim() == 2 and z:size(1) == 5 and z:size(2) == 2,
  "z should keep the shape of data, (5, 2) — got " .. tostring(z.shape))
check.close(z:mean(1), torch.zeros(2), 1e-5,
  "every column of z should have mean 0 — subtract data:mean(1, true)")
check.close(z:std(1), torch.ones(2), 1e-5,
  "every column of z should have standard deviation 1 — divide by data:std(1)")
-- the first person's height, worked out by hand with a loop
local sum, sq = 0, 0
for i = 1, 5 do sum = sum + data[i][1]:item() end
local mean = sum / 5
for i = 1, 5 do sq = sq + (data[i][1]:item() - mean) ^ 2 end
local expected = (170 - mean) / math.sqrt(sq / 4)
check.close(z[1][1]:item(), expected, 1e-4,
  "z[1][1] is the first height standardised: (170 - mean height) / std of the heights")
print("standardised data:")
print(z)
