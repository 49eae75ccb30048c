-- ember.inspect — `ember inspect FILE`: what is inside a PyTorch checkpoint
-- (.pt/.pth/.tar: a zip of data.pkl + records), a .safetensors file or an
-- .onnx model (inputs, outputs, opset, initializers, nodes), read
-- with the same safe readers as torch.load / torch.load_safetensors, so an
-- unsafe file is refused with the reason instead of shown.
--   checkpoint: the zip records (like `unzip -l`), then every value: keys,
--     tensors (dtype, shape, stride, offset, storage #k/numel, CRC-32 of the
--     values), numbers and strings, each OrderedDict's _metadata, storage sharing.
--   safetensors: header size, __metadata__, each entry (dtype, shape,
--     data_offsets, bytes, CRC-32 of its bytes).
-- The raw access is C (torch.io.zip_records, pt_describe, safetensors_info).
-- Every text that comes from the file (names, keys, strings, metadata, ONNX
-- names and doc strings, error reasons) goes through torch.io.escape, the one
-- escaping of text for the terminal, so a file cannot drive the terminal.
local M = {}

local escape = require("torch.core").io.escape
-- Text from the file, shown bare: control characters and the like escaped.
local function safe(s) return escape(tostring(s)) end

local out = io.write
local function line(...) out(string.format(...), "\n") end

local function hex(n) return n and string.format("0x%08x", n) or "-" end
local function shape_str(s) return "[" .. table.concat(s, ", ") .. "]" end
local function prod(s)
  local n = 1
  for _, d in ipairs(s) do n = n * d end
  return n
end

-- The error text without the reader's "torch.xxx: " prefix, escaped.
local function reason(err)
  err = tostring(err)
  return safe((err:gsub("^[%w_%.]+: ", "")))
end

