"""A small QR code encoder (ISO/IEC 18004), drawn server-side as SVG without a new dependency:
the per-person rating link on the desk plate (portal) and a meeting's check-in link (meetings).

Only what a URL needs: byte mode, error correction level M, versions 1–6 (up to 106 bytes).
The construction follows Project Nayuki's reference implementation ("QR Code generator
library", MIT): function patterns, Reed–Solomon over GF(256) with 0x11D, the zigzag codeword
placement, the eight masks with the standard penalty rules, format bits with BCH 0x537 ^ 0x5412.
"""

from __future__ import annotations

import functools

from django.utils.html import format_html

# Level M, versions 1–6: (total codewords, EC codewords per block, number of blocks).
_VERSIONS = {
    1: (26, 10, 1),
    2: (44, 16, 1),
    3: (70, 26, 1),
    4: (100, 18, 2),
    5: (134, 24, 2),
    6: (172, 16, 4),
}
_FORMAT_M = 0  # the two format bits of level M
_QUIET = 4


class TooLong(ValueError):
    """The text does not fit in a version-6 code."""


def _gf_mul(x: int, y: int) -> int:
    z = 0
    for i in reversed(range(8)):
        z = (z << 1) ^ ((z >> 7) * 0x11D)
        z ^= ((y >> i) & 1) * x
    return z


def _rs_divisor(degree: int) -> list[int]:
    result = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for j in range(degree):
            result[j] = _gf_mul(result[j], root)
            if j + 1 < degree:
                result[j] ^= result[j + 1]
        root = _gf_mul(root, 0x02)
    return result


def _rs_remainder(data: list[int], divisor: list[int]) -> list[int]:
    result = [0] * len(divisor)
    for b in data:
        factor = b ^ result.pop(0)
        result.append(0)
        for i, coef in enumerate(divisor):
            result[i] ^= _gf_mul(coef, factor)
    return result


def _codewords(payload: bytes) -> tuple[int, list[int]]:
    # The smallest version whose data capacity holds 4 mode bits, 8 count bits and the data.
    version = next(
        (v for v, (total, ec, n) in _VERSIONS.items() if len(payload) + 2 <= total - ec * n),
        None,
    )
    if version is None:
        raise TooLong(f"{len(payload)} bytes do not fit in a version-6 QR code")
    total, ec_len, blocks = _VERSIONS[version]
    capacity = total - ec_len * blocks
    bits: list[int] = []

    def put(value: int, n: int) -> None:
        bits.extend((value >> i) & 1 for i in reversed(range(n)))

    put(0b0100, 4)  # byte mode
    put(len(payload), 8)
    for b in payload:
        put(b, 8)
    put(0, min(4, capacity * 8 - len(bits)))
    put(0, (-len(bits)) % 8)
    data = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits), 8)]
    pad = 0xEC
    while len(data) < capacity:
        data.append(pad)
        pad ^= 0xEC ^ 0x11
    # Equal-length blocks at level M for versions 1–6: interleave data, then the EC words.
    per_block = capacity // blocks
    divisor = _rs_divisor(ec_len)
    chunks = [data[i * per_block : (i + 1) * per_block] for i in range(blocks)]
    ecs = [_rs_remainder(chunk, divisor) for chunk in chunks]
    out = [chunk[i] for i in range(per_block) for chunk in chunks]
    out += [ec[i] for i in range(ec_len) for ec in ecs]
    return version, out


