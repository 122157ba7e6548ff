"""ACMG/AMP evidence codes: parse, validate and format codes such as ``PVS1`` or ``PM2_Supporting``.

A code is a criterion (``PVS1``, ``PS1`` ... ``BP7``) with an optional strength suffix. Without a
suffix the criterion has its default strength from Richards et al. 2015: ``PVS`` Very Strong, ``PS``
Strong, ``PM`` Moderate, ``PP`` Supporting, ``BA`` Stand-alone, ``BS`` Strong, ``BP`` Supporting.

Strengths are small integers everywhere in the engine (``0`` = not applied), so that a criterion's
result for millions of variants is one ``int8`` array:

====  ==============  ======
code  name            points
====  ==============  ======
0     (not applied)   0
1     Supporting      1
2     Moderate        2
3     Strong          4
4     VeryStrong      8
5     StandAlone      (BA1 only; see :mod:`wgs_east.acmg.combine`)
====  ==============  ======

PP5 and BP6 ("reputable source") were retired by the ClinGen SVI (Biesecker & Harrison 2018) and are
refused: a ClinVar assertion is annotation, never evidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from wgs_east.errors import WgsEastError

NONE, SUPPORTING, MODERATE, STRONG, VERY_STRONG, STAND_ALONE = range(6)

STRENGTH_NAMES: tuple[str, ...] = ("", "Supporting", "Moderate", "Strong", "VeryStrong", "StandAlone")
"""Canonical name of each strength code (index = code)."""

StrengthName = Literal["Supporting", "Moderate", "Strong", "VeryStrong"]
"""A strength that a setting may choose (stand-alone is reserved for BA1)."""

POINTS: np.ndarray = np.array([0, 1, 2, 4, 8, 8], dtype=np.int16)
"""Tavtigian et al. 2020 points per strength code (magnitude; benign codes count negative).
StandAlone (BA1) counts as 8 in the sum; BA1 forces Benign whatever the sum (combine.py)."""

_STRENGTH_ALIASES = {
    "supporting": SUPPORTING,
    "moderate": MODERATE,
    "strong": STRONG,
    "verystrong": VERY_STRONG,
    "standalone": STAND_ALONE,
}

_DEFAULT_BY_PREFIX = {
    "PVS": VERY_STRONG,
    "PS": STRONG,
    "PM": MODERATE,
    "PP": SUPPORTING,
    "BA": STAND_ALONE,
    "BS": STRONG,
    "BP": SUPPORTING,
}

CRITERIA: tuple[str, ...] = (
    "PVS1",
    "PS1", "PS2", "PS3", "PS4",
    "PM1", "PM2", "PM3", "PM4", "PM5", "PM6",
    "PP1", "PP2", "PP3", "PP4",
    "BA1",
    "BS1", "BS2", "BS3", "BS4",
    "BP1", "BP2", "BP3", "BP4", "BP5", "BP7",
)  # fmt: skip
"""Every criterion accepted (Richards 2015 Table 3/4 without the retired PP5 and BP6)."""

RETIRED: dict[str, str] = {
    "PP5": "PP5 (reputable source: pathogenic) was retired by the ClinGen SVI (Biesecker & Harrison 2018)",
    "BP6": "BP6 (reputable source: benign) was retired by the ClinGen SVI (Biesecker & Harrison 2018)",
}


class EvidenceCodeError(WgsEastError):
    """An evidence code that cannot be used: unknown criterion or strength, retired, or duplicated."""


def _prefix(criterion: str) -> str:
    return criterion.rstrip("0123456789")


def is_pathogenic(criterion: str) -> bool:
    """True for pathogenic criteria (``P...``), False for benign ones (``B...``)."""
    return criterion.startswith("P")


def default_strength(criterion: str) -> int:
    """The Richards 2015 strength code of a criterion without a suffix (``PM2`` -> Moderate)."""
    if criterion not in CRITERIA:
        raise EvidenceCodeError(_unknown_message(criterion))
    return _DEFAULT_BY_PREFIX[_prefix(criterion)]


def strength_code(name: str) -> int:
    """``"VeryStrong"``/``"Very_Strong"``/``"very strong"`` -> 4. Raises EvidenceCodeError if unknown."""
    key = "".join(ch for ch in name.lower() if ch.isalnum())
    if key not in _STRENGTH_ALIASES:
        allowed = ", ".join(STRENGTH_NAMES[1:])
        raise EvidenceCodeError(f"unknown strength {name!r}: use one of {allowed}")
    return _STRENGTH_ALIASES[key]


def _unknown_message(criterion: str) -> str:
    if criterion in RETIRED:
        return f"{RETIRED[criterion]}; it is never used as evidence"
    return f"unknown ACMG criterion {criterion!r}: expected one of {', '.join(CRITERIA)}"


@dataclass(frozen=True, order=True)
class Code:
    """One applied criterion at one strength."""

    criterion: str
    strength: int

    @property
    def pathogenic(self) -> bool:
        return is_pathogenic(self.criterion)

    @property
    def points(self) -> int:
        """Signed Tavtigian points (benign negative)."""
        p = int(POINTS[self.strength])
        return p if self.pathogenic else -p

    def __str__(self) -> str:
        return format_code(self.criterion, self.strength)


def check_strength(criterion: str, strength: int) -> None:
    """Refuse strengths a criterion cannot have: stand-alone is BA1's alone, and BA1 is only stand-alone."""
    if criterion not in CRITERIA:
        raise EvidenceCodeError(_unknown_message(criterion))
    if not SUPPORTING <= strength <= STAND_ALONE:
        raise EvidenceCodeError(f"{criterion}: strength code {strength} is not a strength")
    is_ba = _prefix(criterion) == "BA"
    if is_ba and strength != STAND_ALONE:
        raise EvidenceCodeError(f"{criterion} is stand-alone evidence and takes no other strength")
    if not is_ba and strength == STAND_ALONE:
        raise EvidenceCodeError(f"{criterion}: only BA1 is stand-alone evidence")


