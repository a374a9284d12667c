"""PostgreSQL's CSV with RFC 4180's line breaks: COPY ends each record with LF, RFC 4180 (and Excel) with CRLF.

A line break inside a quoted cell is part of the value and stays as it is. Whether a byte is inside quotes
follows from the count of `"` before it (an escaped quote is doubled, so it changes nothing), so a chunk is
split at its quotes: the even pieces are outside (the odd ones, when the chunk starts inside quotes).
"""

from __future__ import annotations

QUOTE = b'"'
LF = b"\n"
CRLF = b"\r\n"


class CsvRecords:
    """Rewrites a CSV stream's record ends from LF to CRLF, chunk after chunk, and counts the records."""

    def __init__(self) -> None:
        self.count = 0
        self._quoted = False

    def crlf(self, chunk: bytes) -> bytes:
        """The chunk with CRLF record ends (a record may span chunks: whether it is in quotes carries over)."""
        pieces = chunk.split(QUOTE)
        first_outside = 1 if self._quoted else 0
        outside = pieces[first_outside::2]
        self.count += sum(piece.count(LF) for piece in outside)
        pieces[first_outside::2] = [piece.replace(LF, CRLF) for piece in outside]
        self._quoted ^= len(pieces) % 2 == 0  # an odd number of quotes
        return QUOTE.join(pieces)
