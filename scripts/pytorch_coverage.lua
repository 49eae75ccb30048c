-- pytorch_coverage.lua — writes docs/pytorch-coverage.md: the PyTorch names a
-- learner reaches for, ember's name for each and whether it is the same,
-- differs (and how) or is missing.
--
--   build/ember run scripts/pytorch_coverage.lua > docs/pytorch-coverage.md
--
-- The list below is the one input written by hand: which PyTorch names a
-- learner meets (PyTorch 1.13's names, grouped as its documentation groups
-- them). Everything about ember is read from ember itself, never listed here:
-- whether a name exists is looked up in the live torch tables; how it differs
-- comes from its help text (a paragraph starting "Differs from PyTorch:") and
-- from the op table (a parameter of which ember implements one value only).
-- tests/lua/test_pytorch_coverage.lua regenerates the page and compares, so
-- the page cannot go stale. Not here: the help texts themselves.

-- A name is "torch.X", "Tensor.X" (a method or attribute of a tensor),
-- "nn.X", "F.X" (torch.nn.functional), "optim.X", "lr_scheduler.X",
-- "nn.utils.X", "linalg.X". An "op" entry X stands for both torch.X and
-- Tensor.X, as PyTorch has both.
local SECTIONS = {
  {"Creating tensors", {
    "torch.tensor", "torch.zeros", "torch.ones", "torch.full", "torch.empty", "torch.arange",
    "torch.linspace", "torch.logspace", "torch.eye", "torch.zeros_like", "torch.ones_like",
    "torch.full_like", "torch.empty_like", "torch.rand", "torch.randn", "torch.randint",
    "torch.randperm", "torch.rand_like", "torch.randn_like", "torch.randint_like", "torch.normal",
    "torch.bernoulli", "torch.manual_seed", "torch.seed", "torch.get_rng_state", "torch.set_rng_state",
    "torch.meshgrid", "torch.cartesian_prod", "torch.is_tensor", "torch.numel",
  }},
  {"Tensor attributes and conversion", {
    "Tensor.shape", "Tensor.dtype", "Tensor.device", "Tensor.grad", "Tensor.grad_fn",
    "Tensor.requires_grad", "Tensor.is_leaf", "Tensor.T", "Tensor.size", "Tensor.dim", "Tensor.numel",
    "Tensor.item", "Tensor.tolist", "Tensor.to", "Tensor.float", "Tensor.double", "Tensor.long",
    "Tensor.int", "Tensor.bool", "Tensor.half", "Tensor.bfloat16", "Tensor.cpu", "Tensor.cuda",
    "Tensor.clone", "Tensor.detach", "Tensor.contiguous", "Tensor.is_contiguous", "Tensor.stride",
    "Tensor.requires_grad_", "Tensor.backward", "Tensor.retain_grad", "Tensor.zero_", "Tensor.fill_",
    "Tensor.copy_", "Tensor.uniform_", "Tensor.normal_", "Tensor.element_size",
    "Tensor.is_floating_point", "Tensor.type",
  }},
  {"Elementwise math", {
    "op:add", "op:sub", "op:mul", "op:div", "op:true_divide", "op:floor_divide", "op:remainder",
    "op:fmod", "op:pow", "op:neg", "op:abs", "op:sign", "op:exp", "op:log", "op:log1p", "op:sqrt",
    "op:rsqrt", "op:square", "op:reciprocal", "op:sigmoid", "op:tanh", "op:relu", "op:erf",
    "op:floor", "op:ceil", "op:round", "op:trunc", "op:frac", "op:clamp", "op:clip", "op:lerp",
    "op:maximum", "op:minimum", "op:where", "op:isclose", "op:isnan", "op:isinf", "op:isfinite",
    "op:nan_to_num", "op:eq", "op:ne", "op:lt", "op:le", "op:gt", "op:ge", "op:logical_and",
    "op:logical_or", "op:logical_not", "op:logical_xor", "op:allclose", "op:equal",
    "op:masked_fill", "Tensor.masked_fill_",
  }},
  {"Reductions", {
    "op:sum", "op:mean", "op:prod", "op:max", "op:min", "op:amax", "op:amin", "op:argmax",
    "op:argmin", "op:std", "op:var", "op:norm", "op:logsumexp", "op:cumsum", "op:cumprod",
    "op:any", "op:all", "op:count_nonzero", "op:softmax", "op:log_softmax", "op:median",
    "op:unique", "op:bincount", "op:histc",
    "linalg.vector_norm", "linalg.matrix_norm",
  }},
  {"Sorting and searching", {
    "op:sort", "op:argsort", "op:topk", "op:kthvalue", "op:nonzero", "op:masked_select",
    "torch.searchsorted", "torch.bucketize",
  }},
  {"Linear algebra", {
    "op:matmul", "op:mm", "op:bmm", "op:mv", "op:dot", "op:outer", "op:addmm", "op:baddbmm",
    "op:trace", "op:diag", "op:tril", "op:triu", "torch.einsum",
  }},
  {"Shapes, views and indexing", {
    "op:view", "Tensor.view_as", "op:reshape", "Tensor.reshape_as", "op:permute", "op:transpose",
    "op:t", "op:squeeze", "op:unsqueeze", "op:flatten", "Tensor.expand", "Tensor.expand_as",
    "op:narrow", "op:select", "op:index_select", "op:gather", "op:scatter_add", "torch.cat",
    "torch.stack", "op:chunk", "op:split", "op:tensor_split", "Tensor.repeat", "op:repeat_interleave",
    "op:flip", "op:roll",
  }},
  {"Autograd and modes", {
    "torch.no_grad", "torch.enable_grad", "torch.set_grad_enabled", "torch.is_grad_enabled",
    "torch.autograd.grad", "torch.autograd.backward", "torch.autograd.gradcheck",
    "torch.autograd.set_detect_anomaly", "torch.autograd.detect_anomaly", "torch.autograd.is_anomaly_enabled",
  }},
  {"Data types", {
    "torch.float32", "torch.float64", "torch.float16", "torch.bfloat16", "torch.int64", "torch.int32",
    "torch.uint8", "torch.bool", "torch.float", "torch.double", "torch.half", "torch.long",
    "torch.int", "torch.get_default_dtype", "torch.set_default_dtype",
  }},
  {"Devices and threads", {
    "torch.device", "torch.cuda.is_available", "torch.set_num_threads", "torch.get_num_threads",
  }},
  {"Files", {
    "torch.save", "torch.load",
  }},
  {"Layers (torch.nn)", {
    "nn.Module", "nn.Parameter", "nn.Linear", "nn.Conv1d", "nn.Conv2d", "nn.ConvTranspose2d",
    "nn.MaxPool2d", "nn.AvgPool2d", "nn.AdaptiveAvgPool2d", "nn.AdaptiveMaxPool2d",
    "nn.BatchNorm1d", "nn.BatchNorm2d", "nn.LayerNorm", "nn.GroupNorm", "nn.Embedding",
    "nn.Dropout", "nn.Dropout2d", "nn.Upsample", "nn.Flatten", "nn.Unflatten", "nn.Identity",
    "nn.Sequential", "nn.ModuleList", "nn.ModuleDict", "nn.ParameterList",
    "nn.ReLU", "nn.Sigmoid", "nn.Tanh", "nn.GELU", "nn.SiLU", "nn.LeakyReLU", "nn.ELU", "nn.SELU",
    "nn.Softplus", "nn.Hardtanh", "nn.Mish", "nn.Softmax", "nn.LogSoftmax", "nn.Softmin",
  }},
  {"Functional (torch.nn.functional)", {
    "F.linear", "F.conv1d", "F.conv2d", "F.conv_transpose2d", "F.max_pool2d", "F.avg_pool2d",
    "F.adaptive_avg_pool2d", "F.adaptive_max_pool2d", "F.batch_norm", "F.layer_norm",
    "F.group_norm", "F.embedding", "F.dropout", "F.dropout2d", "F.interpolate", "F.pad",
    "F.one_hot", "F.normalize", "F.cosine_similarity", "F.pairwise_distance", "F.unfold", "F.fold",
    "F.relu", "F.sigmoid", "F.tanh", "F.gelu", "F.silu", "F.leaky_relu", "F.elu", "F.selu",
    "F.softplus", "F.hardtanh", "F.mish", "F.softmax", "F.log_softmax", "F.softmin",
  }},
  {"Losses", {
    "nn.MSELoss", "nn.L1Loss", "nn.CrossEntropyLoss", "nn.NLLLoss", "nn.BCELoss",
    "nn.BCEWithLogitsLoss", "nn.SmoothL1Loss", "nn.HuberLoss", "nn.KLDivLoss",
    "nn.CosineEmbeddingLoss", "nn.MarginRankingLoss", "nn.TripletMarginLoss",
    "F.mse_loss", "F.l1_loss", "F.cross_entropy", "F.nll_loss", "F.binary_cross_entropy",
    "F.binary_cross_entropy_with_logits", "F.smooth_l1_loss", "F.huber_loss", "F.kl_div",
    "F.cosine_embedding_loss", "F.margin_ranking_loss", "F.triplet_margin_loss",
  }},
  {"Optimizers (torch.optim)", {
    "optim.SGD", "optim.Adam", "optim.AdamW", "optim.RMSprop", "optim.Adagrad", "optim.Adadelta",
    "optim.Adamax", "optim.NAdam", "optim.RAdam", "optim.LBFGS",
  }},
  {"Learning-rate schedulers (torch.optim.lr_scheduler)", {
    "lr_scheduler.StepLR", "lr_scheduler.MultiStepLR", "lr_scheduler.ExponentialLR",
    "lr_scheduler.CosineAnnealingLR", "lr_scheduler.CosineAnnealingWarmRestarts",
    "lr_scheduler.LambdaLR", "lr_scheduler.MultiplicativeLR", "lr_scheduler.LinearLR",
    "lr_scheduler.ConstantLR", "lr_scheduler.OneCycleLR", "lr_scheduler.CyclicLR",
    "lr_scheduler.PolynomialLR", "lr_scheduler.SequentialLR", "lr_scheduler.ChainedScheduler",
    "lr_scheduler.ReduceLROnPlateau",
  }},
  {"Utilities (torch.nn.utils)", {
    "nn.utils.clip_grad_norm_", "nn.utils.clip_grad_value_", "nn.utils.parameters_to_vector",
    "nn.utils.vector_to_parameters",
  }},
  {"Hooks (torch.Tensor, torch.nn.Module, torch.utils.hooks)", {
    "Tensor.register_hook",
    "nn.Module.register_forward_pre_hook", "nn.Module.register_forward_hook",
    "nn.Module.register_full_backward_hook",
    "torch.utils.hooks.RemovableHandle",
  }},
}

