#!/usr/bin/env python3
"""check_optim2_in_torch.py FOLDER — PyTorch 1.13 loads the state_dicts
ember wrote (tests/peer/save_optim2_cases.lua) for every case of
make_optim2_reference.py and checks them:
  optimizers: the file equals PyTorch's own state_dict after the same steps
    (keys in order, Python types, values), and a fresh PyTorch optimizer that
    loads it continues to the same parameters as the uninterrupted run;
  schedulers: the scheduler's keys are 1.13's (less 1.13's unsaveable
    _scale_fn_ref, with _anneal_func_type for OneCycleLR's anneal_func), the
    values equal, and fresh PyTorch optimizer + scheduler that load the file
    continue to the same lrs.
Exits 1 on the first mismatch list."""
import copy
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_optim2_reference as R  # noqa: E402

failures = []


def same(path, a, b, rtol):
    """a: from ember's file, b: PyTorch's own."""
    ta, tb = type(a).__name__, type(b).__name__
    if tb == "Counter":
        tb = "dict"
    if ta != tb:
        failures.append("%s: type %s, PyTorch has %s" % (path, ta, tb))
        return
    if torch.is_tensor(b):
        if a.shape != b.shape or a.dtype != b.dtype or a.requires_grad:
            failures.append("%s: tensor %s %s vs %s %s" % (path, a.shape, a.dtype, b.shape, b.dtype))
        elif rtol != math.inf and not torch.allclose(a, b, rtol=rtol, atol=rtol * 0.01 * max(1.0, b.abs().max().item())):
            failures.append("%s: values %s vs %s" % (path, a, b))
    elif isinstance(b, dict):
        if list(a.keys()) != list(b.keys()):
            failures.append("%s: keys %s vs %s" % (path, list(a.keys()), list(b.keys())))
            return
        for k in b:
            same("%s.%s" % (path, k), a[k], b[k], rtol)
    elif isinstance(b, (list, tuple)):
        if len(a) != len(b):
            failures.append("%s: length %d vs %d" % (path, len(a), len(b)))
            return
        for i, (x, y) in enumerate(zip(a, b)):
            same("%s[%d]" % (path, i), x, y, rtol)
    elif isinstance(b, float):
        if rtol != math.inf and not (a == b or abs(a - b) <= rtol * abs(b) or (math.isnan(a) and math.isnan(b))):
            failures.append("%s: %r vs %r" % (path, a, b))
    elif a != b:
        failures.append("%s: %r vs %r" % (path, a, b))


def check_optim(folder, name, cls, kw):
    params = R.make_params(R.dtype_of(name))
    opt = R.make_optimizer(cls, kw, params)
    traj = []
    steps, save_at = R.steps_of(cls)
    for step in range(steps):
        R.do_step(opt, cls, params, step)
        traj.append([p.detach().clone() for p in params])
        if step + 1 == save_at:
            theirs = copy.deepcopy(opt.state_dict())   # state_dict() holds live tensors
    ours = torch.load(os.path.join(folder, "optim2_%s.pt" % name))
    if type(ours) is not dict or list(ours.keys()) != ["state", "param_groups"]:
        failures.append("%s: not a plain dict {'state', 'param_groups'}" % name)
        return
    same(name + ".param_groups", ours["param_groups"], theirs["param_groups"], 1e-12)
    # float32 LBFGS: values drift at the last bits of its dot products (see
    # make_optim2_reference.py), so its float state is compared in structure only
    tol = 1e-6 if cls != "LBFGS" else 1e-9 if name.endswith("_f64") else math.inf
    same(name + ".state", ours["state"], theirs["state"], tol)
    fresh = [t.clone().requires_grad_() for t in traj[save_at - 1]]
    opt2 = R.make_optimizer(cls, kw, fresh)
    opt2.load_state_dict(ours)
    tol = 1e-6 if cls != "LBFGS" else 1e-9 if name.endswith("_f64") else 1e-4
    for step in range(save_at, steps):
        R.do_step(opt2, cls, fresh, step)
        for i, (p, q) in enumerate(zip(fresh, traj[step])):
            if not torch.allclose(p.detach(), q, rtol=tol, atol=tol * 0.1):
                failures.append("%s: after loading, step %d param %d differs" % (name, step + 1, i))


def check_sched(folder, name, cls, kw, groups):
    opt = R.make_sched_optimizer(groups, cls)
    sched = R.make_scheduler(opt, cls, kw)
    lrs = []
    for step in range(R.STEPS_SCHED):
        opt.step()
        R.sched_step(sched, cls, step)
        lrs.append([g["lr"] for g in opt.param_groups])
        if step + 1 == R.SAVE_SCHED:
            theirs = dict(sched.state_dict())
            theirs.pop("_scale_fn_ref", None)
            theirs = {k: (v if k == "anneal_func" else copy.deepcopy(v)) for k, v in theirs.items()}
    if "anneal_func" in theirs:
        theirs = {("_anneal_func_type" if k == "anneal_func" else k): (kw.get("anneal_strategy", "cos")
                  if k == "anneal_func" else v) for k, v in theirs.items()}
    ours = torch.load(os.path.join(folder, "sched_%s.pt" % name))
    same("sched_" + name + ".scheduler", ours["scheduler"], theirs, 1e-12)
    opt2 = R.make_sched_optimizer(groups, cls)
    sched2 = R.make_scheduler(opt2, cls, kw)
    opt2.load_state_dict(ours["optimizer"])
    sched2.load_state_dict(ours["scheduler"])
    for step in range(R.SAVE_SCHED, R.STEPS_SCHED):
        opt2.step()
        R.sched_step(sched2, cls, step)
        got = [g["lr"] for g in opt2.param_groups]
        if any(abs(x - y) > 1e-12 * abs(y) for x, y in zip(got, lrs[step])):
            failures.append("sched_%s: after loading, lr at step %d is %s, expected %s" % (name, step + 1, got,
                                                                                        lrs[step]))
            break


def main(folder):
    for name, cls, kw in R.OPTIM_CASES:
        check_optim(folder, name, cls, kw)
    for name, cls, kw, groups in R.SCHED_CASES:
        check_sched(folder, name, cls, kw, groups)
    n = len(R.OPTIM_CASES) + len(R.SCHED_CASES)
    if failures:
        print("\n".join(failures))
        print("%d mismatches over %d files" % (len(failures), n))
        sys.exit(1)
    print("PyTorch %s loaded all %d files ember wrote" % (torch.__version__, n))


if __name__ == "__main__":
    main(sys.argv[1])
