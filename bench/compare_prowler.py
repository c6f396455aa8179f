#!/usr/bin/env python3
"""Compare `prc audit aws` and Prowler's IAM and EC2 checks on the same seeded moto account.

    .venv/bin/python bench/compare_prowler.py [--prowler-venv /tmp/prowler-venv] [--tools prc,prowler]

For each tool, one child `unshare -n PYTHON bench/compare_prowler.py --serve-and-run TOOL` (a fresh network
namespace: no network at all, needs root) brings its own loopback up, starts moto's ThreadedMotoServer on
127.0.0.1 at a free port (MOTO_EC2_LOAD_DEFAULT_AMIS=false), seeds the account the tests seed
(tests/aws/conftest.py: IAM roles/policies/users/keys/MFA, instances with and without IMDSv2, open and closed
security groups, encrypted and plain volumes, Auto Scaling groups, alarms, in us-east-1 and eu-west-1), then
starts moto's request recorder, runs the tool against the server, stops the recorder and counts the requests
moto received meanwhile. Each tool gets a fresh server and the same seed; seeding is not measured. The child
writes its figures as JSON; the parent prints the table.

prc:     prc audit aws --endpoint-url URL --region R1 --region R2 --format json
Prowler: prowler aws --services iam ec2 -f R1 R2 ... with AWS_ENDPOINT_URL=URL and dummy credentials,
         installed (if absent) with `python3 -m venv DIR && DIR/bin/pip install prowler`.

Both run in an empty temporary directory (no .prc.yaml is picked up) with the same dummy credentials and
no AWS config file. If Prowler cannot be installed or run, the step that failed and its error are printed
and prc's figures still are.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
REGIONS = ("us-east-1", "eu-west-1")
TIMEOUT = 900
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing-secret-never-printed",
    "AWS_SESSION_TOKEN": "testing-token", "AWS_DEFAULT_REGION": REGIONS[0], "AWS_REGION": REGIONS[0],
    "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def default_prc() -> str:
    venv = os.path.join(REPO, ".venv", "bin", "prc")
    return venv if os.path.exists(venv) else (shutil.which("prc") or venv)


def tool_command(tool: str, exe: str, url: str, outdir: str) -> tuple[list[str], dict]:
    if tool == "prc":
        regions = [a for r in REGIONS for a in ("--region", r)]
        return [exe, "audit", "aws", "--endpoint-url", url, *regions, "--format", "json"], {}
    return ([exe, "aws", "--services", "iam", "ec2", "-f", *REGIONS, "--no-banner", "--no-color",
             "--output-formats", "json-ocsf", "--output-directory", outdir],
            {"AWS_ENDPOINT_URL": url})


# ---------------------------------------------------------------- the child, inside `unshare -n`

def _moto_api(url: str, action: str, method: str = "POST") -> bytes:
    request = urllib.request.Request(f"{url}/moto-api/recorder/{action}", method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def _operation(entry: dict) -> str:
    """service:Operation of one recorded request (query protocol Action, JSON X-Amz-Target, else method+path)."""
    import base64

    headers = {k.lower(): v for k, v in entry.get("headers", {}).items()}
    scope = headers.get("authorization", "").split("Credential=")[-1].split("/")
    service = scope[3] if len(scope) > 3 else "?"
    if "x-amz-target" in headers:
        return f"{service}:{headers['x-amz-target'].rsplit('.', 1)[-1]}"
    body = entry.get("body") or ""
    if entry.get("body_encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    action = (urllib.parse.parse_qs(body).get("Action")
              or urllib.parse.parse_qs(urllib.parse.urlparse(entry.get("url", "")).query).get("Action"))
    if action:
        return f"{service}:{action[0]}"
    return f"{service}:{entry.get('method')} {urllib.parse.urlparse(entry.get('url', '')).path}"


def serve_and_run(tool: str, exe: str, result_path: str) -> int:
    result: dict = {"tool": tool}

    def done(**more) -> int:
        result.update(more)
        with open(result_path, "w") as f:
            json.dump(result, f)
        return 0

    step = "bring loopback up (ip link set lo up)"
    try:
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True, capture_output=True, text=True)
        work = tempfile.mkdtemp(prefix=f"prc-bench-{tool}-")
        os.environ.update(AWS_ENV)
        os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
        os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        os.environ["MOTO_RECORDER_FILEPATH"] = os.path.join(work, "recording.jsonl")
        step = "start the moto server"
        sys.path.insert(0, REPO)
        # The tests' seeding, reused as a module (it needs pytest and freezegun, both in the dev venv).
        from tests.aws.conftest import free_port, seed
        from moto.moto_api import recorder
        from moto.server import ThreadedMotoServer

        recorder._location = os.environ["MOTO_RECORDER_FILEPATH"]
        port = free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        url = f"http://127.0.0.1:{port}"
        try:
            step = "seed the account"
            seed(url)
            step = f"run {tool}"
            outdir = os.path.join(work, "out")
            os.makedirs(outdir)
            cwd = os.path.join(work, "cwd")
            os.makedirs(cwd)
            cmd, extra_env = tool_command(tool, exe, url, outdir)
            env = {**os.environ, **extra_env}
            env.pop("MOTO_RECORDER_FILEPATH", None)
            _moto_api(url, "reset-recording")
            _moto_api(url, "start-recording")
            start = time.perf_counter()
            try:
                proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
                code, out, err = proc.returncode, proc.stdout, proc.stderr
            except subprocess.TimeoutExpired as e:
                code, out, err = "timeout", (e.stdout or b"").decode(errors="replace"), \
                    (e.stderr or b"").decode(errors="replace")
            wall = time.perf_counter() - start
            _moto_api(url, "stop-recording")
            recording = _moto_api(url, "download-recording", "GET").decode()
        finally:
            server.stop()
        operations = collections.Counter(_operation(json.loads(line)) for line in recording.splitlines() if line)
        findings = count_findings(tool, out, outdir)
        return done(command=cmd, exit=code, wall=wall, calls=sum(operations.values()),
                    operations=dict(operations.most_common()), findings=findings,
                    error_lines=[line[-300:] for line in (out + err).splitlines() if "ERROR" in line],
                    stderr_tail=err[-3000:], stdout_tail=out[-1500:] if tool != "prc" else "")
    except Exception as e:  # reported by the parent, with the step that failed
        import traceback

        return done(failed_step=step, error=f"{type(e).__name__}: {e}", traceback=traceback.format_exc()[-3000:])


def count_findings(tool: str, out: str, outdir: str) -> dict | None:
    """{status: count} of the tool's results, where its output can be read."""
    try:
        if tool == "prc":
            return dict(collections.Counter(r["status"] for r in json.loads(out)["results"]))
        counts: collections.Counter = collections.Counter()
        for root, _, files in os.walk(outdir):
            for name in files:
                if name.endswith(".ocsf.json"):
                    with open(os.path.join(root, name)) as f:
                        counts.update(item.get("status_code", "?") for item in json.load(f))
        return dict(counts) or None
    except Exception:
        return None