-- Where each prefix lives in ember, and how a learner spells it in Lua. The
-- names that load on first use (torch.lazy) are loaded first: lookups read
-- raw fields.
local function namespaces()
  require("torch.lazy").load_everything()
  local nn = torch.nn
  local function field(t, k)
    if type(t) ~= "table" then return nil end
    local ok, v = pcall(function() return t[k] end)   -- loads a lazy namespace (torch.linalg)
    return ok and v or nil
  end
  return {
    torch = {table = torch, lua = "torch.%s"},
    nn = {table = nn, lua = "nn.%s"},
    F = {table = field(nn, "functional"), lua = "F.%s"},
    optim = {table = torch.optim, lua = "optim.%s"},
    lr_scheduler = {table = field(torch.optim, "lr_scheduler"), lua = "optim.lr_scheduler.%s"},
    ["nn.utils"] = {table = field(nn, "utils"), lua = "nn.utils.%s"},
    linalg = {table = field(torch, "linalg"), lua = "torch.linalg.%s"},
  }
end

-- A tensor's attribute (x.shape, x.grad) is not in torch.Tensor: ask tensors
-- that have them all (a leaf after backward, and the result that made it).
local leaf = torch.ones(2, 2, {requires_grad = true})
local result = (leaf * 2):sum()
result:backward()

