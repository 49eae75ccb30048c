-- ember.plot — loss curves and simple x/y plots drawn by gnuplot run as a child
-- process: a text plot (or sixel) on a terminal, a PNG/SVG when file= is given,
-- a CSV of the data when gnuplot is missing. Not a plotting library: lines and
-- points, labels, log scales and side-by-side panels; images as a grid
-- and heat maps (lua/ember/plot_image.lua), nothing more.
--   plot.losses{train = {...}, val = {...}, file = "loss.png"}
--   local fig = plot.figure{rows = 1, cols = 2}; fig:losses{...}; fig:line{...}; fig:draw()
local sys = require "ember.sys"
local options = require "torch.options"

local plot = {}

-- The options of each function (checked on entry; plot.line's list of
-- series is its array part, checked as series).
local OUTPUT = "file terminal width height cols rows show quiet extra"
local LOSSES_PANEL, LINE_PANEL = "train val title logy", "x y label title xlabel ylabel logx logy"
local SPECS = {
  losses = options.spec("plot.losses", LOSSES_PANEL .. " " .. OUTPUT),
  line = options.spec("plot.line", LINE_PANEL .. " " .. OUTPUT),
  scatter = options.spec("plot.scatter", LINE_PANEL .. " " .. OUTPUT),
  figure = options.spec("plot.figure", "title " .. OUTPUT),
  ["figure:losses"] = options.spec("figure:losses", LOSSES_PANEL),
  ["figure:line"] = options.spec("figure:line", LINE_PANEL),
  ["figure:scatter"] = options.spec("figure:scatter", LINE_PANEL),
  live = options.spec("plot.live", "title logy " .. OUTPUT),
  ["live:update"] = options.spec("live:update", "train val train_acc val_acc note"),
  series = options.spec("plot series", "x y label style"),
  images = options.spec("plot.images", "labels nrow normalize zoom color title file width height quiet"),
  heatmap = options.spec("plot.heatmap", "title xlabel ylabel ticks file width height quiet"),
}

-- Checks the named (string-keyed) options of t against SPECS[name]; the
-- array part (series) is the caller's.
local function check_named(name, t)
  if type(t) ~= "table" then return end
  local named = {}
  for k, v in pairs(t) do
    if type(k) == "string" then named[k] = v end
  end
  SPECS[name]:check(named)
end
-- the gnuplot command; EMBER_GNUPLOT overrides it (tests point it elsewhere)
plot.gnuplot = os.getenv("EMBER_GNUPLOT") or "gnuplot"

local MISSING_HINT = "install it with: sudo apt-get install gnuplot-nox"

-- Quotes a string for gnuplot's single-quoted strings.
local function q(s) return "'" .. tostring(s):gsub("'", "''") .. "'" end

local function read_all(path)
  local f = io.open(path, "rb")
  if not f then return "" end
  local s = f:read("a"); f:close()
  return s
end

-- A series given as a Lua array of numbers or a 1-D tensor -> Lua array.
local function numbers(fname, name, v, level)
  if torch and torch.is_tensor(v) then
    if v:dim() ~= 1 then
      error(string.format("%s: series '%s' must be a 1-D tensor, got %d dims", fname, name, v:dim()), level)
    end
    v = v:detach():double():tolist()
  end
  if type(v) ~= "table" then
    error(string.format("%s: series '%s' must be a table of numbers or a 1-D tensor, got %s", fname, name, type(v)), level)
  end
  if #v == 0 then error(string.format("%s: series '%s' is empty", fname, name), level) end
  for i = 1, #v do
    if type(v[i]) ~= "number" then
      error(string.format("%s: series '%s' element %d is a %s, expected a number", fname, name, i, type(v[i])), level)
    end
  end
  return v
end

local function range(n)
  local r = {}
  for i = 1, n do r[i] = i end
  return r
end

