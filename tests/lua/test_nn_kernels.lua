-- test_nn_kernels.lua — the engine's neural-network functions (torch.linear,
-- conv2d, max/avg_pool2d, softmax, log_softmax, nll_loss, cross_entropy,
-- binary_cross_entropy_with_logits, batch_norm, dropout, bernoulli):
-- finite-difference gradient checks in float64, values of small cases worked
-- out by hand or by plain Lua loops, grad_fn names, and shape/type errors.
-- PyTorch parity lives in tests/peer/test_nn_parity.lua.
-- Run: build/ember run tests/lua/test_nn_kernels.lua

local T = require "ember.test"
local gradcheck = require "torch.gradcheck"

local function leaf(t) return t:detach():double():requires_grad_(true) end
local function rnd(...) return leaf(torch.randn(...)) end
local function const(data) return torch.tensor(data, {dtype = torch.float64}) end
local function long(data) return torch.tensor(data, {dtype = torch.int64}) end

local function check(name, make, fn, opts)
  T.test(name, function()
    torch.manual_seed(4321)
    T.ok(gradcheck(fn, make(), opts))
  end)
end

-- conv2d by plain loops (x: N,C,H,W; w: O,C,kh,kw), as nested Lua tables
local function naive_conv(x, w, b, s, p)
  local xs, ws = x:size(), w:size()
  local N, C, H, W, O, kh, kw = xs[1], xs[2], xs[3], xs[4], ws[1], ws[3], ws[4]
  local X, Wt, B = x:tolist(), w:tolist(), b and b:tolist()
  local oh, ow = (H + 2 * p - kh) // s + 1, (W + 2 * p - kw) // s + 1
  local out = {}
  for n = 1, N do
    out[n] = {}
    for o = 1, O do
      out[n][o] = {}
      for y = 1, oh do
        out[n][o][y] = {}
        for xx = 1, ow do
          local acc = B and B[o] or 0
          for c = 1, C do
            for i = 1, kh do
              for j = 1, kw do
                local iy, ix = (y - 1) * s - p + i, (xx - 1) * s - p + j
                if iy >= 1 and iy <= H and ix >= 1 and ix <= W then
                  acc = acc + X[n][c][iy][ix] * Wt[o][c][i][j]
                end
              end
            end
          end
          out[n][o][y][xx] = acc
        end
      end
    end
  end
  return out
end

-- linear ---------------------------------------------------------------------

T.test("linear: values, grad_fn names, gradients", function()
  local x, w, b = const({{1, 2}, {3, 4}}), const({{1, 0}, {0, 1}, {1, 1}}), const({10, 20, 30})
  T.close(torch.linear(x, w, b), {{11, 22, 33}, {13, 24, 37}})
  T.close(torch.linear(x, w), {{1, 2, 3}, {3, 4, 7}})
  local xr, wr, br = leaf(x), leaf(w), leaf(b)
  local y = torch.linear(xr, wr, br)
  T.eq(y.grad_fn:name(), "AddmmBackward0")
  T.eq(torch.linear(xr, wr).grad_fn:name(), "MmBackward0")
  y:sum():backward()
  T.close(xr.grad, {{2, 2}, {2, 2}})
  T.close(wr.grad, {{4, 6}, {4, 6}, {4, 6}})
  T.close(br.grad, {2, 2, 2})
end)

T.test("linear: transposed input and weight views need no copy and give the same numbers", function()
  torch.manual_seed(1)
  local x, w, b = torch.randn(3, 5), torch.randn(4, 3), torch.randn(4)
  local xt, wt = x:t(), w:t():contiguous():t()   -- xt (5, 3) strided; wt (4, 3) column-major
  T.close(torch.linear(xt, wt, b), torch.linear(xt:contiguous(), w, b), {rtol = 1e-6, atol = 1e-6})
  T.close(torch.linear(xt, wt, b), xt:matmul(w:t()) + b, {rtol = 1e-5, atol = 1e-5})
end)

check("linear: gradcheck 2-D with bias", function() return {rnd(3, 4), rnd(5, 4), rnd(5)} end,
  function(x, w, b) return torch.linear(x, w, b) end)
check("linear: gradcheck without bias", function() return {rnd(3, 4), rnd(2, 4)} end,
  function(x, w) return torch.linear(x, w) end)
check("linear: gradcheck 3-D input", function() return {rnd(2, 3, 4), rnd(2, 4), rnd(2)} end,
  function(x, w, b) return torch.linear(x, w, b) end)
check("linear: gradcheck 1-D input", function() return {rnd(4), rnd(3, 4), rnd(3)} end,
  function(x, w, b) return torch.linear(x, w, b) end)

T.test("linear: shape and dtype errors", function()
  T.error(function() torch.linear(torch.randn(2, 3), torch.randn(4, 5)) end, "linear: input [2, 3] and weight [4, 5]")
  T.error(function() torch.linear(torch.randn(2, 3), torch.randn(4, 3), torch.randn(5)) end,
    "expected bias of shape [4]")
  T.error(function() torch.linear(torch.randn(2, 3), torch.randn(4, 3):double()) end, "dtype")
end)

-- conv2d ---------------------------------------------------------------------