local function lookup(ns, name)
  local prefix, rest = name:match("^(.*)%.([^.]+)$")
  if prefix == "Tensor" then
    local m = rawget(torch.Tensor, rest)
    if m ~= nil then return m, "x:" .. rest .. "()" end
    for _, probe in ipairs({leaf, result}) do
      local ok, v = pcall(function() return probe[rest] end)
      if ok and v ~= nil then return v, "x." .. rest end
    end
    return nil, "x:" .. rest .. "()"
  end
  -- dotted torch paths: torch.cuda.is_available, torch.autograd.grad
  local space = ns[prefix]
  local t = space and space.table
  if not space then
    t = torch
    for part in (prefix:gsub("^torch%.?", "")):gmatch("[^.]+") do
      t = type(t) == "table" and rawget(t, part) or nil
    end
    space = {lua = prefix .. ".%s"}
  end
  local v = type(t) == "table" and rawget(t, rest) or nil
  return v, space.lua:format(rest)
end

-- The documented difference of a value: its help text's "Differs from
-- PyTorch:" paragraph, up to the first blank line or "Example:".
local help = require "ember.help"
local function documented_difference(v)
  local ok, d = pcall(help.doc, v)
  if not ok or type(d) ~= "string" then return nil end
  local s = d:match("Differs from PyTorch:%s*(.-)\n%s*\n") or d:match("Differs from PyTorch:%s*(.-)\nExample:")
    or d:match("Differs from PyTorch:%s*(.-)%s*$")
  return s and (s:gsub("%s*\n%s*", " ")) or nil
