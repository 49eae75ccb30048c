-- torch.lazy: the names of torch, nn, F, optim, optim.lr_scheduler and plot
-- stay where they are while the modules defining them load on first use.
-- Start-up reads none of the families; each name loads its own family;
-- completion lists every name without loading; a whole-model file finds a
-- class whose family is not loaded; lua/torch/lazy_index.lua is what
-- scripts/lazy_index.lua generates. The tests that need modules not yet
-- loaded come first (they run in order, in one process).
local T = require "ember.test"
local lazy = require "torch.lazy"
local complete = require "ember.complete"

-- The namespaces made at start-up and their families, before anything here loads one.
local at_start, names_at_start = {}, {}
for _, ns in ipairs({torch, nn, F, optim, optim.lr_scheduler, plot}) do
  T.ok(lazy.is_namespace(ns), "not a lazy namespace")
  names_at_start[ns] = lazy.names(ns)
  for _, family in ipairs(lazy.spec(ns).families) do at_start[family] = package.loaded[family] ~= nil end
end

local function ember_exe()
  local p = assert(io.popen("readlink /proc/$PPID/exe"))
  local exe = p:read("l")
  p:close()
  return exe
end

T.test("start-up loads no family of a lazy namespace", function()
  local loaded = {}
  for family, was in pairs(at_start) do if was then loaded[#loaded + 1] = family end end
  table.sort(loaded)
  T.ok(next(at_start) ~= nil, "no families found")
  T.eq(table.concat(loaded, ", "), "", "loaded at start-up")
end)

T.test("completion lists the names that have not loaded, and loads nothing", function()
  local function has(list, want)
    for _, c in ipairs(list) do if c == want then return true end end
    return false
  end
  for _, case in ipairs({{"nn.LayerN", "nn.LayerNorm"}, {"optim.RMS", "optim.RMSprop"},
                         {"optim.lr_scheduler.OneC", "optim.lr_scheduler.OneCycleLR"}, {"F.one_", "F.one_hot"},
                         {"torch.eins", "torch.einsum"}, {"plot.heat", "plot.heatmap"}, {"nn.Seq", "nn.Sequential"},
                         {"torch.layer_n", "torch.layer_norm"}}) do
    local got = complete.candidates(_G, case[1], case[1])
    T.ok(has(got, case[2]), case[1] .. ": " .. table.concat(got, " "))
  end
  _G.lazy_test_x = torch.zeros(2)
  T.ok(has(complete.candidates(_G, "lazy_test_x:out", "lazy_test_x:out"), "lazy_test_x:outer"), "x:outer")
  _G.lazy_test_x = nil
  for family, was in pairs(at_start) do
    T.ok(was or package.loaded[family] == nil, family .. " was loaded by completion")
  end
end)

T.test("a method of a family not loaded yet works, and loads its family", function()
  T.ok(package.loaded["torch.shape_ops"] == nil, "torch.shape_ops already loaded")
  T.eq(table.concat(torch.tensor({1, 2}):repeat_interleave(2):tolist(), " "), "1 1 2 2")
  T.ok(package.loaded["torch.shape_ops"] ~= nil, "torch.shape_ops not loaded")
  T.eq(torch.Tensor.outer, torch.outer, "the family replaced its first-call methods")
end)

T.test("nn.registered_class finds a class whose family is not loaded", function()
  T.ok(package.loaded["torch.nn.normalization"] == nil, "torch.nn.normalization already loaded")
  local cls = nn.registered_class("GroupNorm")
  T.ok(cls ~= nil, "GroupNorm not found")
  T.eq(cls, nn.GroupNorm)
  T.eq(nn.registered_class("NoSuchClassAnywhere"), nil)
end)

T.test("torch.load rebuilds a whole model whose classes have not loaded in that process", function()
  local path = os.tmpname()
  torch.manual_seed(0)
  local model = nn.Sequential(nn.Embedding(5, 3), nn.LayerNorm(3), nn.GELU())
  torch.save(model, path)
  local script = os.tmpname()
  local f = assert(io.open(script, "w"))
  f:write(string.format([[
local before = package.loaded["torch.nn.embedding"] ~= nil
local m = torch.load(%q)
print(before, tostring(m[2]), m(torch.tensor({1, 4})):sum():item())
]], path))
  f:close()
  local p = assert(io.popen(string.format("'%s' run '%s' 2>&1", ember_exe(), script)))
  local out = p:read("a")
  p:close()
  os.remove(script)
  os.remove(path)
  local want = model(torch.tensor({1, 4})):sum():item()
  local before, shown, value = out:match("^(%a+)\t(.-)\t(%S+)\n$")
  T.eq(before, "false", "the child had loaded torch.nn.embedding before torch.load: " .. out)
  T.eq(shown, "LayerNorm((3,), eps=1e-05, elementwise_affine=True)", out)
  T.close(tonumber(value), want)
end)

T.test("each name loads its own family and is the family's value", function()
  local index = require "torch.lazy_index"
  local count = 0
  for _, ns in ipairs(lazy.load_everything()) do
    local spec = lazy.spec(ns)
    for name, family in pairs(index[spec.id] or {}) do
      count = count + 1
      T.ok(rawget(ns, name) ~= nil, spec.name .. "." .. name .. " is not defined by " .. family)
      if name:sub(1, 1) ~= "_" then
        local m = require(family)
        if type(m) == "table" then T.eq(rawget(ns, name), m[name], spec.name .. "." .. name) end
      end
    end
  end
  T.ok(count > 100, "expected the whole index, got " .. count)
end)

T.test("lazy.names, before loading, lists every public name a namespace has once loaded", function()
  for ns, before in pairs(names_at_start) do
    local listed = {}
    for _, k in ipairs(before) do listed[k] = true end
    lazy.load_all(ns)
    for k in pairs(ns) do
      if type(k) == "string" and k:sub(1, 1) ~= "_" then
        T.ok(listed[k], lazy.spec(ns).name .. "." .. k .. " was not listed before loading")
      end
    end
    for i = 2, #before do T.ok(before[i - 1] < before[i], "lazy.names is sorted and has no repeats") end
  end
end)

T.test("a misspelt name suggests a name that loads on first use", function()
  T.error(function() return nn.LayerNorn end, "nn has no 'LayerNorn' (did you mean nn.LayerNorm?)")
  T.error(function() return optim.lr_scheduler.OneCycleLr end, "did you mean optim.lr_scheduler.OneCycleLR?")
  T.error(function() return F.one_hoot end, "did you mean F.one_hot?")
  T.eq(nn.__no_such_probe, nil)
end)

T.test("lua/torch/lazy_index.lua is what scripts/lazy_index.lua generates", function()
  local generated = assert(loadfile("scripts/lazy_index.lua"))("--return")
  local f = assert(io.open("lua/torch/lazy_index.lua", "rb"))
  local committed = f:read("a")
  f:close()
  T.ok(generated == committed, "lua/torch/lazy_index.lua is stale; regenerate it: " ..
    "build/ember run scripts/lazy_index.lua > lua/torch/lazy_index.lua")
end)

T.run()