-- One series {x=, y=, label=, style=} checked and made plain.
local function make_series(fname, s, style, index)
  check_named("series", s)
  local label = s.label or ("series " .. index)
  local y = numbers(fname, label, s.y or s[1], 5)
  local x = s.x and numbers(fname, label .. ".x", s.x, 5) or range(#y)
  if #x ~= #y then
    error(string.format("%s: series '%s' has %d x values and %d y values", fname, label, #x, #y), 4)
  end
  return {x = x, y = y, label = label, style = s.style or style}
end

-- A panel: {series = {...}, title, xlabel, ylabel, logx, logy} from user opts.
-- Series come from opts' array part, or opts.x/opts.y for a single one.
local function make_panel(fname, opts, style, spec)
  if type(opts) ~= "table" then error(fname .. ": expects a table of options", 3) end
  check_named(spec, opts)
  local list = {}
  if opts.y ~= nil then list[1] = {x = opts.x, y = opts.y, label = opts.label or "y"} end
  for i, s in ipairs(opts) do
    if type(s) ~= "table" or (s.y == nil and s[1] == nil) then
      error(string.format("%s: series %d must be a table {x=..., y=..., label=...}", fname, i), 3)
    end
    list[#list + 1] = s
  end
  if #list == 0 then error(fname .. ": no series to plot (give y= or a list of {x=, y=, label=})", 3) end
  local panel = {title = opts.title, xlabel = opts.xlabel, ylabel = opts.ylabel,
                 logx = opts.logx, logy = opts.logy, series = {}}
  for i, s in ipairs(list) do panel.series[i] = make_series(fname, s, style, i) end
  return panel
end

local function losses_panel(opts, spec)
  if type(opts) ~= "table" then error("plot.losses: expects a table {train=..., val=...}", 3) end
  check_named(spec, opts)
  if opts.train == nil then error("plot.losses: train= is required (the training loss per epoch)", 3) end
  local train = numbers("plot.losses", "train", opts.train, 4)
  local series = {{x = range(#train), y = train, label = "train", style = "linespoints"}}
  if opts.val ~= nil then
    local val = numbers("plot.losses", "val", opts.val, 4)
    if #val ~= #train then
      error(string.format("plot.losses: train has %d epochs but val has %d", #train, #val), 3)
    end
    series[2] = {x = range(#val), y = val, label = "validation", style = "linespoints"}
  end
  return {title = opts.title or "loss", xlabel = "epoch", ylabel = "loss", logy = opts.logy,
          series = series, epochs = true}
end

local function finite(v) return v == v and v ~= math.huge and v ~= -math.huge end

-- Warns once per series holding NaN/inf; such points become gaps.
local function warn_nonfinite(panels)
  for _, p in ipairs(panels) do
    for _, s in ipairs(p.series) do
      local bad = 0
      for i = 1, #s.y do
        if not (finite(s.x[i]) and finite(s.y[i])) then bad = bad + 1 end
      end
      if bad > 0 then
        io.stderr:write(string.format("plot: warning: series '%s' has %d NaN/inf value%s, drawn as gaps\n",
                                      s.label, bad, bad == 1 and "" or "s"))
      end
    end
  end
end

-- Where every panel puts its key: outside the plot area, right of it, so
-- the legend never hides data (a curve that leaves the plot included).
local KEY = "set key outside right top vertical"
local TEXT_KEY = "set key outside below horizontal width 3" -- in text the width is precious

-- gnuplot commands drawing the panels (data inline as datablocks; a blank
-- line in a block breaks the line, which is how non-finite points show).
local function body(panels, layout, title, text)
  local out = {}
  local function add(s) out[#out + 1] = s end
  local styles = text and {lines = "lines", points = "points pt 'o'", linespoints = "lines", dashed = "lines"}
    or {lines = "lines lw 2.5", points = "points pt 7 ps 0.8", linespoints = "linespoints pt 7 lw 2",
        dashed = "lines lw 2.5 dt (7, 5)"}
  for pi, p in ipairs(panels) do
    for si, s in ipairs(p.series) do
      add(string.format("$d%d_%d << EOD", pi, si))
      for i = 1, #s.y do
        if finite(s.x[i]) and finite(s.y[i]) then add(string.format("%.17g %.17g", s.x[i], s.y[i]))
        else add("") end
      end
      add("EOD")
    end
  end
  if layout.extra then add(layout.extra) end -- the caller's own gnuplot commands
  if #panels > 1 then
    add(string.format("set multiplot layout %d,%d%s", layout.rows, layout.cols,
                      title and (" title " .. q(title)) or ""))
  end
  for pi, p in ipairs(panels) do
    -- the key (legend) goes outside the plot area, right of it: it can
    -- never cover a point or a line (tests/lua/test_plot.lua checks this)
    -- a loss is never below zero: a linear loss axis starts at 0, no margin below
    local zero_based = p.epochs and not p.logy
    add(text and "unset logscale; unset grid; " .. TEXT_KEY .. " noopaque nobox; set offsets 0, 0, 0, 0"
        or "unset logscale; set grid; " .. KEY .. " box; set offsets graph 0.03, graph 0.03, graph 0.05, "
           .. (zero_based and "0" or "graph 0.05"))
    add("set autoscale xfix")
    -- whole-number x (epochs) up to 15 of them: a tick at each, none between
    local whole = #p.series[1].x <= 15
    for _, s in ipairs(p.series) do
      for _, x in ipairs(s.x) do if x ~= math.floor(x) then whole = false end end
    end
    add(whole and "set xtics 1" or "set xtics autofreq")
    add(p.logx and "set logscale x; set format x '%g'" or "")
    add(p.logy and "set logscale y; set format y '%g'" or "")
    add("set title " .. q(p.title or ""))
    add("set xlabel " .. q(p.xlabel or ""))
    add("set ylabel " .. q(p.ylabel or ""))
    local parts = {}
    for si, s in ipairs(p.series) do
      local style = styles[s.style] or error("plot: unknown style '" .. tostring(s.style) .. "'")
      parts[si] = string.format("$d%d_%d using 1:2 with %s title %s", pi, si, style, q(s.label))
    end
    if zero_based then add("set yrange [0:*]") end
    add("plot " .. table.concat(parts, ", "))
    if zero_based then add("set autoscale y") end
  end
  if #panels > 1 then add("unset multiplot") end
  return table.concat(out, "\n") .. "\n"
end

-- Text size: COLUMNS/LINES, else `stty size` on a terminal, else 80x25.
local function text_size(opts)
  local cols, rows = tonumber(os.getenv("COLUMNS")), tonumber(os.getenv("LINES"))
  if (not cols or not rows) and sys.isatty("stdout") then
    local p = io.popen("stty size </dev/tty 2>/dev/null")
    local r, c = (p and p:read("a") or ""):match("(%d+)%s+(%d+)")
    if p then p:close() end
    rows, cols = rows or tonumber(r), cols or tonumber(c)
  end
  cols = opts.cols or math.min(cols or 80, 160)
  rows = opts.rows or math.min((rows or 25) - 2, math.floor(cols / 3))
  return cols, math.max(rows, 10)
end

-- What to draw on the terminal: "dumb", "sixel" or nil (nothing).
local function screen_terminal(opts)
  local want = opts.terminal or os.getenv("EMBER_PLOT")
  if want == "none" or opts.show == false then return nil end
  if want == "dumb" or want == "text" then return "dumb" end
  if want == "sixel" then return "sixel" end
  if not sys.isatty("stdout") then return nil end -- batch run: draw nothing unless asked
  local term = (os.getenv("TERM") or "") .. " " .. (os.getenv("TERM_PROGRAM") or "")
  for _, t in ipairs({"mlterm", "foot", "yaft", "contour", "WezTerm", "sixel"}) do
    if term:find(t, 1, true) then return "sixel" end
  end
  return "dumb"
end

local function terminal_cmd(kind, opts)
  if kind == "dumb" then
    local cols, rows = text_size(opts)
    return string.format("set terminal dumb size %d,%d", cols, rows)
  elseif kind == "sixel" then
    return string.format("set terminal sixelgd size %d,%d truecolor", opts.width or 800, opts.height or 500)
  elseif kind == "png" then
    return string.format("set terminal pngcairo size %d,%d", opts.width or 800, opts.height or 500)
  else
    return string.format("set terminal svg size %d,%d dynamic", opts.width or 800, opts.height or 500)
  end
end

local function file_kind(path, level)
  if type(path) ~= "string" then error("plot: file= must be a string path", level) end
  local ext = path:lower():match("%.(%a+)$")
  if ext == "png" or ext == "svg" then return ext end
  error("plot: file= must end in .png or .svg, got '" .. path .. "'", level)
end

-- Whether plot.gnuplot runs at all (checked once per command).
local available = {}
local function have_gnuplot()
  local cmd = plot.gnuplot
  if available[cmd] == nil then
    local ok, _, code = os.execute(cmd .. " -e 'exit' >/dev/null 2>&1")
    available[cmd] = ok == true or (code ~= 127 and code ~= 126)
  end
  return available[cmd]
end

-- The CSV fallback: panel,series,x,y per point, next to file= or in /tmp.
local function write_csv(panels, opts)
  local path = opts.file and opts.file:gsub("%.%a+$", "") .. ".csv" or os.tmpname() .. ".csv"
  local f = assert(io.open(path, "w"))
  f:write("panel,series,x,y\n")
  for pi, p in ipairs(panels) do
    for _, s in ipairs(p.series) do
      for i = 1, #s.y do
        f:write(string.format("%d,%s,%.12g,%.12g\n", pi, (s.label:gsub("[,\n]", " ")), s.x[i], s.y[i]))
      end
    end
  end
  f:close()
  io.stderr:write(string.format("plot: gnuplot not found (%s); wrote the data as CSV to %s\n", MISSING_HINT, path))
  return path
end

-- Runs gnuplot on the panels; returns {file=, text=, csv=}. opts.extra: raw
-- gnuplot commands run before plotting (e.g. "set yrange [0:*]").
local function render(panels, opts, layout)
  local result = {}
  layout = {rows = layout.rows, cols = layout.cols, extra = opts.extra}
  if opts.file then file_kind(opts.file, 4) end
  if not have_gnuplot() then
    result.csv = write_csv(panels, opts)
    return result
  end
  warn_nonfinite(panels)
  local screen = screen_terminal(opts)
  local script, errf, textf = os.tmpname(), os.tmpname(), os.tmpname()
  local parts = {}
  if opts.file then
    parts[#parts + 1] = terminal_cmd(file_kind(opts.file, 4), opts)
    parts[#parts + 1] = "set output " .. q(opts.file)
    parts[#parts + 1] = body(panels, layout, opts.title) .. "set output"
  end
  if screen then
    parts[#parts + 1] = terminal_cmd(screen, opts)
    parts[#parts + 1] = "set output " .. q(textf)
    parts[#parts + 1] = body(panels, layout, opts.title, screen == "dumb") .. "set output"
  end
  local f = assert(io.open(script, "w"))
  f:write(table.concat(parts, "\n"), "\n")
  f:close()
  local ok = os.execute(string.format("%s %s >/dev/null 2>%s", plot.gnuplot, script, errf))
  local err = read_all(errf)
  if screen then result.text = read_all(textf) end
  os.remove(script); os.remove(errf); os.remove(textf)
  if not ok then error("plot: gnuplot failed:\n" .. err, 3) end
  if err ~= "" then io.stderr:write("plot: gnuplot says:\n", err) end
  if result.text and not opts.quiet then io.stdout:write(result.text); io.stdout:flush() end
  if opts.file then
    result.file = opts.file
    if not opts.quiet then print("plot: wrote " .. opts.file) end
  end
  return result
end

local single = {rows = 1, cols = 1}

--- plot.losses{train = {...}[, val = {...}, title =, file =, ...]} -> result
-- Draws loss curves per epoch (x = 1, 2, ...): train, and val of the same
-- length. Series: Lua lists of numbers or 1-D tensors. On a terminal a text
-- plot (terminal = "dumb" | "sixel" | "none", cols =, rows =); logy = true
-- for a log scale; file =
-- "x.png" / "x.svg" also writes an image (width =, height =). Without gnuplot
-- it writes a CSV instead and says where. Other options: quiet, extra.
-- result: {file =, text =, csv =} (what was written or drawn).
-- Example: plot.losses{train = train_losses, val = val_losses, file = "loss.png"}
function plot.losses(opts)
  local r = render({losses_panel(opts, "losses")}, opts, single)
  return r
end

--- plot.line{x =, y =, label =} or plot.line{{x =, y =}, {...}, title =, ...}
-- Draws y against x (x defaults to 1, 2, ...) as lines, one series or a
-- list of them. Options: title, xlabel, ylabel, logx, logy, and those of
-- plot.losses (file, terminal, width, height, quiet, extra). NaN/inf points
-- are drawn as gaps. Returns {file =, text =, csv =}.
-- Example:
--   local x = torch.linspace(-2, 2, 41)
--   plot.line{x = x, y = x:square(), label = "x^2"}
function plot.line(opts)
  local r = render({make_panel("plot.line", opts, "lines", "line")}, opts, single)
  return r
end

--- plot.scatter{x =, y =, label =} or plot.scatter{{x =, y =}, {...}, title =, ...}
-- As plot.line, drawn with points; a series may set style = "lines",
-- "linespoints" or "dashed" (a dashed line: one line drawn over another
-- stays visible). Returns {file =, text =, csv =}.
-- Example: plot.scatter{x = {1, 2, 3}, y = {2, 4, 5}, label = "data"}
function plot.scatter(opts)
  local r = render({make_panel("plot.scatter", opts, "points", "scatter")}, opts, single)
  return r
end

-- A figure: panels added by fig:losses/line/scatter, drawn by fig:draw().
local Figure = {}
Figure.__index = Figure

--- plot.figure{rows = 1, cols = 1[, title =, file =, ...]} -> fig
-- A figure of rows x cols panels side by side (matplotlib's subplots):
-- add panels with fig:losses{...}, fig:line{...}, fig:scatter{...} (row by
-- row), then fig:draw(). title, file, terminal, width, height apply to the
-- whole figure.
-- Example:
--   local fig = plot.figure{rows = 1, cols = 2, file = "fig.png"}
--   fig:losses{train = losses}; fig:line{y = accuracies, label = "acc"}
--   fig:draw()
function plot.figure(opts)
  opts = opts or {}
  check_named("figure", opts)
  local rows, cols = opts.rows or 1, opts.cols or 1
  if math.type(rows) ~= "integer" or math.type(cols) ~= "integer" or rows < 1 or cols < 1 then
    error("plot.figure: rows and cols must be positive integers", 2)
  end
  return setmetatable({opts = opts, rows = rows, cols = cols, panels = {}}, Figure)
end

local function add_panel(fig, panel)
  if #fig.panels >= fig.rows * fig.cols then
    error(string.format("plot.figure: a %dx%d figure holds %d panels", fig.rows, fig.cols, fig.rows * fig.cols), 3)
  end
  fig.panels[#fig.panels + 1] = panel
  return fig
end

--- fig:losses{train = {...}[, val = {...}, title =, logy =]} -> fig
-- Adds a loss-curve panel (as plot.losses) to the figure; drawn by fig:draw().
function Figure:losses(opts) return add_panel(self, losses_panel(opts, "figure:losses")) end

--- fig:line{x =, y =, label =, ...} -> fig
-- Adds a line panel (as plot.line: one series or a list, title, xlabel,
-- ylabel, logx, logy) to the figure; drawn by fig:draw().
function Figure:line(opts) return add_panel(self, make_panel("figure:line", opts, "lines", "figure:line")) end

--- fig:scatter{x =, y =, label =, ...} -> fig
-- Adds a scatter panel (as plot.scatter) to the figure; drawn by fig:draw().
function Figure:scatter(opts) return add_panel(self, make_panel("figure:scatter", opts, "points", "figure:scatter")) end

--- fig:draw() -> {file =, text =, csv =}
-- Draws every panel added so far with the figure's options (on the
-- terminal, and to file= if given). An error when no panel was added.
function Figure:draw()
  if #self.panels == 0 then error("plot.figure: nothing to draw; add panels with fig:losses/line/scatter", 2) end
  -- the figure's rows and cols are its layout, not the text plot's size
  local opts = setmetatable({rows = false, cols = false}, {__index = self.opts})
  local r = render(self.panels, opts, self)
  return r
end

-- A live plot: one gnuplot process fed an epoch at a time.
local Live = {}
Live.__index = Live

--- plot.live{[title =, file =, logy =, terminal =, ...]} -> live
-- A loss plot redrawn on the terminal after each epoch by one gnuplot
-- process: call live:update{train =, val =} once per epoch and live:close()
-- at the end (which writes file= if given). With accuracies
-- (live:update{..., train_acc =, val_acc =}) an accuracy panel is drawn
-- beside the losses. Draws nothing when not on a terminal (unless
-- terminal = "dumb" | "sixel").
-- Example:
--   local live = plot.live{title = "MNIST"}
--   for epoch = 1, 10 do ...; live:update{train = train_loss, val = val_loss, val_acc = acc} end
--   live:close()
function plot.live(opts)
  opts = opts or {}
  check_named("live", opts)
  if opts.file then file_kind(opts.file, 3) end
  local self = setmetatable({opts = opts, train = {}, val = {}, train_acc = {}, val_acc = {}, notes = {},
                             drawn = 0}, Live)
  self.screen = screen_terminal(opts)
  if self.screen == "sixel" and have_gnuplot() then
    self.errf = os.tmpname()
    self.pipe = io.popen(string.format("%s 2>%s", plot.gnuplot, self.errf), "w")
    self.pipe:write(terminal_cmd(self.screen, opts), "\nset print '-'\n")
  end
  return self
end

-- The live plot's panels so far: the losses, and the accuracies when any
-- were given (epochs without a value are gaps).
local function live_panels(self)
  local n = #self.train
  local function padded(t)
    local v = {}
    for i = 1, n do v[i] = t[i] or (0 / 0) end
    return v
  end
  local panels = {losses_panel({train = self.train, val = next(self.val) and padded(self.val) or nil,
                                title = self.opts.title, logy = self.opts.logy}, "figure:losses")}
  if next(self.train_acc) or next(self.val_acc) then
    local acc = {title = "accuracy", xlabel = "epoch", ylabel = "accuracy"}
    if next(self.train_acc) then acc[#acc + 1] = {y = padded(self.train_acc), label = "train"} end
    if next(self.val_acc) then acc[#acc + 1] = {y = padded(self.val_acc), label = "validation"} end
    panels[2] = make_panel("figure:line", acc, "linespoints", "figure:line")
  end
  return panels
end

--- live:update{train = number[, val =, train_acc =, val_acc = number, note = string]}
-- Adds one epoch's losses (and accuracies) and redraws the plot (from the
-- second epoch on). note: a line of text (e.g. the epoch's numbers) shown
-- under the plot; a text plot is redrawn in place with all the notes so
-- far under it, so print the epoch's line through note, not print. Without
-- a terminal plot the note is simply printed.
function Live:update(epoch)
  if type(epoch) ~= "table" or type(epoch.train) ~= "number" then
    error("live:update: expects {train=number, val=number (optional)}", 2)
  end
  check_named("live:update", epoch)
  for _, k in ipairs({"val", "train_acc", "val_acc"}) do
    if epoch[k] ~= nil and type(epoch[k]) ~= "number" then
      error(string.format("live:update: %s must be a number, got %s", k, type(epoch[k])), 2)
    end
  end
  if epoch.note ~= nil and type(epoch.note) ~= "string" then
    error("live:update: note must be a string, got " .. type(epoch.note), 2)
  end
  local n = #self.train + 1
  self.train[n] = epoch.train
  if epoch.val ~= nil then self.val[n] = epoch.val end
  if epoch.train_acc ~= nil then self.train_acc[n] = epoch.train_acc end
  if epoch.val_acc ~= nil then self.val_acc[n] = epoch.val_acc end
  if epoch.note then self.notes[#self.notes + 1] = epoch.note end
  local panels = n >= 2 and live_panels(self)
  if self.screen == "dumb" and panels and have_gnuplot() then
    -- redraw in place: up over what the last update drew, clear to the end
    local r = render(panels, setmetatable({terminal = "dumb", quiet = true, file = false},
                                          {__index = self.opts}), {rows = 1, cols = #panels})
    local text = (r.text or ""):gsub("^\f", "")
    local out = {}
    if self.drawn > 0 then out[1] = string.format("\27[%dA\r\27[J", self.drawn) end
    out[#out + 1] = text
    for _, note in ipairs(self.notes) do out[#out + 1] = note .. "\n" end
    local all = table.concat(out)
    io.stdout:write(all)
    io.stdout:flush()
    self.drawn = select(2, text:gsub("\n", "")) + #self.notes
  elseif epoch.note then
    print(epoch.note)
    self.drawn = self.drawn + 1
  end
  if self.pipe and panels then
    self.pipe:write(body(panels, {rows = 1, cols = #panels}, nil, false), "\n")
    self.pipe:flush()
  end
end

--- live:close() -> {file =, ...}
-- Ends the gnuplot process, reports its errors, and writes file= (if
-- given) with the whole run: the losses as plot.losses draws them, and
-- the accuracies beside them when there were any.
function Live:close()
  local result = {}
  if self.pipe then
    self.pipe:write("exit\n")
    self.pipe:close()
    self.pipe = nil
    local err = read_all(self.errf)
    os.remove(self.errf)
    if err ~= "" then io.stderr:write("plot: gnuplot says:\n", err) end
  end
  if self.opts.file and #self.train > 0 then
    local panels = live_panels(self)
    local o = setmetatable({terminal = "none"}, {__index = self.opts})
    result = render(panels, o, {rows = 1, cols = #panels})
  end
  return result
end

-- Runs a whole gnuplot script (images, heat maps); false, with a note,
-- when gnuplot is missing.
local function run_script(text, level)
  if not have_gnuplot() then
    io.stderr:write(string.format("plot: gnuplot not found (%s); no image written\n", MISSING_HINT))
    return false
  end
  local script, errf = os.tmpname(), os.tmpname()
  local f = assert(io.open(script, "w"))
  f:write(text)
  f:close()
  local ok = os.execute(string.format("%s %s >/dev/null 2>%s", plot.gnuplot, script, errf))
  local err = read_all(errf)
  os.remove(script); os.remove(errf)
  if not ok then error("plot: gnuplot failed:\n" .. err, level + 1) end
  if err ~= "" then io.stderr:write("plot: gnuplot says:\n", err) end
  return true
end

-- plot.images and plot.heatmap (lua/ember/plot_image.lua), loaded on first
-- use (torch.lazy); a name plot does not have is an error suggesting the closest
return require("torch.lazy").namespace(plot, {
  id = "ember.plot", name = "plot", families = {"ember.plot_image"},
  install_args = {q = q, run = run_script, SPECS = SPECS, sys = sys, file_kind = file_kind, terminal_cmd = terminal_cmd},
})
