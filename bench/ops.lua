-- bench/ops.lua — the per-op benchmark, ember side: every elementwise op of
-- the op table (require("torch.core")._ops: unary and binary rows with a Lua function)
-- and the reductions and scans listed in EXTRA below, each on 1e6 float32
-- elements, best of 7 calls after 3 warm-ups, one thread.
--   ember run bench/ops.lua --list   the ops, one "OP name python-expr" line each
--                                    (bench/ops.py times the same expressions)
--   ember run bench/ops.lua          "TIME_name seconds" per op
-- Inputs: x and y uniform in [0.5, 2.5) (every op is defined there).
local F = torch.nn.functional

-- Ops that are not op-table rows: name, the Lua call, the PyTorch expression.
local EXTRA = {
  {"sum", function(x) return x:sum() end, "torch.sum(x)"},
  {"mean", function(x) return x:mean() end, "torch.mean(x)"},
  {"prod", function(x) return x:prod() end, "torch.prod(x)"},
  {"amax", function(x) return x:amax() end, "torch.amax(x)"},
  {"amin", function(x) return x:amin() end, "torch.amin(x)"},
  {"max", function(x) return x:max() end, "torch.max(x)"},
  {"argmax", function(x) return x:argmax() end, "torch.argmax(x)"},
  {"var", function(x) return x:var() end, "torch.var(x)"},
  {"std", function(x) return x:std() end, "torch.std(x)"},
  {"logsumexp", function(x) return x:logsumexp(1) end, "torch.logsumexp(x, 0)"},
  {"norm", function(x) return x:norm() end, "torch.norm(x)"},
  {"norm_p1", function(x) return x:norm(1) end, "torch.norm(x, 1)"},
  {"norm_p3", function(x) return x:norm(3) end, "torch.norm(x, 3)"},
  {"vector_norm_inf", function(x) return torch.linalg.vector_norm(x, math.huge) end,
   "torch.linalg.vector_norm(x, float('inf'))"},
  {"cumsum", function(x) return x:cumsum(1) end, "torch.cumsum(x, 0)"},
  {"cumprod", function(x) return x:cumprod(1) end, "torch.cumprod(x, 0)"},
  {"count_nonzero", function(x) return x:count_nonzero() end, "torch.count_nonzero(x)"},
  {"any", function(x) return x:any() end, "torch.any(x)"},
  {"all", function(x) return x:all() end, "torch.all(x)"},
  {"isnan", function(x) return x:isnan() end, "torch.isnan(x)"},
  {"isfinite", function(x) return x:isfinite() end, "torch.isfinite(x)"},
  {"isclose", function(x, y) return x:isclose(y) end, "torch.isclose(x, y)"},
  {"nan_to_num", function(x) return x:nan_to_num() end, "torch.nan_to_num(x)"},
  {"lerp", function(x, y) return x:lerp(y, 0.3) end, "torch.lerp(x, y, 0.3)"},
  {"clamp_tensor", function(x, y) return x:clamp(y) end, "torch.clamp(x, y)"},
}

-- The rows: a unary op gets its parameters' defaults (one without a default
-- 0.7 + its position: pow 0.7, clamp(0.7, 1.7)); fixed options are left out.
local function row_ops()
  local out = {}
  for _, row in ipairs(require("torch.core")._ops) do
    if row.fn then
      local args, py = {}, {}
      for i, p in ipairs(row.param_list or {}) do
        if not p.fixed then
          local v = p.default
          if row.hand then v = 0.7 + (i - 1) end
          args[#args + 1] = v
          py[#py + 1] = string.format("%s=%s", p.name, type(v) == "string" and ("'" .. v .. "'") or tostring(v))
        end
      end
      local ns = row.func and "torch." or "F."
      if row.kind == "unary" then
        local fn = row.fn
        out[#out + 1] = {row.name, function(x) return fn(x, table.unpack(args)) end,
                         string.format("%s%s(x%s)", ns, row.name, #py > 0 and ", " .. table.concat(py, ", ") or "")}
      else
        local fn = row.fn
        out[#out + 1] = {row.name .. "_tensor", function(x, y) return fn(x, y) end,
                         string.format("%s%s(x, y)", ns, row.name)}
      end
    end
  end
  for _, e in ipairs(EXTRA) do out[#out + 1] = e end
  return out
end

local ops = row_ops()
if arg[1] == "--list" then
  for _, op in ipairs(ops) do print("OP " .. op[1] .. " " .. op[3]) end
  return
end

package.path = arg[0]:match("^(.*)/[^/]*$") .. "/?.lua;" .. package.path
local best_of = require("common").best_of

torch.manual_seed(0)
local n = 1000000
local x, y = torch.rand(n) * 2 + 0.5, torch.rand(n) * 2 + 0.5
local only = arg[1]
for _, op in ipairs(ops) do
  if not only or only == op[1] then
    local f = op[2]
    print(string.format("TIME_%s %.9f", op[1], best_of(function() return f(x, y) end, 7)))
  end
end
