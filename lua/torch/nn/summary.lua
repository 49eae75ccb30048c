-- torch.nn.summary — what is inside a model, as torchinfo shows it:
-- nn.summary(model, input_size) runs one forward pass on zeros and prints a
-- table of every module called (type, depth-index, output shape, own
-- parameters), then the totals and size estimates; model:info() returns the
-- model's metadata as a plain table. Not here: printing the module tree
-- (print(model), nn.Module:_repr).
local torch = require "torch"
local options = require "torch.options"
local Module = require("torch.nn.module").Module
local layer_errors = require "torch.nn.layer_errors"

local M = {}

local function with_commas(n)
  local s = tostring(math.floor(n))
  repeat
    local count
    s, count = s:gsub("^(-?%d+)(%d%d%d)", "%1,%2")
  until count == 0
  return s
end

local function shape_str(t)
  if torch.is_tensor(t) then return "[" .. table.concat(t:size(), ", ") .. "]" end
  if type(t) == "table" then     -- several outputs: the shape of each
    local parts = {}
    for i, v in ipairs(t) do parts[i] = shape_str(v) end
    return table.concat(parts, ", ")
  end
  return "--"
end

-- A module's own parameters (not its children's): total and trainable.
local function own_params(m)
  local n, trainable = 0, 0
  for _, p in pairs(rawget(m, "_parameters")) do
    if p then
      n = n + p:numel()
      if p.requires_grad then trainable = trainable + p:numel() end
    end
  end
  return n, trainable
end

-- All parameters of m and its descendants (each once): total and trainable.
local function tree_params(m)
  local n, trainable = 0, 0
  for _, p in ipairs(m:parameters()) do
    n = n + p:numel()
    if p.requires_grad then trainable = trainable + p:numel() end
  end
  return n, trainable
end

