"""The structured body of every official document: the four heading levels of GB/T 9704 7.3.3.

The drafter types one block per line; a line that opens with "一、", "（一）", "1." or "（1）" is a
heading of level 1…4 (printed in 黑体 / 楷体 / 仿宋 / 仿宋), anything else a paragraph. Parsing
on read keeps exactly what was typed, so a version compare shows the drafter's own text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_DIGITS = "一二三四五六七八九十百"
LEVELS = [
    (1, re.compile(rf"^[{CN_DIGITS}]+、")),
    (2, re.compile(rf"^（[{CN_DIGITS}]+）")),
    (3, re.compile(r"^[0-9]+[.．]")),
    (4, re.compile(r"^（[0-9]+）")),
]


@dataclass(frozen=True)
class Block:
    level: int  # 0 = paragraph, 1…4 = heading level
    text: str

    @property
    def kind(self) -> str:
        return f"h{self.level}" if self.level else "p"


def heading_level(line: str) -> int:
    for level, pattern in LEVELS:
        if pattern.match(line):
            return level
    return 0


def parse(text: str) -> list[Block]:
    blocks = []
    for raw in (text or "").splitlines():
        line = raw.strip().replace("\u3000", "")
        if line:
            blocks.append(Block(heading_level(line), line))
    return blocks


def attachment_names(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