T.test("conv2d: values against plain loops (stride, padding, bias)", function()
  torch.manual_seed(2)
  for _, c in ipairs({{s = 1, p = 1}, {s = 2, p = 0}, {s = 2, p = 1}, {s = 1, p = 0}}) do
    local x, w, b = torch.randn(2, 3, 6, 5):double(), torch.randn(4, 3, 3, 2):double(), torch.randn(4):double()
    T.close(torch.conv2d(x, w, b, c.s, c.p), naive_conv(x, w, b, c.s, c.p), {rtol = 1e-10, atol = 1e-10})
  end
  local x, w = torch.randn(2, 3, 4, 4):double(), torch.randn(5, 3, 1, 1):double()
  T.close(torch.conv2d(x, w), naive_conv(x, w, nil, 1, 0), {rtol = 1e-10, atol = 1e-10})   -- 1x1 path
end)

-- conv2d by plain loops with every option: stride s, padding top/left p,
-- bottom/right q, dilation d (each {h, w}), groups g
local function naive_conv_full(x, w, b, s, p, q, d, g)
  local xs, ws = x:size(), w:size()
  local N, C, H, W, O, Cg, kh, kw = xs[1], xs[2], xs[3], xs[4], ws[1], ws[2], ws[3], ws[4]
  local X, Wt, B = x:tolist(), w:tolist(), b and b:tolist()
  local oh = (H + p[1] + q[1] - d[1] * (kh - 1) - 1) // s[1] + 1
  local ow = (W + p[2] + q[2] - d[2] * (kw - 1) - 1) // s[2] + 1
  local Og, out = O // g, {}
  for n = 1, N do
    out[n] = {}
    for o = 1, O do
      out[n][o] = {}
      local c0 = (o - 1) // Og * Cg
      for y = 1, oh do
        out[n][o][y] = {}
        for xx = 1, ow do
          local acc = B and B[o] or 0
          for c = 1, Cg do
            for i = 1, kh do
              for j = 1, kw do
                local iy, ix = (y - 1) * s[1] - p[1] + (i - 1) * d[1] + 1, (xx - 1) * s[2] - p[2] + (j - 1) * d[2] + 1
                if iy >= 1 and iy <= H and ix >= 1 and ix <= W then
                  acc = acc + X[n][c0 + c][iy][ix] * Wt[o][c][i][j]
                end
              end
            end
          end
          out[n][o][y][xx] = acc
        end
      end
    end
  end
  return out
end

T.test("conv2d: dilation, groups and padding 'same' against plain loops (im2col and oneDNN)", function()
  torch.manual_seed(12)
  local cases = {
    {x = {2, 4, 7, 6}, w = {6, 2, 3, 2}, s = {2, 1}, p = {1, 2}, d = {2, 3}, g = 2},
    {x = {1, 3, 6, 6}, w = {6, 1, 3, 3}, s = {1, 1}, p = {1, 1}, d = {1, 1}, g = 3},
    {x = {2, 2, 5, 6}, w = {3, 2, 4, 3}, same = true, d = {1, 2}, g = 1},       -- pads (1, 2) before, (2, 2) after
    {x = {1, 4, 5, 5}, w = {4, 2, 2, 2}, same = true, d = {1, 1}, g = 2},       -- pads 0 before, 1 after
  }
  for i, c in ipairs(cases) do
    local x, w, b = torch.randn(table.unpack(c.x)):double(), torch.randn(table.unpack(c.w)):double(),
      torch.randn(c.w[1]):double()
    local p, q, s = c.p, c.p, c.s or {1, 1}
    if c.same then
      p, q = {}, {}
      for k = 1, 2 do
        local total = c.d[k] * (c.w[2 + k] - 1)
        p[k], q[k] = total // 2, total - total // 2
      end
    end
    local want = naive_conv_full(x, w, b, s, p, q, c.d, c.g)
    local padding = c.same and "same" or c.p
    T.close(torch.conv2d(x, w, b, s, padding, c.d, c.g), want, {rtol = 1e-10, atol = 1e-10}, "case " .. i)
    T.close(torch.conv2d(x:float(), w:float(), b:float(), s, padding, c.d, c.g):double(), want,
      {rtol = 1e-4, atol = 1e-4}, "case " .. i .. " float32")
  end
end)

T.test("conv2d: a 3-D (C, H, W) input, stride/padding as tables or options", function()
  torch.manual_seed(3)
  local x, w = torch.randn(2, 5, 5), torch.randn(3, 2, 3, 3)
  local batched = torch.conv2d(x:unsqueeze(1), w, nil, {2, 1}, {1, 0})
  local single = torch.conv2d(x, w, nil, {2, 1}, {1, 0})
  T.eq(tostring(single:size()), "torch.Size([3, 3, 3])")
  T.close(single, batched[1], {rtol = 1e-6, atol = 1e-6})
  T.close(torch.conv2d(x, w, nil, {stride = {2, 1}, padding = {1, 0}}), single, {rtol = 1e-6, atol = 1e-6})
  T.eq(tostring(torch.conv2d(x, w, nil, 1, "same"):size()), "torch.Size([3, 5, 5])")
  T.eq(tostring(torch.conv2d(x, w, nil, 1, "valid"):size()), "torch.Size([3, 3, 3])")
end)

