"""`--check-links`: whether absolute runbook URLs answer, asked once per URL before the checks run.

Off by default: a scan never touches the network unless the user asks. Each URL is asked with HEAD (GET when
a server refuses HEAD), no body is read, redirects are followed by urllib, and the answers are bounded in
count, time and concurrency so a repository full of links cannot stall the scan.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

TIMEOUT_SECONDS = 5.0
MAX_URLS = 500
WORKERS = 8
_USER_AGENT = "prc-check-links (production readiness checklist linter)"


@dataclass(frozen=True)
class LinkAnswer:
    reachable: bool | None  # None: not asked (over the limit)
    detail: str  # "HTTP 200", "HTTP 404", "timed out after 5 s", "connection refused"...


def ask(urls: list[str], timeout: float = TIMEOUT_SECONDS) -> dict[str, LinkAnswer]:
    """An answer for each distinct URL, in the order given; URLs past MAX_URLS are not asked."""
    distinct = list(dict.fromkeys(urls))
    asked, skipped = distinct[:MAX_URLS], distinct[MAX_URLS:]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        answers = dict(zip(asked, pool.map(lambda u: _ask_one(u, timeout), asked)))
    answers.update({u: LinkAnswer(None, f"not asked: more than {MAX_URLS} distinct links") for u in skipped})
    return answers


def _ask_one(url: str, timeout: float) -> LinkAnswer:
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
