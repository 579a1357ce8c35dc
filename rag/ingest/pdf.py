"""PDF: the text layer page by page (pypdf), with each page's start offset kept for citations."""
from __future__ import annotations

import io
from dataclasses import dataclass

from ..errors import BadInput
from .clean import LETTER


@dataclass
class PdfText:
    text: str
    page_starts: list[int]
    title: str = ""
    author: str = ""
    date: str = ""  # ISO, from the file's creation date


def read_pdf(data: bytes, name: str) -> PdfText:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadInput(f"{name}: the PDF is encrypted")
        pages = [(page.extract_text() or "").replace("\r\n", "\n").strip() for page in reader.pages]
        meta = reader.metadata
    except (PdfReadError, ValueError, KeyError, TypeError) as e:
        raise BadInput(f"{name}: not a readable PDF ({type(e).__name__}: {e})") from e
    starts, pos = [], 0
    for t in pages:
        starts.append(pos)
        pos += len(t) + 2  # pages are joined by a blank line
    text = "\n\n".join(pages)
    if len(LETTER.findall(text)) < 20:
        raise BadInput(f"{name}: the PDF has no text layer ({len(pages)} page(s); a scanned PDF needs OCR first)")
    date = ""
    try:
        created = meta.creation_date if meta else None
        date = created.date().isoformat() if created else ""
    except (ValueError, TypeError):
        date = ""
    return PdfText(text, starts, title=(meta.title or "").strip() if meta else "",
                   author=(meta.author or "").strip() if meta else "", date=date)
