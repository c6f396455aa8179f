"""`--check-links`: whether absolute runbook URLs answer, asked once per URL before the checks run.

Off by default: a scan never touches the network unless the user asks. Each URL is asked with HEAD (GET when
a server refuses HEAD), no body is read, redirects are followed by urllib, and the answers are bounded in
count, time and concurrency so a repository full of links cannot stall the scan.
"""

from __future__ import annotations

import queue
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

TIMEOUT_SECONDS = 5.0
MAX_URLS = 500
WORKERS = 8
_USER_AGENT = "prc-check-links (production readiness checklist linter)"


@dataclass(frozen=True)
class LinkAnswer:
    reachable: bool | None  # None: not asked (over the limit)
    detail: str  # "HTTP 200", "HTTP 404", "timed out after 5 s", "connection refused"...


def ask(urls: list[str], timeout: float = TIMEOUT_SECONDS, budget: float | None = None) -> dict[str, LinkAnswer]:
    """An answer for each distinct URL, in the order given. URLs past MAX_URLS are not asked, and a URL with no
    answer when the whole budget (default: enough for every batch to time out once, plus slack) is spent is
    reported as such: a server that trickles bytes cannot hold the scan. The workers are daemon threads, so one
    still waiting when the budget ends does not keep the process alive."""
    distinct = list(dict.fromkeys(urls))
    asked, skipped = distinct[:MAX_URLS], distinct[MAX_URLS:]
    budget = budget if budget is not None else timeout * (2 + len(asked) / WORKERS) + 5
    answers: dict[str, LinkAnswer] = {}
    pending: queue.Queue = queue.Queue()
    for url in asked:
        pending.put(url)
    lock = threading.Lock()

    def work() -> None:
        while True:
            try:
                url = pending.get_nowait()
            except queue.Empty:
                return
            answer = _ask_one(url, timeout)
            with lock:
                answers[url] = answer

    workers = [threading.Thread(target=work, daemon=True) for _ in range(min(WORKERS, len(asked)))]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + budget
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
    with lock:
        found = dict(answers)
    result = {}
    for url in asked:
        result[url] = found.get(url, LinkAnswer(None, f"no answer within the {budget:.0f} s the link check allows"))
    result.update({u: LinkAnswer(None, f"not asked: more than {MAX_URLS} distinct links") for u in skipped})
    return result


def _ask_one(url: str, timeout: float) -> LinkAnswer:
    try:
        return _request(url, timeout)
    except Exception as exc:  # a server speaking something else than HTTP must not crash the scan
        return LinkAnswer(False, f"{type(exc).__name__}: {exc}"[:200])


def _request(url: str, timeout: float) -> LinkAnswer:
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": _USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return LinkAnswer(True, f"HTTP {response.status}")
        except urllib.error.HTTPError as exc:
            if method == "HEAD" and exc.code in (405, 501):
                continue  # the server does not do HEAD: ask with GET
            # 401/403: the page exists behind a login, as wiki runbooks often do.
            return LinkAnswer(exc.code in (401, 403), f"HTTP {exc.code}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            text = "timed out" if "timed out" in str(reason) else str(reason)
            return LinkAnswer(False, text)
    return LinkAnswer(False, "no answer")