-- Prints rows (lists of strings) as left-aligned columns; right-aligns those in `right`.
local function columns(rows, right, indent)
  local w = {}
  for _, r in ipairs(rows) do
    for i, c in ipairs(r) do w[i] = math.max(w[i] or 0, #c) end
  end
  for _, r in ipairs(rows) do
    local cells = {}
    for i, c in ipairs(r) do
      local pad = string.rep(" ", w[i] - #c)
      cells[i] = (right and right[i]) and (pad .. c) or (i < #r and c .. pad or c)
    end
    line("%s", ((indent or "  ") .. table.concat(cells, "  ")):gsub("%s+$", ""))
  end
end

-- --- checkpoints -------------------------------------------------------

-- A string from the file as a quoted literal ('...'), escaped.
local function pystr(s) return escape(s, "'") end

local function key_repr(node)
  if node.kind == "str" then return pystr(node.value) end
  if node.kind == "int" or node.kind == "float" then return tostring(node.value) end
  if node.kind == "bool" then return node.value and "True" or "False" end
  if node.kind == "none" then return "None" end
  return "<" .. node.kind .. ">"
end

local function has_tensor(node)
  if node.kind == "tensor" then return true end
  for _, it in ipairs(node.items or {}) do
    if node.kind == "dict" or node.kind == "OrderedDict" then
      if has_tensor(it[2]) then return true end
    elseif has_tensor(it) then return true end
  end
  return false
end

-- The shortest decimal that reads back as x (Python's float repr, roughly).
local function shortest(x)
  if x ~= x then return "nan" end
  if x == math.huge then return "inf" end
  if x == -math.huge then return "-inf" end
  for digits = 1, 17 do
    local s = string.format("%." .. digits .. "g", x)
    if tonumber(s) == x then
      if not s:find("[%.eni]") then s = s .. ".0" end
      return s
    end
  end
  return string.format("%.17g", x)
end

-- A one-line Python-like repr of a value without tensors.
local function repr(node)
  local k = node.kind
  if k == "str" then return pystr(node.value) end
  if k == "bytes" then return "b" .. pystr(node.value) end
  if k == "int" then return tostring(node.value) end
  if k == "float" then return shortest(node.value) end
  if k == "bool" then return node.value and "True" or "False" end
  if k == "none" then return "None" end
  if node.truncated then return "..." end
  local parts = {}
  if k == "list" or k == "tuple" then
    for i, it in ipairs(node.items) do parts[i] = repr(it) end
    if k == "list" then return "[" .. table.concat(parts, ", ") .. "]" end
    return "(" .. table.concat(parts, ", ") .. (#parts == 1 and ",)" or ")")
  end
  if k == "dict" or k == "OrderedDict" then
    for i, it in ipairs(node.items) do parts[i] = key_repr(it[1]) .. ": " .. repr(it[2]) end
    return "{" .. table.concat(parts, ", ") .. "}"
  end
  return "<" .. k .. ">"
end

local function tensor_line(t)
  local s = string.format("%s dtype=%s shape=%s stride=%s offset=%d storage=#%d/%d crc32=%s",
    t.parameter and "Parameter" or "Tensor", t.dtype, shape_str(t.shape), shape_str(t.stride), t.offset,
    t.storage, t.storage_numel, hex(t.crc32))
  if t.requires_grad then s = s .. " requires_grad=True" end
  if t.location ~= "cpu" then s = s .. " saved_on=" .. safe(t.location) end
  return s
end

-- Walks the tree printing one line per value; collects tensors and _metadata.
local function walk(node, path, acc)
  local k = node.kind
  local shown = path == "" and "<root>" or path
  if k == "tensor" then
    line("%s: %s", shown, tensor_line(node))
    acc.tensors[#acc.tensors + 1] = {path = shown, t = node}
    return
  end
  local container = k == "list" or k == "tuple" or k == "dict" or k == "OrderedDict"
  if container and (has_tensor(node) or #repr(node) > 100) then
    line("%s: %s len=%d", shown, k, #node.items)
    for i, it in ipairs(node.items) do
      if k == "list" or k == "tuple" then walk(it, path .. "[" .. (i - 1) .. "]", acc)
      else walk(it[2], path .. "[" .. key_repr(it[1]) .. "]", acc) end
    end
  else
    local text = repr(node)
    if k == "dict" or k == "OrderedDict" or k == "list" or k == "tuple" then
      text = string.format("%s len=%d %s", k, #node.items, text)
    elseif k ~= "none" then
      text = k .. " " .. text
    end
    line("%s: %s", shown, text)
  end
  if node.metadata then acc.metadata[#acc.metadata + 1] = {path = shown, m = node.metadata} end
end

local function inspect_checkpoint(path, size, is_zip)
  local ok, tree, notice = pcall(torch.io.pt_describe, path)
  if not ok then return "refused: " .. reason(tree) end
  local records = is_zip and torch.io.zip_records(path) or {}
  line("ember inspect: %s (%d bytes)", safe(path), size)
  if is_zip then
    line("format: PyTorch checkpoint (zip of data.pkl + tensor records, torch.save)")
  else
    line("format: PyTorch legacy checkpoint (pickles + raw storages: torch.save with "
      .. "_use_new_zipfile_serialization=False, or PyTorch before 1.6)")
  end
  if notice ~= "" then
    local text = reason(notice)
    local shown_path = safe(path)
    if text:sub(1, #shown_path + 2) == shown_path .. ": " then text = text:sub(#shown_path + 3) end
    line("note: %s", text)
  end
  line("")
  if is_zip then
    line("records (%d):", #records)
    local rows, total = {{"Length", "CRC-32", "Name"}, {"------", "----------", "----"}}, 0
    for _, r in ipairs(records) do
      rows[#rows + 1] = {tostring(r.size), hex(r.crc32), safe(r.name)}
      total = total + r.size
    end
    rows[#rows + 1] = {"------", "", ""}
    rows[#rows + 1] = {tostring(total), "", #records .. " files"}
    columns(rows, {true})
    line("")
  end
  line("structure:")
  local acc = {tensors = {}, metadata = {}}
  walk(tree, "", acc)
  if #acc.metadata > 0 then
    line("")
    line("_metadata (module versions, as load_state_dict reads them):")
    for _, m in ipairs(acc.metadata) do
      if m.m.kind == "dict" or m.m.kind == "OrderedDict" then
        for _, it in ipairs(m.m.items) do line("%s._metadata[%s]: %s", m.path, key_repr(it[1]), repr(it[2])) end
      else
        line("%s._metadata: %s", m.path, repr(m.m))
      end
    end
  end
  -- storages shared by several tensors
  local users, numel, bytes = {}, 0, 0
  for _, e in ipairs(acc.tensors) do
    local id = e.t.storage
    users[id] = users[id] or {}
    table.insert(users[id], e.path)
    numel = numel + e.t.numel
  end
  local shared = {}
  for id = 0, tree.n_storages - 1 do
    if users[id] and #users[id] > 1 then shared[#shared + 1] = id end
  end
  if #shared > 0 then
    line("")
    line("shared storages (views of the same bytes):")
    for _, id in ipairs(shared) do line("#%d: %s", id, table.concat(users[id], ", ")) end
  end
  for _, r in ipairs(records) do
    if r.name:match("/data/[^/]+$") then bytes = bytes + r.size end
  end
  if not is_zip then                     -- no records: count the storages' bytes
    local seen = {}
    for _, e in ipairs(acc.tensors) do
      if not seen[e.t.storage] then
        seen[e.t.storage] = true
        bytes = bytes + e.t.storage_bytes
      end
    end
  end
  line("")
  line("summary: %d tensors (%d values) in %d storages (%d bytes of tensor data)", #acc.tensors, numel,
    tree.n_storages, bytes)
  return nil
end

-- --- safetensors -------------------------------------------------------

local function inspect_safetensors(path, size)
  local ok, info = pcall(torch.io.safetensors_info, path)
  if not ok then return "refused: " .. reason(info) end
  line("ember inspect: %s (%d bytes)", safe(path), size)
  line("format: safetensors (header %d bytes, data from byte %d)", info.header_len, info.data_start)
  line("")
  if #info.metadata_keys > 0 then
    line("__metadata__ (%d):", #info.metadata_keys)
    for _, k in ipairs(info.metadata_keys) do line("  %s: %s", safe(k), safe(info.metadata[k])) end
  else
    line("__metadata__: none")
  end
  line("")
  line("tensors (%d, in data order):", #info.tensors)
  local rows, numel, notes = {{"name", "dtype", "shape", "data_offsets", "bytes", "crc32"}}, 0, {}
  for _, t in ipairs(info.tensors) do
    local dtype = safe(t.dtype)
    if not t.loads_as then
      dtype = dtype .. "*"
      notes[#notes + 1] = safe(t.name)
    elseif t.widened then
      dtype = dtype .. " (as " .. t.loads_as .. ")"
    end
    rows[#rows + 1] = {safe(t.name), dtype, shape_str(t.shape), shape_str(t.offsets), tostring(t.nbytes), hex(t.crc32)}
    numel = numel + prod(t.shape)
  end
  if #info.tensors > 0 then columns(rows, {false, false, false, false, true}) end
  if #notes > 0 then line("  * ember cannot load this dtype (torch.load_safetensors refuses: %s)", table.concat(notes, ", ")) end
  line("")
  line("summary: %d tensors (%d values, %d bytes of tensor data)", #info.tensors, numel,
    info.file_size - info.data_start)
  return nil
end

-- --- ONNX --------------------------------------------------------------

local function dims_str(s)
  local parts = {}
  for i, d in ipairs(s or {}) do parts[i] = safe(d) end
  return "[" .. table.concat(parts, ", ") .. "]"
end

local function attr_str(a)
  local v = a.value
  if type(v) == "table" then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = type(x) == "number" and string.format("%.7g", x) or tostring(x) end
    v = "[" .. table.concat(parts, ", ") .. "]"
  elseif type(v) == "number" then
    v = math.type(v) == "integer" and tostring(v) or string.format("%.7g", v)
  else
    v = pystr(tostring(v))
  end
  return safe(a.name) .. "=" .. v
end

local function inspect_onnx(path, size)
  local ok, m = pcall(require("torch.core")._onnx.read, path)
  if not ok then return "refused: " .. reason(m) end
  local opsets = {}
  for i, o in ipairs(m.opset_import) do
    opsets[i] = (o.domain == "" and "" or (safe(o.domain) .. " ")) .. o.version
  end
  line("ember inspect: %s (%d bytes)", safe(path), size)
  line("format: ONNX (ir_version %d, opset %s, producer %s%s)", m.ir_version, table.concat(opsets, ", "),
    m.producer_name and safe(m.producer_name) or "?", m.producer_version and (" " .. safe(m.producer_version)) or "")
  if m.doc_string and m.doc_string ~= "" then line("doc: %s", safe(m.doc_string)) end
  local g = m.graph
  if not g then
    line("graph: none")
    return nil
  end
  line("graph: %s", safe(g.name or ""))
  if g.doc_string and g.doc_string ~= "" then line("graph doc: %s", safe(g.doc_string)) end
  for _, part in ipairs({"inputs", "outputs"}) do
    line("")
    line("%s (%d):", part, #g[part])
    local rows = {}
    for _, v in ipairs(g[part]) do rows[#rows + 1] = {safe(v.name or ""), safe(v.elem_type or "?"), dims_str(v.shape)} end
    columns(rows)
  end
  line("")
  local numel, bytes = 0, 0
  for _, t in ipairs(g.initializers) do
    numel = numel + prod(t.dims)
    bytes = bytes + t.raw_bytes
  end
  line("initializers (%d tensors, %d values):", #g.initializers, numel)
  local rows = {}
  for _, t in ipairs(g.initializers) do rows[#rows + 1] = {safe(t.name or ""), safe(t.data_type), dims_str(t.dims)} end
  columns(rows)
  line("")
  line("nodes (%d):", #g.nodes)
  rows = {}
  for i, nd in ipairs(g.nodes) do
    local attrs = {}
    for j, a in ipairs(nd.attributes) do attrs[j] = attr_str(a) end
    local ins, outs = {}, {}
    for j, x in ipairs(nd.inputs) do ins[j] = safe(x) end
    for j, x in ipairs(nd.outputs) do outs[j] = safe(x) end
    rows[#rows + 1] = {tostring(i), safe(nd.op_type or "?"), table.concat(ins, ", ") .. " -> " ..
      table.concat(outs, ", "), table.concat(attrs, " ")}
  end
  columns(rows, {true})
  local counts, order = {}, {}
  for _, nd in ipairs(g.nodes) do
    if not counts[nd.op_type] then order[#order + 1] = nd.op_type end
    counts[nd.op_type] = (counts[nd.op_type] or 0) + 1
  end
  for i, op in ipairs(order) do order[i] = safe(op) .. " x" .. counts[op] end
  line("")
  line("summary: %d nodes (%s), %d initializer values (%d bytes)", #g.nodes, table.concat(order, ", "), numel,
    bytes)
  return nil
end

-- --- dispatch ------------------------------------------------------------

-- The first bytes of a legacy checkpoint: PROTO 2..5, then the magic number
-- (right away, or after a FRAME header).
local function is_legacy(head)
  return head:byte(1) == 0x80 and head:byte(2) ~= nil and head:byte(2) >= 2 and head:byte(2) <= 5
end

local function dispatch(path)
  local f, err = io.open(path, "rb")
  if not f then return reason(err) end
  local head = f:read(8) or ""
  local size = f:seek("end")
  f:close()
  local ext = path:lower():match("%.([%w]+)$") or ""
  if head:sub(1, 4) == "PK\3\4" then return inspect_checkpoint(path, size, true) end
  if is_legacy(head) then return inspect_checkpoint(path, size, false) end
  if ext == "safetensors" then return inspect_safetensors(path, size) end
  if ext == "onnx" then return inspect_onnx(path, size) end
  if ext == "pt" or ext == "pth" or ext == "tar" or ext == "ckpt" or ext == "bin" then
    return inspect_checkpoint(path, size, false)   -- neither format: the reader says why
  end
  local r = inspect_safetensors(path, size)
  if r then
    return "refused: not a PyTorch checkpoint (zip or legacy), and not a safetensors file (" ..
      r:gsub("^refused: ", "") .. ")"
  end
  return nil
end

--- Prints what is inside path. Returns nil, or the reason it was refused
-- (escaped: it may quote the file). Never raises: an error becomes the reason.
function M.main(path)
  local ok, r = pcall(dispatch, path)
  if ok then return r end
  return reason(r)
end

return M
