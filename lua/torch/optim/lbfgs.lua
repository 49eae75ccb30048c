-- optim.LBFGS — PyTorch 1.13's L-BFGS line for line (torch/optim/lbfgs.py):
-- the two-loop recursion over the last history_size steps, a step of lr
-- (min(1, 1/|g|_1) * lr on the first iteration) or a strong Wolfe line
-- search (line_search_fn = "strong_wolfe", cubic interpolation), up to
-- max_iter iterations and max_eval evaluations of the closure per step().
-- Where PyTorch keeps a value as a 0-dim float32 tensor (ys, ro, H_diag,
-- al, gtd, often t) so does this file, so the float32 roundings and the
-- saved state (the first parameter's: func_evals, n_iter, d, t, old_dirs,
-- old_stps, ro, H_diag, prev_flat_grad, prev_loss, al) are PyTorch's.
local torch = require "torch"
local Optimizer = require "torch.optim.optimizer"

--- optim.LBFGS(params[, {lr = 1, max_iter = 20, max_eval =, tolerance_grad = 1e-7, tolerance_change = 1e-9, history_size = 100, line_search_fn =}])
-- Limited-memory BFGS: each step(closure) runs up to max_iter quasi-Newton
-- iterations, calling closure (which zeroes the grads, computes the loss,
-- calls backward and returns the loss) up to max_eval (max_iter * 5 // 4)
-- times. line_search_fn = "strong_wolfe" searches each step length; else
-- the step is lr. One param group only.
-- Example:
--   local opt = optim.LBFGS(model:parameters(), {line_search_fn = "strong_wolfe"})
--   opt:step(function() opt:zero_grad(); local l = loss_fn(model(x), y); l:backward(); return l end)
local LBFGS = Optimizer.define("LBFGS", {
  {"lr", 1}, {"max_iter", 20}, {"max_eval", nil}, {"tolerance_grad", 1e-7}, {"tolerance_change", 1e-9},
  {"history_size", 100}, {"line_search_fn", nil},
})

local is_tensor = torch.is_tensor
local function num(x) return is_tensor(x) and x:item() or x end
-- Python's min(a, b) / max(a, b) (the first unless the second is strictly
-- smaller / larger: the result keeps its type, tensor or number) and abs
local function pymin(a, b) if num(b) < num(a) then return b end return a end
local function pymax(a, b) if num(b) > num(a) then return b end return a end
local function pyabs(x) if is_tensor(x) then return x:abs() end return math.abs(x) end
local function sqrt(x) if is_tensor(x) then return x:sqrt() end return math.sqrt(x) end

