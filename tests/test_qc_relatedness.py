"""Relatedness: KING-robust kinship on simulated genotypes, pedigree expectations, mismatch findings."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wgs_east.config.models import Batch
from wgs_east.qc import relatedness as rel


def haplotypes(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    return (rng.random((2, len(p))) < p).astype(np.int8)


def child_of(rng: np.random.Generator, father: np.ndarray, mother: np.ndarray) -> np.ndarray:
    n = father.shape[1]
    pick = lambda h: h[rng.integers(0, 2, n), np.arange(n)]  # noqa: E731
    return np.stack([pick(father), pick(mother)])


def simulate_family(n_sites: int, seed: int = 1) -> tuple[list[str], np.ndarray]:
    """FATHER, MOTHER, CHILD1, CHILD2 (full sibs), UNREL, and DUP (a re-sequenced FATHER)."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.5, n_sites)
    f, m, u = haplotypes(rng, p), haplotypes(rng, p), haplotypes(rng, p)
    c1, c2 = child_of(rng, f, m), child_of(rng, f, m)
    names = ["FATHER", "MOTHER", "CHILD1", "CHILD2", "UNREL", "DUP"]
    gt = np.stack([h.sum(axis=0) for h in (f, m, c1, c2, u, f)], axis=1).astype(np.int8)
    return names, gt[gt.sum(axis=1) > 0]  # a VCF only has sites where somebody carries the variant


def kinship_of(names: list[str], gt: np.ndarray, chunk: int = 1000) -> dict[tuple[str, str], float]:
    counts = rel.KingCounts(len(names))
    for i in range(0, len(gt), chunk):  # accumulating over chunks gives the same as one pass
        counts.add(gt[i : i + chunk])
    return {(r["sample_a"], r["sample_b"]): r["kinship"] for r in rel.pair_table(names, counts)}


@pytest.mark.parametrize("n_sites", [600, 20_000])
def test_king_separates_relationships(n_sites: int) -> None:
    names, gt = simulate_family(n_sites)
    k = kinship_of(names, gt)
    tol = 0.08 if n_sites < 1000 else 0.02  # a few hundred SNVs, as on the test genome, still separate
    assert k[("FATHER", "CHILD1")] == pytest.approx(0.25, abs=tol)
    assert k[("MOTHER", "CHILD2")] == pytest.approx(0.25, abs=tol)
    assert k[("CHILD1", "CHILD2")] == pytest.approx(0.25, abs=tol + 0.03)
    assert k[("FATHER", "MOTHER")] == pytest.approx(0.0, abs=tol)
    assert k[("CHILD1", "UNREL")] == pytest.approx(0.0, abs=tol)
    assert k[("FATHER", "DUP")] == pytest.approx(0.5, abs=1e-9)
    assert rel.degree(k[("FATHER", "CHILD1")]) == rel.FIRST
    assert rel.degree(k[("CHILD1", "UNREL")]) == rel.UNRELATED


def test_missing_genotypes_are_left_out_pairwise() -> None:
    names, gt = simulate_family(5000)
    full = kinship_of(names, gt)
    holed = gt.copy()
    holed[::3, 2] = -1  # CHILD1 not genotyped at a third of the sites
    k = kinship_of(names, holed)
    assert k[("FATHER", "CHILD1")] == pytest.approx(full[("FATHER", "CHILD1")], abs=0.03)
    assert k[("FATHER", "MOTHER")] == full[("FATHER", "MOTHER")]


def test_ibs0_and_counts() -> None:
    names, gt = simulate_family(3000)
    counts = rel.KingCounts(len(names))
    counts.add(gt)
    rows = {(r["sample_a"], r["sample_b"]): r for r in rel.pair_table(names, counts)}
    assert rows[("FATHER", "CHILD1")]["ibs0"] == 0  # parent and child always share an allele
    assert rows[("CHILD1", "UNREL")]["ibs0"] > 0
    assert rows[("FATHER", "CHILD1")]["sites_both_genotyped"] == len(gt)


def test_no_heterozygous_site_gives_nan() -> None:
    counts = rel.KingCounts(2)
    counts.add(np.array([[0, 2], [2, 2]], dtype=np.int8))
    assert math.isnan(rel.pair_table(["A", "B"], counts)[0]["kinship"])


def pedigree(mini, edits: dict[str, dict]) -> Batch:  # noqa: ANN001
    data = mini.copy()
    for s in data["samples"]:
        s.update(edits.get(s["id"], {}))
    return Batch.model_validate(data, context={"base_dir": mini.root})


