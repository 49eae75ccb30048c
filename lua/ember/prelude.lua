-- ember.prelude — what `ember run` scripts and the REPL see as globals:
-- torch, and PyTorch's usual short names nn, optim, F (nn.functional) and
-- data (torch.utils.data). Loaded once by the host before any user code.
local torch = require "torch"
_G.torch = torch
_G.nn = torch.nn
_G.optim = torch.optim
_G.F = torch.nn.functional
local ok, data = pcall(require, "torch.data")
if ok then _G.data = data end
_G.plot = require "ember.plot"
-- ember: ember's own tools that PyTorch has no name for (ember.monitor)
-- (loaded on first use, so that start-up does not pay for it)
_G.ember = setmetatable({}, {__index = function(t, k)
  if k == "monitor" then
    local f = require("ember.monitor").monitor
    rawset(t, k, f)
    return f
  end
end})
-- timeit(fn): IPython-style timing, loaded on first use (startup stays fast)
_G.timeit = function(...) return require("ember.timeit")(...) end
-- help(x) / help(): docs of torch, nn, optim, data, plot; loaded on first use
_G.help = setmetatable({}, {__call = function(_, ...) return require("ember.help")(...) end,
                            __index = function(_, k) return require("ember.help")[k] end})
