#!/usr/bin/env python3
"""ember's benchmark suite against real PyTorch (issue 9), one command:

    python3 bench/run.py [--quick] [--only NAME[,NAME]] [--runs N]

Each benchmark runs ember and its PyTorch twin (bench/NAME.lua, NAME.py) in
the same invocation, alternating runs, and prints median and min/max over the
runs and the ratio ember/PyTorch. PyTorch is measured in each configuration
the issue lists for this machine (torch.set_num_threads(n) alone; with
OMP_WAIT_POLICY=PASSIVE; with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 too) and
compared at its BEST, which is named. ember runs with EMBER_NUM_THREADS=n.
Results: bench/results/latest.json and latest.md. Not part of ctest: timings
belong here, not in tests. Needs /usr/bin/python3 with torch.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EMBER = os.environ.get("EMBER", os.path.join(ROOT, "build", "ember"))
PYTHON = os.environ.get("EMBER_BENCH_PYTHON", "/usr/bin/python3")

TORCH_CONFIGS = [
    ("set_num_threads", {}),
    ("+OMP_WAIT_POLICY=PASSIVE", {"OMP_WAIT_POLICY": "PASSIVE"}),
    ("+PASSIVE+hugetlb", {"OMP_WAIT_POLICY": "PASSIVE", "GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"}),
]


def run(cmd, env_extra, cwd=HERE):
    env = dict(os.environ)
    env.update(env_extra)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError("%s failed:\n%s%s" % (" ".join(cmd), out.stdout, out.stderr))
    values = {"WALL": wall}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2:
            try:
                values[parts[0]] = float(parts[1])
            except ValueError:
                pass
    return values


def stats(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


def compare(name, ember_cmd, torch_cmd, threads, runs, key="TIME", target=None):
    """Alternates ember and every PyTorch config; returns a result row."""
    samples = {"ember": []}
    rss = {"ember": []}
    for label, _ in TORCH_CONFIGS:
        samples[label] = []
        rss[label] = []
    for _ in range(runs):
        v = run(ember_cmd, {"EMBER_NUM_THREADS": str(threads)}, cwd=ROOT)
        samples["ember"].append(v[key])
        rss["ember"].append(v.get("RSS_KB", 0))
        for label, env in TORCH_CONFIGS:
            env = dict(env)
            env["OPENBLAS_NUM_THREADS"] = str(threads)
            v = run(torch_cmd, env)
            samples[label].append(v[key])
            rss[label].append(v.get("RSS_KB", 0))
    best = min((l for l, _ in TORCH_CONFIGS), key=lambda l: statistics.median(samples[l]))
    e, t = stats(samples["ember"]), stats(samples[best])
    row = {"name": name, "threads": threads, "ember": e, "torch": t, "torch_config": best,
           "ratio": e["median"] / t["median"], "target": target,
           "ember_rss_kb": max(rss["ember"]), "torch_rss_kb": max(rss[best]),
           "all_torch": {l: stats(samples[l]) for l, _ in TORCH_CONFIGS}}
    row["pass"] = None if target is None else row["ratio"] <= target
    show(row)
    return row


def fmt(s, unit="s"):
    return "%.3f %s (%.3f-%.3f)" % (s["median"], unit, s["min"], s["max"])


def show(row):
    verdict = "" if row["pass"] is None else ("PASS" if row["pass"] else "MISS")
    target = "" if row["target"] is None else "target <= %.2f" % row["target"]
    print("%-34s ember %-28s torch %-28s [%s]  ratio %.2f  %s %s" % (
        "%s (%d thr)" % (row["name"], row["threads"]), fmt(row["ember"]), fmt(row["torch"]),
        row["torch_config"], row["ratio"], target, verdict), flush=True)


def ops_rows(runs, target=1.5):
    """Benchmark 8: each elementwise op of the op table and each reduction of
    bench/ops.lua on 1e6 float32 elements, one thread (ops.lua lists them;
    ops.py times the same PyTorch expressions). Per op: the median over the
    alternating runs of each side's best-of-7 time."""
    listing = subprocess.run([EMBER, "run", "bench/ops.lua", "--list"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
    ops = [line.split(" ", 2)[1:] for line in listing.splitlines() if line.startswith("OP ")]
    specs = ["%s=%s" % (name, expr) for name, expr in ops]
    samples = {name: {"ember": [], "torch": []} for name, _ in ops}
    for _ in range(runs):
        e = run([EMBER, "run", "bench/ops.lua"], {"EMBER_NUM_THREADS": "1"}, cwd=ROOT)
        t = run([PYTHON, "ops.py"] + specs, {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"})
        for name, _ in ops:
            samples[name]["ember"].append(e["TIME_" + name])
            samples[name]["torch"].append(t["TIME_" + name])
    rows = []
    for name, expr in ops:
        es, ts = stats(samples[name]["ember"]), stats(samples[name]["torch"])
        ratio = es["median"] / ts["median"]
        rows.append({"name": "8 op " + name, "threads": 1, "ember": es, "torch": ts, "torch_config": "set_num_threads",
                     "ratio": ratio, "target": target, "pass": ratio <= target, "expr": expr})
        print("8 %-22s ember %8.3f ms  torch %8.3f ms  ratio %5.2f  (target <= %.1f) %s" % (
            name, es["median"] * 1e3, ts["median"] * 1e3, ratio, target, "PASS" if ratio <= target else "MISS"),
            flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="2 runs and shorter workloads: checks the suite works")
    ap.add_argument("--only", default="", help="comma-separated benchmark names")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    runs = 2 if args.quick else args.runs
    only = set(filter(None, args.only.split(",")))
    want = lambda n: not only or n in only
    rows, extra = [], {}
    if subprocess.run([PYTHON, "-c", "import torch"], capture_output=True).returncode != 0:
        sys.exit("bench: %s cannot import torch (apt-get install python3-torch)" % PYTHON)
    print("ember: %s   PyTorch: %s   runs: %d" % (EMBER, subprocess.run(
        [PYTHON, "-c", "import torch; print(torch.__version__)"], capture_output=True, text=True).stdout.strip(), runs))

    if want("mlp"):
        batch64 = ["64"]
        for threads, target in ((1, 0.6), (2, 0.5)):
            rows.append(compare("1 MNISTClassifier epoch b64", [EMBER, "run", "bench/mnist_mlp.lua"] + batch64,
                                [PYTHON, "mnist_mlp.py", "64", str(threads)], threads, runs, target=target))
        rows[-1]["rss_target"] = 0.5
    if want("mlp512"):
        for threads in (1, 2):
            rows.append(compare("2 MNISTClassifier epoch b512", [EMBER, "run", "bench/mnist_mlp.lua", "512"],
                                [PYTHON, "mnist_mlp.py", "512", str(threads)], threads, runs, target=0.7))
    if want("cnn"):
        batches = "40" if args.quick else "200"
        for threads in (1, 2):
            rows.append(compare("3 CNN %s batches of 64" % batches, [EMBER, "run", "bench/cnn.lua", batches],
                                [PYTHON, "cnn.py", batches, str(threads)], threads, runs, target=0.8))
    if want("linreg"):
        rows.append(compare("4 linreg loop, 100 epochs", [EMBER, "run", "bench/linreg.lua"],
                            [PYTHON, "linreg.py", "1"], 1, runs, target=0.2))
        rows.append(compare("4 linreg whole process", [EMBER, "run", "bench/linreg.lua"],
                            [PYTHON, "linreg.py", "1"], 1, runs, key="WALL", target=0.05))
    if want("kernels"):
        ref = os.path.join(HERE, ".build", "sgemm_ref")
        os.makedirs(os.path.dirname(ref), exist_ok=True)
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "openblas"], capture_output=True,
                               text=True).stdout.split()
        subprocess.run(["cc", "-O2", "-o", ref, os.path.join(HERE, "sgemm_ref.c")] + flags, check=True)
        # ember re-executes itself with OPENBLAS_CORETYPE from the CPU's features; give the
        # reference the same kernels
        core = subprocess.run([EMBER, "run", "/dev/stdin"], input='print(os.getenv("OPENBLAS_CORETYPE") or "")',
                              capture_output=True, text=True).stdout.strip()
        env = {"OPENBLAS_CORETYPE": core} if core else {}
        r = run([ref, "1"], env)
        k = run([EMBER, "run", "bench/kernels.lua"], {"EMBER_NUM_THREADS": "1"}, cwd=ROOT)
        extra["kernels"] = {"openblas_coretype": core, "reference": r, "ember": k}
        print("5 matmul 1024^3: ember %.1f GFLOP/s, raw cblas_sgemm %.1f GFLOP/s (%s): ratio %.2f (target >= 0.9) %s" % (
            k["MATMUL_GFLOPS"], r["SGEMM_GFLOPS"], core or "default kernels", k["MATMUL_GFLOPS"] / r["SGEMM_GFLOPS"],
            "PASS" if k["MATMUL_GFLOPS"] >= 0.9 * r["SGEMM_GFLOPS"] else "MISS"))
        for op in ("ADD", "MUL", "RELU", "SUM"):
            for n in ("1E6", "1E7"):
                g = k["%s_%s_GBS" % (op, n)]
                print("5 %-4s %s elements: %6.2f GB/s = %.2f of copy bandwidth %.2f GB/s (target >= 0.7) %s" % (
                    op.lower(), n, g, g / r["COPY_GBS"], r["COPY_GBS"], "PASS" if g >= 0.7 * r["COPY_GBS"] else "MISS"))
    if want("ops"):
        rows += ops_rows(runs)
    if want("startup"):
        out = subprocess.run([PYTHON, os.path.join(HERE, "startup.py"), EMBER, "10" if args.quick else "30"],
                             capture_output=True, text=True).stdout
        print(out.rstrip())
        extra["startup"] = out
    if want("monitor"):
        # ember.monitor's overhead: the same loop with it attached and without, alternating
        steps = "60" if args.quick else "300"
        times = {"off": [], "on": []}
        for _ in range(runs):
            for mode in ("off", "on"):
                times[mode].append(run([EMBER, "run", "bench/monitor.lua", steps, mode], {"EMBER_NUM_THREADS": "1"},
                                       cwd=ROOT)["TIME"])
        off, on = stats(times["off"]), stats(times["on"])
        extra["monitor"] = {"steps": int(steps), "off": off, "on": on, "ratio": on["median"] / off["median"]}
        print("9 ember.monitor, %s MLP steps (1 thr): without %s  attached %s  ratio %.2f" % (
            steps, fmt(off), fmt(on), on["median"] / off["median"]), flush=True)
    if rows and want("mlp"):
        r = [x for x in rows if x["name"].startswith("1 ")]
        if r:
            ratio = r[-1]["ember_rss_kb"] / max(1, r[-1]["torch_rss_kb"])
            print("6 peak RSS, benchmark 1: ember %.0f MB, PyTorch %.0f MB: ratio %.2f (target <= 0.5) %s" % (
                r[-1]["ember_rss_kb"] / 1024, r[-1]["torch_rss_kb"] / 1024, ratio, "PASS" if ratio <= 0.5 else "MISS"))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "latest.json"), "w") as f:
        json.dump({"rows": rows, "extra": extra, "runs": runs, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
                  f, indent=1)
    with open(os.path.join(HERE, "results", "latest.md"), "w") as f:
        f.write("| benchmark | threads | ember (median) | PyTorch best (median, config) | ratio | target |\n")
        f.write("|---|---|---|---|---|---|\n")
        for r in rows:
            f.write("| %s | %d | %.3f s | %.3f s (%s) | %.2f | %s %s |\n" % (
                r["name"], r["threads"], r["ember"]["median"], r["torch"]["median"], r["torch_config"], r["ratio"],
                "" if r["target"] is None else "<= %.2f" % r["target"],
                "" if r["pass"] is None else ("PASS" if r["pass"] else "MISS")))
    print("written: bench/results/latest.json, bench/results/latest.md")


if __name__ == "__main__":
    main()