end

-- The op table's parameters of which ember implements one value only.
local fixed_by_name = {}
for _, row in ipairs(require("torch.core")._ops) do
  for _, p in ipairs(row.param_list or {}) do
    if p.fixed and not (p.name == "inplace") then
      local list = fixed_by_name[row.name] or {}
      list[#list + 1] = p.name .. "=" .. tostring(p.default) .. " only"
      fixed_by_name[row.name] = list
    end
  end
end

local function differences(short, values)
  local notes = {}
  for _, v in ipairs(values) do
    local d = documented_difference(v)
    if d then notes[#notes + 1] = d break end
  end
  if fixed_by_name[short] then notes[#notes + 1] = table.concat(fixed_by_name[short], ", ") end
  return #notes > 0 and table.concat(notes, "; ") or nil
end

local function pytorch_name(name)
  return (name:gsub("^Tensor%.", "torch.Tensor."):gsub("^nn%.utils%.", "torch.nn.utils.")
    :gsub("^nn%.", "torch.nn."):gsub("^F%.", "torch.nn.functional.")
    :gsub("^lr_scheduler%.", "torch.optim.lr_scheduler."):gsub("^optim%.", "torch.optim.")
    :gsub("^linalg%.", "torch.linalg."))
end

local function row_of(ns, entry)
  local op = entry:match("^op:(.+)$")
  if op then
    local f, fl = lookup(ns, "torch." .. op)
    local m, ml = lookup(ns, "Tensor." .. op)
    local ember, status
    if f and m then ember, status = fl .. ", " .. ml, "same"
    elseif f or m then
      ember = f and fl or ml
      status = "differs: only " .. (f and "torch." .. op .. " (no method)" or ml .. " (no torch." .. op .. ")")
    else ember, status = "", "missing" end
    if f or m then
      local d = differences(op, {f, m})
      if d then status = (status == "same" and "differs: " or status .. "; ") .. d end
    end
    return {"torch." .. op .. ", Tensor." .. op, ember, status}
  end
  local v, lua = lookup(ns, entry)
  if v == nil then return {pytorch_name(entry), "", "missing"} end
  local d = differences(entry:match("([^.]+)$"), {v})
  return {pytorch_name(entry), lua, d and ("differs: " .. d) or "same"}
end

local function generate()
  local ns = namespaces()
  local out, totals = {}, {same = 0, differs = 0, missing = 0}
  local body = {}
  for _, section in ipairs(SECTIONS) do
    local counts = {same = 0, differs = 0, missing = 0}
    body[#body + 1] = "\n## " .. section[1] .. "\n"
    body[#body + 1] = "| PyTorch | ember | status |"
    body[#body + 1] = "|---|---|---|"
    for _, entry in ipairs(section[2]) do
      local r = row_of(ns, entry)
      local kind = r[3]:match("^(%a+)")
      counts[kind] = counts[kind] + 1
      totals[kind] = totals[kind] + 1
      local ember = r[2] ~= "" and ("`" .. r[2]:gsub(", ", "`, `") .. "`") or ""
      body[#body + 1] = string.format("| `%s` | %s | %s |", r[1]:gsub(", ", "`, `"), ember,
        (r[3]:gsub("|", "\\|")))
    end
    body[#body + 1] = string.format("\n%d same, %d differ, %d missing.", counts.same, counts.differs,
      counts.missing)
  end
  out[#out + 1] = "# PyTorch coverage\n"
  out[#out + 1] = "Generated by `build/ember run scripts/pytorch_coverage.lua > docs/pytorch-coverage.md`"
  out[#out + 1] = "from ember's own tables (the torch namespace, the op table, the help texts);"
  out[#out + 1] = "do not edit by hand. Each PyTorch name a learner reaches for (PyTorch 1.13),"
  out[#out + 1] = "ember's spelling in Lua, and whether it is the same, differs (and how) or is"
  out[#out + 1] = "missing. Conventions that hold everywhere are not repeated per row: dims"
  out[#out + 1] = "and positions are 1-based in Lua (index tensors stay 0-based), options are"
  out[#out + 1] = "a trailing table `{dim = 1, keepdim = true}`, methods use `x:name()`.\n"
  out[#out + 1] = string.format("**Totals: %d names; %d same, %d differ, %d missing.**",
    totals.same + totals.differs + totals.missing, totals.same, totals.differs, totals.missing)
  for _, line in ipairs(body) do out[#out + 1] = line end
  return table.concat(out, "\n") .. "\n"
end

if (...) == "--return" then return generate() end
io.write(generate())
