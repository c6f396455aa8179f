"""The one rule for whether a variable name looks like it holds a secret, shared by the checks for literal secrets
in Kubernetes env (PRC-K8S-090) and Dockerfile ENV/ARG (PRC-DKR-030): the same name must be judged the same way
wherever it is set. The rule's words are options of each check; their defaults live here. No checks are defined
in this module.
"""

from __future__ import annotations

import re

SECRET_PATTERNS = ("PASSWORD", "PASSWD", "PASSPHRASE", "TOKEN", "SECRET", "API_KEY", "APIKEY", "PRIVATE_KEY",
                   "ACCESS_KEY", "CREDENTIAL")
PATTERNS_DESCRIPTION = ("words that make an env var name look secret (matched case-insensitively, ending at a word "
                        "boundary, plural allowed)")

NOT_SECRET_WORDS = ("FILE", "PATH", "DIR", "URL", "URI", "ENDPOINT", "HOST", "PORT", "NAME", "ID", "TTL", "TIMEOUT",
                    "EXPIRY", "EXPIRATION", "LIFETIME", "SECONDS", "LENGTH", "SIZE", "ENABLED", "DISABLED", "REQUIRED",
                    "HEADER", "TYPE", "ALGORITHM", "VERSION")
NOT_SECRET_DESCRIPTION = ("a last word that makes a secret-looking name a setting about the secret "
                          "(DB_PASSWORD_FILE, TOKEN_TTL)")


def secret_looking(name: str, patterns, not_secret_words) -> bool:
    """An env var name that names a secret: a pattern ending at a word boundary, unless the last word says it
    holds something about the secret (DB_PASSWORD_FILE, TOKEN_TTL, AWS_ACCESS_KEY_ID) rather than the secret."""
    upper = re.sub(r"[^A-Z0-9]+", "_", name.upper())
    words = [w for w in upper.split("_") if w]
    if words and words[-1] in {str(w).upper() for w in not_secret_words}:
        return False
    return any(re.search(re.escape(str(p).upper()) + r"S?(?=_|$)", upper) for p in patterns)


def secret_name_options() -> dict:
    """The `patterns` and `not_secret_words` options, as @check(options=...) takes them; fresh lists each time."""
    return {"patterns": (list(SECRET_PATTERNS), PATTERNS_DESCRIPTION),
            "not_secret_words": (list(NOT_SECRET_WORDS), NOT_SECRET_DESCRIPTION)}
