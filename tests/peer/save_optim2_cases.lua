-- save_optim2_cases.lua REFERENCE OUT — ember's side of
-- run_optim2_files_in_torch.sh: replays each case of the optim2 reference
-- (tests/peer/make_optim2_reference.py) to its save point and writes the
-- optimizer's state_dict (optim2_NAME.pt), or {optimizer =, scheduler =}
-- (sched_NAME.pt), for check_optim2_in_torch.py to load in PyTorch.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local C = dofile(here .. "optim2_cases.lua")
local cases = dofile(arg[1])
local out = arg[2]
local n = 0
for _, c in ipairs(cases) do
  if c.kind == "optim" then
    local params = C.params(c)
    local opt = C.optimizer(c, params)
    for step = 1, c.save_at do
      C.do_step(c, opt, params, step)
    end
    torch.save(opt:state_dict(), out .. "/optim2_" .. c.name .. ".pt")
  else
    local opt = C.sched_optimizer(c)
    local sched = C.scheduler(c, opt)
    for step = 1, c.save_at do
      opt:step()
      C.sched_step(c, sched, step)
    end
    torch.save(torch.dict{{"optimizer", opt:state_dict()}, {"scheduler", sched:state_dict()}},
      out .. "/" .. c.name .. ".pt")
  end
  n = n + 1
end
print(string.format("ember wrote %d files", n))
