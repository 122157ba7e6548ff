"""Sex inference (X/Y depth, X heterozygosity from allele depths) and the contamination estimate."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wgs_east.config.models import SexCheck
from wgs_east.qc import contamination as con
from wgs_east.qc import sex

S = SexCheck()


def test_allele_balance_counts() -> None:
    # columns: a female (balanced), a male (all alt), a sample with low depth / missing AD
    ref = np.array([[10, 0, 2], [0, 1, -1], [12, 0, 3], [20, 0, 0]])
    alt = np.array([[10, 20, 2], [25, 30, -1], [8, 15, 3], [0, 0, 0]])
    counts = sex.AlleleBalanceCounts(3)
    counts.add(ref, alt)
    assert counts.carried.tolist() == [3, 3, 0]  # the last row carries no alt; depth < 10 not counted
    assert counts.balanced.tolist() == [2, 0, 0]
    frac = counts.fraction()
    assert frac[0] == pytest.approx(2 / 3) and frac[1] == 0 and math.isnan(frac[2])


@pytest.mark.parametrize(
    ("x_ratio", "y_ratio", "x_het", "sites", "inferred", "x_copies"),
    [
        (0.5, 0.5, 0.0, 100, "male", "1"),
        (1.0, 0.0, 0.6, 100, "female", "2"),
        (1.0, 0.0, float("nan"), 0, "female", "2"),  # no X SNVs: depth alone decides
        (1.0, 0.0, 0.0, 5, "female", "2"),  # too few X SNVs: heterozygosity not used
        (0.5, 0.0, 0.0, 100, "ambiguous", "1"),  # X0-like
        (1.0, 0.5, 0.6, 100, "ambiguous", "2"),  # XXY-like
        (1.0, 0.0, 0.0, 100, "ambiguous", "?"),  # depth says 2 X, heterozygosity says 1
        (0.75, 0.0, 0.6, 100, "ambiguous", "?"),  # intermediate X depth
        (0.5, 0.1, 0.0, 100, "ambiguous", "1"),  # intermediate Y depth
    ],
)
def test_infer_sex(x_ratio: float, y_ratio: float, x_het: float, sites: int, inferred: str, x_copies: str) -> None:
    call = sex.infer_sex(x_ratio, y_ratio, x_het, sites, S)
    assert (call.inferred, call.x_copies) == (inferred, x_copies)


def test_sex_check_levels_and_messages() -> None:
    male = sex.infer_sex(0.5, 0.5, 0.0, 100, S)
    level, msg = sex.sex_check("female", male)
    assert level == "FAIL"
    assert msg.startswith("declared female but inferred male (X/autosome depth 0.50, Y/autosome depth 0.500")
    assert sex.sex_check("male", male)[0] == "PASS"
    level, msg = sex.sex_check("unknown", male)
    assert level == "PASS" and "declared unknown, inferred male" in msg
    xxy = sex.infer_sex(1.0, 0.5, 0.5, 100, S)
    level, msg = sex.sex_check("male", xxy)
    assert level == "WARN" and "XXY-like" in msg


def test_sex_settings_validation() -> None:
    with pytest.raises(ValueError, match="x_ratio_one_copy_max"):
        SexCheck(x_ratio_one_copy_max=0.9, x_ratio_two_copies_min=0.8)
    with pytest.raises(ValueError, match="y_ratio_absent_max"):
        SexCheck(y_ratio_absent_max=0.2)


def test_leave_one_out_frequency() -> None:
    gt = np.array([[2, 0, 0, -1], [1, 1, 1, 1]])
    p = con.leave_one_out_alt_frequency(gt)
    assert p[0, 0] == pytest.approx((0 + 1) / (4 + 2))  # the others: 0/0, 0/0, missing
    assert p[0, 1] == pytest.approx((2 + 1) / (4 + 2))
    assert p[1, 3] == pytest.approx((3 + 1) / (6 + 2))
    assert con.leave_one_out_alt_frequency(np.array([[2]]))[0, 0] == 0.5  # a batch of one


def simulate_contamination(alpha: float, n_sites: int = 3000, depth: int = 30, seed: int = 3):  # noqa: ANN201
    """Hom-alt sites of sample 0, contaminated by an unrelated sample of the same population; four
    other samples of the batch inform the allele frequency."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.3, 0.95, n_sites)
    others = rng.binomial(2, p[:, None], (n_sites, 4))
    contaminant = rng.binomial(2, p)
    dp = rng.poisson(depth, n_sites)
    from_contaminant = rng.binomial(dp, alpha)
    ref = rng.binomial(from_contaminant, (2 - contaminant) / 2)
    gt = np.column_stack([np.full(n_sites, 2), others]).astype(np.int8)
    ref_ad = np.column_stack([ref, np.zeros((n_sites, 4), int)])
    alt_ad = np.column_stack([dp - ref, np.full((n_sites, 4), 30)])
    return gt, ref_ad, alt_ad


@pytest.mark.parametrize("alpha", [0.0, 0.02, 0.05, 0.10])
def test_contamination_estimate_recovers_the_simulated_fraction(alpha: float) -> None:
    gt, ref_ad, alt_ad = simulate_contamination(alpha)
    acc = con.HomAltRefReads(gt.shape[1])
    acc.add(gt[:1500], ref_ad[:1500], alt_ad[:1500])
    acc.add(gt[1500:], ref_ad[1500:], alt_ad[1500:])
    est = acc.estimate(0)
    assert est["contamination"] == pytest.approx(alpha, abs=max(0.005, 0.15 * alpha))
    assert est["contamination_sites"] > 2500
    assert est["contamination_se"] < 0.01


def test_contamination_depth_window_drops_collapsed_repeats() -> None:
    gt = np.full((101, 1), 2, dtype=np.int8)
    ref_ad = np.zeros((101, 1), int)
    alt_ad = np.full((101, 1), 30)
    ref_ad[100, 0], alt_ad[100, 0] = 60, 60  # a 4x-depth site with a paralogous reference copy
    acc = con.HomAltRefReads(1)
    acc.add(gt, ref_ad, alt_ad)
    est = acc.estimate(0)
    assert est["contamination"] == 0 and est["contamination_sites"] == 100


def test_contamination_without_sites() -> None:
    acc = con.HomAltRefReads(1)
    acc.add(np.array([[1]], dtype=np.int8), np.array([[10]]), np.array([[10]]))
    est = acc.estimate(0)
    assert math.isnan(est["contamination"]) and est["contamination_sites"] == 0
