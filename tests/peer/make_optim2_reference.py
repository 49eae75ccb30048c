#!/usr/bin/env python3
"""Reference data for ember's optimizers (beyond SGD/Adam) and learning-rate
schedulers from real PyTorch 1.13 (tests/peer/test_optim2_parity.lua).

Optimizer cases: two parameters (2x3 and 3) from fixed values, fixed
gradients for STEPS steps; records the parameters after each step and the
state_dict after SAVE_AT steps (group keys in order with Python types and
values, state keys with types and values), and writes that state_dict with
torch.save for ember to load (then continue and match the later steps).
Scheduler cases: an SGD over one or two groups, STEPS_SCHED scheduler steps,
the lr (and momentum) of each group after each, and the state_dict; files
hold {'optimizer':, 'scheduler':} after SAVE_SCHED steps.
Writes a Lua data file (argv[1]) and the .pt files beside it. The case
lists are imported by check_optim2_in_torch.py. Run with /usr/bin/python3.
"""
import math
import os
import sys

import torch
from torch.optim import lr_scheduler as L

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peerlib import grad_values, param_values, write_records  # noqa: E402

STEPS, SAVE_AT = 8, 5
STEPS_SCHED, SAVE_SCHED = 30, 15

OPTIM_CASES = [
    ("sgd_plain", "SGD", dict(lr=0.1)),
    ("sgd_momentum", "SGD", dict(lr=0.1, momentum=0.9)),
    ("adam", "Adam", dict(lr=0.01)),
    ("adamw", "AdamW", dict(lr=0.01)),
    ("rmsprop", "RMSprop", dict()),
    ("rmsprop_all", "RMSprop", dict(lr=0.02, alpha=0.9, eps=1e-6, weight_decay=0.1, momentum=0.9, centered=True)),
    ("rmsprop_centered_max", "RMSprop", dict(lr=0.01, centered=True, maximize=True)),
    ("adagrad", "Adagrad", dict()),
    ("adagrad_all", "Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1,
                                    eps=1e-8, maximize=True)),
    ("adadelta", "Adadelta", dict()),
    ("adadelta_all", "Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.05, maximize=True)),
    ("adamax", "Adamax", dict()),
    ("adamax_all", "Adamax", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, maximize=True)),
    ("nadam", "NAdam", dict()),
    ("nadam_all", "NAdam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, momentum_decay=0.01)),
    ("radam", "RAdam", dict()),
    ("radam_all", "RAdam", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1)),
    ("sgd_groups", "SGD", dict(lr=0.1, momentum=0.9, groups=[dict(weight_decay=0.1), dict(lr=0.05, momentum=0.5)])),
    ("adam_groups", "Adam", dict(lr=0.01, groups=[dict(betas=(0.8, 0.9)), dict(eps=1e-6, amsgrad=True)])),
    ("lbfgs", "LBFGS", dict()),
    ("lbfgs_small", "LBFGS", dict(lr=0.5, max_iter=5, history_size=3, tolerance_change=1e-6)),
    ("lbfgs_wolfe", "LBFGS", dict(line_search_fn="strong_wolfe")),
    ("lbfgs_wolfe_small", "LBFGS", dict(max_iter=4, max_eval=6, history_size=2, line_search_fn="strong_wolfe")),
    ("lbfgs_f64", "LBFGS", dict()),
    ("lbfgs_wolfe_f64", "LBFGS", dict(line_search_fn="strong_wolfe", history_size=5)),
]
# Cases run in float64 (their names end in _f64): LBFGS's float32 runs drift
# apart from PyTorch's at the last bits of its dot products (another
# summation order), amplified by the differences of nearly equal gradients;
# in float64 the same algorithm must agree to 1e-9.
def dtype_of(name):
    return torch.float64 if name.endswith("_f64") else torch.float32
# (A group's own keys come first in its state_dict, in the order the user wrote
# them; ember cannot know that order (a Lua table has none) and puts them in
# the defaults' order, which these cases follow.)
# LBFGS cases step with a closure of loss_fn (the same function in
# optim2_cases.lua): 3 steps, saved after 2.
LBFGS_STEPS, LBFGS_SAVE_AT = 3, 2
W = [[1.0, 2.0, 0.5], [0.3, 1.5, 3.0]]


def loss_fn(p0, p1):
    return ((p0 - 0.5) ** 2 * torch.tensor(W, dtype=p0.dtype)).sum() + (p1 ** 4).sum() * 0.25 + p0.sum() * p1.sum() * 0.1


def steps_of(cls):
    return (LBFGS_STEPS, LBFGS_SAVE_AT) if cls == "LBFGS" else (STEPS, SAVE_AT)


def do_step(opt, cls, params, step):
    """One optimizer step (0-based step): fixed gradients, or LBFGS's closure."""
    if cls == "LBFGS":
        def closure():
            opt.zero_grad()
            loss = loss_fn(*params)
            loss.backward()
            return loss
        return opt.step(closure).item()
    for k, p in enumerate(params):
        p.grad = grad_values(p.shape, step, k)
    opt.step()
    return None