# ---------------------------------------------------------------- the parent

def ensure_prowler(venv: str, install: bool) -> tuple[str | None, str | None]:
    """(prowler executable, None) or (None, what failed)."""
    exe = os.path.join(venv, "bin", "prowler")
    if os.path.exists(exe):
        return exe, None
    if not install:
        return None, f"Prowler is not installed in {venv} (and --no-install was given)"
    for step in (["python3", "-m", "venv", venv], [os.path.join(venv, "bin", "pip"), "install", "-q", "prowler"]):
        print(f"# {' '.join(step)}", file=sys.stderr, flush=True)
        proc = subprocess.run(step, capture_output=True, text=True)
        if proc.returncode != 0:
            return None, f"install step `{' '.join(step)}` exited {proc.returncode}: {proc.stderr.strip()[-1500:]}"
    if not os.path.exists(exe):
        return None, f"pip installed prowler but {exe} does not exist"
    return exe, None


def run_child(tool: str, exe: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="prc-bench-") as tmp:
        result_path = os.path.join(tmp, "result.json")
        cmd = ["unshare", "-n", sys.executable, os.path.abspath(__file__), "--serve-and-run", tool,
               "--exe", exe, "--result", result_path]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT + 300)
        except subprocess.TimeoutExpired:
            return {"tool": tool, "failed_step": "the unshare -n child", "error": "timed out"}
        if not os.path.exists(result_path):
            return {"tool": tool, "failed_step": "start the unshare -n child",
                    "error": f"exit {proc.returncode}: {proc.stderr.strip()[-1500:]}"}
        with open(result_path) as f:
            return json.load(f)


