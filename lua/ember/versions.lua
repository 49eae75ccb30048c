-- ember.versions — versioned model folders: a model's weights saved under
-- base/X.Y.Z/ as model.pt (its state dict, a file PyTorch opens) next to
-- metadata.json (version, description, config, metrics, the sha256 of the
-- weights, ember's version, a UTC timestamp, the files, architecture and
-- parameter count); listing the versions in semantic-version order; loading
-- one back with its hash verified.
--
--   local versions = require "ember.versions"
--   versions.save(model, "models/mnist", "1.0.0", {description = "baseline",
--                 config = {lr = 0.01}, metrics = {accuracy = 0.97}})
--   versions.load(model, "models/mnist", "latest")
--
-- An existing version is never replaced by accident: a save writes into a
-- hidden sibling folder (base/.X.Y.Z.tmp-PID) and renames it into place only
-- when complete, and refuses when base/X.Y.Z exists unless {overwrite = true}.
-- An overwrite swaps the two folders in one atomic rename (renameat2's
-- RENAME_EXCHANGE), or, where the file system lacks it, moves the old one
-- aside (base/.X.Y.Z.old-PID) and the new one in; a process killed between
-- those two renames is repaired by the next list, load or save, which moves
-- the old version back once its process is gone. So at every instant one
-- complete version is listed. Removing a folder never follows a symbolic
-- link (sys.remove_tree). Not here: the digest (ember.sha256, C, libnettle),
-- the .pt format (torch.save), JSON (ember.lesson.json).
local torch = require "torch"
local sys = require "ember.sys"
local sha256 = require "ember.sha256"
local json = require "ember.lesson.json"
local fs = require "ember.lesson.fs"
local options = require "torch.options"

local versions = {}

local SAVE = options.spec("versions.save", "description config metrics overwrite")
local LOAD = options.spec("versions.load", "verify")

local WEIGHTS, METADATA = "model.pt", "metadata.json"

local function join(dir, name) return dir:sub(-1) == "/" and dir .. name or dir .. "/" .. name end

-- "1.10.0" -> {"1", "10", "0"}; nil for anything but three dot-separated
-- runs of digits without leading zeros (so one version has one folder name).
local function parse(v)
  if type(v) ~= "string" then return nil end
  local parts = {v:match("^(%d+)%.(%d+)%.(%d+)$")}
  if #parts ~= 3 then return nil end
  for _, p in ipairs(parts) do
    if #p > 1 and p:sub(1, 1) == "0" then return nil end
  end
  return parts
end

local function check_version(fn, v, level)
  if not parse(v) then
    error(string.format("versions.%s: version must be X.Y.Z (digits, no leading zeros, e.g. \"1.0.0\"), got %s",
                        fn, type(v) == "string" and string.format("%q", v) or tostring(v)), level + 1)
  end
end

-- Digit strings without leading zeros compare by length, then by text: no
-- overflow for any number of digits.
local function less(a, b)
  local pa, pb = parse(a), parse(b)
  for i = 1, 3 do
    if pa[i] ~= pb[i] then
      if #pa[i] ~= #pb[i] then return #pa[i] < #pb[i] end
      return pa[i] < pb[i]
    end
  end
  return false
end

-- Reading follows links (a version folder may be a link); existence and
-- removal look at the entry itself.
local function is_dir(path) return sys.listdir(path) ~= nil end

local function exists(path) return sys.lstat(path) ~= nil end

-- The hidden folders a save makes beside base/X.Y.Z: ".X.Y.Z.tmp-PID" (the
-- new version being written; after a swap, the old one being removed) and
-- ".X.Y.Z.old-PID" (the old version moved aside, where the swap is two renames).
local function hidden(version, kind, pid) return string.format(".%s.%s-%d", version, kind, pid) end

local function parse_hidden(name)
  local v, kind, pid = name:match("^%.(%d+%.%d+%.%d+)%.(%l+)%-(%d+)$")
  if v and parse(v) and (kind == "tmp" or kind == "old") then return v, kind, tonumber(pid) end
end

-- Repairs what saves by processes that no longer exist left in base: an old
-- version moved aside with nothing in its place goes back (the save died
-- between its two renames). With tidy (saves), the rest of their hidden
-- folders are removed too. Folders of a live process are its business.
local function recover(base, tidy)
  local me = sys.getpid()
  for _, name in ipairs(sys.listdir(base) or {}) do
    local v, kind, pid = parse_hidden(name)
    if v and pid ~= me and not sys.alive(pid) then
      local path, final = join(base, name), join(base, v)
      if kind == "old" and not exists(final) then
        local moved, _, unsupported = sys.rename(path, final, "noreplace")
        if not moved and unsupported then os.rename(path, final) end
      elseif tidy then
        sys.remove_tree(path)
      end
    end
  end
