#!/usr/bin/env python3
"""Compare wall time and peak RSS of `prc scan` and Checkov on Kubernetes manifests or Terraform.

    python3 bench/compare_checkov.py --files 2000 --runs 3
    python3 bench/compare_checkov.py --kind tf --files 1000 --runs 3
    python3 bench/compare_checkov.py --kind monorepo --files 1000 --runs 3

Generates (or reuses) a synthetic tree with gen_k8s_tree.py (--kind k8s, the
default), gen_tf_tree.py (--kind tf) or gen_monorepo.py (--kind monorepo:
manifests, Terraform, Dockerfiles, alert rules and SLO documents of N
services) under --workdir (default /tmp/prc-bench), plus an empty directory
for start-up cost, then alternates prc and Checkov runs on each target and
prints a table.  Checkov runs with --framework kubernetes or terraform, and
with its default frameworks (all of them) for the monorepo.  For Terraform
and the monorepo, prc runs every check, off-by-default ones included, through
a generated config that enables every category (prc-all-checks.yaml in
--workdir, so report paths start there).

Both scanners run inside `unshare -n` (a network namespace with no network;
needs root), so nothing can leave the machine.  Checkov also gets
--skip-download.  Each child is reaped with os.wait4, whose rusage gives the
child's own peak RSS (ru_maxrss; for a process that forks workers it is the
largest single process among the child and its reaped descendants, not their
sum).  On Linux that value also covers the harness's own peak RSS from before
the child's exec (the spawn starts as a copy of this process), so the harness
stays small and prints that floor; readings at the floor mean "at most that".
Exit code 0 or 1 (findings) counts as success; any other exit code, a
signal, or a Python traceback on stderr is reported as a crash.
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
    if tool == "prc":
        config = ["--config", prc_config] if prc_config else []
        return ["unshare", "-n", exe, "scan", target, "--format", "json", *config]
    framework = ["--framework", KINDS[kind][1]] if KINDS[kind][1] else []
    return ["unshare", "-n", exe, "-d", target, *framework,
            "--skip-download", "--quiet", "--compact", "-o", "json"]


def all_checks_config(workdir):
    """A prc config that enables every category, so checks that are off by default run too."""
    path = os.path.join(workdir, "prc-all-checks.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write("checks:\n  enable: [" + ", ".join(CATEGORIES) + "]\n")
    return path


def run_child(cmd, workdir, timeout):
    """Run cmd once; return dict(seconds, rss_mib, rc, crashed, out_bytes, err_tail)."""
    with tempfile.TemporaryFile(dir=workdir) as out, tempfile.TemporaryFile(dir=workdir) as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        timer.cancel()
        proc.returncode = rc = os.waitstatus_to_exitcode(status)  # keep Popen consistent
        out_bytes = out.tell()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    crashed = rc not in (0, 1) or "Traceback (most recent call last)" in stderr
    return {"seconds": seconds, "rss_mib": usage.ru_maxrss / 1024.0, "rc": rc,
            "crashed": crashed, "out_bytes": out_bytes, "err_tail": stderr[-2000:]}


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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kind", choices=sorted(KINDS), default="k8s",
                    help="k8s: Kubernetes manifests (default); tf: Terraform; monorepo: every kind prc reads")
    ap.add_argument("--files", type=int,
                    help="files in the tree (default 2000 for k8s, 1000 .tf files for tf, 1000 files for monorepo)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--runs", type=int, default=3, help="measured runs per tool and target")
    ap.add_argument("--prc", default=default_prc(), help="prc console script")
    ap.add_argument("--checkov", default="/tmp/checkov-venv/bin/checkov")
    ap.add_argument("--tools", default="prc,checkov", help="comma list: prc,checkov")
    ap.add_argument("--workdir", default="/tmp/prc-bench")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per child run")
    args = ap.parse_args(argv)
    if args.files is None:
        args.files = KINDS[args.kind][2]

    tools = [t for t in args.tools.split(",") if t]
    exes = {"prc": args.prc, "checkov": args.checkov}
    for t in tools:
        if t not in exes:
            ap.error(f"unknown tool {t}")
        if not os.access(exes[t], os.X_OK):
            ap.error(f"{t} not executable: {exes[t]}")
    if shutil.which("unshare") is None:
        ap.error("unshare(1) not found")

    os.makedirs(args.workdir, exist_ok=True)
    targets = [("empty dir", 0, prepare_empty(args.workdir)),
               (f"{args.files} files", args.files, prepare_tree(args.workdir, args.kind, args.files, args.seed))]
    prc_config = all_checks_config(args.workdir) if args.kind in ("tf", "monorepo") else None
    print(f"kind: {args.kind}; targets:", ", ".join(path for _, _, path in targets))
    if "checkov" in tools:
        print("checkov", version(["unshare", "-n", args.checkov, "--version"]))
    if "prc" in tools:
        print("prc", version(["unshare", "-n", args.prc, "--version"]))

    floor = run_child(["unshare", "-n", "true"], args.workdir, 60)["rss_mib"]
    print(f"rss floor (harness peak, see docstring): {floor:.1f} MiB")

    results = {}  # (target label, tool) -> [run dicts]
    crashes = 0
    for label, _, path in targets:
        for i in range(args.runs):
            for tool in tools:  # alternate tools run by run
                r = run_child(command(tool, exes[tool], path, args.kind, prc_config), args.workdir, args.timeout)
                results.setdefault((label, tool), []).append(r)
                print(f"  {label:>12} run {i + 1} {tool:8} {r['seconds']:8.2f}s "
                      f"{r['rss_mib']:8.1f} MiB rc={r['rc']} out={r['out_bytes']}B"
                      + ("  CRASH" if r["crashed"] else ""), flush=True)
                if r["crashed"]:
                    crashes += 1
                    print("    stderr tail:\n" + r["err_tail"], file=sys.stderr)

    def med(label, tool):
        runs = results.get((label, tool))
        return statistics.median(r["seconds"] for r in runs) if runs else None

    def peak(label, tool):
        runs = results.get((label, tool))
        return max(r["rss_mib"] for r in runs) if runs else None

    def fmt(v, spec):
        return format(v, spec) if v is not None else "-".rjust(int(spec.split(".")[0]))

    print()
    print(f"{'target':>12} | {'prc s':>8} | {'checkov s':>9} | {'ckv/prc':>7} | "
          f"{'prc MiB':>8} | {'checkov MiB':>11} | exit codes (prc / checkov)")
    print("-" * 95)
    for label, _, _ in targets:
        p, c = med(label, "prc"), med(label, "checkov")
        ratio = c / p if p and c else None
        codes = " / ".join(",".join(str(r["rc"]) for r in results.get((label, t), []))
                           or "-" for t in ("prc", "checkov"))
        print(f"{label:>12} | {fmt(p, '8.2f')} | {fmt(c, '9.2f')} | {fmt(ratio, '7.1f')} | "
              f"{fmt(peak(label, 'prc'), '8.1f')} | {fmt(peak(label, 'checkov'), '11.1f')} | {codes}")
    print(f"\nmedian wall seconds of {args.runs} runs; MiB = highest peak RSS over the runs")
    if crashes:
        print(f"{crashes} crashed run(s), see stderr above")
    return 2 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