check("conv2d: gradcheck stride 1, padding 1", function() return {rnd(2, 2, 4, 4), rnd(3, 2, 3, 3), rnd(3)} end,
  function(x, w, b) return torch.conv2d(x, w, b, 1, 1) end)
check("conv2d: gradcheck stride 2, non-square kernel", function() return {rnd(1, 2, 5, 6), rnd(2, 2, 2, 3)} end,
  function(x, w) return torch.conv2d(x, w, nil, {2, 2}, {0, 1}) end)
check("conv2d: gradcheck 1x1 kernel", function() return {rnd(2, 3, 3, 2), rnd(2, 3, 1, 1), rnd(2)} end,
  function(x, w, b) return torch.conv2d(x, w, b) end)

-- float32 conv2d runs through oneDNN when ember is built with it (cpu_dnnl.c),
-- float64 through im2col + gemm: both passes and both gradients must agree,
-- over strides, paddings (a right edge that no window reaches included),
-- non-square kernels, one input channel, 1x1 kernels and a 3-D input.
T.test("conv2d: float32 (oneDNN) and float64 (im2col) agree, values and gradients", function()
  torch.manual_seed(7)
  local cases = {
    {x = {4, 3, 9, 8}, w = {5, 3, 3, 3}, s = 1, p = 1, bias = true},
    {x = {2, 3, 6, 7}, w = {4, 3, 3, 3}, s = 2, p = 0, bias = true},      -- right edge left out
    {x = {3, 2, 7, 6}, w = {3, 2, 3, 2}, s = {2, 1}, p = {1, 0}, bias = false},
    {x = {5, 1, 12, 12}, w = {8, 1, 5, 5}, s = 1, p = 2, bias = true},    -- one input channel
    {x = {2, 6, 5, 5}, w = {4, 6, 1, 1}, s = 1, p = 0, bias = true},      -- 1x1
    {x = {17, 4, 4}, w = {3, 17, 3, 3}, s = 1, p = 1, bias = false},      -- (C, H, W)
    {x = {2, 3, 9, 8}, w = {4, 3, 3, 3}, s = 1, p = 2, d = 2, bias = true},            -- dilation
    {x = {2, 3, 9, 8}, w = {4, 3, 3, 2}, s = {2, 1}, p = {1, 2}, d = {2, 3}, bias = false},
    {x = {2, 4, 7, 7}, w = {6, 2, 3, 3}, s = 1, p = 1, g = 2, bias = true},            -- groups
    {x = {3, 6, 8, 7}, w = {6, 1, 3, 3}, s = 2, p = 1, g = 6, bias = true},            -- depthwise
    {x = {2, 4, 5, 6}, w = {8, 2, 1, 1}, s = 1, p = 0, g = 2, bias = true},            -- grouped 1x1
    {x = {2, 2, 6, 5}, w = {3, 2, 4, 4}, s = 1, p = "same", bias = true},              -- odd total
    {x = {2, 4, 7, 6}, w = {4, 2, 2, 3}, s = 1, p = "same", d = {3, 2}, g = 2, bias = true},
    {x = {2, 2, 7, 6}, w = {3, 2, 3, 3}, s = 2, p = "valid", bias = true},
  }
  for i, c in ipairs(cases) do
    local x64, w64 = torch.randn(table.unpack(c.x)):double(), torch.randn(table.unpack(c.w)):double()
    local b64 = c.bias and torch.randn(c.w[1]):double() or nil
    local function run(dt)
      local x, w = x64:to(dt):requires_grad_(), w64:to(dt):requires_grad_()
      local b = b64 and b64:to(dt):requires_grad_() or nil
      local y = torch.conv2d(x, w, b, c.s, c.p, c.d, c.g)
      local g = torch.linspace(-1, 1, y:numel()):reshape(y.shape):to(dt)
      y:backward(g)
      return y, x.grad, w.grad, b and b.grad
    end
    local y32, gx32, gw32, gb32 = run(torch.float32)
    local y64, gx64, gw64, gb64 = run(torch.float64)
    local tol = {rtol = 1e-4, atol = 1e-4}
    T.close(y32:double(), y64, tol, "case " .. i .. " output")
    T.close(gx32:double(), gx64, tol, "case " .. i .. " grad input")
    T.close(gw32:double(), gw64, tol, "case " .. i .. " grad weight")
    if gb32 then T.close(gb32:double(), gb64, tol, "case " .. i .. " grad bias") end
  end
end)

T.test("conv2d: grad_fn name and errors", function()
  local x, w = torch.randn(1, 1, 5, 5), torch.randn(2, 1, 3, 3):requires_grad_()
  T.eq(torch.conv2d(x, w).grad_fn:name(), "ConvolutionBackward0")
  T.error(function() torch.conv2d(torch.randn(5, 5), w) end,
    "conv2d: expected input with 4 dims (N, C, H, W), got [5, 5]")
  T.error(function() torch.conv2d(torch.randn(1, 3, 5, 5), w) end,
    "conv2d: Given groups=1, weight of size [2, 1, 3, 3], expected input[1, 3, 5, 5] to have 1 channels, but got 3 " ..
    "channels instead")
  T.error(function() torch.conv2d(torch.randn(1, 1, 2, 2), w) end,
    "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than " ..
    "actual input size")
  T.error(function() torch.conv2d(x, w, torch.randn(3)) end,
    "Given weight of size [2, 1, 3, 3], expected bias to be 1-dimensional with 2 elements, but got bias of size [3]")
  T.error(function() torch.conv2d(x, w, nil, 0) end, "conv2d: non-positive stride is not supported")
  T.error(function() torch.conv2d(x, w, nil, 1, 0, 3) end, "Kernel size: (7 x 7)")        -- dilation 3
  T.error(function() torch.conv2d(x, w, nil, 1, 0, 1, 3) end, "Given groups=3, expected weight to be at least 3")
  T.error(function() torch.conv2d(x:long(), w:long()) end, "floating point")
end)