# Lambdas both sides define by name (tests/peer/test_optim2_parity.lua LAMBDAS).
LAMBDAS = {
    "pow95": lambda e: 0.95 ** e,
    "step10": lambda e: 0.5 ** (e // 10),
    "mul09": lambda e: 0.9,
}

SCHED_CASES = [
    ("step", "StepLR", dict(step_size=4, gamma=0.5), 1),
    ("multistep", "MultiStepLR", dict(milestones=[3, 8, 8, 20], gamma=0.3), 2),
    ("exponential", "ExponentialLR", dict(gamma=0.9), 2),
    ("cosine", "CosineAnnealingLR", dict(T_max=7, eta_min=0.001), 2),
    ("cosine_restarts", "CosineAnnealingWarmRestarts", dict(T_0=4, T_mult=2, eta_min=0.001), 1),
    ("cosine_restarts_1", "CosineAnnealingWarmRestarts", dict(T_0=5), 2),
    ("lambda", "LambdaLR", dict(lr_lambda="pow95"), 1),
    ("lambda_list", "LambdaLR", dict(lr_lambda=["pow95", "step10"]), 2),
    ("multiplicative", "MultiplicativeLR", dict(lr_lambda="mul09"), 2),
    ("linear", "LinearLR", dict(), 1),
    ("linear_opts", "LinearLR", dict(start_factor=0.25, end_factor=0.75, total_iters=10), 2),
    ("constant", "ConstantLR", dict(factor=0.5, total_iters=4), 2),
    ("polynomial", "PolynomialLR", dict(total_iters=12, power=2.0), 2),
    ("onecycle", "OneCycleLR", dict(max_lr=1.0, total_steps=31), 2),
    ("onecycle_linear3", "OneCycleLR", dict(max_lr=[0.5, 0.2], epochs=4, steps_per_epoch=8,
                                            anneal_strategy="linear", three_phase=True, pct_start=0.25), 2),
    ("cyclic", "CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4), 1),
    ("cyclic_tri2", "CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=5,
                                     mode="triangular2"), 2),
    ("cyclic_exp", "CyclicLR", dict(base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=5, mode="exp_range",
                                    gamma=0.95, cycle_momentum=False), 2),
    ("sequential", "SequentialLR", dict(schedulers=[("ConstantLR", dict(factor=0.1, total_iters=2)),
                                                    ("ExponentialLR", dict(gamma=0.9))], milestones=[2]), 1),
    ("sequential3", "SequentialLR", dict(schedulers=[("LinearLR", dict(start_factor=0.5, total_iters=4)),
                                                     ("StepLR", dict(step_size=3, gamma=0.5)),
                                                     ("CosineAnnealingLR", dict(T_max=6))],
                                         milestones=[5, 12]), 2),
    ("chained", "ChainedScheduler", dict(schedulers=[("ConstantLR", dict(factor=0.1, total_iters=2)),
                                                     ("ExponentialLR", dict(gamma=0.9))]), 2),
    ("plateau", "ReduceLROnPlateau", dict(patience=2, factor=0.5, cooldown=1), 2),
    ("plateau_max_abs", "ReduceLROnPlateau", dict(mode="max", threshold=0.05, threshold_mode="abs", patience=1,
                                                  min_lr=[0.02, 0.01]), 2),
]


def metric(step):
    """The value handed to ReduceLROnPlateau.step at each step (falls, then stalls)."""
    return 1.0 / (1 + step) if step < 8 else 0.1 + 0.01 * math.sin(step)


SHAPES = [(2, 3), (3,)]


def make_params(dtype=torch.float32):
    return [param_values(s, k).to(dtype).requires_grad_() for k, s in enumerate(SHAPES)]


def make_optimizer(cls, kw, params):
    """kw["groups"]: one param group per parameter, with these options."""
    kw = dict(kw)
    groups = kw.pop("groups", None)
    if groups is not None:
        params = [dict(params=[p], **g) for p, g in zip(params, groups)]
    return getattr(torch.optim, cls)(params, **kw)


def make_sched_optimizer(groups, cls):
    params = [torch.zeros(2, requires_grad=True) for _ in range(groups)]
    pg = [{"params": [p], "lr": 0.1 / (i + 1)} for i, p in enumerate(params)]
    return torch.optim.SGD(pg, lr=0.1, momentum=0.9)


def make_scheduler(opt, cls, kw):
    kw = dict(kw)
    if "lr_lambda" in kw:
        v = kw["lr_lambda"]
        kw["lr_lambda"] = [LAMBDAS[x] for x in v] if isinstance(v, list) else LAMBDAS[v]
    if "schedulers" in kw:
        kw["schedulers"] = [make_scheduler(opt, c, k) for c, k in kw["schedulers"]]
    if cls == "ChainedScheduler":
        return L.ChainedScheduler(kw["schedulers"])
    return getattr(L, cls)(opt, **kw)


def sched_step(sched, cls, step):
    if cls == "ReduceLROnPlateau":
        sched.step(metric(step))
    else:
        sched.step()


def typed(v):
    """(python type name, Lua-friendly value) of a state_dict value."""
    if torch.is_tensor(v):
        return ["tensor", {"shape": list(v.shape), "dtype": str(v.dtype), "values": v.reshape(-1).tolist()}]
    if isinstance(v, dict):
        return [type(v).__name__, [[k, *typed(x)] for k, x in v.items()]]
    if isinstance(v, (list, tuple)):
        return [type(v).__name__, [typed(x) for x in v]]
    if isinstance(v, float) and math.isinf(v):
        return ["float", "inf" if v > 0 else "-inf"]
    if v is None:
        return ["NoneType", "None"]
    return [type(v).__name__, v]


def sched_state(sd):
    out = []
    for k, v in sd.items():
        if k in ("anneal_func", "_scale_fn_ref"):
            out.append([k, "method", "method"])
        else:
            out.append([k, *typed(v)])
    return out


def optim_records(folder):
    records = []
    for name, cls, kw in OPTIM_CASES:
        params = make_params(dtype_of(name))
        opt = make_optimizer(cls, kw, params)
        after, losses, saved = [], [], None
        steps, save_at = steps_of(cls)
        for step in range(steps):
            losses.append(do_step(opt, cls, params, step))
            after.append([p.detach().reshape(-1).tolist() for p in params])
            if step + 1 == save_at:
                sd = opt.state_dict()
                saved = {"groups": [[[k, *typed(v)] for k, v in g.items()] for g in sd["param_groups"]],
                         "state": [[i, [[k, *typed(v)] for k, v in st.items()]] for i, st in sd["state"].items()],
                         "repr": repr(opt)}
                torch.save(sd, os.path.join(folder, "optim2_%s.pt" % name))
        records.append({
            "name": name, "kind": "optim", "optimizer": cls, "dtype": str(dtype_of(name)),
            "options": {k: list(v) if isinstance(v, tuple) else v for k, v in kw.items() if k != "groups"},
            "groups": [{k: list(v) if isinstance(v, tuple) else v for k, v in g.items()}
                       for g in kw.get("groups", [])],
            "params": [param_values(s, k).to(dtype_of(name)).reshape(-1).tolist() for k, s in enumerate(SHAPES)],
            "shapes": [list(s) for s in SHAPES],
            "grads": [[grad_values(s, step, k).reshape(-1).tolist() for k, s in enumerate(SHAPES)]
                      for step in range(steps)],
            "after": after, "saved": saved, "save_at": save_at, "W": W,
            "losses": [x if x is not None else "none" for x in losses],
            "file": os.path.join(folder, "optim2_%s.pt" % name)})
    return records


def sched_records(folder):
    records = []
    for name, cls, kw, groups in SCHED_CASES:
        opt = make_sched_optimizer(groups, cls)
        sched = make_scheduler(opt, cls, kw)
        lrs = [[g["lr"] for g in opt.param_groups]]
        momenta = [[g["momentum"] for g in opt.param_groups]]
        last = [list(sched._last_lr)] if hasattr(sched, "_last_lr") else [None]
        saved, file = None, None
        for step in range(STEPS_SCHED):
            opt.step()
            sched_step(sched, cls, step)
            lrs.append([g["lr"] for g in opt.param_groups])
            momenta.append([g["momentum"] for g in opt.param_groups])
            last.append(list(sched._last_lr))   # ReduceLROnPlateau has no get_last_lr in 1.13
            if step + 1 == SAVE_SCHED:
                sd = sched.state_dict()
                saved = sched_state(sd)
                if cls not in ("CyclicLR", "OneCycleLR"):   # 1.13 cannot save the one; the other pickles itself
                    file = os.path.join(folder, "optim2_sched_%s.pt" % name)
                    torch.save({"optimizer": opt.state_dict(), "scheduler": sd}, file)
        kwl = dict(kw)
        if "schedulers" in kwl:
            kwl["schedulers"] = [{"cls": c, "options": k} for c, k in kwl["schedulers"]]
        records.append({"name": "sched_" + name, "kind": "sched", "scheduler": cls, "options": kwl,
                        "groups": groups, "lrs": lrs, "momenta": momenta, "last_lr": last,
                        "saved": saved, "save_at": SAVE_SCHED, "file": file,
                        "metrics": [metric(s) for s in range(STEPS_SCHED)]})
    return records


def main(out):
    folder = os.path.dirname(os.path.abspath(out))
    write_records(out, "make_optim2_reference.py", optim_records(folder) + sched_records(folder))


if __name__ == "__main__":
    main(sys.argv[1])
