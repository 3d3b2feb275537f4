"""Titles broken at word boundaries, stacked as a trapezoid or a diamond (GB/T 9704-2012 7.3.1).

The standard asks for line breaks that keep words whole ("回行时，要做到词意完整，排列对称，长短
适宜，间距恰当") and a stack shaped as a trapezoid or a diamond (梯形或菱形), never a rectangle of
equal lines or an hourglass.

Words come from jieba (MIT, a 350,000-word dictionary with a prefix-dictionary DAG and dynamic
programming). We chose it over a dictionary of our own because titles name anything — projects,
places, programmes — and a home-made list would only know the words we thought of; over the
search tokenizer because that one cuts overlapping character pairs, which know nothing of word
boundaries. jieba's HMM guesser is switched off: unknown words stay as single characters, which
can only add break points between characters that no dictionary word joins. A run of digits or
Latin letters with its measure word (2026年, 12号) is one unit. The dictionary (about 5 MB) is loaded
once per process, lazily, on the first title that needs more than one line.

Among all ways of cutting the words into the fewest lines that fit, the chosen one has the least
cost: the squared spread of the line lengths (balanced lines), a penalty for lines of equal length
(a rectangle), for an hourglass (a middle line shorter than both its neighbours), and for a line
that starts with a particle (的, 和, 及, 与, 等) or ends with 关于 — breaks there read badly.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re

HALF_WIDTH = re.compile(r"[\x20-\x7e]")
NUMBER_UNIT = re.compile(r"^[0-9A-Za-z.%\-]+$")
MEASURE = set("年月日号次届个项件期")
NO_LINE_START = set("的和及与等之了")
NO_LINE_END = ("关于", "对于", "关于进一步", "和", "及", "与")
CLOSING = set("，。、；：）》〕」』”’！？")
OPENING = set("（《〔「『“‘")


def width(text: str) -> float:
    """Width in em: a Chinese character is 1, a half-width character (digit, Latin) 0.5."""
    return sum(0.5 if HALF_WIDTH.match(ch) else 1.0 for ch in text)


@functools.cache
def _jieba():
    import warnings

    with warnings.catch_warnings():  # jieba 0.42 has regex literals Python 3.12+ warns about
        warnings.simplefilter("ignore", SyntaxWarning)
        import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def words(title: str) -> list[str]:
    """The title cut into unbreakable units: dictionary words, number+measure word, punctuation
    attached to the word before (closing) or after (opening)."""
    raw = _jieba().lcut(title, HMM=False)
    units: list[str] = []
    for word in raw:
        if not units:
            units.append(word)
            continue
        previous = units[-1]
        if (
            word[0] in CLOSING
            or previous[-1] in OPENING
            or (NUMBER_UNIT.match(previous) and word[0] in MEASURE)
            or (NUMBER_UNIT.match(previous) and NUMBER_UNIT.match(word))
        ):
            units[-1] = previous + word
        else:
            units.append(word)
    return units


def _cost(lines: list[str]) -> float:
    lengths = [width(line) for line in lines]
    mean = sum(lengths) / len(lengths)
    cost = sum((n - mean) ** 2 for n in lengths)
    for a, b in itertools.pairwise(lengths):
        if abs(a - b) < 0.75:
            cost += 4  # a rectangle: the standard wants a trapezoid or a diamond
    for a, b, c in zip(lengths, lengths[1:], lengths[2:], strict=False):
        if b < a and b < c:
            cost += 20  # an hourglass
    for line in lines[1:]:
        if line[0] in NO_LINE_START:
            cost += 30
    for line in lines[:-1]:
        if line.endswith(NO_LINE_END):
            cost += 30
    return cost


def break_title(title: str, max_em: float) -> list[str]:
    """The title's lines: as few as fit `max_em` per line, cut between words, best shaped."""
    title = title.strip()
    if width(title) <= max_em:
        return [title]
    units = words(title)
    best: tuple[float, list[str]] | None = None
    for count in range(2, len(units) + 1):
        for cuts in itertools.combinations(range(1, len(units)), count - 1):
            bounds = (0, *cuts, len(units))
            lines = ["".join(units[a:b]) for a, b in itertools.pairwise(bounds)]
            if any(width(line) > max_em for line in lines):
                continue
            cost = _cost(lines)
            if best is None or cost < best[0]:
                best = (cost, lines)
        if best is not None:
            return best[1]
        if count >= 4:
            break
    # A single word longer than a line (not in practice): let the renderer wrap it.
    return [title]
