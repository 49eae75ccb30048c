-- docs/pytorch-coverage.md is generated (scripts/pytorch_coverage.lua) from
-- ember's own tables, never written by hand: regenerating it here must give
-- the committed page, so a name added or removed without regenerating fails.
local T = require "ember.test"

T.test("docs/pytorch-coverage.md is what scripts/pytorch_coverage.lua generates", function()
  local generated = assert(loadfile("scripts/pytorch_coverage.lua"))("--return")
  local f = assert(io.open("docs/pytorch-coverage.md", "rb"))
  local committed = f:read("a")
  f:close()
  if generated ~= committed then
    local n = 1
    local gl, cl = {}, {}
    for l in generated:gmatch("[^\n]*") do gl[#gl + 1] = l end
    for l in committed:gmatch("[^\n]*") do cl[#cl + 1] = l end
    while gl[n] == cl[n] and n <= #gl do n = n + 1 end
    T.ok(false, "docs/pytorch-coverage.md is stale from line " .. n .. ":\n  committed: " .. tostring(cl[n]) ..
      "\n  generated: " .. tostring(gl[n]) ..
      "\nregenerate it: build/ember run scripts/pytorch_coverage.lua > docs/pytorch-coverage.md")
  end
end)

T.test("every row's status is same, differs (with how) or missing", function()
  local generated = assert(loadfile("scripts/pytorch_coverage.lua"))("--return")
  local rows = 0
  for line in generated:gmatch("[^\n]+") do
    local status = line:match("^| `.*| ([^|]-) |$")
    if status then rows = rows + 1 end
    status = status or "same"
    T.ok(status == "same" or status == "missing" or status:match("^differs: %S"), "bad status: " .. status)
  end
  T.ok(rows > 300, "expected the whole list, got " .. rows .. " rows")
  local total = tonumber(generated:match("%*%*Totals: (%d+) names"))
  T.eq(total, rows)
end)

T.run()
