-- optim.lr_scheduler — learning-rate schedules that change an optimizer's
-- group lrs as epochs (or batches) pass, each as PyTorch 1.13 computes it,
-- with its state_dict keys: the decays (sched_decay.lua), cosine and cyclic
-- schedules (sched_cyclic.lua), combinations (sched_combine.lua) and
-- ReduceLROnPlateau (sched_plateau.lua); what they share is sched_base.lua.

-- Each family loads on first use of one of its names (torch.lazy).
return require("torch.lazy").namespace({}, {
  id = "torch.optim.lr_scheduler", name = "optim.lr_scheduler",
  families = {"torch.optim.sched_decay", "torch.optim.sched_cyclic", "torch.optim.sched_combine",
              "torch.optim.sched_plateau"},
})
