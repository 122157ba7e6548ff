"""Is a variant in a homopolymer or short tandem repeat? Decided from the reference sequence alone.

Rule (``WE_IN_REPEAT``, frame column ``in_repeat``): the changed reference bases of the allele (after
dropping the bases REF and ALT share; for an insertion, the two bases either side of it) overlap

- a homopolymer of at least ``MIN_HOMOPOLYMER`` (6) bp, or
- a tandem repeat of a ``2..MAX_UNIT`` (2-6) bp unit with at least ``MIN_COPIES`` (3) copies and at
  least ``MIN_REPEAT_LENGTH`` (9) bp,

measured in a window of ``WINDOW`` bp either side. The ACMG engine uses it to tell PM4 (in-frame
indel outside a repeat) from BP3 (in-frame indel in a repeat without known function).
"""

from __future__ import annotations

MIN_HOMOPOLYMER = 6
MAX_UNIT = 6
MIN_COPIES = 3
MIN_REPEAT_LENGTH = 9
WINDOW = 100


def periodic_run(seq: str, i: int, k: int) -> int:
    """Length of the longest ``k``-periodic stretch of ``seq`` (every base equal to the one ``k``
    further) that contains position ``i``; 0 when the base at ``i`` is not followed or preceded by a
    repetition of its period."""
    n = len(seq)

    def match(j: int) -> bool:
        return 0 <= j and j + k < n and seq[j] == seq[j + k]

    best, j = 0, max(i - k, 0)
    while j <= i:
        if not match(j):
            j += 1
            continue
        p, q = j, j
        while match(p - 1):
            p -= 1
        while match(q + 1):
            q += 1
        best = max(best, q - p + 1 + k)
        j = q + 1
    return best


def base_in_repeat(seq: str, i: int) -> bool:
    """Whether ``seq[i]`` lies in a homopolymer / tandem repeat by the module's rule."""
    if not 0 <= i < len(seq) or seq[i] in "Nn":
        return False
    if periodic_run(seq, i, 1) >= MIN_HOMOPOLYMER:
        return True
    for k in range(2, MAX_UNIT + 1):
        length = periodic_run(seq, i, k)
        if length >= max(MIN_REPEAT_LENGTH, MIN_COPIES * k):
            return True
    return False


def changed_span(pos: int, ref: str, alt: str) -> tuple[int, int]:
    """1-based inclusive reference span of the changed bases (an insertion: its two flanking bases)."""
    i = 0
    while i < min(len(ref), len(alt)) and ref[i] == alt[i]:
        i += 1
    j = 0
    while j < min(len(ref), len(alt)) - i and ref[-1 - j] == alt[-1 - j]:
        j += 1
    start, end = pos + i, pos + len(ref) - 1 - j
    if end < start:  # pure insertion between start - 1 and start
        return start - 1, start
    return start, end


def in_repeat(seq: str, offset: int, pos: int, ref: str, alt: str) -> bool:
    """``seq`` is reference sequence whose first base is genomic position ``offset + 1`` and covers
    the variant with ``WINDOW`` bp either side where the contig allows."""
    start, end = changed_span(pos, ref.upper(), alt.upper())
    lo = max(start - WINDOW, offset + 1)
    window = seq[lo - 1 - offset : end + WINDOW - offset].upper()
    return any(base_in_repeat(window, g - lo) for g in range(start, end + 1))
