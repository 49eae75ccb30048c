-- ember.plot_image — pictures of numbers for ember.plot: a grid of 2-D
-- images (MNIST digits, a conv layer's filters) drawn in the terminal with
-- Unicode half blocks ("▀": two pixels a character) and, with file=, as a
-- PNG/SVG by gnuplot; and a heat map of a matrix (a confusion matrix),
-- printed as a table and, with file=, drawn by gnuplot.
-- Not here: line plots, figures, live plots (ember.plot), image files of
-- any other kind. plot.lua installs these as plot.images and plot.heatmap, on
-- first use of one of them (torch.lazy).
return function(plot, util)
  local q, run, SPECS = util.q, util.run, util.SPECS

  -- A 2-D tensor or a table of rows -> {h =, w =, rows = {{...}, ...}}.
  local function image_of(fname, t, i)
    if torch and torch.is_tensor(t) then
      if t:dim() == 3 and t.shape[1] == 1 then t = t[1] end -- (1, H, W): one channel
      if t:dim() ~= 2 then
        error(string.format("%s: image %d must be 2-D (H, W), got %d dims", fname, i, t:dim()), 4)
      end
      t = t:detach():double():tolist()
    end
    if type(t) ~= "table" or type(t[1]) ~= "table" or #t[1] == 0 then
      error(string.format("%s: image %d must be a 2-D tensor or a table of rows of numbers", fname, i), 4)
    end
    local w = #t[1]
    for r = 1, #t do
      if #t[r] ~= w then error(string.format("%s: image %d: row %d has %d values, row 1 has %d", fname, i, r, #t[r], w), 4) end
    end
    return {h = #t, w = w, rows = t}
  end

  -- The images: one 2-D tensor, (N, H, W), (N, 1, H, W), or a Lua list of 2-D images.
  local function images_of(fname, v)
    local list = {}
    if torch and torch.is_tensor(v) then
      if v:dim() == 4 then
        if v.shape[2] ~= 1 then
          error(string.format("%s: a 4-D tensor must be (N, 1, H, W), got %d channels", fname, v.shape[2]), 3)
        end
        v = v:squeeze(2)
      end
      if v:dim() == 2 then v = v:unsqueeze(1) end
      if v:dim() ~= 3 then error(string.format("%s: expected (N, H, W) images, got %d dims", fname, v:dim()), 3) end
      for i = 1, v.shape[1] do list[i] = image_of(fname, v[i], i) end
    elseif type(v) == "table" and #v > 0 then
      for i = 1, #v do list[i] = image_of(fname, v[i], i) end
    else
      error(fname .. ": expects images: a tensor (N, H, W) or (H, W), or a list of 2-D tensors", 3)
    end
    local h, w = list[1].h, list[1].w
    for i, im in ipairs(list) do
      if im.h ~= h or im.w ~= w then
        error(string.format("%s: image %d is %dx%d, image 1 is %dx%d", fname, i, im.h, im.w, h, w), 3)
      end
    end
    return list
  end

  -- Scales values to 0..1: "each" image by its own min and max, "all" by
  -- the min and max of all, false: clamped as they are.
  local function normalize(fname, list, how)
    if how == nil then how = "each" end
    if how ~= "each" and how ~= "all" and how ~= false then
      error(fname .. ": normalize must be \"each\", \"all\" or false, got " .. tostring(how), 3)
    end
    local function extent(ims)
      local lo, hi = math.huge, -math.huge
      for _, im in ipairs(ims) do
        for _, row in ipairs(im.rows) do
          for _, x in ipairs(row) do lo, hi = math.min(lo, x), math.max(hi, x) end
        end
      end
      return lo, hi
    end
    local glo, ghi = extent(list)
    for _, im in ipairs(list) do
      local lo, hi = 0, 1
      if how == "each" then lo, hi = extent({im}) elseif how == "all" then lo, hi = glo, ghi end
      local span = hi - lo
      for _, row in ipairs(im.rows) do
        for c, x in ipairs(row) do
          local v = span > 0 and (x - lo) / span or (how and 0 or x)
          row[c] = math.max(0, math.min(1, v))
        end
      end
    end
  end

  -- One image as lines of text: each character is two pixels, the upper
  -- one "▀", the lower "▄", both "█". In colour: 24 grey levels (the upper
  -- pixel the foreground of "▀", the lower its background).
  local function image_lines(im, color)
    local lines = {}
    for r = 1, im.h, 2 do
      local top, bottom = im.rows[r], im.rows[r + 1]
      local out = {}
      for c = 1, im.w do
        local a, b = top[c], bottom and bottom[c] or 0
        if color then
          out[c] = string.format("\27[38;5;%d;48;5;%dm▀", 232 + math.floor(a * 23 + 0.5), 232 + math.floor(b * 23 + 0.5))
        else
          local ta, tb = a >= 0.5, b >= 0.5
          out[c] = ta and (tb and "█" or "▀") or (tb and "▄" or " ")
        end
      end
      lines[#lines + 1] = table.concat(out) .. (color and "\27[0m" or "")
    end
    return lines
  end

  local function utf8_sub(s, n) -- the first n characters of s
    local i = utf8.offset(s, n + 1)
    return i and s:sub(1, i - 1) or s
  end

  local function term_width()
    local cols = tonumber(os.getenv("COLUMNS"))
    if not cols and util.sys.isatty("stdout") then
      local p = io.popen("stty size </dev/tty 2>/dev/null")
      cols = tonumber((p and p:read("a") or ""):match("%d+%s+(%d+)"))
      if p then p:close() end
    end
    return cols or 80
  end

  -- The grid as text: tiles of w characters, two spaces apart, a label line above each.
  local function grid_text(list, labels, nrow, color, title)
    local w = list[1].w
    local out = {}
    if title then out[1] = title end
    for first = 1, #list, nrow do
      local last = math.min(first + nrow - 1, #list)
      local label_line, tiles = {}, {}
      for i = first, last do
        local label = labels and labels[i] ~= nil and tostring(labels[i]) or ""
        label = utf8_sub(label, w)
        label_line[#label_line + 1] = label .. string.rep(" ", w - utf8.len(label))
        tiles[#tiles + 1] = image_lines(list[i], color)
      end
      if labels then out[#out + 1] = (table.concat(label_line, "  "):gsub("%s+$", "")) end
      for r = 1, #tiles[1] do
        local row = {}
        for t = 1, #tiles do row[t] = tiles[t][r] end
        out[#out + 1] = (table.concat(row, "  "):gsub(" +$", ""))
      end
    end
    return table.concat(out, "\n") .. "\n"
  end

  -- The grid as one gnuplot image: tiles with a gap of 2 pixels and a
  -- band for the labels above each row of tiles; background pixels hold
  -- 1.05, beyond white, which the palette draws light grey.
  local function grid_script(list, labels, nrow, title)
    local h, w = list[1].h, list[1].w
    local gap, band = 2, labels and math.max(4, math.ceil(h / 4)) or 0
    local ncol = math.min(nrow, #list)
    local nrows = math.ceil(#list / nrow)
    local W, H = ncol * (w + gap) - gap, nrows * (h + band + gap) - gap
    local canvas = {}
    for y = 1, H do
      local row = {}
      for x = 1, W do row[x] = "1.05" end -- the background: beyond white, drawn light grey
      canvas[y] = row
    end
    local cmds = {"$img << EOD"}
    local label_cmds = {}
    for i, im in ipairs(list) do
      local gx, gy = (i - 1) % nrow, (i - 1) // nrow
      local x0, y0 = gx * (w + gap), gy * (h + band + gap) + band
      for r = 1, h do
        for c = 1, w do canvas[y0 + r][x0 + c] = string.format("%.4f", im.rows[r][c]) end
      end
      if labels and labels[i] ~= nil then
        label_cmds[#label_cmds + 1] = string.format("set label %s at %g, %g center front font ',%d'",
          q(labels[i]), x0 + (w - 1) / 2, y0 - band / 2 - 0.5, 11)
      end
    end
    for y = 1, H do cmds[#cmds + 1] = table.concat(canvas[y], " ") end
    cmds[#cmds + 1] = "EOD"
    for _, c in ipairs({"unset key", "unset colorbox", "unset xtics", "unset ytics", "unset border", "unset grid",
                        "set size ratio -1", "set margins 1, 1, 1, " .. (title and 3 or 1),
                        "set palette defined (0 'black', 1 'white', 1.001 '#d0d7e1', 1.05 '#d0d7e1')", "set cbrange [0:1.05]",
                        string.format("set xrange [-0.5:%g]", W - 0.5), string.format("set yrange [%g:-0.5]", H - 0.5),
                        "set title " .. q(title or "")}) do
      cmds[#cmds + 1] = c
    end
    for _, c in ipairs(label_cmds) do cmds[#cmds + 1] = c end
    cmds[#cmds + 1] = "plot $img matrix with image notitle"
    return table.concat(cmds, "\n") .. "\n", W, H
  end

  -- gnuplot draws script (its commands, each line ending in "\n") into file
  -- with kind's terminal at size {width =, height =}; true when it did.
  -- (level 4: plot.images' and plot.heatmap's level 3, one frame deeper; not
  -- a tail call, so that the frame counts)
  local function draw(kind, size, file, script)
    local ok = run(util.terminal_cmd(kind, size) .. "\nset output " .. q(file) .. "\n" .. script .. "set output\n", 4)
    return ok
  end

  -- What plot.images and plot.heatmap end with: the text and the file
  -- written, unless quiet; returns result.
  local function show(result, opts)
    if not opts.quiet then
      io.stdout:write(result.text)
      if result.file then print("plot: wrote " .. result.file) end
      io.stdout:flush()
    end
    return result
  end

  --- plot.images(images[, {labels =, nrow =, normalize =, color =, title =, file =, ...}]) -> result
  -- Shows 2-D images — MNIST digits, a conv layer's filters — as a grid in
  -- the terminal, drawn with Unicode half blocks (each character is two
  -- pixels, so a 28x28 digit takes 28 columns and 14 lines). images: a
  -- tensor (N, H, W), (N, 1, H, W) or (H, W), or a list of 2-D tensors.
  -- labels: a list (or 1-D tensor) of captions, one above each image;
  -- nrow: images per row (as torchvision's make_grid; default: as many as
  -- fit the terminal's width); normalize: "each" (default: each image's
  -- min..max becomes black..white), "all" (one range for all) or false
  -- (values already in 0..1); zoom: each pixel drawn as zoom x zoom (for
  -- tiny images such as 3x3 filters); color: 24 grey levels with ANSI colours
  -- (default: when stdout is a terminal and NO_COLOR is unset), else one
  -- threshold at the middle grey. file = "x.png" / "x.svg" also draws the
  -- grid by gnuplot (width =, height =). quiet = true prints nothing.
  -- Returns {text =, file =}.
  -- Example:
  --   local mnist = data.datasets.MNIST{train = false}
  --   plot.images(mnist.data:narrow(1, 1, 8), {labels = mnist.targets:narrow(1, 1, 8)})
  function plot.images(images, opts)
    opts = opts or {}
    if type(opts) ~= "table" then error("plot.images: options must be a table", 2) end
    SPECS.images:check(opts)
    local list = images_of("plot.images", images)
    normalize("plot.images", list, opts.normalize)
    local zoom = opts.zoom or 1
    if math.type(zoom) ~= "integer" or zoom < 1 then error("plot.images: zoom must be a positive integer", 2) end
    if zoom > 1 then -- each pixel becomes zoom x zoom pixels
      for _, im in ipairs(list) do
        local rows = {}
        for r = 1, im.h * zoom do
          local src, row = im.rows[(r - 1) // zoom + 1], {}
          for c = 1, im.w * zoom do row[c] = src[(c - 1) // zoom + 1] end
          rows[r] = row
        end
        im.rows, im.h, im.w = rows, im.h * zoom, im.w * zoom
      end
    end
    local labels = opts.labels
    if torch and torch.is_tensor(labels) then labels = labels:reshape(-1):tolist() end
    if labels ~= nil and type(labels) ~= "table" then
      error("plot.images: labels must be a list or a 1-D tensor, got " .. type(labels), 2)
    end
    local nrow = opts.nrow or math.max(1, (term_width() + 2) // (list[1].w + 2))
    if math.type(nrow) ~= "integer" or nrow < 1 then error("plot.images: nrow must be a positive integer", 2) end
    local color = opts.color
    if color == nil then
      color = util.sys.isatty("stdout") and os.getenv("NO_COLOR") == nil and os.getenv("TERM") ~= "dumb"
    end
    local result = {text = grid_text(list, labels, nrow, color, opts.title)}
    if opts.file then
      local kind = util.file_kind(opts.file, 3)
      local script, W, H = grid_script(list, labels, nrow, opts.title)
      local scale = math.max(2, math.min(12, 900 // W))
      local width = opts.width or W * scale + 40
      local height = opts.height or math.floor(H * scale + 40 + (opts.title and 30 or 0))
      if draw(kind, {width = width, height = height}, opts.file, script) then result.file = opts.file end
    end
    return show(result, opts)
  end

  --- plot.heatmap{matrix[, title =, xlabel =, ylabel =, ticks =, file =, ...]} -> result
  -- A matrix (a 2-D tensor or a table of rows) printed as a table with its
  -- row and column names, and with file = "x.png" / "x.svg" drawn as a heat
  -- map with the value in each cell (the colour follows the square root of
  -- the value, so that small counts next to large ones still show). Made
  -- for confusion matrices: rows are the true classes (ylabel), columns the
  -- predicted ones (xlabel). ticks: the names of the rows and columns
  -- (default 0, 1, ...). width =, height = size the image; quiet = true
  -- prints nothing. Returns {text =, file =}.
  -- Example: plot.heatmap{confusion, xlabel = "predicted", ylabel = "true", file = "confusion.png"}
  function plot.heatmap(opts)
    if type(opts) ~= "table" then error("plot.heatmap: expects a table {matrix, title =, ...}", 2) end
    local named = {}
    for k, v in pairs(opts) do if type(k) == "string" then named[k] = v end end
    SPECS.heatmap:check(named)
    local m = opts[1]
    if m == nil then error("plot.heatmap: no matrix (give it as the first element: plot.heatmap{m, ...})", 2) end
    local im = image_of("plot.heatmap", m, 1)
    local n_rows, n_cols = im.h, im.w
    local ticks = opts.ticks
    if ticks == nil then
      ticks = {}
      for i = 1, math.max(n_rows, n_cols) do ticks[i] = tostring(i - 1) end
    end
    if type(ticks) ~= "table" or #ticks < math.max(n_rows, n_cols) then
      error(string.format("plot.heatmap: ticks must name all %d rows and columns", math.max(n_rows, n_cols)), 2)
    end
    -- the table: values as integers when they all are
    local integral, hi = true, 0
    for _, row in ipairs(im.rows) do
      for _, x in ipairs(row) do
        if x ~= math.floor(x) then integral = false end
        hi = math.max(hi, math.abs(x))
      end
    end
    local function fmt(x) return integral and string.format("%d", math.floor(x)) or string.format("%.3g", x) end
    local cw = 1
    for _, row in ipairs(im.rows) do for _, x in ipairs(row) do cw = math.max(cw, #fmt(x)) end end
    for i = 1, n_cols do cw = math.max(cw, #tostring(ticks[i])) end
    local rw = 0
    for i = 1, n_rows do rw = math.max(rw, #tostring(ticks[i])) end
    local lines = {}
    if opts.title then lines[1] = opts.title end
    local yl = opts.ylabel and (opts.ylabel .. " \\ " .. (opts.xlabel or "")) or (opts.xlabel or "")
    rw = math.max(rw, #yl)
    local head = {string.format("%-" .. rw .. "s", yl)}
    for i = 1, n_cols do head[#head + 1] = string.format("%" .. cw .. "s", tostring(ticks[i])) end
    head[1] = head[1] .. " " -- two spaces between the row names and the first column
    lines[#lines + 1] = table.concat(head, " ")
    for r = 1, n_rows do
      local row = {string.format("%" .. rw .. "s ", tostring(ticks[r]))}
      for c = 1, n_cols do row[#row + 1] = string.format("%" .. cw .. "s", fmt(im.rows[r][c])) end
      lines[#lines + 1] = table.concat(row, " ")
    end
    local result = {text = table.concat(lines, "\n") .. "\n"}
    if opts.file then
      local kind = util.file_kind(opts.file, 3)
      local cmds = {"$m << EOD"}
      for r = 1, n_rows do
        local row = {}
        for c = 1, n_cols do row[c] = string.format("%.17g", im.rows[r][c]) end
        cmds[#cmds + 1] = table.concat(row, " ")
      end
      cmds[#cmds + 1] = "EOD"
      local function tics(axis, n)
        local t = {}
        for i = 1, n do t[i] = string.format("%s %d", q(ticks[i]), i - 1) end
        return string.format("set %stics (%s) scale 0", axis, table.concat(t, ", "))
      end
      local top = hi > 0 and math.sqrt(hi) or 1
      for _, c in ipairs({"unset key", "unset colorbox", "unset grid", "set size square",
                          "set palette defined (0 '#ffffff', 1 '#08306b')",
                          string.format("set cbrange [0:%.17g]", top),
                          string.format("set xrange [-0.5:%g]", n_cols - 0.5),
                          string.format("set yrange [%g:-0.5]", n_rows - 0.5),
                          tics("x", n_cols), tics("y", n_rows),
                          "set title " .. q(opts.title or ""), "set xlabel " .. q(opts.xlabel or ""),
                          "set ylabel " .. q(opts.ylabel or "")}) do
        cmds[#cmds + 1] = c
      end
      local fmt_g = integral and "'%d'" or "'%.3g'"
      local dark = string.format("%.17g", top * 0.55)
      cmds[#cmds + 1] = string.format("plot $m matrix using 1:2:(sqrt(abs($3))) with image notitle, "
        .. "$m matrix using 1:2:(sqrt(abs($3)) < %s ? sprintf(%s, $3) : '') with labels tc rgb 'black' notitle, "
        .. "$m matrix using 1:2:(sqrt(abs($3)) >= %s ? sprintf(%s, $3) : '') with labels tc rgb 'white' notitle",
        dark, fmt_g, dark, fmt_g)
      local size = opts.width or (260 + 42 * n_cols)
      if draw(kind, {width = size, height = opts.height or size}, opts.file, table.concat(cmds, "\n") .. "\n") then
        result.file = opts.file
      end
    end
    return show(result, opts)
  end
end