def parse_code(text: str) -> Code:
    """Parse one code: ``"PM2_Supporting"`` -> Code("PM2", SUPPORTING). Case-insensitive.

    Raises EvidenceCodeError for unknown or retired criteria, unknown strengths and impossible
    combinations (``BA1_Strong``, ``PS1_StandAlone``).
    """
    raw = text.strip()
    if not raw:
        raise EvidenceCodeError("empty evidence code")
    base, sep, suffix = raw.partition("_")
    criterion = base.upper()
    if criterion not in CRITERIA:
        raise EvidenceCodeError(f"{raw!r}: {_unknown_message(criterion)}")
    if sep and not suffix:
        raise EvidenceCodeError(f"{raw!r}: missing strength after '_'")
    try:
        strength = strength_code(suffix) if sep else default_strength(criterion)
        check_strength(criterion, strength)
    except EvidenceCodeError as exc:
        raise EvidenceCodeError(f"{raw!r}: {exc}") from None
    return Code(criterion, strength)


def parse_codes(codes: Iterable[str]) -> tuple[Code, ...]:
    """Parse several codes, sorted pathogenic-first by strength; the same criterion twice is an error."""
    if isinstance(codes, str):
        codes = codes.replace(",", " ").split()
    parsed = [parse_code(c) for c in codes]
    seen: dict[str, Code] = {}
    for code in parsed:
        if code.criterion in seen:
            raise EvidenceCodeError(
                f"criterion {code.criterion} given twice ({seen[code.criterion]} and {code}): "
                "each criterion counts once, at one strength"
            )
        seen[code.criterion] = code
    return tuple(sorted(parsed, key=sort_key))


def sort_key(code: Code) -> tuple[int, int, int, str]:
    """Pathogenic before benign, stronger before weaker, then by criterion number."""
    return (0 if code.pathogenic else 1, -code.strength, CRITERIA.index(code.criterion), code.criterion)


def format_code(criterion: str, strength: int) -> str:
    """``("PM2", SUPPORTING)`` -> ``"PM2_Supporting"``; the default strength has no suffix (``"PVS1"``)."""
    if strength == default_strength(criterion):
        return criterion
    return f"{criterion}_{STRENGTH_NAMES[strength]}"
