"""Who may use the web UI: open on loopback; beyond it, only with credentials, else read-only.

Credentials come from RAG_UI_AUTH ("user:password", comma-separated for several) or from the file named
by RAG_UI_AUTH_FILE (one "user:password" a line). There is no default password."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..errors import BadInput

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Access:
    read_only: bool
    credentials: list[tuple[str, str]] = field(default_factory=list)
    message: str = ""


def _pairs(text: str, where: str) -> list[tuple[str, str]]:
    out = []
    for n, item in enumerate(x.strip() for x in text.replace("\n", ",").split(",")):
        if not item or item.startswith("#"):
            continue
        user, sep, password = item.partition(":")
        if not sep or not user.strip() or not password:
            raise BadInput(f"{where}: entry {n + 1} is not user:password")
        out.append((user.strip(), password))
    return out


def credentials(config: Config) -> list[tuple[str, str]]:
    pairs = _pairs(config.ui_auth, "RAG_UI_AUTH") if config.ui_auth else []
    if config.ui_auth_file:
        path = Path(config.ui_auth_file)
        try:
            pairs += _pairs(path.read_text(encoding="utf-8"), str(path))
        except OSError as e:
            raise BadInput(f"{path}: cannot read the UI credentials file ({e.strerror})") from e
    return pairs


def decide(config: Config, host: str) -> Access:
    creds = credentials(config)
    if creds:
        return Access(False, creds, f"sign-in required ({len(creds)} user(s)); uploads and removals allowed")
    if host in LOOPBACK:
        return Access(False, [], "open on loopback only")
    return Access(True, [], f"listening on {host} without credentials: READ-ONLY (no upload or removal); "
                            "set RAG_UI_AUTH=user:password or RAG_UI_AUTH_FILE to allow them")