-- The "Param #" cell, by torchinfo's rules: "--" when the module and its
-- descendants have no parameters; "(recursive)" for a module called before;
-- a leaf, or a row at the depth limit (its children hidden), shows all its
-- parameters, in parentheses when none of them trains; a container shows the
-- parameters of its own (not its children's), or "--".
local function param_cell(m, seen, at_max_depth)
  local total, trainable = tree_params(m)
  if total == 0 then return "--" end
  if seen then return "(recursive)" end
  if at_max_depth or #m:children() == 0 then
    return trainable == 0 and ("(" .. with_commas(total) .. ")") or with_commas(total)
  end
  local own = own_params(m)
  return own > 0 and with_commas(own) or "--"
end

-- Multiply-adds of one call: Linear and Conv2d, weight elements times output
-- positions (Linear in*out*batch; Conv2d output elements * in/groups * kh*kw);
-- other layers count 0. (torchinfo also counts the biases and BatchNorm's
-- weights; lesson 12 explains the weights-only number.)
local function mult_adds(m, out)
  if not torch.is_tensor(out) then return 0 end
  local name = m:class_name()
  local w = rawget(m, "_parameters"):contains("weight") and m.weight
  if not w then return 0 end
  if name == "Linear" then return w:numel() * (out:numel() // out:size(-1)) end
  if name == "Conv2d" then return w:numel() * (out:numel() // out:size(2)) end
  return 0
end

-- The bytes of a call's output (a tensor or a list of them).
local function bytes_of(out)
  if torch.is_tensor(out) then return out:numel() * out:element_size() end
  local n = 0
  if type(out) == "table" then
    for _, v in ipairs(out) do n = n + bytes_of(v) end
  end
  return n
end

-- Runs model on x with the call hook recording one row per module call.
local function trace(model, x)
  local rows, stack = {}, {}
  local old_hook = Module._call_hook
  Module._call_hook = function(m, ...)
    local parent = stack[#stack]
    local row = {module = m, depth = #stack, parent = parent, children = 0}
    if parent then
      parent.children = parent.children + 1
      row.index = parent.children
    else
      row.index = 1
    end
    rows[#rows + 1] = row
    stack[#stack + 1] = row
    local r = table.pack(pcall(layer_errors.forward, m, ...))   -- an error names the layer
    stack[#stack] = nil
    if not r[1] then error(r[2], 0) end
    row.output = r.n > 1 and r[2] or nil
    if r.n > 2 then row.output = {table.unpack(r, 2, r.n)} end
    return table.unpack(r, 2, r.n)
  end
  local modes = {}                 -- each module's own mode: they may differ
  for _, m in ipairs(model:modules()) do modes[m] = m.training end
  local ok, err = pcall(function()
    model:eval()
    return torch.no_grad(function() return model(x) end)
  end)
  Module._call_hook = old_hook
  for m, mode in pairs(modes) do rawset(m, "training", mode) end
  if not ok then error(err, 0) end
  return rows
end

local RULE = string.rep("=", 80)

-- s padded with spaces to w characters (the tree's box-drawing characters
-- are one character but three bytes, so string.format's %-40s would not do)
local function pad(s, w)
  local n = utf8.len(s) or #s
  return n >= w and s or s .. string.rep(" ", w - n)
end
local function row_text(a, b, c) return (pad(a, 40) .. " " .. pad(b, 25) .. " " .. c):gsub("%s+$", "") end

local SUMMARY = options.spec("nn.summary", "dtype depth verbose",
  "input_data batch_dim cache_forward_pass col_names col_width device dtypes mode row_settings")
--- nn.summary(model, input_size[, {dtype = torch.float32, depth = 3, verbose = 1}]) -> stats
-- A torchinfo-style table of model: one forward pass (eval mode, no_grad;
-- every module's training mode restored after, even on an error) on zeros of
-- input_size (a list with the batch dim, e.g. {64, 784}; or an example
-- tensor) records each module call: "Layer (type:depth-idx)", "Output Shape"
-- and "Param #" as torchinfo shows it (a layer's parameters, in parentheses
-- when none trains; "--" for a container without its own, or the whole
-- count at the depth limit; "(recursive)" for a module called again). Then
-- total, trainable and non-trainable parameters, mult-adds (Linear:
-- in*out*batch; Conv2d: output elements * in_channels/groups * kh*kw; every
-- other layer counts 0, biases too), and sizes in MB: input,
-- forward/backward pass (the outputs of the leaf layers, twice), parameters.
-- Rows deeper than depth are hidden (still counted). Prints unless
-- verbose = 0; returns stats: total_params, trainable_params,
-- non_trainable_params, total_mult_adds, input_size_bytes,
-- forward_backward_bytes, params_bytes, layers (one {name, class, depth,
-- output_shape, params = its own parameters} per call) and text (the table).
-- Example:
--   local stats = nn.summary(nn.Linear(784, 10), {64, 784}, {verbose = 0})
--   stats.total_params  --> 7850
function M.summary(model, input_size, opts)
  opts = SUMMARY:check(opts)
  if not Module.is_module(model) then error("nn.summary: expected a module, got " .. type(model), 2) end
  local x
  if torch.is_tensor(input_size) then
    x = opts.dtype and input_size:to(opts.dtype) or input_size
  elseif type(input_size) == "table" and #input_size > 0 then
    for i, n in ipairs(input_size) do
      if math.type(n) ~= "integer" or n < 1 then
        error(string.format("nn.summary: input_size[%d] must be a positive integer, got %s", i, tostring(n)), 2)
      end
    end
    x = torch.zeros(input_size, {dtype = opts.dtype or torch.float32})
  else
    error("nn.summary: expected input_size as a list of sizes with the batch dim, e.g. {64, 784}", 2)
  end
  local max_depth = opts.depth or 3
  local ok, rows = pcall(trace, model, x)
  if not ok then error("nn.summary: the forward pass failed: " .. tostring(rows), 2) end

  local names = {}
  for _, nm in ipairs(model:named_modules()) do names[nm[2]] = nm[1] end
  local lines = {RULE, row_text("Layer (type:depth-idx)", "Output Shape", "Param #"), RULE}
  local layers, madds, out_bytes, seen = {}, 0, 0, {}
  for _, row in ipairs(rows) do
    local m = row.module
    local n = own_params(m)
    local label
    if row.depth == 0 then
      label = m:class_name()
    else
      local prefix = row.depth == 1 and "├─" or (string.rep("│    ", row.depth - 1) .. "└─")
      label = string.format("%s%s: %d-%d", prefix, m:class_name(), row.depth, row.index)
    end
    if row.depth <= max_depth then
      lines[#lines + 1] = row_text(label, shape_str(row.output), param_cell(m, seen[m], row.depth == max_depth))
    end
    seen[m] = true
    madds = madds + mult_adds(m, row.output)
    if #m:children() == 0 then out_bytes = out_bytes + bytes_of(row.output) end
    layers[#layers + 1] = {name = names[m] or "", class = m:class_name(), depth = row.depth,
                           output_shape = torch.is_tensor(row.output) and row.output:size() or nil, params = n}
  end

  local total, trainable, param_bytes = 0, 0, 0
  for _, p in ipairs(model:parameters()) do
    total = total + p:numel()
    if p.requires_grad then trainable = trainable + p:numel() end
    param_bytes = param_bytes + p:numel() * p:element_size()
  end
  local input_size_bytes = x:numel() * x:element_size()
  local fb_bytes = out_bytes * 2                 -- kept for backward: x2, as torchinfo counts
  local function mb(b) return string.format("%.2f", b / 1e6) end
  local unit, scale = "M", 1e6      -- torchinfo: M, or G and T for large models
  if madds >= 1e12 then unit, scale = "T", 1e12 elseif madds >= 1e9 then unit, scale = "G", 1e9 end
  lines[#lines + 1] = RULE
  lines[#lines + 1] = "Total params: " .. with_commas(total)
  lines[#lines + 1] = "Trainable params: " .. with_commas(trainable)
  lines[#lines + 1] = "Non-trainable params: " .. with_commas(total - trainable)
  lines[#lines + 1] = string.format("Total mult-adds (%s): %.2f", unit, madds / scale)
  lines[#lines + 1] = RULE
  lines[#lines + 1] = "Input size (MB): " .. mb(input_size_bytes)
  lines[#lines + 1] = "Forward/backward pass size (MB): " .. mb(fb_bytes)
  lines[#lines + 1] = "Params size (MB): " .. mb(param_bytes)
  lines[#lines + 1] = "Estimated Total Size (MB): " .. mb(input_size_bytes + fb_bytes + param_bytes)
  lines[#lines + 1] = RULE
  local text = table.concat(lines, "\n")
  if opts.verbose ~= 0 then print(text) end
  return setmetatable({
    total_params = total, trainable_params = trainable, non_trainable_params = total - trainable,
    total_mult_adds = madds, input_size_bytes = input_size_bytes, forward_backward_bytes = fb_bytes,
    params_bytes = param_bytes, layers = layers, text = text,
  }, {__tostring = function(s)
    return string.format("ModelStatistics(total_params=%d, trainable_params=%d, total_mult_adds=%d)",
      s.total_params, s.trainable_params, s.total_mult_adds)
  end})
end

--- model:info() -> table
-- The model's metadata as plain values: framework ("ember"), architecture
-- (class name), parameters, trainable_parameters, frozen_parameters
-- (requires_grad off), num_layers (leaf modules: those without children),
-- layer_types (the distinct classes of the descendants, containers such as
-- Sequential included, the model itself not, sorted; a model that is one
-- layer lists its own class) and layer_counts ({Linear = 3, ...}: how many
-- of each),
-- num_tensors (parameters and buffers), tensor_shapes_sample (the first five
-- state-dict entries as {name =, shape =}), training_mode, device (of the
-- first parameter; "cpu" without parameters) and dtype ("float32": of the
-- first floating-point parameter; nil without one).
-- Example: nn.Linear(3, 2):info().parameters  --> 8
function Module:info()
  local total, trainable = 0, 0
  local params = self:parameters()
  for _, p in ipairs(params) do
    total = total + p:numel()
    if p.requires_grad then trainable = trainable + p:numel() end
  end
  local counts, types, leaves = {}, {}, 0
  for i, m in ipairs(self:modules()) do
    if #m:children() == 0 then leaves = leaves + 1 end
    if i > 1 or #m:children() == 0 then
      local c = m:class_name()
      if not counts[c] then types[#types + 1] = c end
      counts[c] = (counts[c] or 0) + 1
    end
  end
  table.sort(types)
  local sample = {}
  local sd = self:state_dict()
  for i, k in ipairs(sd:keys()) do
    if i > 5 then break end
    sample[i] = {name = k, shape = sd[k]:size()}
  end
  local first, dtype = params[1], nil
  for _, p in ipairs(params) do
    if p:is_floating_point() then dtype = tostring(p.dtype):gsub("^torch%.", "") break end
  end
  return {
    framework = "ember",
    architecture = self:class_name(),
    parameters = total,
    trainable_parameters = trainable,
    frozen_parameters = total - trainable,
    num_layers = leaves,
    layer_types = types,
    layer_counts = counts,
    num_tensors = #params + #self:buffers(),
    tensor_shapes_sample = sample,
    training_mode = self.training,
    device = first and tostring(first.device) or "cpu",
    dtype = dtype,
  }
end

return M
