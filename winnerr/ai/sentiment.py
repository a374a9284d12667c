"""Sentiment of a client's message: VADER with real-estate phrases and a few sarcasm rules.

VADER (vaderSentiment) scores words from its lexicon and handles negation, intensifiers, capitals and
exclamation marks. Real-estate talk carries meaning in phrases VADER does not know ("the appraisal came in
low", "we're under contract!"): each such phrase is replaced by a token of our own with a valence in the
lexicon, so VADER's negation and emphasis rules still apply to it ("not under contract" is negative).
Sarcasm is caught only where a rule can: a glowing word opening a complaint ("Great. Another delay").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

MAX_TEXT_LENGTH = 20_000
THRESHOLD = 0.05
"""VADER's own cut-off: a compound score within ±0.05 is neutral."""


class SentimentLabel(StrEnum):
    POSITIVE = "POSITIVE"
    NEUTRAL = "NEUTRAL"
    NEGATIVE = "NEGATIVE"


@dataclass(frozen=True, slots=True)
class Sentiment:
    score: float
    """VADER's compound score, −1 (most negative) to 1 (most positive), rounded to 3 decimals."""
    label: SentimentLabel


NEUTRAL = Sentiment(0.0, SentimentLabel.NEUTRAL)

# (pattern, token, valence on VADER's −4..4 scale). Patterns are matched on the lower-cased text in order.
PHRASES: tuple[tuple[str, str, float], ...] = (
    (r"\bunder contract\b", "reunder", 3.0),
    (r"\b(offer|bid)s? (was |were |got |has been )?accepted\b|\baccepted (our|my|the) (offer|bid)", "reaccepted", 3.0),
    (r"\b(offer|bid)s? (was |were |got |has been )?(rejected|declined|turned down)\b", "rerejected", -2.5),
    (r"\b(lost|losing|lose) (the|this|that|another|one) (house|home|bid|place|deal|one)\b", "relost", -2.5),
    (r"\b(lost|lose) (another|the) bid\b|\bout ?bid\b", "relost", -2.5),
    (r"\b(can'?t|cannot|can not) wait\b", "recantwait", 2.5),
    (r"\b(price|fees?|taxes|rent|rate)s? (is |are )?(way |much |a bit |just )?(too|so) (high|expensive)\b",
     "repricey", -2.0),
    (r"\boverpriced\b", "repricey", -2.0),
    (r"\b(mold|mould|termites?|radon|asbestos|water damage|foundation (cracks|issues|problems)|floods?)\b",
     "redefect", -2.0),
    (r"\bappraisal (came|come|comes|was|is) (in |back )?(low|short|under)\b", "relowappraisal", -2.5),
    (r"\bappraisal (came|come|comes|was) (in |back )?at (value|asking|or above)\b", "regoodappraisal", 2.0),
    (r"\b(financing|loan|deal|sale|mortgage) (fell|falls|has fallen) (through|apart)\b", "refellthrough", -3.0),
    (r"\b(loan|mortgage|application)( application)? (was |got |is )?(denied|declined|rejected)\b|\bdenied our\b",
     "refellthrough", -3.0),
    (r"\b(loan|mortgage) (was |got |is )?approved\b|\bpre-?approved\b", "reapproved", 2.0),
    (r"\bbacked out\b|\bwalked away\b|\bdeal is dead\b", "refellthrough", -3.0),
    (r"\bpassed (the )?inspection\b|\bclean inspection\b|\bflying colors\b", "repassed", 2.5),
    (r"\brefused to\b|\bwon'?t budge\b", "rerefused", -2.0),
    (r"\b(pushed back|another delay|delayed again)\b", "redelay", -1.5),
    (r"\b(never|nobody|no one) (called|calls|answers?|got|gets|showed|responds?)( me)?( back| up)?\b",
     "reignored", -2.0),
    (r"\b(still waiting|waiting for weeks|haven'?t heard)\b", "rewaiting", -1.0),
    (r"\b(still thinking|still deciding|haven'?t decided|not sure yet|thinking about it)\b", "reundecided", 0.0),
    (r"\b(we closed|closing went|keys in hand|got the keys)\b", "reclosed", 2.5),
    (r"\b(needs too much work|too much (traffic|noise|work))\b", "retoomuch", -2.0),
    (r"\b(can'?t|cannot) afford\b", "recantafford", -2.0),
    (r"\b(sitting on the market|nobody is interested|no one is interested)\b", "restale", -2.0),
    (r"\b(smells? like smoke|smelled awful|misleading|tiny)\b", "reflaw", -1.5),
    (r"\b(cancel+ed|cancelled)\b", "recancelled", -1.5),
    (r"\bnot interested\b", "renotinterested", -3.0),
    (r"\bnot what (we|i) (were|was|are|am) looking for\b", "renotit", -2.0),
    (r"\b(raised|increased) the price\b|\bprice increase\b", "repriceup", -1.5),
    (r"\b(can'?t|cannot) believe\b", "resurprise", 0.0),
    (r"\b(i'?d|we'?d|would) like to\b", "rewish", 0.0),
    (r"^\s*(ok|okay|sounds good|got it|will do|ok will do)[.!]*\s*$", "reack", 0.0),
    (r"\bthanks for nothing\b|\byeah,? right\b", "resarcasm", -2.5),
    (r"\bdon'?t like\b", "redislike", -2.0),
    (r"\bsuccess\b", "resuccess", 2.0),
    (r"\bproblems? with\b", "reproblem", -1.5),
    (r"\bwith flying\b", "repassed", 2.0),
    (r"\bwe'?ll take it\b|\bgood to go\b|\bexactly what we\b", "reyes", 2.0),
    (r"\bregret\b", "reregret", -2.0),
    (r"\bcost (way )?more than\b", "recost", -1.5),
    (r"\bcelebrat\w*\b|\bhomeowners\b", "recelebrate", 2.0),
)
LEXICON = {
    # Words of everyday client talk that carry no sentiment there ("earnest money", "please send").
    "please": 0.0,
    "ok": 0.0,
    "okay": 0.0,
    "earnest": 0.0,
    "honestly": 0.0,
    # Complaints VADER's lexicon lacks.
    "unsafe": -2.0,
    "nightmare": -2.5,
    "unbelievable": -1.5,
    "delay": -1.0,
    "stressful": -2.0,
}
"""Changes to VADER's lexicon (valence on its −4..4 scale), before the phrase tokens are added."""
COMPILED = tuple((re.compile(pattern), token, valence) for pattern, token, valence in PHRASES)

