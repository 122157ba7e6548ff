"""ACMG/AMP variant classification: evidence codes, criteria, combining (points and 2015 rules).

- :func:`combine` classifies one set of codes (``combine(["PVS1", "PM2_Supporting"])``).
- :func:`wgs_east.acmg.engine.classify_frame` applies the site-level criteria to a variant frame.
- :func:`wgs_east.acmg.family.classify_family` adds de novo and phase evidence per sample.
- :class:`wgs_east.acmg.settings.AcmgSettings` holds every threshold (global + per gene).
"""

from wgs_east.acmg.codes import EvidenceCodeError
from wgs_east.acmg.combine import CLASSES, Combined, combine, combine_counts, combine_frame

__all__ = ["CLASSES", "Combined", "EvidenceCodeError", "combine", "combine_counts", "combine_frame"]
