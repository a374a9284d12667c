"""Full-text and trigram search expressions, defined once for the models, the migrations and the queries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, literal_column

IMMUTABLE_JOIN = "winnerr_immutable_join"

# to_tsvector over a person's names (A), e-mail (B), city, tags and phone digits (C). The phone is indexed
# both with and without its country code, so "512-555-0147" and "+1 512 555 0147" both find it.
PERSON_SEARCH_DOCUMENT = f"""
setweight(to_tsvector('simple', first_name || ' ' || last_name), 'A')
|| setweight(to_tsvector('simple', coalesce(email || ' ' || regexp_replace(email, '[@.+_-]', ' ', 'g'), '')), 'B')
|| setweight(to_tsvector('simple', coalesce(city, '') || ' ' || {IMMUTABLE_JOIN}(tags)), 'C')
|| setweight(to_tsvector('simple', coalesce(regexp_replace(phone, '[^0-9]', '', 'g'), '') || ' '
   || coalesce(right(regexp_replace(phone, '[^0-9]', '', 'g'), 10), '')), 'C')
"""

PROPERTY_SEARCH_DOCUMENT = """
setweight(to_tsvector('simple', address || ' ' || city || ' ' || zip_code || ' ' || coalesce(mls_number, '')), 'A')
|| setweight(to_tsvector('simple', coalesce(description, '')), 'B')
"""


def like_escape(text: str) -> str:
    """`text` with LIKE's wildcards escaped (use with `escape="\\"`)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_WORD = re.compile(r"\w+", re.UNICODE)
_PHONE_LIKE = re.compile(r"^[\d\s()+.\-]+$")
MIN_PHONE_DIGITS = 3


def prefix_query(text: str) -> str | None:
    """A tsquery matching every word of `text` as a prefix ("jen lop" -> "jen:* & lop:*").

    A phone-looking text becomes one prefix of its digits, whatever its formatting. Only word characters
    reach the query, so no user input can break its syntax.
    """
    if _PHONE_LIKE.match(text.strip()):
        digits = re.sub(r"\D", "", text)
        if len(digits) >= MIN_PHONE_DIGITS:
            return f"{digits}:*"
    words = [word.lower() for word in _WORD.findall(text)]
    return " & ".join(f"{word}:*" for word in words) or None


@dataclass(frozen=True, slots=True)
class TextSearch:
    """A prefix search over a tsvector column: its WHERE condition and its relevance."""

    document: Any
    tsquery: ColumnElement[Any]

    @classmethod
    def of(cls, document: Any, text: str | None) -> TextSearch | None:
        query = prefix_query(text or "")
        if query is None:
            return None
        return cls(document, func.to_tsquery(literal_column("'simple'::regconfig"), query))

    @property
    def condition(self) -> ColumnElement[bool]:
        condition: ColumnElement[bool] = self.document.op("@@")(self.tsquery)
        return condition

    @property
    def rank(self) -> ColumnElement[float]:
        rank: ColumnElement[float] = func.ts_rank(self.document, self.tsquery)
        return rank
