-- torch.checkpoint — saving everything training needs to go on exactly where
-- it stopped, and keeping the last few checkpoints of a run.
--
--   local ckpt = require "torch.checkpoint"      -- also torch.checkpoint
--   ckpt.save("run/last.pt", {model = model, optimizer = opt, loader = loader,
--                             epoch = epoch, step = step, extra = {best = 0.91}})
--   local state = ckpt.load("run/last.pt", {model = model, optimizer = opt, loader = loader})
--   -- state.epoch, state.step, state.extra ...
--
-- A checkpoint is a plain dict (a .pt file PyTorch can open): model and
-- optimizer state dicts, epoch and step, the global RNG state, and the data
-- loader's position (its order and generator). Training N steps straight
-- gives bit-for-bit the same parameters and losses as training k steps,
-- saving, loading in a new process and training N - k more. Saves are atomic
-- (torch.save writes a temp file, fsyncs and renames): a crash during a save
-- leaves the previous checkpoint intact.
local torch = require "torch"
local sys = require "ember.sys"
local options = require "torch.options"

local checkpoint = {}

-- What a checkpoint can hold (save's parts) and be loaded into (load's parts).
local SAVED = "model optimizer scheduler loader epoch step extra"
local RESTORED = "model optimizer scheduler loader"
local SAVE = options.spec("torch.checkpoint.save", SAVED)
local LOAD = options.spec("torch.checkpoint.load", RESTORED)
local ROTATING_PARTS = options.spec("torch.checkpoint.save_rotating parts", SAVED)
local ROTATING = options.spec("torch.checkpoint.save_rotating", "keep prefix")

-- save without checking parts (checked by the public functions)
local function save(path, parts)
  local ck = torch.dict()
  ck.format = "ember-checkpoint-1"
  ck.epoch = parts.epoch or 0
  ck.step = parts.step or 0
  if parts.model then ck.model_state_dict = parts.model:state_dict() end
  if parts.optimizer then ck.optimizer_state_dict = parts.optimizer:state_dict() end
  if parts.scheduler then ck.scheduler_state_dict = parts.scheduler:state_dict() end
  if parts.loader then ck.loader_state = parts.loader:state_dict() end
  ck.rng_state = torch.get_rng_state()
  if parts.extra ~= nil then ck.extra = parts.extra end
  torch.save(ck, path)
  return path
end

--- torch.checkpoint.save(path, {model =, optimizer =, epoch =, ...}) -> path
-- Writes everything needed to resume training exactly: the state dicts of
-- the parts given (model, optimizer, loader, scheduler), epoch and step,
-- extra (any saveable value), the global
-- RNG state and the loader's position. Atomic: a crash mid-save leaves the
-- old file. The file is a plain dict that PyTorch's torch.load opens.
-- Example:
--   torch.checkpoint.save("run/last.pt", {model = model, optimizer = opt,
--                                         epoch = epoch, extra = {best = acc}})
function checkpoint.save(path, parts)
  if type(path) ~= "string" then error("checkpoint.save: path must be a string", 2) end
  return save(path, SAVE:check(parts))
end

--- torch.checkpoint.load(path[, {model =, optimizer =, loader =, ...}]) -> ck
-- Reads a checkpoint written by torch.checkpoint.save, loads it into every
-- part given (model, optimizer, loader, scheduler: made as before training)
-- and restores the global RNG state.
-- Returns the table: ck.epoch, ck.step, ck.extra, ...
-- Example:
--   local ck = torch.checkpoint.load("run/last.pt", {model = model,
--                                                    optimizer = opt})
--   local start_epoch = ck.epoch + 1
function checkpoint.load(path, parts)
  if type(path) ~= "string" then error("checkpoint.load: path must be a string", 2) end
  parts = LOAD:check(parts)
  local ck = torch.load(path)
  if type(ck) ~= "table" or ck.rng_state == nil then
    error("checkpoint.load: " .. path .. " is not an ember checkpoint (no rng_state); use torch.load", 2)
  end
  if parts.model then parts.model:load_state_dict(ck.model_state_dict) end
  if parts.optimizer then parts.optimizer:load_state_dict(ck.optimizer_state_dict) end
  if parts.scheduler and ck.scheduler_state_dict then parts.scheduler:load_state_dict(ck.scheduler_state_dict) end
  if parts.loader and ck.loader_state then parts.loader:load_state_dict(ck.loader_state) end
  torch.set_rng_state(ck.rng_state)
  return ck
end

local function join(dir, name) return dir:sub(-1) == "/" and dir .. name or dir .. "/" .. name end

--- torch.checkpoint.list(dir[, prefix = "checkpoint"]) -> list of paths
-- The files in dir named <prefix>-<number>.pt, oldest first (by number);
-- an empty list when there are none (or dir does not exist).
function checkpoint.list(dir, prefix)
  prefix = prefix or "checkpoint"
  local names = sys.listdir(dir) or {}
  local found = {}
  for _, name in ipairs(names) do
    local n = name:match("^" .. prefix:gsub("%p", "%%%0") .. "%-(%d+)%.pt$")
    if n then found[#found + 1] = {tonumber(n), join(dir, name)} end
  end
  table.sort(found, function(a, b) return a[1] < b[1] end)
  local out = {}
  for i, f in ipairs(found) do out[i] = f[2] end
  return out
end

--- torch.checkpoint.save_rotating(dir, number, parts[, {keep = 3, prefix = "checkpoint"}]) -> path
-- Saves <dir>/<prefix>-<number>.pt (number an integer >= 0, padded to 6
-- digits; parts as for save; dir is created) and only then deletes the
-- oldest, so that `keep` checkpoints remain.
-- Example:
--   torch.checkpoint.save_rotating("run", epoch, {model = model, optimizer = opt,
--                                               epoch = epoch})
function checkpoint.save_rotating(dir, number, parts, opts)
  if type(dir) ~= "string" then error("checkpoint.save_rotating: dir must be a string", 2) end
  if math.type(number) ~= "integer" or number < 0 then
    error("checkpoint.save_rotating: number must be an integer >= 0, got " .. tostring(number), 2)
  end
  parts = ROTATING_PARTS:check(parts)
  opts = ROTATING:check(opts)
  local keep, prefix = opts.keep or 3, opts.prefix or "checkpoint"
  if math.type(keep) ~= "integer" or keep < 1 then error("checkpoint.save_rotating: keep must be >= 1", 2) end
  if type(prefix) ~= "string" or prefix == "" or prefix:find("/", 1, true) then
    error("checkpoint.save_rotating: prefix must be a file name start without '/'", 2)
  end
  local ok, err = sys.mkdir(dir)
  if not ok then error("checkpoint.save_rotating: " .. err, 2) end
  local path = join(dir, string.format("%s-%06d.pt", prefix, number))
  save(path, parts)                      -- raises on failure: nothing is deleted then
  local all = checkpoint.list(dir, prefix)
  for i = 1, #all - keep do
    if all[i] ~= path then os.remove(all[i]) end
  end
  return path
end

--- torch.checkpoint.latest(dir[, prefix = "checkpoint"]) -> path or nil
-- The newest (highest-numbered) checkpoint in dir, nil when there is none:
-- resume with torch.checkpoint.load(torch.checkpoint.latest("run"), {...}).
function checkpoint.latest(dir, prefix)
  local all = checkpoint.list(dir, prefix)
  return all[#all]
end

return checkpoint