def _mask(m: int, x: int, y: int) -> bool:
    return (
        (x + y) % 2 == 0,
        y % 2 == 0,
        x % 3 == 0,
        (x + y) % 3 == 0,
        (x // 3 + y // 2) % 2 == 0,
        x * y % 2 + x * y % 3 == 0,
        (x * y % 2 + x * y % 3) % 2 == 0,
        ((x + y) % 2 + x * y % 3) % 2 == 0,
    )[m]


class _Grid:
    def __init__(self, version: int):
        self.version = version
        self.size = version * 4 + 17
        self.dark = [[False] * self.size for _ in range(self.size)]
        self.function = [[False] * self.size for _ in range(self.size)]
        self._draw_function_patterns()

    def set_function(self, x: int, y: int, dark: bool) -> None:
        self.dark[y][x] = dark
        self.function[y][x] = True

    def _draw_function_patterns(self) -> None:
        size = self.size
        for i in range(size):
            self.set_function(6, i, i % 2 == 0)
            self.set_function(i, 6, i % 2 == 0)
        for cx, cy in ((3, 3), (size - 4, 3), (3, size - 4)):
            for dy in range(-4, 5):
                for dx in range(-4, 5):
                    x, y = cx + dx, cy + dy
                    if 0 <= x < size and 0 <= y < size:
                        self.set_function(x, y, max(abs(dx), abs(dy)) not in (2, 4))
        if self.version >= 2:
            c = size - 7  # the one alignment pattern of versions 2–6
            for dy in range(-2, 3):
                for dx in range(-2, 3):
                    self.set_function(c + dx, c + dy, max(abs(dx), abs(dy)) != 1)
        self.draw_format(0)  # reserves the format areas; drawn again once the mask is chosen

    def draw_format(self, mask: int) -> None:
        data = _FORMAT_M << 3 | mask
        rem = data
        for _ in range(10):
            rem = (rem << 1) ^ ((rem >> 9) * 0x537)
        bits = (data << 10 | rem) ^ 0x5412

        def bit(i: int) -> bool:
            return (bits >> i) & 1 != 0

        size = self.size
        for i in range(6):
            self.set_function(8, i, bit(i))
        self.set_function(8, 7, bit(6))
        self.set_function(8, 8, bit(7))
        self.set_function(7, 8, bit(8))
        for i in range(9, 15):
            self.set_function(14 - i, 8, bit(i))
        for i in range(8):
            self.set_function(size - 1 - i, 8, bit(i))
        for i in range(8, 15):
            self.set_function(8, size - 15 + i, bit(i))
        self.set_function(8, size - 8, True)  # the dark module

    def place(self, codewords: list[int]) -> None:
        size, i, total = self.size, 0, len(codewords) * 8
        right = size - 1
        while right >= 1:
            if right == 6:
                right = 5
            for vert in range(size):
                for j in range(2):
                    x = right - j
                    upward = ((right + 1) & 2) == 0
                    y = size - 1 - vert if upward else vert
                    if not self.function[y][x] and i < total:
                        self.dark[y][x] = (codewords[i >> 3] >> (7 - (i & 7))) & 1 != 0
                        i += 1
            right -= 2

    def apply_mask(self, m: int) -> None:
        for y in range(self.size):
            for x in range(self.size):
                if not self.function[y][x] and _mask(m, x, y):
                    self.dark[y][x] = not self.dark[y][x]

    def penalty(self) -> int:
        """Rules 1, 2 and 4 of the standard (runs, 2×2 blocks, balance), plus rule 3's
        finder-like 1:1:3:1:1 runs with four light modules on one side."""
        size, dark, score = self.size, self.dark, 0
        lines = [row for row in dark] + [[dark[y][x] for y in range(size)] for x in range(size)]
        finder = [True, False, True, True, True, False, True]
        for line in lines:
            run, last = 0, None
            for value in line:
                if value == last:
                    run += 1
                else:
                    if run >= 5:
                        score += run - 2
                    run, last = 1, value
            if run >= 5:
                score += run - 2
            for i in range(size - 6):
                if line[i : i + 7] == finder:
                    before = line[max(0, i - 4) : i]
                    after = line[i + 7 : i + 11]
                    if (i < 4 or not any(before)) or (i + 11 > size or not any(after)):
                        score += 40
        for y in range(size - 1):
            for x in range(size - 1):
                v = dark[y][x]
                if v == dark[y][x + 1] == dark[y + 1][x] == dark[y + 1][x + 1]:
                    score += 3
        total = sum(map(sum, dark))
        k = (abs(total * 20 - size * size * 10) + size * size - 1) // (size * size) - 1
        return score + max(k, 0) * 10


def encode(text: str) -> list[list[bool]]:
    """The QR code of `text` (UTF-8), as rows of dark/light modules without the quiet zone."""
    version, codewords = _codewords(text.encode())
    best, best_score = None, None
    for m in range(8):
        grid = _Grid(version)
        grid.place(codewords)
        grid.apply_mask(m)
        grid.draw_format(m)
        score = grid.penalty()
        if best_score is None or score < best_score:
            best, best_score = grid, score
    return best.dark


@functools.lru_cache(maxsize=2048)
def svg(text: str, *, label: str, module_px: int = 6) -> str:
    """An inline SVG of the code (no style attribute, so the CSP needs no exception). Cached:
    eight trial masks in pure Python take ~10 ms, and a person's link rarely changes."""
    modules = encode(text)
    n = len(modules) + 2 * _QUIET
    path = "".join(
        f"M{x + _QUIET} {y + _QUIET}h1v1h-1z"
        for y, row in enumerate(modules)
        for x, dark in enumerate(row)
        if dark
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="qr" role="img" aria-label="{}" '
        'width="{}" height="{}" viewBox="0 0 {} {}" shape-rendering="crispEdges">'
        '<rect width="{}" height="{}" fill="#fff"/><path fill="#000" d="{}"/></svg>',
        label,
        n * module_px,
        n * module_px,
        n,
        n,
        n,
        n,
        path,
    )
