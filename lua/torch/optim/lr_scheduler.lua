-- optim.lr_scheduler — learning-rate schedules that change an optimizer's
-- group lrs as epochs (or batches) pass, each as PyTorch 1.13 computes it,
-- with its state_dict keys: the decays (sched_decay.lua), cosine and cyclic
-- schedules (sched_cyclic.lua), combinations (sched_combine.lua) and
-- ReduceLROnPlateau (sched_plateau.lua); what they share is sched_base.lua.
local out = {}
for _, m in ipairs({"torch.optim.sched_decay", "torch.optim.sched_cyclic", "torch.optim.sched_combine",
                    "torch.optim.sched_plateau"}) do
  for k, v in pairs(require(m)) do out[k] = v end
end
return out
