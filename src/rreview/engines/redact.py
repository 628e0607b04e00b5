"""The redactor: every text bound for a remote engine passes here first.

It removes what must never leave the machine: API keys and tokens, passwords, private keys,
credentials in URLs and e-mail addresses. Each is replaced by a labelled placeholder, so
the model still sees that something was there ("[redacted api key]").
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field

# (label, pattern); the first group, when present, is kept (e.g. "password: ").
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "private key",
        re.compile(
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)",
            re.S,
        ),
    ),
    ("api key", re.compile(r"\bsk-(?:ant-|proj-|svcacct-)?[A-Za-z0-9_\-]{16,}")),
    ("token", re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}|\bgithub_pat_\w{20,}")),
    ("token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("token", re.compile(r"\bhf_[A-Za-z0-9]{20,}")),
    ("api key", re.compile(r"\bAIza[0-9A-Za-z_\-]{30,}")),
    ("access key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("token", re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]{12,}")),
    ("password", re.compile(r"(?i)(://[^/\s:@]+:)[^@\s/]+(?=@)")),
    (
        "secret",
        re.compile(
            r"(?i)(\b(?:password|passwd|pwd|passphrase|secret|api[_-]?key|access[_-]?key|"
            r"auth[_-]?token|token)\b\s*[:=]\s*['\"]?)[^\s'\",;]{4,}"
        ),
    ),
    ("e-mail", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")),
)

KEY_ENV_VARS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "RREVIEW_SMTP_PASSWORD")


@dataclass
class Redaction:
    """A redacted text and what was taken out of it (counts by kind, never the values)."""

    text: str
    found: Counter[str] = field(default_factory=Counter)


def redact(text: str, secrets: tuple[str, ...] = ()) -> Redaction:
    """`text` with keys, tokens, passwords, private keys and e-mail addresses replaced.

    `secrets` are exact values to remove as well (the configured API keys), so a key pasted
    into the log in any shape is caught even when no pattern knows its format.
    """
    found: Counter[str] = Counter()
    for secret in (*secrets, *_env_secrets()):
        if len(secret) >= 8 and secret in text:
            found["api key"] += text.count(secret)
            text = text.replace(secret, "[redacted api key]")
    for label, pattern in _PATTERNS:

        def replace(match: re.Match[str], label: str = label) -> str:
            found[label] += 1
            keep = match.group(1) if match.re.groups else ""
            return f"{keep}[redacted {label}]"

        text = pattern.sub(replace, text)
    return Redaction(text, found)


def _env_secrets() -> tuple[str, ...]:
    return tuple(v for name in KEY_ENV_VARS if (v := os.environ.get(name, "").strip()))


def describe(found: Counter[str]) -> str:
    """ "2 e-mail addresses, 1 api key" (for --dry-run and -v)."""
    if not found:
        return "nothing"
    return ", ".join(f"{n} {label}{'' if n == 1 else 's'}" for label, n in found.most_common())
