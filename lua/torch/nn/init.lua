-- torch.nn — PyTorch's neural-network toolkit in readable Lua: nn.Module,
-- layers, losses, nn.functional and nn.init. Loaded as the global `nn` in
-- ember scripts and the REPL.
local M = require "torch.nn.module"

local nn = {
  Module = M.Module,
  Parameter = M.Parameter.new,
  is_parameter = M.Parameter.is,
  registered_class = M.Module.registered_class,
  functional = require "torch.nn.functional",
  init = require "torch.nn.initializers",
  summary = require("torch.nn.summary").summary,
  utils = require "torch.nn.utils",
}

for _, family in ipairs({"torch.nn.layers", "torch.nn.simple", "torch.nn.loss", "torch.nn.containers",
                         "torch.nn.normalization", "torch.nn.embedding", "torch.nn.spatial"}) do
  for name, cls in pairs(require(family)) do
    if name:sub(1, 1) ~= "_" then nn[name] = cls end   -- _name: shared with F, not public
  end
end

-- a name nn does not have is an error that suggests the closest
-- (nn.Linaer -> "did you mean nn.Linear?"), as the other namespaces
local options = require "torch.options"
options.namespace(nn.functional, "F")
options.namespace(nn.init, "nn.init")
options.namespace(nn.utils, "nn.utils")
return options.namespace(nn, "nn")
