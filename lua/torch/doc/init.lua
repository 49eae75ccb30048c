-- torch.doc — the help texts of everything ember implements in C (torch.zeros,
-- torch.matmul, torch.save, the Tensor methods and properties, Generator,
-- dtype, device, ...), keyed by qualified name: "torch.zeros", "Tensor.view",
-- "torch.Generator.manual_seed". Functions written in Lua are documented by
-- the comment above their definition instead (ember.help reads both).
-- Loaded by ember.help on first use, never at startup.
--
-- Each file of this folder returns {[name] = text}. A text is:
--   line 1   the signature, e.g. "torch.zeros(size...[, opts]) -> Tensor"
--   line 2   a one-line summary (shown in lists)
--   more     details; ember's conventions where they differ from PyTorch
--            (a paragraph starting "Differs from PyTorch:" is quoted in
--            docs/pytorch-coverage.md; Lua functions' comments may use it too)
--   Example: lines of Lua, indented two spaces; `code  --> value` shows the
--            value (tests/lua/test_help.lua runs every example and checks it)
-- or an alias {target, signature}: the signature line, then the target's text
-- (for torch.exp, the function form of x:exp()).
local FILES = {
  "torch.doc.creation", "torch.doc.random", "torch.doc.math", "torch.doc.reduce", "torch.doc.shape",
  "torch.doc.tensor", "torch.doc.autograd", "torch.doc.nn", "torch.doc.files", "torch.doc.types",
  "torch.doc.rearrange", "torch.doc.sort", "torch.doc.mathr",
}

local texts = {}
for _, mod in ipairs(FILES) do
  for name, text in pairs(require(mod)) do
    if texts[name] ~= nil then error("torch.doc: " .. name .. " is documented twice (" .. mod .. ")") end
    texts[name] = text
  end
end

local doc = {}

--- doc.get(name) -> string or nil: the help text of a qualified name.
function doc.get(name)
  local t = texts[name]
  if type(t) == "table" then
    local target = texts[t[1]]
    if type(target) ~= "string" then return nil end
    local body = target:match("^[^\n]*\n(.*)$") or ""
    local call = target:match("^([^\n]-)%s*%->") or target:match("^[^\n]*")
    return t[2] .. "\n" .. body .. "\nSee also: " .. call
  end
  return t
end

--- doc.names() -> sorted list of every documented name.
function doc.names()
  local out = {}
  for k in pairs(texts) do out[#out + 1] = k end
  table.sort(out)
  return out
end

--- doc.raw(name) -> the stored entry (a string, or an alias table).
function doc.raw(name) return texts[name] end

return doc
