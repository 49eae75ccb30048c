-- torch.nn — PyTorch's neural-network toolkit in readable Lua: nn.Module,
-- layers, losses, nn.functional and nn.init. Loaded as the global `nn` in
-- ember scripts and the REPL.
local M = require "torch.nn.module"

local nn = {
  Module = M.Module,
  Parameter = M.Parameter.new,
  is_parameter = M.Parameter.is,
  registered_class = M.Module.registered_class,
}

-- The layers, losses and the submodules load on first use (torch.lazy):
-- nn.LayerNorm requires torch.nn.normalization then. A name nn does not have
-- is an error that suggests the closest (nn.Linaer -> "did you mean
-- nn.Linear?"), as the other namespaces; a family's names starting with _
-- are shared with F, not public
return require("torch.lazy").namespace(nn, {
  id = "torch.nn", name = "nn",
  families = {"torch.nn.layers", "torch.nn.simple", "torch.nn.loss", "torch.nn.containers", "torch.nn.normalization",
              "torch.nn.embedding", "torch.nn.spatial", "torch.nn.summary"},
  modules = {functional = "torch.nn.functional", init = "torch.nn.initializers", utils = "torch.nn.utils"},
})