-- pooling --------------------------------------------------------------------

T.test("max_pool2d: values, indices, padding", function()
  local x = torch.arange(16, {dtype = torch.float64}):reshape(1, 1, 4, 4)
  local out, idx = torch.max_pool2d(x, 2, nil, 0, nil, nil, true)
  T.close(out, {{{{5, 7}, {13, 15}}}})
  T.eq(tostring(idx.dtype), "torch.int64")
  T.close(idx, {{{{5, 7}, {13, 15}}}})
  local padded = torch.max_pool2d(x, 3, 2, 1)
  T.close(padded, {{{{5, 7}, {13, 15}}}})
  local neg = -x
  T.close(torch.max_pool2d(neg, 3, 2, 1), {{{{0, -1}, {-4, -5}}}})    -- padding never wins
  local single = torch.max_pool2d(x[1], 2)                           -- (C, H, W)
  T.eq(tostring(single:size()), "torch.Size([1, 2, 2])")
  local _, first = torch.max_pool2d(torch.ones(1, 1, 2, 2), 2, {return_indices = true})
  T.close(first, {{{{0}}}})                                          -- ties keep the first max
end)

-- 2x2 windows with stride 2 take a fast path (cpu_nn.c): the same values and
-- indices as a plain loop over each window, with ties, NaNs, -inf and an odd
-- size whose last row and column no window covers.
-- Rows of the 2x2 kernel go in chunks of 8 (4 below 8), the last chunk
-- overlapping the one before: every output width from 1 to 18 columns, odd
-- input sizes (a last row and column no window covers), ties, NaNs.
T.test("max_pool2d 2x2 stride 2: values and indices as a plain loop gives", function()
  for _, dtype in ipairs({torch.float32, torch.float64}) do
    for _, hw in ipairs({{7, 9}, {4, 2}, {5, 7}, {6, 12}, {6, 14}, {3, 16}, {9, 17}, {4, 20}, {28, 28}, {4, 37}}) do
      torch.manual_seed(4)
      local H, W = hw[1], hw[2]
      local x = torch.randint(0, 4, {2, 3, H, W}):to(dtype)             -- many ties
      x[1][1][1][1] = 0 / 0
      x[1][2][1][2] = 0 / 0
      x[1][2][2][2] = 0 / 0                                             -- two NaNs in one window
      x[2][3][1][W] = 0 / 0
      x[2][3][1][1] = -math.huge
      local out, idx = torch.max_pool2d(x, 2, {return_indices = true})
      local oh, ow = H // 2, W // 2
      T.eq(tostring(out:size()), string.format("torch.Size([2, 3, %d, %d])", oh, ow))
      local X, O, I, ok = x:tolist(), out:tolist(), idx:tolist(), true
      for n = 1, 2 do for c = 1, 3 do for oy = 1, oh do for ox = 1, ow do
        local best, bi = -math.huge, nil
        for dy = 0, 1 do for dx = 0, 1 do
          local iy, ix = 2 * oy - 1 + dy, 2 * ox - 1 + dx
          local v = X[n][c][iy][ix]
          if bi == nil or v > best or v ~= v then best, bi = v, (iy - 1) * W + (ix - 1) end
        end end
        local got = O[n][c][oy][ox]
        ok = ok and (got == best or (got ~= got and best ~= best)) and I[n][c][oy][ox] == bi
      end end end end
      T.ok(ok, string.format("%s %dx%d", tostring(dtype), H, W))
    end
  end
end)

check("conv2d: gradcheck dilation and groups", function() return {rnd(2, 4, 7, 6), rnd(6, 2, 3, 2), rnd(6)} end,
  function(x, w, b) return torch.conv2d(x, w, b, {2, 1}, {1, 2}, {2, 3}, 2) end)
check("conv2d: gradcheck depthwise", function() return {rnd(2, 3, 5, 5), rnd(3, 1, 3, 3)} end,
  function(x, w) return torch.conv2d(x, w, nil, {groups = 3, padding = 1}) end)
check("conv2d: gradcheck padding same with an odd total", function() return {rnd(1, 2, 5, 4), rnd(2, 2, 2, 3), rnd(2)} end,
  function(x, w, b) return torch.conv2d(x, w, b, {padding = "same", dilation = {3, 1}}) end)

check("max_pool2d: gradcheck", function() return {rnd(2, 2, 5, 5)} end,
  function(x) return torch.max_pool2d(x, 2) end)
check("max_pool2d: gradcheck overlapping windows with padding", function() return {rnd(1, 2, 5, 4)} end,
  function(x) return torch.max_pool2d(x, 3, 1, 1) end)

