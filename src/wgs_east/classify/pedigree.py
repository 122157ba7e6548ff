"""Who is classified and with which relatives: affected samples, their parents, and what QC says.

Only affected samples (``affected: true`` in the batch) get classified outputs. Each is classified with
its parents' genotypes when the parents are in the VCF. De novo evidence is PS2 only when QC
relatedness confirmed both parent-child relationships (``qc/{batch}.qc.json``, pair status PASS);
otherwise PM6, and the reason is written into the evidence trail. A QC FAIL never removes a sample:
its verdict is carried into every output.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wgs_east.config.models import Batch
from wgs_east.errors import InputError, Problem

QC_NOT_AVAILABLE = "NOT_AVAILABLE"


@dataclass(frozen=True)
class QcStatus:
    """QC facts about one sample as the classification uses them."""

    verdict: str
    """PASS, WARN, FAIL, or NOT_AVAILABLE (no QC result given)."""
    reasons: tuple[str, ...] = ()
    parentage_confirmed: bool = False
    parentage_note: str = ""
    """Why parentage is (not) confirmed; quoted in the PS2/PM6 trail."""
    kinship: dict[str, float] = field(default_factory=dict)
    """Observed kinship with each parent (QC relatedness)."""
    median_depth: dict[str, float] = field(default_factory=dict)
    """Median autosomal depth of the sample and its parents (QC coverage), for the relative DP gate."""


@dataclass(frozen=True)
class Proband:
    """An affected sample and its sequenced parents."""

    sample: str
    family: str
    sex: str
    father: str | None
    """Father's sample id when he is in the VCF, else None."""
    mother: str | None
    father_affected: bool
    mother_affected: bool
    phenotypes: tuple[str, ...]
    qc: QcStatus
    missing_parents: tuple[str, ...] = ()
    """Parents declared in the batch but absent from the VCF."""

    @property
    def male(self) -> bool:
        return self.sex == "male"

    @property
    def samples(self) -> list[str]:
        """The proband and its parents in the VCF, proband first."""
        return [s for s in (self.sample, self.father, self.mother) if s]

    def parent_note(self) -> str:
        """One line on which parents are available (for notes and the JSON)."""
        have = [f"father {self.father}" if self.father else "", f"mother {self.mother}" if self.mother else ""]
        have = [h for h in have if h]
        text = ("parents sequenced: " + ", ".join(have)) if have else "no parent sequenced"
        if self.missing_parents:
            text += f"; declared but not in the VCF: {', '.join(self.missing_parents)}"
        return text


def read_qc(path: Path | None) -> dict[str, Any] | None:
    """The QC JSON (``qc/{batch}.qc.json``) or None when not given. A given but unreadable file is an error."""
    if path is None:
        return None
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise InputError(path, [Problem("", "QC result not found")]) from None
    except (OSError, ValueError) as exc:
        raise InputError(path, [Problem("", f"not a readable QC JSON: {exc}")]) from None
    if not isinstance(data, dict) or "verdicts" not in data:
        raise InputError(path, [Problem("verdicts", "missing: not a wgs-east QC result (qc/{batch}.qc.json)")])
    return data


def _pair(qc: dict[str, Any], a: str, b: str) -> dict[str, Any] | None:
    for p in qc.get("pairs") or []:
        if {p.get("sample_a"), p.get("sample_b")} == {a, b}:
            return p
    return None


def median_depths(qc: dict[str, Any] | None, samples: list[str | None]) -> dict[str, float]:
    """Median autosomal depth (QC ``samples[].metrics.median_depth``) of the given samples that have one."""
    out: dict[str, float] = {}
    for s in (qc or {}).get("samples") or []:
        value = (s.get("metrics") or {}).get("median_depth")
        if s.get("sample") in samples and isinstance(value, int | float) and value > 0:
            out[str(s["sample"])] = float(value)
    return out


def qc_status(qc: dict[str, Any] | None, sample: str, father: str | None, mother: str | None) -> QcStatus:
    """Verdict of ``sample``, whether QC relatedness confirmed both parents, and the median depths."""
    from dataclasses import replace

    status = _qc_status(qc, sample, father, mother)
    return replace(status, median_depth=median_depths(qc, [sample, father, mother]))


def _qc_status(qc: dict[str, Any] | None, sample: str, father: str | None, mother: str | None) -> QcStatus:
    if qc is None:
        return QcStatus(
            QC_NOT_AVAILABLE,
            ("no QC result given",),
            False,
            "parentage not confirmed: no QC relatedness result was given (treated as unconfirmed)",
        )
    verdict = (qc.get("verdicts") or {}).get(sample, QC_NOT_AVAILABLE)
    reasons: tuple[str, ...] = ()
    for s in qc.get("samples") or []:
        if s.get("sample") == sample:
            reasons = tuple(f"{r.get('level')} {r.get('check')}: {r.get('message')}" for r in s.get("reasons") or [])
    if verdict == QC_NOT_AVAILABLE:
        reasons = (f"sample {sample} not in the QC result",)
    missing = [role for role, pid in (("father", father), ("mother", mother)) if pid is None]
    if missing:
        note = f"parentage not confirmed: {' and '.join(missing)} not sequenced"
        return QcStatus(verdict, reasons, False, note)
    kinship: dict[str, float] = {}
    problems = []
    for role, pid in (("father", father), ("mother", mother)):
        p = _pair(qc, sample, pid)  # type: ignore[arg-type]
        if p is None:
            problems.append(f"{role} {pid}: no relatedness result")
            continue
        if p.get("kinship") is not None:
            kinship[str(pid)] = float(p["kinship"])
        if p.get("status") != "PASS" or p.get("expected_relationship") != "parent-child":
            problems.append(f"{role} {pid}: {p.get('status')} ({p.get('message')})")
    if problems:
        return QcStatus(verdict, reasons, False, "parentage not confirmed by QC relatedness: " + "; ".join(problems), kinship)
    shown = ", ".join(f"{pid} kinship {k:.3f}" for pid, k in kinship.items())
    return QcStatus(verdict, reasons, True, f"parentage confirmed by QC relatedness ({shown})", kinship)


def probands(batch: Batch, vcf_samples: list[str], qc: dict[str, Any] | None, only: list[str] | None = None) -> list[Proband]:
    """Affected samples of the batch (or the ``only`` subset) with their parents in the VCF.

    Raises InputError when a requested sample is not affected or not in the VCF.
    """
    present = set(vcf_samples)
    affected = [s for s in batch.samples if s.affected]
    problems: list[Problem] = []
    if only:
        known = {s.id for s in batch.samples}
        for sid in only:
            if sid not in known:
                problems.append(Problem(f"--sample {sid}", "not a sample of the batch"))
            elif not batch.sample(sid).affected:
                problems.append(Problem(f"--sample {sid}", "not affected: only affected samples are classified"))
        affected = [s for s in affected if s.id in only]
    for s in affected:
        if s.id not in present:
            problems.append(Problem(s.id, "affected sample is not in the VCF"))
    if problems:
        raise InputError("classification samples", problems)
    out = []
    for s in affected:
        father = s.father if s.father in present else None
        mother = s.mother if s.mother in present else None
        missing = tuple(p for p in (s.father, s.mother) if p and p not in present)
        out.append(
            Proband(
                sample=s.id,
                family=s.family,
                sex=s.sex.value,
                father=father,
                mother=mother,
                father_affected=bool(father and batch.sample(father).affected),
                mother_affected=bool(mother and batch.sample(mother).affected),
                phenotypes=tuple(s.phenotypes),
                qc=qc_status(qc, s.id, father, mother),
                missing_parents=missing,
            )
        )
    return out