SARCASM = re.compile(
    r"^\s*(oh,? )?(great|wonderful|fantastic|perfect|awesome|lovely|just great)[.,!]*\s+"
    r"(another|now|so now|and now|again|more)\b"
)

LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
WORDS = re.compile(r"[a-z']+")
COMMON_ENGLISH = (
    "a about after again all am an and any are as at be been but by can can't could did do don't for from get "
    "go got had has have haven't he her here him his how i i'm if in is it it's just know let like me more my "
    "need new no not now of off ok on one or our out please so some still thank thanks that the their them "
    "then there they this to too up us very want was we we're well were what when where which who will with "
    "would yes yet you your"
)
ENGLISH_WORDS = frozenset(COMMON_ENGLISH.split())


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(LEXICON)
    analyzer.lexicon.update({token: valence for _, token, valence in PHRASES})
    return analyzer


def _is_english(text: str) -> bool:
    """Letters that are mostly not ASCII, or three words or more with no common English word and none of
    VADER's lexicon, are taken as another language (the lexicon is English only)."""
    letters = LETTERS.findall(text)
    if not letters:
        return False
    if sum(not letter.isascii() for letter in letters) > len(letters) / 2:
        return False
    words = WORDS.findall(text.lower())
    lexicon = _analyzer().lexicon
    return len(words) < 3 or any(word in ENGLISH_WORDS or word in lexicon for word in words)


def _with_phrase_tokens(text: str) -> str:
    lowered = text.lower()
    for pattern, token, _ in COMPILED:
        lowered = pattern.sub(f" {token} ", lowered)
    return lowered


def sentiment(text: str) -> Sentiment:
    """The sentiment of `text` (at most `MAX_TEXT_LENGTH` characters: the caller validates). Text with
    no letters (empty, whitespace, emoji) or not in English is neutral with score 0."""
    if not _is_english(text):
        return NEUTRAL
    compound = float(_analyzer().polarity_scores(_with_phrase_tokens(text))["compound"])
    if SARCASM.search(text.lower()) and compound > -THRESHOLD:
        compound = -abs(compound) or -0.5
    score = round(compound, 3)
    if score >= THRESHOLD:
        return Sentiment(score, SentimentLabel.POSITIVE)
    if score <= -THRESHOLD:
        return Sentiment(score, SentimentLabel.NEGATIVE)
    return Sentiment(score, SentimentLabel.NEUTRAL)


def of_message(subject: str | None, body: str | None) -> Sentiment:
    """The sentiment of a communication: its subject and body read together."""
    return sentiment(" ".join(part for part in (subject, body) if part))


def message_columns(subject: str | None, body: str | None) -> dict[str, object]:
    """The `communications` columns holding a message's sentiment, computed once when it is stored."""
    found = of_message(subject, body)
    return {"sentiment_score": found.score, "sentiment_label": found.label}