T.test("max_pool2d: grad_fn name, a gradient that goes to the max, errors", function()
  local x = const({{{{1, 5}, {3, 2}}}}):requires_grad_()
  local y = torch.max_pool2d(x, 2)
  T.eq(y.grad_fn:name(), "MaxPool2DWithIndicesBackward0")
  y:sum():backward()
  T.close(x.grad, {{{{0, 1}, {0, 0}}}})
  T.error(function() torch.max_pool2d(torch.randn(1, 1, 4, 4), 2, 2, 2) end, "pad should be at most half")
  T.error(function() torch.max_pool2d(torch.randn(4, 4), 2) end, "expected input with 4 dims")
  T.error(function() torch.max_pool2d(torch.randn(1, 1, 1, 1), 2) end,
    "max_pool2d: Given input size: (1x1x1). Calculated output size: (1x0x0). Output size is too small")
end)

T.test("avg_pool2d: values with padding counted", function()
  local x = torch.arange(16, {dtype = torch.float64}):reshape(1, 1, 4, 4)
  T.close(torch.avg_pool2d(x, 2), {{{{2.5, 4.5}, {10.5, 12.5}}}})
  T.close(torch.avg_pool2d(x, 3, 2, 1), {{{{10 / 9, 24 / 9}, {51 / 9, 90 / 9}}}})
  T.eq(torch.avg_pool2d(x:requires_grad_(), 2).grad_fn:name(), "AvgPool2DBackward0")
end)

check("max_pool2d: gradcheck dilation and ceil_mode", function() return {rnd(1, 2, 7, 6)} end,
  function(x) return torch.max_pool2d(x, {3, 2}, 2, 1, {2, 3}, true) end)

check("avg_pool2d: gradcheck", function() return {rnd(2, 2, 5, 4)} end,
  function(x) return torch.avg_pool2d(x, {3, 2}, {2, 1}, {1, 1}) end)
check("avg_pool2d: gradcheck ceil_mode without the padding counted", function() return {rnd(2, 2, 6, 5)} end,
  function(x) return torch.avg_pool2d(x, 3, 2, 1, true, false) end)
check("avg_pool2d: gradcheck divisor_override", function() return {rnd(1, 2, 5, 4)} end,
  function(x) return torch.avg_pool2d(x, 2, 1, 1, {divisor_override = 3}) end)

-- softmax --------------------------------------------------------------------

T.test("softmax / log_softmax: values, stability, methods, names", function()
  local x = const({{1, 2, 3}, {1000, 1001, 1002}})
  local e = {math.exp(-2), math.exp(-1), 1}
  local z = e[1] + e[2] + e[3]
  local p = {e[1] / z, e[2] / z, e[3] / z}
  T.close(torch.softmax(x, 2), {p, p}, {rtol = 1e-12})
  T.close(torch.log_softmax(x, -1), {{math.log(p[1]), math.log(p[2]), math.log(p[3])},
    {math.log(p[1]), math.log(p[2]), math.log(p[3])}}, {rtol = 1e-12})
  T.close(x:softmax(1), {{0, 0, 0}, {1, 1, 1}})
  T.close(x:log_softmax(1)[1], {-999, -999, -999}, {rtol = 1e-12})
  T.close(torch.softmax(const({-math.huge, 0}), 1), {0, 1})
  local r = rnd(2, 3)
  T.eq(torch.softmax(r, 2).grad_fn:name(), "SoftmaxBackward0")
  T.eq(torch.log_softmax(r, 2).grad_fn:name(), "LogSoftmaxBackward0")
  T.eq(tostring(torch.softmax(torch.randn(2), 1, {dtype = torch.float64}).dtype), "torch.float64")
  T.error(function() torch.softmax(r) end, "dim is required")
  T.error(function() torch.softmax(r, 3) end, "dim")
  T.error(function() torch.softmax(torch.ones(3, {dtype = torch.int64}), 1) end, "floating point")
end)

for _, dim in ipairs({1, 2, 3, -1}) do
  check("softmax: gradcheck dim " .. dim, function() return {rnd(2, 3, 4)} end,
    function(x) return torch.softmax(x, dim) end)
  check("log_softmax: gradcheck dim " .. dim, function() return {rnd(2, 3, 4)} end,
    function(x) return torch.log_softmax(x, dim) end)
end

-- class-index losses -----------------------------------------------------------

T.test("nll_loss: values, weights, ignore_index, reductions", function()
  local lp, t = const({{-1, -2, -3}, {-4, -5, -6}}), long({2, 0})
  T.close(torch.nll_loss(lp, t), (3 + 4) / 2)
  T.close(torch.nll_loss(lp, t, {reduction = "sum"}), 7)
  T.close(torch.nll_loss(lp, t, {reduction = "none"}), {3, 4})
  local w = const({1, 2, 3})
  T.close(torch.nll_loss(lp, t, {weight = w}), (9 + 4) / 4)
  T.close(torch.nll_loss(lp, long({2, -100})), 3)
  T.close(torch.nll_loss(lp, long({2, 1}), {ignore_index = 1, reduction = "none"}), {3, 0})
  T.close(torch.nll_loss(const({-1, -2}), long(1)), 2)                  -- (C) input, 0-dim target
  T.eq(torch.nll_loss(leaf(lp), t).grad_fn:name(), "NllLossBackward0")
end)

