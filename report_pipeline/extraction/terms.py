"""Most frequent meaningful words of a text."""

from __future__ import annotations

import re
from collections import Counter

from report_pipeline.deid import strip_identifier_tokens, vocabulary

# Letters only (accented ones included) so numbers, codes and OCR debris never
# count as terms.
_WORD = re.compile(r"[^\W\d_]{3,}")

# Built in rather than taken from a library so results never shift with an
# upgrade; only words of >= 3 letters matter because shorter ones are dropped.
STOP_WORDS: frozenset[str] = frozenset(
    """
    about above after again against all also although among and another any
    are around because been before being below between both but can
    cannot could couldn did didn does doesn doing don done down during each
    either else ever every few for from further had hadn has hasn have haven
    having her here hers herself him himself his how however into isn its
    itself just least less let like made make many may might mine more most
    much must mustn myself neither nor not now off once one only other ought
    our ours ourselves out over own per rather same shall shan she should
    shouldn since some still such than that the their theirs them themselves
    then there therefore these they this those though through thus too toward
    towards under until upon very via was wasn way well were weren what when
    where whether which while who whom whose why will with within without won
    would wouldn yes yet you your yours yourself yourselves
    """.split()
)


def words(text: str) -> list[str]:
    """Lowercase words of at least three letters, in order of appearance."""
    return _WORD.findall(text.lower())


def top_terms(text: str, n: int = 10) -> list[list]:
    """The ``n`` most frequent non-stop words as ``[[term, count], ...]``.

    Ties are broken alphabetically so the output is stable between runs.
    """
    counter = TermCounter()
    counter.add(text)
    return counter.top(n)


class TermCounter:
    """Term counts over a text fed in pieces (split at whitespace), memory bounded.

    Real documents have a few thousand distinct words; a hostile one could have
    millions. Past MAX_DISTINCT the rarest terms are dropped, which can only
    affect terms far below the top ten.
    """

    MAX_DISTINCT = 200_000

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def add(self, text: str) -> None:
        # Only common non-name words are counted (report_pipeline.deid): a
        # patient's name or an id must not even reach the feature cache's terms.
        allowed = vocabulary()
        text = strip_identifier_tokens(text)
        self.counts.update(w for w in words(text) if w in allowed and w not in STOP_WORDS)
        if len(self.counts) > self.MAX_DISTINCT:
            self.counts = Counter(dict(self.counts.most_common(self.MAX_DISTINCT // 2)))

    def top(self, n: int = 10) -> list[list]:
        ranked = sorted(self.counts.items(), key=lambda item: (-item[1], item[0]))
        return [[term, count] for term, count in ranked[:n]]
