"""Fetching a URL the user gave: the only network access the tool ever makes, and only on request.

A timeout, a size cap, redirects followed (the final URL is kept), and one clear error for every way
it can fail. Offline mode (RAG_OFFLINE=1 or --offline) refuses before any connection is opened.
"""
from __future__ import annotations

import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from ..errors import BadInput

USER_AGENT = "newsrag/0.1 (+offline news QA; fetches only URLs its user gives)"


@dataclass
class Fetched:
    url: str  # after redirects
    content_type: str  # "text/html", "application/rss+xml", … (parameters dropped)
    charset: str  # from the Content-Type header, "" if none
    data: bytes


def is_url(source: object) -> bool:
    return isinstance(source, str) and re.match(r"(?i)https?://", source) is not None


def doc_name(url: str, suffix: str) -> str:
    """A file-like name for a fetched article: host and path, safe characters only."""
    u = urllib.parse.urlsplit(url)
    path = re.sub(r"\.(html?|php|aspx?|jsp|xml|rss|pdf)$", "", u.path.strip("/"), flags=re.IGNORECASE)
    stem = re.sub(r"[^\w.-]+", "_", f"{u.netloc}_{path}" if path else u.netloc).strip("_")[:120]
    return f"{stem}{suffix}"


def fetch(url: str, timeout_s: float, max_bytes: int, offline: bool) -> Fetched:
    if offline:
        raise BadInput(f"{url}: not fetched: offline mode (RAG_OFFLINE=1 or --offline) opens no connection")
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise BadInput(f"{url}: {int(length) / 2**20:.0f} MB is over the {max_bytes // 2**20} MB limit")
            data = resp.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise BadInput(f"{url}: over the {max_bytes // 2**20} MB limit")
            ctype = resp.headers.get_content_type() or ""
            charset = resp.headers.get_content_charset() or ""
            final = resp.geturl()
    except urllib.error.HTTPError as e:
        raise BadInput(f"{url}: HTTP {e.code} {e.reason}") from e
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise BadInput(f"{url}: timed out after {timeout_s:g} s") from e
        raise BadInput(f"{url}: cannot connect ({reason})") from e
    except TimeoutError as e:
        raise BadInput(f"{url}: timed out after {timeout_s:g} s") from e
    except OSError as e:
        raise BadInput(f"{url}: cannot fetch ({e})") from e
    if not data.strip():
        raise BadInput(f"{url}: the server sent an empty body")
    return Fetched(final, ctype.lower(), charset.lower(), data)
