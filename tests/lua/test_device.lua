-- test_device.lua — torch.device: a type plus an index that can be named
-- without the device existing (PyTorch 1.13's rules and messages), printed
-- as PyTorch prints it, compared by value; using an absent device is the
-- error (CUDA is not available in this ember).
local T = require "ember.test"

T.test("devices parse: type and optional index", function()
  local d = torch.device("cuda:1")
  T.eq(d.type, "cuda"); T.eq(d.index, 1)
  T.eq(torch.device("cpu").type, "cpu"); T.eq(torch.device("cpu").index, nil)
  T.eq(torch.device("cuda").index, nil)
  T.eq(torch.device("cpu:0").index, 0)
  T.eq(torch.device("cuda", 2).index, 2)
  T.eq(tostring(torch.device(1)), "cuda:1")
  T.ok(rawequal(torch.device(d), d), "torch.device(d) is d")
end)

T.test("devices print as PyTorch's str and repr", function()
  T.eq(tostring(torch.device("cuda:1")), "cuda:1")
  T.eq(tostring(torch.device("cpu")), "cpu")
  T.eq(tostring(torch.device("cuda", 0)), "cuda:0")
  local repr = getmetatable(torch.device("cpu")).__repr
  T.eq(repr(torch.device("cuda:1")), "device(type='cuda', index=1)")
  T.eq(repr(torch.device("cpu")), "device(type='cpu')")
end)

T.test("devices compare by value", function()
  T.ok(torch.device("cuda:1") == torch.device("cuda", 1))
  T.ok(torch.device("cuda:1") ~= torch.device("cuda:2"))
  T.ok(torch.device("cuda") ~= torch.device("cuda:0"), "cuda and cuda:0 differ, as in PyTorch")
  T.ok(torch.device("cpu") ~= torch.device("cpu:0"))
  T.ok(torch.device("cpu") ~= "cpu", "a device is not its string")
end)

T.test("bad device strings give PyTorch's messages", function()
  T.error(function() torch.device("cuda:-1") end, "Invalid device string: 'cuda:-1'")
  T.error(function() torch.device("cuda:x") end, "Invalid device string: 'cuda:x'")
  T.error(function() torch.device("cuda:01") end, "Invalid device string")
  T.error(function() torch.device("gpu") end, "device type at start of device string: gpu")
  T.error(function() torch.device("") end, "Device string must not be empty")
  T.error(function() torch.device("cuda", -1) end, "Device index must not be negative")
  T.error(function() torch.device("cuda:1", 1) end, "must not include an index")
  T.error(function() torch.device({}) end, "device type")
end)

T.test("a tensor's device", function()
  local x = torch.zeros(2)
  T.eq(tostring(x.device), "cpu")
  T.ok(x.device == torch.device("cpu"))
  T.eq(x.device.index, nil)
  T.eq(tostring(torch.zeros(2, {device = "cpu:1"}).device), "cpu", "a CPU index is dropped, as in PyTorch")
  T.eq(tostring(torch.tensor({1, 2}, {device = torch.device("cpu")}).device), "cpu")
end)

T.test("using a device that is not there is a clear error", function()
  T.error(function() torch.zeros(2, {device = "cuda:1"}) end, "CUDA is not available")
  T.error(function() torch.zeros(2, {device = "cuda:1"}) end, "'cuda:1'")
  T.error(function() torch.ones(2, {device = torch.device("cuda")}) end, "CUDA is not available")
  T.error(function() torch.tensor({1}, {device = "cuda"}) end, "CUDA is not available")
  T.error(function() torch.rand(2, {device = "cuda"}) end, "CUDA is not available")
  T.error(function() torch.zeros(2):to("cuda:0") end, "CUDA is not available")
  T.error(function() torch.zeros(2):to("tpu") end, "unknown device 'tpu'")
  T.error(function() torch.nn.Linear(1, 1):to(torch.device("cuda")) end, "CUDA is not available")
  T.error(function() torch.nn.Linear(1, 1):to({device = "cuda:1"}) end, "CUDA is not available")
end)

T.run()