T.test("cross_entropy: equals nll_loss(log_softmax) and softmax - onehot", function()
  torch.manual_seed(5)
  local x, t = rnd(4, 5), long({1, 0, 4, 2})
  local ce = torch.cross_entropy(x, t)
  T.close(ce, torch.nll_loss(torch.log_softmax(x, 2), t), {rtol = 1e-12})
  T.eq(ce.grad_fn:name(), "NllLossBackward0")
  ce:backward()
  local onehot = torch.zeros(4, 5, {dtype = torch.float64})
  for i, c in ipairs({1, 0, 4, 2}) do onehot[i][c + 1] = 1 end
  T.close(x.grad, (torch.softmax(x, 2) - onehot) / 4, {rtol = 1e-12, atol = 1e-15})
  local xd = const({{0, 0}})
  T.close(torch.cross_entropy(xd, long({1})), math.log(2), {rtol = 1e-12})
  T.close(torch.cross_entropy(const({{1000, 0}}), long({1})), 1000)   -- stable
end)

T.test("cross_entropy: label smoothing, weights, (N, C, d) input", function()
  local x, t = const({{1, 2, 3}, {0, 0, 1}}), long({0, 2})
  local lp = torch.log_softmax(x, 2):tolist()
  local s = 0.2
  local function row(r, c) return -((1 - s) * lp[r][c + 1] + s / 3 * (lp[r][1] + lp[r][2] + lp[r][3])) end
  T.close(torch.cross_entropy(x, t, {label_smoothing = s}), (row(1, 0) + row(2, 2)) / 2, {rtol = 1e-12})
  T.eq(torch.cross_entropy(leaf(x), t, {label_smoothing = s}).grad_fn:name(), "AddBackward0")
  local x3 = torch.randn(2, 3, 4):double()
  local t3 = long({{0, 1, 2, 1}, {2, 2, 0, 1}})
  local flat = torch.cross_entropy(x3:permute(1, 3, 2):reshape(8, 3), t3:reshape(8), {reduction = "none"})
  T.close(torch.cross_entropy(x3, t3, {reduction = "none"}), flat:reshape(2, 4), {rtol = 1e-12})
end)

local function ce_case(name, opts, n, c)
  check("cross_entropy: gradcheck " .. name, function() return {rnd(n or 3, c or 4)} end,
    function(x)
      local t = long({1, 0, 3, 2, 1}):narrow(1, 1, n or 3)
      return torch.cross_entropy(x, t, opts)
    end)
  check("nll_loss: gradcheck " .. name, function() return {rnd(n or 3, c or 4)} end,
    function(x)
      local t = long({1, 0, 3, 2, 1}):narrow(1, 1, n or 3)
      local o = {}
      for k, v in pairs(opts) do if k ~= "label_smoothing" then o[k] = v end end
      return torch.nll_loss(x, t, o)
    end)
end
ce_case("mean", {})
ce_case("sum", {reduction = "sum"})
ce_case("none", {reduction = "none"})
ce_case("weights", {weight = const({0.5, 1, 2, 3})})
ce_case("ignore_index", {ignore_index = 0, weight = const({0.5, 1, 2, 3})}, 5)
ce_case("label smoothing", {label_smoothing = 0.3, weight = const({0.5, 1, 2, 3})}, 5)
check("cross_entropy: gradcheck (N, C, d1, d2)", function() return {rnd(2, 3, 2, 2)} end,
  function(x) return torch.cross_entropy(x, long({{{0, 1}, {2, 2}}, {{1, 0}, {2, 1}}}), {label_smoothing = 0.1}) end)

-- float32 rows of contiguous classes take the blocked path (glibc's vector
-- exp, a block of rows per call); float64, and float32 rows wider than a
-- block, go row by row. Both must agree to float32's rounding, across block
-- boundaries (300 rows of 10: 51 rows a block), with every option.
T.test("cross_entropy: float32 blocks agree with float64 rows", function()
  torch.manual_seed(7)
  local cases = {{300, 10}, {5, 700}, {64, 1}, {3, 512}, {2, 513}}
  local optsets = {{}, {label_smoothing = 0.1}, {weight = true, ignore_index = 3}, {reduction = "none"}}
  for _, nc in ipairs(cases) do
    for _, o in ipairs(optsets) do
      local n, c = nc[1], nc[2]
      local x = (torch.randn(n, c) * 4):requires_grad_(true)
      local xd = x:detach():double():requires_grad_(true)
      local t = torch.randint(0, c, {n})
      local o32, o64 = {}, {}
      for k, v in pairs(o) do o32[k], o64[k] = v, v end
      if o.weight then o32.weight = torch.rand(c) + 0.5; o64.weight = o32.weight:double() end
      local l32, l64 = torch.cross_entropy(x, t, o32), torch.cross_entropy(xd, t, o64)
      T.close(l32:double(), l64, {rtol = 1e-5, atol = 1e-6})
      l32:sum():backward()
      l64:sum():backward()
      T.close(x.grad:double(), xd.grad, {rtol = 1e-5, atol = 1e-7})
    end
  end
  -- a NaN or an infinite logit stays in its own row, also inside a block
  local x = torch.zeros(60, 10)
  x[{5, 3}] = 0 / 0
  x[{40, 1}] = -math.huge
  local l = torch.cross_entropy(x, torch.zeros(60, {dtype = torch.int64}), {reduction = "none"})
  T.ok(l[5]:item() ~= l[5]:item(), "NaN logit gives a NaN loss")
  T.eq(l[40]:item(), math.huge)
  T.close(l[1]:item(), math.log(10), {rtol = 1e-6})
  T.close(l[60]:item(), math.log(10), {rtol = 1e-6})
end)

