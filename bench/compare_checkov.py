#!/usr/bin/env python3
"""Compare wall time and peak memory of `prc scan` and Checkov on Kubernetes manifests, Terraform or a monorepo.

    python3 bench/compare_checkov.py --kind monorepo --files 100,1000,10000 --runs 3
    python3 bench/compare_checkov.py --kind tf --files 1000 --runs 3
    python3 bench/compare_checkov.py --files 2000 --runs 3            # Kubernetes manifests

Generates (or reuses) one synthetic tree per --files size with gen_k8s_tree.py (--kind k8s, the default),
gen_tf_tree.py (--kind tf) or gen_monorepo.py (--kind monorepo: manifests, Terraform, Dockerfiles, alert rules
and SLO documents of N services) under --workdir (default /tmp/prc-bench), plus an empty directory for
start-up cost, then alternates prc and Checkov runs on each target and prints a table: median wall time, peak
memory, the Checkov/prc ratio per tree, and how prc's time grows from one tree size to the next.

Checkov runs with --framework kubernetes or terraform, and with its default frameworks (all of them) for the
monorepo. When --checkov does not exist, the script installs Checkov into its own virtualenv there first
(`python3 -m venv` + `pip install checkov`; the package registry is the only network it uses). For Terraform
and the monorepo, prc runs every check, off-by-default ones included, through a generated config that enables
every category (prc-all-checks.yaml in --workdir, so report paths start there).

prc is measured cold: `--no-cache`, every file parsed, in its default number of worker processes (--jobs =
the cores). "prc warm" (with --warm) is the same scan with the parse cache filled by one unmeasured run before
(in a cache directory under --workdir): the time of a second scan of an unchanged tree.

Both scanners run inside `unshare -n` (a network namespace with no network; needs root), so nothing can leave
the machine; Checkov also gets --skip-download. Peak memory is the highest sum, over the child and every
process it started (prc's parsing workers, Checkov's), of their proportional set size (PSS: a page shared
between a forked worker and its parent counts half to each, so the sum is the memory the tree really uses),
sampled every 20 ms from /proc; or the child's own peak RSS from os.wait4 when that is higher (a short peak
between samples). Exit code 0 or 1 (findings) counts as success; any other exit code, a signal, or a Python
traceback on stderr is reported as a crash.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
# kind -> (generator, Checkov framework (None: Checkov's defaults, every framework), default --files)
KINDS = {
    "k8s": (os.path.join(HERE, "gen_k8s_tree.py"), "kubernetes", 2000),
    "tf": (os.path.join(HERE, "gen_tf_tree.py"), "terraform", 1000),
    "monorepo": (os.path.join(HERE, "gen_monorepo.py"), None, 1000),
}
CATEGORIES = ("lifecycle", "availability", "capacity", "observability", "security", "release", "operability")


def default_prc():
    venv = os.path.join(REPO, ".venv", "bin", "prc")
    return venv if os.path.exists(venv) else (shutil.which("prc") or venv)


def command(tool, exe, target, kind, prc_config=None):
    if tool in ("prc", "prc warm"):
        config = ["--config", prc_config] if prc_config else []
        cache = ["--no-cache"] if tool == "prc" else []
        return ["unshare", "-n", exe, "scan", target, "--format", "json", *config, *cache]
    framework = ["--framework", KINDS[kind][1]] if KINDS[kind][1] else []
    return ["unshare", "-n", exe, "-d", target, *framework,
            "--skip-download", "--quiet", "--compact", "-o", "json"]


def all_checks_config(workdir):
    """A prc config that enables every category, so checks that are off by default run too."""
    path = os.path.join(workdir, "prc-all-checks.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write("checks:\n  enable: [" + ", ".join(CATEGORIES) + "]\n")
    return path


def _children() -> dict[int, list[int]]:
    """ppid -> pids, from /proc/*/stat."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name (field 2) may hold spaces and parentheses: fields after the last ")" are fixed.
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pss_kib(root: int) -> int:
    """The PSS of a process and all its descendants, in KiB."""
    tree, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss_kib(pid)
        todo.extend(tree.get(pid, ()))
    return total


def run_child(cmd, workdir, timeout, env=None):
    """Run cmd once; return dict(seconds, mib, rc, crashed, out_bytes, err_tail)."""
    with tempfile.TemporaryFile(dir=workdir) as out, tempfile.TemporaryFile(dir=workdir) as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        peak_kib, done = [0], threading.Event()

        def sample():
            while not done.wait(0.02):
                peak_kib[0] = max(peak_kib[0], tree_pss_kib(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        timer.cancel()
        proc.returncode = rc = os.waitstatus_to_exitcode(status)  # keep Popen consistent
        out_bytes = out.tell()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    crashed = rc not in (0, 1) or "Traceback (most recent call last)" in stderr
    return {"seconds": seconds, "mib": max(peak_kib[0], usage.ru_maxrss) / 1024.0, "rc": rc,
            "crashed": crashed, "out_bytes": out_bytes, "err_tail": stderr[-2000:]}


def install_checkov(exe):
    """Checkov in its own virtualenv (the directory above bin/ of --checkov), outside the repository."""
    venv = os.path.dirname(os.path.dirname(os.path.abspath(exe)))
    print(f"installing Checkov into {venv} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([os.path.join(venv, "bin", "pip"), "install", "--quiet", "checkov"], check=True)


def prepare_tree(workdir, kind, files, seed):
    """Generate the tree once; reuse it when it already exists."""
    final = os.path.join(workdir, f"{kind}-{files}-seed{seed}")
    if not os.path.isdir(final):
        tmp = tempfile.mkdtemp(prefix=".gen-", dir=workdir)
        # In a subprocess: the harness must stay small (see rss floor in main).
        subprocess.run([sys.executable, KINDS[kind][0], "--files", str(files), "--out", tmp,
                        "--seed", str(seed)], check=True)
        os.rename(tmp, final)
    return final


def prepare_empty(workdir):
    empty = os.path.join(workdir, "empty")
    os.makedirs(empty, exist_ok=True)
    if os.listdir(empty):
        sys.exit(f"{empty} is not empty")
    return empty


def version(cmd):
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        return (res.stdout.strip() or res.stderr.strip()).splitlines()[-1]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "unknown"


def _sizes(text):
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 100,1000,10000, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected positive sizes, got {text!r}")
    return sizes


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kind", choices=sorted(KINDS), default="k8s",
                    help="k8s: Kubernetes manifests (default); tf: Terraform; monorepo: every kind prc reads")
    ap.add_argument("--files", type=_sizes,
                    help="tree sizes, comma-separated (default 2000 for k8s, 1000 .tf files for tf, 1000 files for "
                         "monorepo)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--runs", type=int, default=3, help="measured runs per tool and target")
    ap.add_argument("--prc", default=default_prc(), help="prc console script")
    ap.add_argument("--checkov", default="/tmp/checkov-venv/bin/checkov",
                    help="Checkov console script; installed into its own virtualenv there when missing")
    ap.add_argument("--tools", default="prc,checkov", help="comma list: prc,checkov")
    ap.add_argument("--warm", action="store_true", help="also time prc with a filled parse cache")
    ap.add_argument("--checkov-max-files", type=int, metavar="N",
                    help="run Checkov only on trees of at most N files (it takes minutes on 10,000)")
    ap.add_argument("--workdir", default="/tmp/prc-bench")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per child run")
    args = ap.parse_args(argv)
    sizes = args.files or [KINDS[args.kind][2]]

    tools = [t for t in args.tools.split(",") if t]
    exes = {"prc": args.prc, "checkov": args.checkov}
    for t in tools:
        if t not in exes:
            ap.error(f"unknown tool {t}")
    if "checkov" in tools and not os.path.exists(args.checkov):
        install_checkov(args.checkov)
    for t in tools:
        if not os.access(exes[t], os.X_OK):
            ap.error(f"{t} not executable: {exes[t]}")
    if shutil.which("unshare") is None:
        ap.error("unshare(1) not found")
    if "prc" in tools and args.warm:
        tools.insert(tools.index("prc") + 1, "prc warm")
        exes["prc warm"] = args.prc

    os.makedirs(args.workdir, exist_ok=True)
    targets = [("empty dir", 0, prepare_empty(args.workdir))] + \
        [(f"{n} files", n, prepare_tree(args.workdir, args.kind, n, args.seed)) for n in sizes]
    prc_config = all_checks_config(args.workdir) if args.kind in ("tf", "monorepo") else None
    print(f"kind: {args.kind}; targets:", ", ".join(path for _, _, path in targets))
    if "checkov" in tools:
        print("checkov", version(["unshare", "-n", args.checkov, "--version"]))
    if "prc" in tools:
        print("prc", version(["unshare", "-n", args.prc, "--version"]))
    cache_env = dict(os.environ, PRC_CACHE_DIR=os.path.join(args.workdir, "prc-cache"))

    results = {}  # (target label, tool) -> [run dicts]
    crashes = 0
    for label, n, path in targets:
        here = [t for t in tools if t != "checkov" or args.checkov_max_files is None or n <= args.checkov_max_files]
        if "prc warm" in here:
            shutil.rmtree(cache_env["PRC_CACHE_DIR"], ignore_errors=True)
            run_child(command("prc warm", args.prc, path, args.kind, prc_config), args.workdir, args.timeout,
                      cache_env)  # fills the cache; not measured
        for i in range(args.runs):
            for tool in here:  # alternate tools run by run
                env = cache_env if tool == "prc warm" else None
                r = run_child(command(tool, exes[tool], path, args.kind, prc_config), args.workdir, args.timeout,
                              env)
                results.setdefault((label, tool), []).append(r)
                print(f"  {label:>12} run {i + 1} {tool:8} {r['seconds']:8.2f}s "
                      f"{r['mib']:8.1f} MiB rc={r['rc']} out={r['out_bytes']}B"
                      + ("  CRASH" if r["crashed"] else ""), flush=True)
                if r["crashed"]:
                    crashes += 1
                    print("    stderr tail:\n" + r["err_tail"], file=sys.stderr)

    def med(label, tool):
        runs = results.get((label, tool))
        return statistics.median(r["seconds"] for r in runs) if runs else None

    def peak(label, tool):
        runs = results.get((label, tool))
        return max(r["mib"] for r in runs) if runs else None

    def fmt(v, spec):
        return format(v, spec) if v is not None else "-".rjust(int(spec.split(".")[0]))

    warm = "prc warm" in tools
    print()
    print(f"{'target':>12} | {'prc s':>8} | " + (f"{'warm s':>8} | " if warm else "") +
          f"{'checkov s':>9} | {'ckv/prc':>7} | {'prc MiB':>8} | {'checkov MiB':>11} | exit codes (prc / checkov)")
    print("-" * (106 if warm else 95))
    for label, _, _ in targets:
        p, c = med(label, "prc"), med(label, "checkov")
        ratio = c / p if p and c else None
        codes = " / ".join(",".join(str(r["rc"]) for r in results.get((label, t), []))
                           or "-" for t in ("prc", "checkov"))
        print(f"{label:>12} | {fmt(p, '8.2f')} | " + (f"{fmt(med(label, 'prc warm'), '8.2f')} | " if warm else "") +
              f"{fmt(c, '9.2f')} | {fmt(ratio, '7.1f')} | "
              f"{fmt(peak(label, 'prc'), '8.1f')} | {fmt(peak(label, 'checkov'), '11.1f')} | {codes}")
    print(f"\nmedian wall seconds of {args.runs} runs; MiB = highest peak memory over the runs (sum of PSS of the "
          "process tree)")
    for (small, n_small, _), (large, n_large, _) in zip(targets[1:], targets[2:]):
        for tool in ("prc", "checkov"):
            a, b = med(small, tool), med(large, tool)
            if a and b:
                print(f"{tool}: {large} took {b / a:.1f}x the time of {small} ({n_large / n_small:.0f}x the files)")
    if crashes:
        print(f"{crashes} crashed run(s), see stderr above")
    return 2 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
