-- ember.monitor — a training monitor: forward hooks on a model's layers
-- record, per layer and per training step, the activations' mean, std,
-- fraction of zeros, dead units (zero for the whole batch) and histogram;
-- m:step() (called after optimizer:step()) adds each layer's gradient
-- norm, weight norm and update/weight ratio; m:report() prints a table and
-- flags vanishing and exploding gradients, dead units and a learning rate
-- too large or too small, with the numbers; m:plot{} draws the histograms
-- and their evolution through ember.plot; m:remove() detaches it.
--   local m = ember.monitor(model)
--   ... loss:backward(); opt:step(); m:step() ...
--   m:report()
-- Not here: the hooks themselves (torch.nn.module_hooks), drawing (ember.plot).
local torch = require "torch"
local options = require "torch.options"

local M = {}

local MONITOR = options.spec("ember.monitor", "layers bins window dead vanish explode lr_high lr_low")
local PLOT = options.spec("monitor:plot", "layers steps file terminal width height show quiet")

-- The thresholds of the findings (each an option of ember.monitor).
local DEFAULTS = {
  bins = 40,        -- histogram bins per layer and step
  window = 10,      -- findings look at the median of the last `window` steps
  dead = 0.5,       -- a layer switching off this fraction of its units (or more)
  vanish = 1e-4,    -- a gradient norm below this fraction of the largest layer's
  explode = 1e3,    -- a gradient norm above this, or grown this many times
  lr_high = 1e-1,   -- update/weight ratio above: the learning rate is too large
  lr_low = 1e-5,    -- update/weight ratio below: too small
}

local Monitor = {__name = "Monitor"}
Monitor.__index = Monitor

local function finite(v) return v == v and v ~= math.huge and v ~= -math.huge end

-- The first tensor of a module's output (a list for several outputs).
local function first_tensor(v)
  if torch.is_tensor(v) then return v end
  if type(v) == "table" then
    for i = 1, v.n or #v do
      if torch.is_tensor(v[i]) then return v[i] end
    end
  end
  return nil
end