function LBFGS:_validate(g)
  if g.max_eval == nil then g:set("max_eval", g.max_iter * 5 // 4) end
  local ls = g.line_search_fn
  if ls ~= nil and ls ~= torch.None and ls ~= "strong_wolfe" then
    error("LBFGS: only 'strong_wolfe' is supported as line_search_fn, got " .. tostring(ls), 4)
  end
end

function LBFGS:_constructed()
  if #self.param_groups ~= 1 then
    error("LBFGS doesn't support per-parameter options (parameter groups)", 4)
  end
end

--- lbfgs:add_param_group(group)
-- An error once the optimizer has its group: LBFGS takes one param group
-- (PyTorch's limit too).
function LBFGS:add_param_group(g)
  if type(g) == "table" then LBFGS._group_options:check(g) end
  if self.param_groups[1] ~= nil then
    error("LBFGS doesn't support per-parameter options (parameter groups)", 2)
  end
  Optimizer.add_param_group(self, g)
end

function LBFGS:_params() return self.param_groups[1].params end

function LBFGS:_gather_flat_grad()
  local views = {}
  for i, p in ipairs(self:_params()) do
    views[i] = p.grad == nil and torch.zeros(p:numel(), {dtype = p.dtype}) or p.grad:reshape(-1)
  end
  return torch.cat(views)
end

function LBFGS:_add_grad(step_size, update)
  local offset = 0
  local alpha = num(step_size)
  for _, p in ipairs(self:_params()) do
    local n = p:numel()
    p:add_(update:narrow(1, offset + 1, n):view_as(p), {alpha = alpha})
    offset = offset + n
  end
end

function LBFGS:_clone_param()
  local out = {}
  for i, p in ipairs(self:_params()) do out[i] = p:clone() end
  return out
end

function LBFGS:_set_param(data)
  for i, p in ipairs(self:_params()) do p:copy_(data[i]) end
end

function LBFGS:_directional_evaluate(closure, x, t, d)
  self:_add_grad(t, d)
  local loss = num(torch.enable_grad(closure))
  local flat_grad = self:_gather_flat_grad()
  self:_set_param(x)
  return loss, flat_grad
end

-- the minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), within bounds
local function cubic_interpolate(x1, f1, g1, x2, f2, g2, lo, hi)
  if lo == nil then
    if num(x1) <= num(x2) then lo, hi = x1, x2 else lo, hi = x2, x1 end
  end
  local d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
  local d2_square = d1 * d1 - g1 * g2
  if num(d2_square) >= 0 then
    local d2 = sqrt(d2_square)
    local min_pos
    if num(x1) <= num(x2) then
      min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else
      min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    end
    return pymin(pymax(min_pos, lo), hi)
  end
  return (lo + hi) / 2.0
end

local function clone(v) return is_tensor(v) and v:clone() or v end

-- PyTorch's _strong_wolfe (c1 = 1e-4, c2 = 0.9, max_ls = 25); lists 1-based here
local function strong_wolfe(obj_func, x, t, d, f, g, gtd, tolerance_change)
  local c1, c2, max_ls = 1e-4, 0.9, 25
  local d_norm = d:abs():max()
  g = g:clone()
  local f_new, g_new = obj_func(x, t, d)
  local ls_func_evals = 1
  local gtd_new = g_new:dot(d)
  local t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
  local done = false
  local ls_iter = 0
  local bracket, bracket_f, bracket_g, bracket_gtd
  while ls_iter < max_ls do
    if num(f_new) > num(f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev) then
      bracket, bracket_f = {t_prev, t}, {f_prev, f_new}
      bracket_g, bracket_gtd = {g_prev, g_new:clone()}, {gtd_prev, gtd_new}
      break
    end
    if num(pyabs(gtd_new)) <= num(-c2 * gtd) then
      bracket, bracket_f, bracket_g = {t}, {f_new}, {g_new}
      done = true
      break
    end
    if num(gtd_new) >= 0 then
      bracket, bracket_f = {t_prev, t}, {f_prev, f_new}
      bracket_g, bracket_gtd = {g_prev, g_new:clone()}, {gtd_prev, gtd_new}
      break
    end
    local min_step = t + 0.01 * (t - t_prev)
    local max_step = t * 10
    local tmp = t
    t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, min_step, max_step)
    t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new:clone(), gtd_new
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = ls_func_evals + 1
    gtd_new = g_new:dot(d)
    ls_iter = ls_iter + 1
  end
  if ls_iter == max_ls then
    bracket, bracket_f, bracket_g = {0, t}, {f, f_new}, {g, g_new}
  end
  local insuf_progress = false
  local low, high
  if num(bracket_f[1]) <= num(bracket_f[#bracket_f]) then low, high = 1, 2 else low, high = 2, 1 end
  while not done and ls_iter < max_ls do
    if num(pyabs(bracket[2] - bracket[1]) * d_norm) < tolerance_change then break end
    t = cubic_interpolate(bracket[1], bracket_f[1], bracket_gtd[1], bracket[2], bracket_f[2], bracket_gtd[2])
    local bmax, bmin = pymax(bracket[1], bracket[2]), pymin(bracket[1], bracket[2])
    local eps = 0.1 * (bmax - bmin)
    if num(pymin(bmax - t, t - bmin)) < num(eps) then
      if insuf_progress or num(t) >= num(bmax) or num(t) <= num(bmin) then
        if num(pyabs(t - bmax)) < num(pyabs(t - bmin)) then t = bmax - eps else t = bmin + eps end
        insuf_progress = false
      else
        insuf_progress = true
      end
    else
      insuf_progress = false
    end
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = ls_func_evals + 1
    gtd_new = g_new:dot(d)
    ls_iter = ls_iter + 1
    if num(f_new) > num(f + c1 * t * gtd) or f_new >= num(bracket_f[low]) then
      bracket[high], bracket_f[high], bracket_g[high], bracket_gtd[high] = t, f_new, g_new:clone(), gtd_new
      if num(bracket_f[1]) <= num(bracket_f[2]) then low, high = 1, 2 else low, high = 2, 1 end
    else
      if num(pyabs(gtd_new)) <= num(-c2 * gtd) then
        done = true
      elseif num(gtd_new * (bracket[high] - bracket[low])) >= 0 then
        bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
        bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
      end
      bracket[low], bracket_f[low], bracket_g[low], bracket_gtd[low] = t, f_new, g_new:clone(), gtd_new
    end
  end
  return bracket_f[low], bracket_g[low], bracket[low], ls_func_evals
end

local function list(t) return torch.list(t) end

--- lbfgs:step(closure) -> the closure's first loss
-- Up to max_iter L-BFGS iterations; closure (required) re-evaluates the
-- model: zero the grads, compute the loss, call backward, return the loss.
function LBFGS:step(closure)
  if type(closure) ~= "function" then error("LBFGS.step: a closure is required (it returns the loss)", 2) end
  local _ <close> = torch.no_grad()
  local group = self.param_groups[1]
  local lr, max_iter, max_eval = group.lr, group.max_iter, group.max_eval
  local tolerance_grad, tolerance_change = group.tolerance_grad, group.tolerance_change
  local line_search_fn, history_size = group.line_search_fn, group.history_size
  if line_search_fn == torch.None then line_search_fn = nil end

  local state = self:_state(self:_params()[1])
  if state.func_evals == nil then state.func_evals = 0 end
  if state.n_iter == nil then state.n_iter = 0 end

  local orig_loss = torch.enable_grad(closure)
  local loss = num(orig_loss)
  local current_evals = 1
  state.func_evals = state.func_evals + 1

  local flat_grad = self:_gather_flat_grad()
  local opt_cond = flat_grad:abs():max():item() <= tolerance_grad
  if opt_cond then return orig_loss end

  local d, t = state.d, state.t
  local old_dirs, old_stps, ro = state.old_dirs, state.old_stps, state.ro
  local H_diag, prev_flat_grad, prev_loss = state.H_diag, state.prev_flat_grad, state.prev_loss

  local n_iter = 0
  while n_iter < max_iter do
    n_iter = n_iter + 1
    state.n_iter = state.n_iter + 1
    if state.n_iter == 1 then
      d = flat_grad:neg()
      old_dirs, old_stps, ro = list{}, list{}, list{}
      H_diag = 1
    else
      local y = flat_grad:sub(prev_flat_grad)
      local s = d:mul(t)
      local ys = y:dot(s)
      if ys:item() > 1e-10 then
        if #old_dirs == history_size then
          table.remove(old_dirs, 1)
          table.remove(old_stps, 1)
          table.remove(ro, 1)
        end
        old_dirs[#old_dirs + 1] = y
        old_stps[#old_stps + 1] = s
        ro[#ro + 1] = 1.0 / ys
        H_diag = ys / y:dot(y)
      end
      local num_old = #old_dirs
      if state.al == nil then
        local al = {}
        for i = 1, history_size do al[i] = torch.None end
        state.al = al
      end
      local al = state.al
      local q = flat_grad:neg()
      for i = num_old, 1, -1 do
        al[i] = old_stps[i]:dot(q) * ro[i]
        q:add_(old_dirs[i], {alpha = -al[i]:item()})
      end
      local r = q * H_diag
      d = r
      for i = 1, num_old do
        local be_i = old_dirs[i]:dot(r) * ro[i]
        r:add_(old_stps[i], {alpha = (al[i] - be_i):item()})
      end
    end
    if prev_flat_grad == nil or prev_flat_grad == torch.None then
      prev_flat_grad = flat_grad:clone()
    else
      prev_flat_grad:copy_(flat_grad)
    end
    prev_loss = loss

    if state.n_iter == 1 then
      t = pymin(1.0, 1.0 / flat_grad:abs():sum()) * lr
    else
      t = lr
    end
    local gtd = flat_grad:dot(d)
    if gtd:item() > -tolerance_change then break end

    local ls_func_evals = 0
    if line_search_fn ~= nil then
      local x_init = self:_clone_param()
      local function obj_func(x, tt, dd) return self:_directional_evaluate(closure, x, tt, dd) end
      loss, flat_grad, t, ls_func_evals = strong_wolfe(obj_func, x_init, t, d, loss, flat_grad, gtd, tolerance_change)
      self:_add_grad(t, d)
      opt_cond = flat_grad:abs():max():item() <= tolerance_grad
    else
      self:_add_grad(t, d)
      if n_iter ~= max_iter then
        loss = num(torch.enable_grad(closure))
        flat_grad = self:_gather_flat_grad()
        opt_cond = flat_grad:abs():max():item() <= tolerance_grad
        ls_func_evals = 1
      end
    end
    current_evals = current_evals + ls_func_evals
    state.func_evals = state.func_evals + ls_func_evals

    if n_iter == max_iter then break end
    if current_evals >= max_eval then break end
    if opt_cond then break end
    if d:mul(t):abs():max():item() <= tolerance_change then break end
    if math.abs(loss - prev_loss) < tolerance_change then break end
  end

  state.d = d                        -- one by one: the state's key order is PyTorch's
  state.t = clone(t)
  state.old_dirs = old_dirs
  state.old_stps = old_stps
  state.ro = ro
  state.H_diag = H_diag
  state.prev_flat_grad = prev_flat_grad
  state.prev_loss = prev_loss
  return orig_loss
end

return LBFGS