T.test("cross_entropy / nll_loss: errors", function()
  local x = torch.randn(3, 10)
  T.error(function() torch.cross_entropy(x, torch.tensor({1.0, 2.0, 3.0})) end,
    "cross_entropy: expected target of dtype int64 (class indices), got float32")
  T.error(function() torch.cross_entropy(x, long({1, 12, 3})) end,
    "cross_entropy: target 12 is out of bounds for 10 classes")
  T.error(function() torch.cross_entropy(x, long({1, -1, 3})) end, "target -1 is out of bounds")
  T.error(function() torch.cross_entropy(x, long({1, 2, 3, 4})) end,
    "expected input batch_size (3) to match target batch_size (4)")
  T.error(function() torch.cross_entropy(x, long({{1, 2, 3}})) end, "target")
  T.error(function() torch.cross_entropy(x, long({1, 2, 3}), {weight = torch.ones(5)}) end,
    "weight tensor should be defined either for all 10 classes")
  T.error(function() torch.cross_entropy(x, long({1, 2, 3}), {reduction = "avg"}) end, "reduction must be")
  T.error(function() torch.nll_loss(x, long({1, 99, 3})) end, "nll_loss: target 99 is out of bounds for 10 classes")
end)

-- binary cross entropy with logits ----------------------------------------------

local function bce_ref(x, y, pw)
  local out = {}
  for i = 1, #x do
    local sp = math.log(1 + math.exp(-x[i]))
    out[i] = (1 - y[i]) * x[i] + (1 + ((pw and pw[i] or 1) - 1) * y[i]) * sp
  end
  return out
end

T.test("binary_cross_entropy_with_logits: values, pos_weight, stability", function()
  local x, y = {-1.5, 0.25, 2}, {0, 1, 0.3}
  local ref = bce_ref(x, y)
  T.close(torch.binary_cross_entropy_with_logits(const(x), const(y), {reduction = "none"}), ref, {rtol = 1e-12})
  T.close(torch.binary_cross_entropy_with_logits(const(x), const(y)), (ref[1] + ref[2] + ref[3]) / 3, {rtol = 1e-12})
  local pw = {2, 3, 0.5}
  local rp = bce_ref(x, y, pw)
  T.close(torch.binary_cross_entropy_with_logits(const(x), const(y), {pos_weight = const(pw), reduction = "sum"}),
    rp[1] + rp[2] + rp[3], {rtol = 1e-12})
  T.close(torch.binary_cross_entropy_with_logits(const({100, -100}), const({0, 1}), {reduction = "none"}),
    {100, 100}, {rtol = 1e-12})
  T.eq(torch.binary_cross_entropy_with_logits(leaf(const(x)), const(y)).grad_fn:name(),
    "BinaryCrossEntropyWithLogitsBackward0")
  T.error(function() torch.binary_cross_entropy_with_logits(torch.randn(3), torch.rand(3, 1)) end,
    "must be the same as input size")
end)

check("bce_with_logits: gradcheck x and y", function() return {rnd(3, 2), leaf(torch.rand(3, 2))} end,
  function(x, y) return torch.binary_cross_entropy_with_logits(x, y) end)
check("bce_with_logits: gradcheck pos_weight + weight, none",
  function() return {rnd(3, 2), leaf(torch.rand(3, 2))} end,
  function(x, y)
    return torch.binary_cross_entropy_with_logits(x, y,
      {pos_weight = const({2, 0.5}), weight = const({{1}, {2}, {0.5}}), reduction = "none"})
  end)
check("bce_with_logits: gradcheck pos_weight, sum", function() return {rnd(4), leaf(torch.rand(4))} end,
  function(x, y) return torch.binary_cross_entropy_with_logits(x, y, {pos_weight = const({3, 1, 2, 0.5}),
    reduction = "sum"}) end)

-- batch norm -------------------------------------------------------------------