# Exit codes of a completed run: prc 1 = a finding at the --fail-on gate; Prowler 3 = a failed check.
SUCCESS = {"prc": (0, 1), "prowler": (0, 3)}


def ok(result: dict) -> bool:
    return ("failed_step" not in result and result.get("exit") in SUCCESS.get(result["tool"], (0,))
            and result.get("calls", 0) > 0)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--prc", default=default_prc())
    p.add_argument("--prowler-venv", default="/tmp/prowler-venv")
    p.add_argument("--no-install", action="store_true", help="do not install Prowler if it is absent")
    p.add_argument("--tools", default="prc,prowler")
    p.add_argument("--verbose", action="store_true", help="also print each tool's operations and stderr tail")
    p.add_argument("--serve-and-run", metavar="TOOL", help=argparse.SUPPRESS)
    p.add_argument("--exe", help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.serve_and_run:
        return serve_and_run(args.serve_and_run, args.exe, args.result)

    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    results = {}
    for tool in tools:
        if tool == "prc":
            exe, problem = args.prc, None
        else:
            exe, problem = ensure_prowler(args.prowler_venv, not args.no_install)
        if problem:
            results[tool] = {"tool": tool, "failed_step": "install Prowler", "error": problem}
            continue
        if tool == "prowler":
            version = subprocess.run([exe, "--version"], capture_output=True, text=True)
            print(f"# prowler --version: {(version.stdout or version.stderr).strip()[-200:]}", file=sys.stderr)
        print(f"# running {tool} (server + tool in one `unshare -n` child)", file=sys.stderr, flush=True)
        results[tool] = run_child(tool, exe)

    print(f"regions: {', '.join(REGIONS)}; the account of tests/aws/conftest.py; one run each, "
          f"a fresh moto server per tool; calls = requests moto recorded while the tool ran")
    print(f"{'tool':<8} {'exit':>7} {'wall s':>8} {'API calls':>10}  findings")
    for tool, r in results.items():
        if "failed_step" in r:
            print(f"{tool:<8} {'-':>7} {'-':>8} {'-':>10}  FAILED at step '{r['failed_step']}': {r['error']}")
            continue
        findings = ", ".join(f"{k} {v}" for k, v in sorted((r.get("findings") or {}).items())) or "-"
        print(f"{tool:<8} {str(r['exit']):>7} {r['wall']:>8.2f} {r['calls']:>10}  {findings}")
    print("exit: prc 1 = findings at its --fail-on gate, Prowler 3 = failed checks (both: a completed run)")
    prc, prowler = results.get("prc"), results.get("prowler")
    if prc and prowler and ok(prc) and ok(prowler):
        print(f"prc/Prowler: wall {prc['wall'] / prowler['wall']:.2f}x, "
              f"API calls {prc['calls'] / prowler['calls']:.2f}x")
    elif prc and prowler:
        bad = [t for t, r in (("prc", prc), ("prowler", prowler)) if not ok(r)]
        print(f"prc/Prowler: no ratio ({', '.join(bad)} did not complete a run against moto)")
    for tool, r in results.items():
        if "failed_step" not in r and not ok(r):
            print(f"{tool} did not complete: exit {r['exit']}, {r['calls']} calls; stderr tail:")
            print("    " + "\n    ".join((r.get("stderr_tail") or r.get("stdout_tail") or "").strip().splitlines()[-15:]))
        if "traceback" in r:
            print(f"{tool} traceback:\n    " + "\n    ".join(r["traceback"].strip().splitlines()[-10:]))
    if args.verbose:
        for tool, r in results.items():
            ops = r.get("operations") or {}
            print(f"\n{tool}: {len(ops)} distinct operations")
            for op, n in ops.items():
                print(f"  {n:>5}  {op}")
            errors = r.get("error_lines") or []
            print(f"{tool}: {len(errors)} ERROR lines in its output")
            for line in errors[:40]:
                print(f"    {line}")
            tail = (r.get("stderr_tail") or "").strip()
            if tail:
                print(f"{tool} stderr (last 3000 characters):\n    " + "\n    ".join(tail.splitlines()))
    return 0 if all(ok(r) for r in results.values()) else 2


if __name__ == "__main__":
    sys.exit(main())