-- Fraction of units (positions after the batch dimension) that are zero
-- for every sample of the batch; nil without a batch dimension.
local function dead_fraction(d)
  if d:dim() < 2 or d:size(1) < 2 then return nil end
  return d:count_nonzero(1):eq(0):sum():item() / (d:numel() // d:size(1))
end

-- The activation statistics of one forward output (detached, no graph).
local function activation_stats(y, bins, args, dead_threshold)
  local d = y:detach()
  if d:numel() == 0 then return nil end
  if not d:is_floating_point() then d = d:float() end
  local rec = {mean = d:mean():item(), std = d:numel() > 1 and d:std():item() or 0,
               zeros = 1 - d:count_nonzero():item() / d:numel(), dead = dead_fraction(d),
               units = d:dim() > 0 and d:numel() // d:size(1) or 1}
  local lo, hi = d:min():item(), d:max():item()
  if finite(rec.mean) and finite(rec.std) and finite(lo) and finite(hi) then
    if hi > lo then
      rec.hist = {lo = lo, hi = hi, counts = d:histc(bins, lo, hi):tolist()}
    else
      rec.hist = {lo = lo, hi = hi, counts = {d:numel()}}
    end
  else
    rec.nonfinite = true
  end
  -- units that were already zero before this layer are not ones it switched off (looked at only when
  -- there are enough dead units to flag)
  local x = args and first_tensor(args)
  if rec.dead and rec.dead >= dead_threshold and x and x:is_floating_point() then
    rec.dead_in = dead_fraction(x:detach())
  end
  return rec
end

-- The leaf layers (modules without children) of model, with their names;
-- or the named ones.
local function pick_layers(model, names)
  local all, by_name = {}, {}
  for _, nm in ipairs(model:named_modules()) do
    local name = nm[1] == "" and nm[2]:class_name() or nm[1]
    by_name[nm[1]] = {name = name, module = nm[2]}
    if #nm[2]:children() == 0 then all[#all + 1] = by_name[nm[1]] end
  end
  if names == nil then return all end
  if type(names) ~= "table" or #names == 0 then
    error("ember.monitor: layers must be a list of module names (model:named_modules()), e.g. {\"fc1\"}", 3)
  end
  local out = {}
  for i, n in ipairs(names) do
    local l = by_name[n]
    if not l then
      local known = {}
      for _, x in ipairs(all) do known[#known + 1] = x.name end
      error(string.format("ember.monitor: the model has no module named '%s' (its layers: %s)", tostring(n),
        table.concat(known, ", ")), 3)
    end
    out[i] = l
  end
  return out
end

--- ember.monitor(model[, opts]) -> monitor
-- Watches a model train: forward hooks on each leaf layer (or on
-- opts.layers, a list of module names) record the activations of every
-- training forward pass (one with gradients on; evaluation under
-- torch.no_grad is not recorded): mean, std, fraction of zeros, dead units
-- (zero for the whole batch) and a histogram. Call m:step() once per batch,
-- after optimizer:step(): it closes the step and records each layer's
-- gradient norm (its parameters' .grad), weight norm and update/weight
-- ratio (how far optimizer:step() moved the weights, relative to them).
-- Then m:report() prints the table and what looks wrong, m:plot{} draws the
-- histograms, m:remove() detaches the hooks (the model is as before).
-- Options: layers, bins (40), window (10: findings use the median of the
-- last 10 steps), and the thresholds dead (0.5), vanish (1e-4), explode
-- (1e3), lr_high (1e-1), lr_low (1e-5); see m:report().
-- Example:
--   local model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
--   local opt = optim.SGD(model:parameters(), {lr = 0.1})
--   local m = ember.monitor(model)
--   local loss = model(torch.randn(16, 4)):pow(2):mean()
--   opt:zero_grad(); loss:backward(); opt:step(); m:step()
--   m.steps  --> 1
--   m:remove()
function M.monitor(model, opts)
  local nn_module = require "torch.nn.module"
  if not nn_module.Module.is_module(model) then
    error("ember.monitor: expected a model (an nn.Module), got " .. type(model), 2)
  end
  opts = MONITOR:check(opts)
  local o = {}
  for k, v in pairs(DEFAULTS) do
    local x = opts[k]
    if x == nil then x = v end
    if type(x) ~= "number" or x <= 0 or ((k == "bins" or k == "window") and math.type(x) ~= "integer") then
      error(string.format("ember.monitor: %s must be a positive %s, got %s", k,
        (k == "bins" or k == "window") and "integer" or "number", tostring(x)), 2)
    end
    o[k] = x
  end
  local self = setmetatable({model = model, opts = o, steps = 0, layers = pick_layers(model, opts.layers),
                             handles = {}}, Monitor)
  for _, layer in ipairs(self.layers) do
    layer.history, layer.params, layer.prev = {}, {}, {}
    local w2 = 0
    for _, p in pairs(rawget(layer.module, "_parameters")) do
      if p then
        layer.params[#layer.params + 1] = p
        layer.prev[#layer.params] = p:detach():clone()
        w2 = w2 + p:detach():norm():item() ^ 2
      end
    end
    layer.prev_norm = math.sqrt(w2)       -- the norm of the copies in layer.prev
    self.handles[#self.handles + 1] = layer.module:register_forward_hook(function(_, args, out)
      if not torch.is_grad_enabled() then return end
      local y = first_tensor(out)
      if y then layer.current = activation_stats(y, o.bins, args, o.dead) end
    end)
  end
  return self
end

-- Squared 2-norm of a tensor.
local function sumsq(t) return t:detach():norm():item() ^ 2 end

--- monitor:step()
-- Closes a training step: call it once per batch, after optimizer:step().
-- Records, for each layer with parameters, the norm of their gradients
-- (.grad, as backward left it), the norm of the weights and the ratio
-- |weights after - weights before| / |weights before| of this step's
-- update, and the activations of the step's (last) training forward pass.
function Monitor:step()
  if not self.handles then error("monitor:step: the monitor was removed (m:remove())", 2) end
  self.steps = self.steps + 1
  torch.no_grad(function()
    for _, layer in ipairs(self.layers) do
      local rec = layer.current or {}
      layer.current = nil
      if #layer.params > 0 then
        local g2, w2, d2, grads = 0, 0, 0, false
        for i, p in ipairs(layer.params) do
          if p.grad ~= nil then g2, grads = g2 + sumsq(p.grad), true end
          w2 = w2 + sumsq(p)
          local prev = layer.prev[i]
          d2 = d2 + prev:sub_(p:detach()):norm():item() ^ 2   -- in place: no new tensor per step
          prev:copy_(p:detach())
        end
        rec.grad_norm = grads and math.sqrt(g2) or nil
        rec.weight_norm = math.sqrt(w2)
        rec.update_ratio = layer.prev_norm > 0 and math.sqrt(d2) / layer.prev_norm or nil
        layer.prev_norm = rec.weight_norm
      end
      layer.history[self.steps] = rec
    end
  end)
end

--- monitor:remove()
-- Detaches the monitor: removes its forward hooks (the model runs exactly
-- as without it) and drops its copies of the weights; what it recorded
-- stays readable (m:report(), m:plot{}).
function Monitor:remove()
  for _, h in ipairs(self.handles or {}) do h:remove() end
  self.handles = nil
  for _, layer in ipairs(self.layers) do layer.prev, layer.current = {}, nil end
end

-- The median of field k over the last n steps of a layer (its finite
-- values; NaN/inf are findings of their own).
local function recent(layer, steps, n, k)
  local xs = {}
  for s = math.max(1, steps - n + 1), steps do
    local r = layer.history[s]
    if r and r[k] ~= nil and finite(r[k]) then xs[#xs + 1] = r[k] end
  end
  if #xs == 0 then return nil end
  table.sort(xs)
  return xs[(#xs + 1) // 2]
end

local function g(v)
  if v == nil then return "-" end
  if v == 0 then return "0" end
  if v ~= v then return "nan" end
  return string.format("%.3g", v)
end
local function pct(v) return v == nil and "-" or string.format("%.0f%%", 100 * v) end

-- The first step at which field k of a layer was not finite, or nil.
local function first_nonfinite(layer, steps, k)
  for s = 1, steps do
    local r = layer.history[s]
    if r and (k == "activations" and r.nonfinite or (k ~= "activations" and r[k] ~= nil and not finite(r[k]))) then
      return s
    end
  end
  return nil
end

--- monitor:findings() -> list of {kind =, layer =, message =}
-- What m:report() flags, without printing. kind is "exploding",
-- "vanishing", "dead", "lr_high" or "lr_low"; message gives the evidence.
-- The rules (each threshold an option of ember.monitor), on the median of
-- the last `window` steps:
--   exploding  activations or gradients became NaN/inf, or a gradient norm
--              is above `explode` (1e3) or grew `explode` times since step 1
--   vanishing  a layer's gradient norm is below `vanish` (1e-4) times the
--              largest layer's (zero included)
--   dead       a layer switched off at least `dead` (50%) of its units:
--              zero for the whole batch (ReLUs that never fire), not
--              counting units already zero in its input
--   lr_high    a layer's update/weight ratio is above `lr_high` (0.1),
--              in the last steps or in the first ones (a first step too
--              large does its damage early); about 1e-3 is the usual rule
--              of thumb (Adam's first steps run near 1e-2)
--   lr_low     every layer's update/weight ratio is below `lr_low` (1e-5)
function Monitor:findings()
  local o, n, out = self.opts, self.steps, {}
  local function add(kind, layer, fmt, ...)
    out[#out + 1] = {kind = kind, layer = layer.name, message = string.format(fmt, ...)}
  end
  if n == 0 then return out end
  local w = math.min(o.window, n)
  local largest, largest_layer = 0, nil
  for _, l in ipairs(self.layers) do
    local gn = recent(l, n, w, "grad_norm")
    if gn and finite(gn) and gn > largest then largest, largest_layer = gn, l end
  end
  local any_ratio, all_low, low_max = false, true, 0
  for _, l in ipairs(self.layers) do
    local cls = l.module:class_name()
    local who = l.name .. " (" .. cls .. ")"
    local s_act, s_grad = first_nonfinite(l, n, "activations"), first_nonfinite(l, n, "grad_norm")
    local gn = recent(l, n, w, "grad_norm")
    local first = l.history[1] and l.history[1].grad_norm
    local exploding = true
    if s_act or s_grad then
      local at = math.min(s_act or math.huge, s_grad or math.huge)
      local before = l.history[at - 1] and l.history[at - 1].grad_norm
      add("exploding", l, "exploding: %s: %s became NaN/inf at step %d%s", who,
        s_grad and (not s_act or s_grad <= s_act) and "the gradient" or "the activations", at,
        before and string.format(" (gradient norm %s at step %d)", g(before), at - 1) or "")
    elseif gn and gn > o.explode then
      add("exploding", l, "exploding gradients: %s: gradient norm %s (median of the last %d steps; flagged above %s)",
        who, g(gn), w, g(o.explode))
    elseif gn and first and first > 0 and gn / first > o.explode then
      add("exploding", l, "exploding gradients: %s: gradient norm grew from %s (step 1) to %s (flagged at %s times)",
        who, g(first), g(gn), g(o.explode))
    else
      exploding = false
    end
    -- once it exploded, the other numbers of the layer mean nothing
    if not exploding and gn and largest_layer and largest_layer ~= l and gn < o.vanish * largest then
      add("vanishing", l, "vanishing gradients: %s: gradient norm %s while %s has %s (medians of the last %d "
        .. "steps; flagged below %s times the largest)", who, g(gn), largest_layer.name, g(largest), w, g(o.vanish))
    end
    local dead, dead_in = recent(l, n, w, "dead"), recent(l, n, w, "dead_in") or 0
    if dead and dead - dead_in >= o.dead then
      local units = l.history[n] and l.history[n].units
      add("dead", l, "dead units: %s: %s of its %s units were zero for the whole batch (%s already in its input; "
        .. "median of the last %d steps, flagged at %s)", who, pct(dead), units and tostring(units) or "?",
        pct(dead_in), w, pct(o.dead))
    end
    local ratio = recent(l, n, w, "update_ratio")
    if ratio and not exploding then
      any_ratio = true
      low_max = math.max(low_max, ratio)
      if ratio >= o.lr_low then all_low = false end
      local early = recent(l, w, w, "update_ratio")
      if ratio > o.lr_high then
        add("lr_high", l, "learning rate too large: %s: update/weight ratio %s (median of the last %d steps; "
          .. "about 1e-3 is healthy, flagged above %s)", who, g(ratio), w, g(o.lr_high))
      elseif early and early > o.lr_high then
        add("lr_high", l, "learning rate too large: %s: update/weight ratio %s in the first %d steps, %s now "
          .. "(medians; about 1e-3 is healthy, flagged above %s): the first steps moved the weights too far",
          who, g(early), w, g(ratio), g(o.lr_high))
      end
    end
  end
  if any_ratio and all_low then
    out[#out + 1] = {kind = "lr_low", layer = nil, message = string.format(
      "learning rate too small: the largest update/weight ratio of any layer is %s (median of the last %d steps; "
      .. "about 1e-3 is healthy, flagged below %s)", g(low_max), w, g(o.lr_low))}
  end
  return out
end

local COLUMNS = {
  {"act mean", "mean", g}, {"act std", "std", g}, {"zeros", "zeros", pct}, {"dead", "dead", pct},
  {"grad norm", "grad_norm", g}, {"weight norm", "weight_norm", g}, {"update/weight", "update_ratio", g},
}

--- monitor:report() -> findings
-- Prints one row per layer with the last step's numbers (activation mean,
-- std, fraction of zeros, dead units; gradient norm, weight norm,
-- update/weight ratio; "-" where a layer has no such thing), then what
-- looks wrong, each with its evidence (see m:findings() for the rules), or
-- that nothing does. Returns the findings.
function Monitor:report()
  local n = self.steps
  local lines = {}
  if n == 0 then
    local seen = false
    for _, l in ipairs(self.layers) do if l.current then seen = true end end
    print("ember.monitor: no step recorded yet" .. (seen and
      " (forward passes were seen: call m:step() after each optimizer:step())" or ""))
    return {}
  end
  lines[1] = string.format("ember.monitor: %s, %d step%s; the numbers of step %d", self.model:class_name(), n,
    n == 1 and "" or "s", n)
  local rows, widths = {}, {5}
  local head = {"layer"}
  for i, c in ipairs(COLUMNS) do head[i + 1] = c[1] end
  rows[1] = head
  for _, l in ipairs(self.layers) do
    local r = l.history[n] or {}
    local row = {l.name .. " (" .. l.module:class_name() .. ")"}
    for i, c in ipairs(COLUMNS) do row[i + 1] = c[3](r[c[2]]) end
    rows[#rows + 1] = row
  end
  for _, row in ipairs(rows) do
    for i, cell in ipairs(row) do widths[i] = math.max(widths[i] or 0, utf8.len(cell) or #cell) end
  end
  for _, row in ipairs(rows) do
    local cells = {}
    for i, cell in ipairs(row) do
      local pad = string.rep(" ", widths[i] - (utf8.len(cell) or #cell))
      cells[i] = i == 1 and cell .. pad or pad .. cell
    end
    lines[#lines + 1] = table.concat(cells, "  ")
  end
  local found = self:findings()
  if #found == 0 then
    lines[#lines + 1] = "no problems found (vanishing or exploding gradients, dead units, learning rate)"
  else
    for _, f in ipairs(found) do lines[#lines + 1] = "! " .. f.message end
  end
  print(table.concat(lines, "\n"))
  return found
end

-- The steps to draw: the first, the middle and the last recorded.
local function default_steps(n)
  local out, seen = {}, {}
  for _, s in ipairs({1, (n + 1) // 2, n}) do
    if not seen[s] then out[#out + 1], seen[s] = s, true end
  end
  return out
end

--- monitor:plot{[layers =, steps =, file =, ...]} -> result
-- Draws, for each layer (all, or opts.layers: names), two panels: its
-- activation histograms at a few steps (opts.steps; by default the first,
-- the middle and the last), as the fraction of values per bin, and the
-- evolution over all steps of the activations' mean, std and fraction of
-- zeros. Through ember.plot: a text plot on a terminal, a PNG/SVG with
-- file = (width, height, terminal, show, quiet as in plot.figure).
-- Example: m:plot{layers = {"1"}, file = "relu.png"}
function Monitor:plot(opts)
  opts = PLOT:check(opts)
  local n = self.steps
  if n == 0 then error("monitor:plot: no step recorded yet (call m:step() after each optimizer:step())", 2) end
  local layers = self.layers
  if opts.layers then
    local by = {}
    for _, l in ipairs(self.layers) do by[l.name] = l end
    layers = {}
    for i, name in ipairs(opts.layers) do
      layers[i] = by[name] or error("monitor:plot: no monitored layer named '" .. tostring(name) .. "'", 2)
    end
  end
  local steps = opts.steps or default_steps(n)
  local plot = require "ember.plot"
  local fig = plot.figure{rows = #layers, cols = 2, file = opts.file, terminal = opts.terminal,
                          width = opts.width or 1000, height = opts.height or 320 * #layers,
                          show = opts.show, quiet = opts.quiet}
  for _, l in ipairs(layers) do
    local series = {}
    for _, s in ipairs(steps) do
      local h = l.history[s] and l.history[s].hist
      if math.type(s) ~= "integer" or s < 1 or s > n then
        error(string.format("monitor:plot: step %s is not one of the recorded steps 1..%d", tostring(s), n), 2)
      end
      if h then
        local total, x, y = 0, {}, {}
        for _, c in ipairs(h.counts) do total = total + c end
        local width = (h.hi - h.lo) / #h.counts
        for i, c in ipairs(h.counts) do
          x[i], y[i] = h.lo + (i - 0.5) * width, c / total
        end
        series[#series + 1] = {x = x, y = y, label = "step " .. s, style = #x == 1 and "points" or "lines"}
      end
    end
    local title = l.name .. " (" .. l.module:class_name() .. ")"
    if #series == 0 then
      series[1] = {x = {0}, y = {0}, label = "no finite activations", style = "points"}
    end
    series.title, series.xlabel, series.ylabel = title .. ": activations", "value", "fraction"
    fig:line(series)
    local xs, mean, std, zeros = {}, {}, {}, {}
    for s = 1, n do
      local r = l.history[s] or {}
      xs[s], mean[s], std[s], zeros[s] = s, r.mean or 0 / 0, r.std or 0 / 0, r.zeros or 0 / 0
    end
    fig:line{{x = xs, y = mean, label = "mean"}, {x = xs, y = std, label = "std"},
             {x = xs, y = zeros, label = "zeros", style = "dashed"},
             title = title .. ": over steps", xlabel = "step"}
  end
  return fig:draw()
end

M.Monitor = Monitor
return M