T.test("batch_norm: training normalises and updates running stats (unbiased var)", function()
  local x = const({{1, 10}, {3, 20}, {5, 60}})
  local rm, rv = torch.zeros(2, {dtype = torch.float64}), torch.ones(2, {dtype = torch.float64})
  local y = torch.batch_norm(x, nil, nil, rm, rv, true, 0.1, 0)
  local v1, v2 = 8 / 3, ((10 - 30) ^ 2 + (20 - 30) ^ 2 + (60 - 30) ^ 2) / 3
  T.close(y, {{-2 / math.sqrt(v1), -20 / math.sqrt(v2)}, {0, -10 / math.sqrt(v2)},
    {2 / math.sqrt(v1), 30 / math.sqrt(v2)}}, {rtol = 1e-12})
  T.close(rm, {0.3, 3}, {rtol = 1e-12})
  T.close(rv, {0.9 + 0.1 * 4, 0.9 + 0.1 * v2 * 3 / 2}, {rtol = 1e-12})
  local w, b = const({2, 3}), const({1, -1})
  local ye = torch.batch_norm(x, w, b, rm, rv, false, 0.1, 1e-5)
  T.close(ye[1], {2 * (1 - 0.3) / math.sqrt(1.3 + 1e-5) + 1, 3 * (10 - 3) / math.sqrt(rv[2]:item() + 1e-5) - 1},
    {rtol = 1e-12})
  T.close(rm, {0.3, 3}, {rtol = 1e-12}, "eval leaves the running stats alone")
end)

check("batch_norm: gradcheck training (N, C)", function() return {rnd(4, 3), rnd(3), rnd(3)} end,
  function(x, w, b) return torch.batch_norm(x, w, b, nil, nil, true, 0.1, 1e-5) end)
check("batch_norm: gradcheck training (N, C, H, W)", function() return {rnd(2, 3, 2, 2), rnd(3), rnd(3)} end,
  function(x, w, b) return torch.batch_norm(x, w, b, nil, nil, true, 0.1, 1e-5) end)
check("batch_norm: gradcheck eval", function() return {rnd(3, 2, 2), rnd(2), rnd(2)} end,
  function(x, w, b)
    return torch.batch_norm(x, w, b, const({0.5, -1}), const({2, 0.5}), false, 0.1, 1e-5)
  end)
check("batch_norm: gradcheck without affine", function() return {rnd(5, 2)} end,
  function(x) return torch.batch_norm(x, nil, nil, nil, nil, true, 0.1, 1e-5) end)

T.test("batch_norm: grad_fn name and errors", function()
  T.eq(torch.batch_norm(rnd(3, 2), nil, nil, nil, nil, true).grad_fn:name(), "NativeBatchNormBackward0")
  T.error(function() torch.batch_norm(torch.randn(1, 3), nil, nil, nil, nil, true) end,
    "expected more than 1 value per channel when training")
  T.error(function() torch.batch_norm(torch.randn(4, 3), torch.ones(4), nil, nil, nil, true) end,
    "expected weight of shape [3]")
  T.error(function() torch.batch_norm(torch.randn(4, 3), nil, nil, nil, nil, false) end, "evaluation mode")
  T.error(function() torch.batch_norm(torch.randn(4), nil, nil, nil, nil, true) end, "at least 2 dims")
end)

-- dropout and bernoulli -----------------------------------------------------------

T.test("dropout: identity cases return the input itself; p == 1 gives zeros", function()
  local x = torch.randn(4, 5)
  T.ok(rawequal(torch.dropout(x, 0.5, false), x))
  T.ok(rawequal(torch.dropout(x, 0, true), x))
  T.close(torch.dropout(x, 1, true), torch.zeros(4, 5))
  T.error(function() torch.dropout(x, 1.5, true) end, "between 0 and 1")
  T.error(function() torch.dropout(x:long(), 0.5, true) end, "floating point")
end)

T.test("dropout: kept values scaled by 1/(1-p), gradient is the mask", function()
  torch.manual_seed(7)
  local x = leaf(torch.ones(2000))
  local y = torch.dropout(x, 0.25, true)
  T.eq(y.grad_fn:name(), "MulBackward0")
  local kept = 0
  for _, v in ipairs(y:tolist()) do
    T.ok(v == 0 or math.abs(v - 1 / 0.75) < 1e-12, "value " .. v)
    if v ~= 0 then kept = kept + 1 end
  end
  T.ok(math.abs(kept / 2000 - 0.75) < 0.05, "kept fraction " .. kept / 2000)
  y:sum():backward()
  T.close(x.grad, y:detach())
  torch.manual_seed(7)
  T.close(torch.dropout(torch.ones(2000):double(), 0.25, true), y:detach())   -- same seed, same mask
end)

T.test("bernoulli: probabilities 0 and 1, reproducible draws, methods", function()
  local p = torch.tensor({0.0, 1.0, 0.0, 1.0})
  T.close(torch.bernoulli(p), {0, 1, 0, 1})
  T.close(torch.bernoulli(p:double()), {0, 1, 0, 1})
  torch.manual_seed(11)
  local a = torch.empty(50):bernoulli_(0.3)
  torch.manual_seed(11)
  T.close(torch.bernoulli(torch.empty(50), 0.3), a)
  torch.manual_seed(11)
  T.close(torch.zeros(50):bernoulli(0.3), a)
  for _, v in ipairs(a:tolist()) do T.ok(v == 0 or v == 1) end
  local ints = torch.zeros(5, {dtype = torch.int64}):bernoulli_(1.0)
  T.close(ints, {1, 1, 1, 1, 1})
  local g = torch.Generator():manual_seed(11)
  T.close(torch.empty(50):bernoulli_(0.3, {generator = g}), a)
  T.error(function() torch.empty(3):bernoulli_(1.5) end, "expects p to be in [0, 1]")
  T.error(function() torch.randn(3, {requires_grad = true}):bernoulli_(0.5) end, "requires grad")
end)

T.run()
