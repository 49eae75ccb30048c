-- ember.worker.payload — what a worker job carries, as bytes: the model as a
-- whole-model file and the tensors and arguments as .pt files (torch.save's
-- data formats; torch.load's safe loader reads them back: data only, never
-- code), the Lua file holding the function, and their sha256. Made once per
-- call (worker.map shares the model and tensors between its jobs); the
-- files go through a temporary folder that is removed before returning.
-- Not here: where the bytes travel (ember.worker.local_job, ssh_job).
local fs = require "ember.lesson.fs"
local sha256 = require "ember.sha256"

local payload = {}

-- torch.save each value of `values` (name -> value) and read the files back
local function saved_bytes(values)
  local dir, err = fs.tempdir()
  if not dir then error("cannot make a temporary folder: " .. tostring(err), 0) end
  local ok, out = pcall(function()
    local bytes = {}
    for name, v in pairs(values) do
      torch.save(v, dir .. "/" .. name)
      bytes[name] = assert(fs.read(dir .. "/" .. name))
    end
    return bytes
  end)
  fs.remove_tree(dir)
  if not ok then error(out, 0) end
  return out
end

--- payload.new{model =, tensors =, file =, fn =} -> the shared part of jobs
function payload.new(o)
  local source, err = fs.read(o.file)
  if not source then error("cannot read " .. o.file .. ": " .. tostring(err), 0) end
  local b = saved_bytes({["model.pt"] = o.model, ["tensors.pt"] = o.tensors})
  return {model = b["model.pt"], tensors = b["tensors.pt"], file = fs.absolute(o.file), name = o.file,
          fn = o.fn, source = source, source_sha256 = sha256.string(source)}
end

--- payload.args(args) -> the bytes of args.pt ({args = args})
function payload.args(args)
  return saved_bytes({["args.pt"] = {args = args}})["args.pt"]
end

--- payload.load(files) -> model, result: the worker's trained.pt and result.pt read back
function payload.load(files)
  local dir, err = fs.tempdir()
  if not dir then error("cannot make a temporary folder: " .. tostring(err), 0) end
  local ok, out = pcall(function()
    assert(fs.write(dir .. "/trained.pt", files.trained))
    assert(fs.write(dir .. "/result.pt", files.result))
    return {torch.load(dir .. "/trained.pt"), torch.load(dir .. "/result.pt").result}
  end)
  fs.remove_tree(dir)
  if not ok then error(out, 0) end
  return out[1], out[2]
end

return payload