def test_expected_kinship_of_a_trio_and_a_singleton(mini) -> None:  # noqa: ANN001
    b = pedigree(mini, {"KID1": {"father": "DAD1", "mother": "MUM1"}})
    phi = rel.expected_kinship(b)
    assert phi[("KID1", "DAD1")] == phi[("DAD1", "KID1")] == 0.25
    assert phi[("DAD1", "MUM1")] == 0 and phi[("KID1", "SOLO1")] == 0
    assert phi[("KID1", "KID1")] == 0.5
    assert rel.expected_relationship(b, "KID1", "DAD1", 0.25) == "parent-child"
    assert rel.expected_relationship(b, "DAD1", "MUM1", 0.0) == "unrelated"


def test_expected_kinship_of_extended_pedigrees(mini) -> None:  # noqa: ANN001
    data = mini.copy()
    base = data["samples"][0]
    extra = [("GRANDPA", "male", None, None), ("SIB1", "female", "DAD1", "MUM1"),
             ("HALF1", "male", "DAD1", None), ("NIECE", "female", None, "SIB1")]  # fmt: skip
    for sid, sex, father, mother in extra:
        data["samples"].append({**base, "id": sid, "sex": sex, "father": father, "mother": mother,
                                "units": [{**base["units"][0]}]})  # fmt: skip
    for s in data["samples"]:
        if s["id"] == "DAD1":
            s["father"] = "GRANDPA"
    b = Batch.model_validate(data, context={"base_dir": mini.root})
    phi = rel.expected_kinship(b)
    assert phi[("KID1", "SIB1")] == 0.25  # full siblings
    assert phi[("KID1", "HALF1")] == 0.125  # half siblings
    assert phi[("KID1", "GRANDPA")] == 0.125
    assert phi[("KID1", "NIECE")] == 0.125  # a sibling's child
    assert rel.expected_relationship(b, "KID1", "SIB1", 0.25) == "full siblings"
    assert rel.expected_relationship(b, "KID1", "HALF1", 0.125) == "half siblings"
    assert rel.expected_relationship(b, "KID1", "GRANDPA", 0.125) == "second-degree"


@pytest.mark.parametrize(
    ("expected", "observed", "level", "text"),
    [
        (0.25, 0.24, "PASS", "observed kinship 0.240"),
        (0.0, 0.01, "PASS", "unrelated"),
        (0.0, 0.06, "PASS", "third-degree"),  # third degree vs unrelated is not flagged
        (0.25, 0.01, "FAIL", "sample swap or pedigree error"),
        (0.125, 0.0, "FAIL", "sample swap"),
        (0.0, 0.49, "FAIL", "duplicate or swapped sample"),
        (0.0, 0.25, "WARN", "undeclared relatives"),
        (0.25, 0.12, "WARN", "second-degree"),
    ],
)
def test_compare_pair(expected: float, observed: float, level: str, text: str) -> None:
    label = "parent-child" if expected == 0.25 else "unrelated"
    finding = rel.compare_pair(expected, label, observed, 400, 200)
    assert finding.level == level
    assert text in finding.message


def test_too_few_sites_is_not_assessable() -> None:
    finding = rel.compare_pair(0.25, "parent-child", 0.25, 50, 200)
    assert finding.level == "WARN" and "not assessable" in finding.message


def test_assess_pairs_flags_a_wrong_parent(mini) -> None:  # noqa: ANN001
    b = pedigree(mini, {"KID1": {"father": "DAD1", "mother": "MUM1"}})
    pairs = [
        {"sample_a": "DAD1", "sample_b": "KID1", "kinship": 0.01, "het_a": 300, "het_b": 300},
        {"sample_a": "KID1", "sample_b": "MUM1", "kinship": 0.26, "het_a": 300, "het_b": 300},
        {"sample_a": "KID1", "sample_b": "SOLO1", "kinship": 0.24, "het_a": 300, "het_b": 300},
        {"sample_a": "KID1", "sample_b": "OTHER", "kinship": 0.0, "het_a": 300, "het_b": 300},
    ]
    out = {(p["sample_a"], p["sample_b"]): p for p in rel.assess_pairs(b, pairs)}
    assert ("KID1", "OTHER") not in out  # not a sample of this batch
    assert out[("DAD1", "KID1")]["status"] == "FAIL"
    assert out[("KID1", "MUM1")]["status"] == "PASS"
    assert out[("KID1", "SOLO1")]["status"] == "WARN"
    assert out[("KID1", "SOLO1")]["observed_degree"] == "first-degree"
