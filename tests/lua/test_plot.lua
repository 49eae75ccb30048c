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

T.run()