end

local function file_size(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local n = f:seek("end")
  f:close()
  return n
end

local function count_parameters(model)
  local n = 0
  for _, p in ipairs(model:parameters()) do n = n + p:numel() end
  return n
end

local function read_metadata(dir)
  local text, err = fs.read(join(dir, METADATA))
  if not text then return nil, err end
  local meta, jerr = json.decode(text)
  if not meta then return nil, join(dir, METADATA) .. ": " .. jerr end
  if type(meta) ~= "table" or meta.version == nil then
    return nil, join(dir, METADATA) .. ": not a version's metadata (no version field)"
  end
  return meta
end

local function check_model(fn, model, method)
  if type(model) ~= "table" or type(model[method]) ~= "function" then
    error(string.format("versions.%s: expected a module (with :%s()) as the first argument, got %s", fn, method,
                        type(model)), 3)
  end
end

-- The error text without a "file:line:" prefix Lua may have added.
local function message(err)
  return (tostring(err):gsub("^[^:\n]+%.lua:%d+: ", ""))
end

--- versions.save(model, base, version[, opts]) -> metadata
-- opts: {description = "", config = {}, metrics = {}, overwrite = false}.
-- Saves model's state dict as base/VERSION/model.pt and its metadata as
-- base/VERSION/metadata.json (version, description, config, metrics,
-- weights_sha256, ember_version, framework, created (UTC ISO-8601), files,
-- architecture, parameters) and returns the metadata table. version is
-- "X.Y.Z" (digits); config and metrics are any JSON-able tables. base is
-- created when absent. Everything is written into a hidden temporary folder
-- first and renamed into place when complete, so a failed save leaves
-- nothing behind; an existing version is an error unless {overwrite = true}
-- (then the two folders are swapped in one rename, so a crash at any moment
-- leaves the old or the new version, and the old one is removed afterwards,
-- never following a symbolic link).
-- Example:
--   versions.save(model, "models/mnist", "1.0.0", {description = "baseline",
--                 config = {lr = 0.01, epochs = 3}, metrics = {accuracy = 0.97}})
function versions.save(model, base, version, opts)
  check_model("save", model, "state_dict")
  if type(base) ~= "string" or base == "" then error("versions.save: base must be a folder path", 2) end
  check_version("save", version, 2)
  opts = SAVE:check(opts)
  local config, metrics = opts.config or {}, opts.metrics or {}
  if type(config) ~= "table" then error("versions.save: config must be a table", 2) end
  if type(metrics) ~= "table" then error("versions.save: metrics must be a table", 2) end
  for what, v in pairs({config = config, metrics = metrics}) do
    local ok, err = pcall(json.encode, v)
    if not ok then
      error(string.format("versions.save: %s cannot be written as JSON (%s); use plain numbers, strings, " ..
                          "booleans and tables (t:item() for a scalar tensor)", what, message(err)), 2)
    end
  end
  if opts.description ~= nil and type(opts.description) ~= "string" then
    error("versions.save: description must be a string", 2)
  end

  local final = join(base, version)
  local function refuse(level)
    error(string.format("versions.save: %s already exists; pick a new version or pass {overwrite = true}", final),
          level and level + 1 or 0)
  end
  recover(base, true)
  if exists(final) and not opts.overwrite then refuse(2) end
  local ok, err = fs.mkdir_p(base)
  if not ok then error("versions.save: cannot create " .. base .. ": " .. tostring(err), 2) end

  local pid = sys.getpid()
  local tmp = join(base, hidden(version, "tmp", pid))
  sys.remove_tree(tmp)                          -- left by an earlier failure of this process
  ok, err = sys.mkdir(tmp, true)
  if not ok then error("versions.save: cannot create " .. tmp .. ": " .. tostring(err), 2) end

  local meta
  ok, err = pcall(function()
    local weights = join(tmp, WEIGHTS)
    torch.save(model:state_dict(), weights)    -- atomic and fsync'ed
    local digest = assert(sha256.file(weights))
    meta = {
      version = version,
      description = opts.description or "",
      config = config,
      metrics = metrics,
      weights_sha256 = digest,
      ember_version = torch.__version__,
      framework = "ember",
      created = os.date("!%Y-%m-%dT%H:%M:%SZ"),
      files = {{name = WEIGHTS, bytes = file_size(weights), sha256 = digest}, {name = METADATA}},
      architecture = type(model.class_name) == "function" and model:class_name() or "Module",
      parameters = count_parameters(model),
    }
    assert(fs.write_atomic(join(tmp, METADATA), json.encode(meta, true) .. "\n"))
    assert(sys.fsync_dir(tmp))
    -- Into place. A version that appeared meanwhile is refused as above.
    if not exists(final) then
      local moved, merr, unsupported = sys.rename(tmp, final, "noreplace")
      if not moved and unsupported then moved, merr = os.rename(tmp, final) end
      if not moved then
        if exists(final) and not opts.overwrite then refuse() end
        error(merr, 0)
      end
    elseif not opts.overwrite then
      refuse()
    else
      -- one atomic swap: final holds the new version, tmp the old one
      local swapped, serr, unsupported = sys.rename(tmp, final, "exchange")
      if not swapped and not unsupported then error(serr, 0) end
      if not swapped then
        -- two renames; a kill between them is repaired by recover()
        local old = join(base, hidden(version, "old", pid))
        sys.remove_tree(old)
        assert(os.rename(final, old))
        local moved, merr = os.rename(tmp, final)
        if not moved then
          os.rename(old, final)                -- put the old version back
          error(merr, 0)
        end
        tmp = old
      end
      sys.fsync_dir(base)
      sys.remove_tree(tmp)                     -- the old version, never following a link
    end
    sys.fsync_dir(base)
  end)
  if not ok then
    sys.remove_tree(tmp)
    error("versions.save: " .. message(err), 2)
  end
  return meta
end

--- versions.list(base) -> list of metadata tables, oldest version first
-- The versions saved under base, sorted by semantic version (1.10.0 comes
-- after 1.9.0). Folders that are not X.Y.Z or hold no readable
-- metadata.json are skipped; an absent base gives an empty list.
-- Example:
--   for _, m in ipairs(versions.list("models/mnist")) do
--     print(m.version, m.created, m.metrics.accuracy)
--   end
function versions.list(base)
  if type(base) ~= "string" then error("versions.list: base must be a folder path", 2) end
  recover(base, false)
  local found = {}
  for _, name in ipairs(sys.listdir(base) or {}) do
    if parse(name) then
      local meta = read_metadata(join(base, name))
      if meta and meta.version == name then found[#found + 1] = meta end
    end
  end
  table.sort(found, function(a, b) return less(a.version, b.version) end)
  return found
end

--- versions.latest(base) -> version string or nil
-- The highest version under base with valid metadata; nil when there is none.
-- Example: local v = versions.latest("models/mnist")   -- e.g. "1.2.0"
function versions.latest(base)
  if type(base) ~= "string" then error("versions.latest: base must be a folder path", 2) end
  local all = versions.list(base)
  return all[#all] and all[#all].version or nil
end

--- versions.load(model, base, version[, {verify = true}]) -> model, metadata
-- Loads base/VERSION/model.pt into model (model:load_state_dict) after
-- checking its sha256 against metadata.json: a mismatch is an error naming
-- the file and both hashes, unless {verify = false}. version may be
-- "latest". Returns the model and the metadata table.
-- Example:
--   local model, meta = versions.load(MNISTClassifier(), "models/mnist", "latest")
--   print(meta.version, meta.metrics.accuracy)
function versions.load(model, base, version, opts)
  check_model("load", model, "load_state_dict")
  if type(base) ~= "string" then error("versions.load: base must be a folder path", 2) end
  opts = LOAD:check(opts)
  recover(base, false)
  if version == "latest" then
    version = versions.latest(base)
    if not version then error("versions.load: no saved versions in " .. base, 2) end
  end
  check_version("load", version, 2)
  local dir = join(base, version)
  if not is_dir(dir) then error("versions.load: " .. dir .. " does not exist", 2) end
  local meta, err = read_metadata(dir)
  if not meta then error("versions.load: " .. err, 2) end
  local weights = join(dir, WEIGHTS)
  if opts.verify ~= false then
    local digest, herr = sha256.file(weights)
    if not digest then error("versions.load: " .. herr, 2) end
    if type(meta.weights_sha256) ~= "string" then
      error("versions.load: " .. join(dir, METADATA) .. " records no weights_sha256 " ..
            "(pass {verify = false} to load without checking)", 2)
    end
    if digest ~= meta.weights_sha256:lower() then
      error(string.format("versions.load: %s has sha256 %s but %s records %s; the file is corrupt or was " ..
                          "changed (pass {verify = false} to load it anyway)", weights, digest,
                          join(dir, METADATA), meta.weights_sha256), 2)
    end
  end
  local ok, lerr = pcall(function() model:load_state_dict(torch.load(weights)) end)
  if not ok then error("versions.load: " .. weights .. ": " .. message(lerr), 2) end
  return model, meta
end

return versions
