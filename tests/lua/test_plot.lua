-- ember.plot over gnuplot: PNG header and size, a dumb-terminal snapshot, the
-- CSV fallback when gnuplot is missing, and clear errors for bad arguments.
-- Tests needing gnuplot are skipped (with a note) when it is not installed.

local T = require "ember.test"
local plot = require "ember.plot"

local here = (debug.getinfo(1, "S").source:match("^@(.*)[/\\]")) or "tests/lua"
local have = os.execute("gnuplot -e 'exit' >/dev/null 2>&1") == true
if not have then io.stderr:write("test_plot: gnuplot missing, skipping drawing tests\n") end

local function read(path)
  local f = assert(io.open(path, "rb")); local s = f:read("a"); f:close(); return s
end

local train = {1.0, 0.62, 0.45, 0.37, 0.33, 0.31}
local val = {1.1, 0.7, 0.55, 0.5, 0.49, 0.5}

if have then
  T.test("two-series loss plot writes a PNG of the requested size", function()
    local path = os.tmpname() .. ".png"
    local r = plot.losses{train = train, val = torch.tensor(val), file = path, width = 640, height = 360,
                          terminal = "none", quiet = true}
    T.eq(r.file, path)
    local png = read(path)
    os.remove(path)
    T.eq(png:sub(1, 8), "\137PNG\r\n\26\n", "PNG signature")
    T.eq(png:sub(13, 16), "IHDR")
    T.eq(string.unpack(">I4", png, 17), 640, "width")
    T.eq(string.unpack(">I4", png, 21), 360, "height")
  end)

  T.test("dumb-terminal output matches the stored snapshot", function()
    local r = plot.losses{train = train, val = val, terminal = "dumb", cols = 60, rows = 20, quiet = true}
    local text = r.text:gsub("^\f", "")
    local snap = here .. "/plot_snapshot.txt"
    if os.getenv("EMBER_UPDATE_SNAPSHOT") then
      local f = assert(io.open(snap, "wb")); f:write(text); f:close()
    end
    T.eq(text, read(snap))
  end)

  T.test("figure with two panels and an SVG", function()
    local path = os.tmpname() .. ".svg"
    local fig = plot.figure{rows = 1, cols = 2, file = path, terminal = "none", quiet = true}
    fig:losses{train = train}
    fig:scatter{{x = {1, 2, 3}, y = {2, 4.1, 5.9}, label = "data"},
                {x = {1, 3}, y = {2, 6}, label = "true", style = "lines"}}
    T.error(function() fig:line{y = {1, 2}} end, "holds 2 panels")
    fig:draw()
    T.ok(read(path):find("<svg", 1, true), "an SVG document")
    os.remove(path)
  end)

  T.test("NaN and inf draw as gaps", function()
    local r = plot.line{y = {1, 0 / 0, 3, math.huge, 5}, logy = true, terminal = "dumb", cols = 40, rows = 12,
                        quiet = true}
    T.ok(#r.text > 0)
  end)


  -- The gnuplot scripts plot sends, captured by a wrapper around gnuplot.
  local function captured(fn)
    local cap, wrapper = os.tmpname(), os.tmpname()
    local f = assert(io.open(wrapper, "w"))
    f:write("#!/bin/sh\nif [ \"$1\" = -e ]; then exec gnuplot \"$@\"; fi\n",
            "if [ -n \"$1\" ]; then cat \"$1\" >> ", cap, "; exec gnuplot \"$1\"; fi\n",
            "tee -a ", cap, " | gnuplot\n")
    f:close()
    os.execute("chmod +x " .. wrapper)
    local saved = plot.gnuplot
    plot.gnuplot = wrapper
    local ok, err = pcall(fn)
    plot.gnuplot = saved
    local text = read(cap)
    os.remove(cap); os.remove(wrapper)
    assert(ok, err)
    return text
  end

  -- Every `plot` command must be drawn with its key outside the plot area
  -- (where it cannot cover data) or with no key at all.
  local function keys_outside(script, what)
    local key, plots = "default", 0
    for line in script:gmatch("[^\n]+") do
      for cmd in line:gmatch("[^;]+") do
        cmd = cmd:gsub("^%s+", "")
        if cmd:match("^set key") then key = cmd:find(" outside", 1, true) and "outside" or cmd
        elseif cmd:match("^unset key") then key = "none" end
        if cmd:match("^plot ") then
          plots = plots + 1
          T.ok(key == "outside" or key == "none", what .. ": a plot drawn with key '" .. key .. "'")
        end
      end
    end
    T.ok(plots > 0, what .. ": no plot command captured")
  end

  T.test("every figure puts its legend outside the data (or has none)", function()
    local png = os.tmpname() .. ".png"
    local cases = {
      losses = function() plot.losses{train = train, val = val, file = png, terminal = "dumb", quiet = true} end,
      line = function() plot.line{{y = train, label = "a"}, {y = val, label = "b"}, logy = true, file = png,
                                  terminal = "dumb", quiet = true} end,
      scatter = function() plot.scatter{y = train, file = png, terminal = "dumb", quiet = true} end,
      figure = function()
        local fig = plot.figure{rows = 1, cols = 2, file = png, terminal = "dumb", quiet = true}
        fig:losses{train = train, val = val}
        fig:scatter{{y = train, label = "data"}, {y = val, label = "learned", style = "dashed"}}
        fig:draw()
      end,
      live = function()
        local live = plot.live{terminal = "dumb"}
        for i = 1, 3 do live:update{train = train[i], val = val[i], val_acc = i / 4} end
        live:close()
      end,
      images = function() plot.images(torch.rand(3, 4, 4), {labels = {1, 2, 3}, file = png, quiet = true}) end,
      heatmap = function() plot.heatmap{torch.eye(3), file = png, quiet = true} end,
    }
    for name, fn in pairs(cases) do keys_outside(captured(fn), name) end
    os.remove(png)
  end)

  T.test("no lesson moves a legend back over the data", function()
    local p = io.popen("ls " .. here .. "/../../lessons/*.md " .. here .. "/../../lessons/exercises/*.lua")
    local n = 0
    for path in p:lines() do
      n = n + 1
      T.ok(not read(path):find("set key", 1, true), path .. " sets gnuplot's key itself")
    end
    p:close()
    T.ok(n > 10, "the lessons were found")
  end)

  T.test("a linear loss axis starts at zero", function()
    local script = captured(function() plot.losses{train = train, terminal = "none", file = os.tmpname() .. ".png", quiet = true} end)
    T.ok(script:find("set yrange [0:*]", 1, true), "losses: yrange from 0")
    script = captured(function() plot.losses{train = train, logy = true, terminal = "dumb", quiet = true} end)
    T.ok(not script:find("set yrange [0:*]", 1, true), "no zero on a log axis")
  end)

  T.test("a live plot with accuracies draws two panels and writes the file", function()
    local path = os.tmpname() .. ".png"
    local script = captured(function()
      local live = plot.live{terminal = "dumb", file = path, quiet = true}
      for i = 1, 3 do live:update{train = train[i], train_acc = i / 5, val_acc = i / 4} end
      T.error(function() live:update{train = 1, val_acc = "x"} end, "val_acc must be a number")
      live:close()
    end)
    T.ok(script:find("multiplot layout 1,2", 1, true), "losses and accuracies side by side")
    T.ok(script:find("title 'validation'", 1, true), "the validation accuracy is drawn")
    T.eq(read(path):sub(1, 8), "\137PNG\r\n\26\n")
    os.remove(path)
  end)

  T.test("images and heat maps write PNGs", function()
    local path = os.tmpname() .. ".png"
    local r = plot.images(torch.rand(5, 1, 6, 6), {nrow = 3, file = path, quiet = true})
    T.eq(r.file, path)
    T.eq(read(path):sub(1, 8), "\137PNG\r\n\26\n")
    r = plot.heatmap{{{1, 2}, {3, 4}}, file = path, quiet = true}
    T.eq(read(path):sub(1, 8), "\137PNG\r\n\26\n")
    os.remove(path)
  end)

  T.test("gnuplot's errors reach the caller", function()
    T.error(function() plot.line{y = {1, 2}, extra = "set nonsense", terminal = "dumb", quiet = true} end,
            "gnuplot failed")
  end)
end

T.test("missing gnuplot gives a CSV and a message", function()
  local saved = plot.gnuplot
  plot.gnuplot = "env PATH=/nonexistent gnuplot"
  local base = os.tmpname()
  local ok, r = pcall(plot.losses, {train = {1, 0.5}, val = {1.2, 0.7}, file = base .. ".png"})
  plot.gnuplot = saved
  os.remove(base)
  T.ok(ok, tostring(r))
  T.eq(r.csv, base .. ".csv")
  T.eq(read(r.csv), "panel,series,x,y\n1,train,1,1\n1,train,2,0.5\n1,validation,1,1.2\n1,validation,2,0.7\n")
  os.remove(r.csv)
end)

T.test("bad arguments give clear errors", function()
  T.error(function() plot.losses{train = {}} end, "series 'train' is empty")
  T.error(function() plot.losses{train = {1, 2}, val = {1}} end, "train has 2 epochs but val has 1")
  T.error(function() plot.line{y = {1, "x"}} end, "element 2 is a string, expected a number")
  T.error(function() plot.line{x = {1, 2, 3}, y = {1, 2}} end, "3 x values and 2 y values")
  T.error(function() plot.losses{train = torch.ones(2, 2)} end, "must be a 1-D tensor")
  T.error(function() plot.losses{} end, "train= is required")
  T.error(function() plot.line{} end, "no series to plot")
  T.error(function() plot.losses{train = {1}, file = "a.jpg"} end, "must end in .png or .svg")
  T.error(function() plot.figure{rows = 0} end, "positive integers")
end)

T.test("plot.images draws half blocks: two pixels a character", function()
  -- rows 1-2 of a 4x3 image make line 1, rows 3-4 line 2
  local img = torch.tensor({{1, 0, 1}, {1, 0, 0}, {0, 1, 0}, {0, 1, 1}})
  local r = plot.images(img, {labels = {"7"}, normalize = false, color = false, quiet = true})
  T.eq(r.text, "7\n█ ▀\n █▄\n")
  -- odd height: the last line's lower pixel is empty; each image by its own range
  r = plot.images({torch.tensor({{10, 20}, {20, 20}, {20, 10}}), torch.tensor({{0, 1}, {1, 1}, {1, 0}})},
                  {nrow = 2, color = false, quiet = true})
  T.eq(r.text, "▄█  ▄█\n▀   ▀\n")
  -- colour: the upper pixel is the foreground of ▀, the lower its background
  r = plot.images(torch.tensor({{1}, {0}}), {normalize = false, color = true, quiet = true})
  T.eq(r.text, "\27[38;5;255;48;5;232m▀\27[0m\n")
  -- zoom 2: a 1x2 image becomes 2x4, one line
  r = plot.images(torch.tensor({{1, 0}}), {zoom = 2, normalize = false, color = false, quiet = true})
  T.eq(r.text, "██\n")
  -- a grid of 3 with nrow 2: two rows of tiles, labels above each
  r = plot.images(torch.zeros(3, 2, 2), {labels = torch.tensor({4, 5, 6}), nrow = 2, color = false, quiet = true})
  T.eq(r.text, "4   5\n\n6\n\n")
end)

T.test("plot.heatmap prints the matrix as a table", function()
  local r = plot.heatmap{torch.tensor({{5, 0}, {1, 12}}), xlabel = "predicted", ylabel = "true", quiet = true}
  T.eq(r.text, "true \\ predicted   0  1\n               0   5  0\n               1   1 12\n")
end)

T.test("plot.images and plot.heatmap refuse bad input", function()
  T.error(function() plot.images(torch.zeros(2, 3, 4, 4)) end, "must be (N, 1, H, W)")
  T.error(function() plot.images({torch.zeros(2, 2), torch.zeros(3, 3)}) end, "image 2 is 3x3, image 1 is 2x2")
  T.error(function() plot.images(torch.zeros(2, 2), {normalize = "x"}) end, "normalize must be")
  T.error(function() plot.images(torch.zeros(2, 2), {nrows = 2}) end, "unknown option 'nrows'")
  T.error(function() plot.heatmap{} end, "no matrix")
  T.error(function() plot.heatmap{torch.zeros(3, 3), ticks = {"a"}} end, "ticks must name all 3")
end)

T.run()
