-- ember's optimizers against real PyTorch 1.13: the same starting
-- parameters and gradients for 3 steps must give the same parameters within
-- 1e-6 relative (float32 arithmetic in both; PyTorch's addcmul/addcdiv round
-- once less than ember's composed ops, hence not bit-exact), and the
-- state_dict must have exactly PyTorch 1.13's group keys in its order with
-- the same Python types (int 0 vs float 0.0): no 2.x 'fused' in SGD, AdamW
-- with its own 1.13 key order.
local T = require "ember.test"
local cases = dofile(arg[1])

local function lua_type_name(v)
  if v == nil then return "NoneType" end
  if type(v) == "boolean" then return "bool" end
  if math.type(v) == "integer" then return "int" end
  if math.type(v) == "float" then return "float" end
  if torch.is_tuple(v) then return "tuple" end
  if type(v) == "table" then return "list" end
  return type(v)
end

for _, c in ipairs(cases) do
  T.test(c.name, function()
    local params = {}
    for i, vals in ipairs(c.params) do
      params[i] = torch.tensor(vals):reshape(c.shapes[i]):requires_grad_()
    end
    local opts = {}
    for k, v in pairs(c.options) do opts[k] = v end
    if opts.betas then opts.betas = torch.tuple(opts.betas) end
    local opt = optim[c.optimizer](params, opts)
    for step = 1, 3 do
      for i, p in ipairs(params) do p.grad = torch.tensor(c.grads[step][i]):reshape(c.shapes[i]) end
      opt:step()
      for i, p in ipairs(params) do
        T.close(p:reshape(-1), c.after[step][i], {rtol = 1e-6, atol = 1e-7,
          msg = string.format("step %d param %d", step, i)})
      end
    end
    local sd = opt:state_dict()
    local group = sd.param_groups[1]
    local ours = {}
    for k, v in pairs(group) do ours[#ours + 1] = {k, lua_type_name(v)} end
    local theirs = c.group_keys
    local function show(list)
      local s = {}
      for i, kt in ipairs(list) do s[i] = kt[1] .. ":" .. kt[2] end
      return table.concat(s, " ")
    end
    T.eq(show(ours), show(theirs), "param group keys and types")
    T.eq(table.concat(group.params, ","), "0,1")
    for i, keys in ipairs(c.state_keys) do
      T.eq(table.concat(sd.state[i - 1]:keys(), ","), table.concat(keys, ","), "state keys of param " .. (i - 1))
    end
  end)
end

T.test("load_state_dict restores state: continuing equals never stopping", function()
  local function make() return {torch.tensor({1.0, -2.0, 3.0}):requires_grad_()} end
  local a, b = make(), make()
  local oa, ob = optim.Adam(a, {lr = 0.1}), optim.Adam(b, {lr = 0.1})
  local function step(o, p, k) p[1].grad = torch.tensor({0.5, -1.0 * k, 0.25}); o:step() end
  for k = 1, 2 do step(oa, a, k); step(ob, b, k) end
  local sd = oa:state_dict()
  local c = {a[1]:detach():clone():requires_grad_()}
  local oc = optim.Adam(c, {lr = 0.5})
  oc:load_state_dict(sd)
  T.eq(oc.param_groups[1].lr, 0.1)
  for k = 3, 5 do step(ob, b, k); step(oc, c, k) end
  T.close(c[1], b[1], {rtol = 0, atol = 0})
  T.error(function() optim.SGD(make(), {lr = 0.1}):load_state_dict({state = {}, param_groups = {{}, {}}}) end,
    "different number of parameter groups")
end)

T.run()
