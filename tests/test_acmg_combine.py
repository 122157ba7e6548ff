"""Evidence codes and the combiner: Tavtigian 2020 points, Richards 2015 Table 5, vectorised versions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wgs_east.acmg import CLASSES, EvidenceCodeError, combine, combine_counts, combine_frame
from wgs_east.acmg.codes import (
    CRITERIA,
    MODERATE,
    STAND_ALONE,
    STRONG,
    SUPPORTING,
    VERY_STRONG,
    Code,
    format_code,
    parse_code,
    parse_codes,
)
from wgs_east.acmg.combine import cli_combine, points_to_class
from wgs_east.errors import WgsEastError

P, LP, VUS, LB, B = "Pathogenic", "Likely pathogenic", "Uncertain significance", "Likely benign", "Benign"


# --- codes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "criterion", "strength"),
    [
        ("PVS1", "PVS1", VERY_STRONG),
        ("PS1", "PS1", STRONG),
        ("PM2", "PM2", MODERATE),
        ("PP3", "PP3", SUPPORTING),
        ("BA1", "BA1", STAND_ALONE),
        ("BS1", "BS1", STRONG),
        ("BP4", "BP4", SUPPORTING),
        ("PM2_Supporting", "PM2", SUPPORTING),
        ("PP3_Strong", "PP3", STRONG),
        ("BP4_VeryStrong", "BP4", VERY_STRONG),
        ("bp4_very_strong", "BP4", VERY_STRONG),
        ("PS2_Moderate", "PS2", MODERATE),
        ("PVS1_Strong", "PVS1", STRONG),
        (" pm2_supporting ", "PM2", SUPPORTING),
    ],
)
def test_parse_code(text, criterion, strength):
    assert parse_code(text) == Code(criterion, strength)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("PX1", "unknown ACMG criterion"),
        ("PM7", "unknown ACMG criterion"),
        ("PM2_Huge", "unknown strength"),
        ("PM2_", "missing strength"),
        ("PP5", "retired"),
        ("BP6", "retired"),
        ("BA1_Strong", "stand-alone"),
        ("PS1_StandAlone", "only BA1"),
        ("", "empty"),
    ],
)
def test_bad_codes_raise_a_wgs_east_error_with_a_clear_message(text, message):
    with pytest.raises(EvidenceCodeError, match=message):
        parse_code(text)
    assert issubclass(EvidenceCodeError, WgsEastError)


def test_duplicate_criterion_is_an_error_even_at_different_strengths():
    with pytest.raises(EvidenceCodeError, match="PM2 given twice"):
        combine(["PM2", "PM2_Supporting"])
    with pytest.raises(EvidenceCodeError, match="given twice"):
        combine(["PVS1", "pvs1"])


def test_format_code_drops_default_strength_and_round_trips():
    assert format_code("PM2", SUPPORTING) == "PM2_Supporting"
    assert format_code("PVS1", VERY_STRONG) == "PVS1"
    assert format_code("BP4", VERY_STRONG) == "BP4_VeryStrong"
    for criterion in CRITERIA:
        for strength in range(1, 6):
            try:
                code = parse_code(format_code(criterion, strength))
            except EvidenceCodeError:
                assert (criterion == "BA1") != (strength == STAND_ALONE)
                continue
            assert code == Code(criterion, strength)


def test_codes_are_normalised_and_ordered():
    res = combine(["bp4", "pm2_supporting", "PP3_moderate", "PVS1_Strong"])
    assert res.codes == ("PVS1_Strong", "PP3_Moderate", "PM2_Supporting", "BP4")
    assert parse_codes("PVS1, PM2_Supporting") == (Code("PVS1", 4), Code("PM2", 1))


# --- Richards 2015 Table 5 ---------------------------------------------------------------------------

TABLE5 = [
    # Pathogenic (i) 1 Very strong and ...
    (["PVS1", "PS1"], P),  # (a) >= 1 strong
    (["PVS1", "PM1", "PM2"], P),  # (b) >= 2 moderate
    (["PVS1", "PM1", "PP1"], P),  # (c) 1 moderate and 1 supporting
    (["PVS1", "PP1", "PP2"], P),  # (d) >= 2 supporting
    (["PS1", "PS3"], P),  # (ii) >= 2 strong
    (["PS1", "PM1", "PM2", "PM4"], P),  # (iii)(a) 1 strong and >= 3 moderate
    (["PS1", "PM1", "PM2", "PP1", "PP2"], P),  # (iii)(b) 2 moderate and >= 2 supporting
    (["PS1", "PM1", "PP1", "PP2", "PP3", "PP4"], P),  # (iii)(c) 1 moderate and >= 4 supporting
    # Likely pathogenic
    (["PVS1", "PM1"], LP),  # (i) 1 very strong and 1 moderate
    (["PS1", "PM1"], LP),  # (ii) 1 strong and 1-2 moderate
    (["PS1", "PM1", "PM2"], LP),
    (["PS1", "PP1", "PP2"], LP),  # (iii) 1 strong and >= 2 supporting
    (["PM1", "PM2", "PM4"], LP),  # (iv) >= 3 moderate
    (["PM1", "PM2", "PP1", "PP2"], LP),  # (v) 2 moderate and >= 2 supporting
    (["PM1", "PP1", "PP2", "PP3", "PP4"], LP),  # (vi) 1 moderate and >= 4 supporting
    # Benign
    (["BA1"], B),  # (i) stand-alone
    (["BS1", "BS2"], B),  # (ii) >= 2 strong
    # Likely benign
    (["BS1", "BP1"], LB),  # (i) 1 strong and 1 supporting
    (["BP1", "BP4"], LB),  # (ii) >= 2 supporting
    # Uncertain: not enough ...
    (["PVS1"], VUS),
    (["PVS1", "PP1"], VUS),
    (["PS1", "PP1"], VUS),
    (["PM1", "PM2"], VUS),
    (["PM1", "PM2", "PP1"], VUS),
    (["PM1", "PP1", "PP2", "PP3"], VUS),
    (["PP1", "PP2", "PP3", "PP4"], VUS),
    (["BS1"], VUS),
    (["BP1"], VUS),
    ([], VUS),
    # ... or contradictory
    (["PVS1", "PS1", "BS1", "BS2"], VUS),  # P and B
    (["PVS1", "PS1", "BP1", "BP4"], VUS),  # P and LB
    (["PM1", "PM2", "PM4", "BS1", "BP1"], VUS),  # LP and LB
    (["PVS1", "PS1", "BA1"], VUS),  # P and B(BA1)
]


@pytest.mark.parametrize(("codes", "expected"), TABLE5, ids=[" ".join(c) or "none" for c, _ in TABLE5])
def test_richards_2015_table5(codes, expected):
    assert combine(codes).acmg2015 == expected


def test_one_code_short_of_each_pathogenic_rule_is_not_met():
    assert combine(["PS1", "PM1", "PM2", "PP1"]).acmg2015 == LP  # iii(b) needs 2 supporting
    assert combine(["PS1", "PM1", "PP1", "PP2", "PP3"]).acmg2015 == LP  # iii(c) needs 4 supporting


def test_2015_rules_count_the_applied_strength():
    assert combine(["PVS1", "PM2"]).acmg2015 == LP
    assert combine(["PVS1", "PM2_Supporting"]).acmg2015 == VUS  # supporting, not moderate
    assert combine(["PS1", "PP3_Strong"]).acmg2015 == P  # two strong
    assert combine(["PM1", "PM2", "PP3_Moderate"]).acmg2015 == LP  # three moderate
    assert combine(["BS1", "BP4_Strong"]).acmg2015 == B  # two benign strong
    assert combine(["BP1", "BP4_Moderate"]).acmg2015 == LB  # benign moderate counts as supporting
    assert combine(["BS1", "BP4_VeryStrong"]).acmg2015 == B  # benign very strong counts as strong
    assert combine(["PVS1", "PS2_VeryStrong"]).acmg2015 == P  # second very strong counts as strong


# --- Tavtigian 2020 points ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codes", "points", "expected"),
    [
        (["BS1", "BP4_Moderate", "BP1"], -7, B),
        (["BS1", "BP4_Moderate"], -6, LB),
        (["BP1"], -1, LB),
        ([], 0, VUS),
        (["PP1", "BP1"], 0, VUS),
        (["PS1", "PP1"], 5, VUS),
        (["PS1", "PM1"], 6, LP),
        (["PVS1", "PP1"], 9, LP),
        (["PVS1", "PM1"], 10, P),
    ],
)
def test_point_band_boundaries(codes, points, expected):
    res = combine(codes)
    assert res.points == points
    assert res.classification == expected


def test_points_to_class_over_a_range():
    pts = np.arange(-20, 21)
    cls = points_to_class(pts)
    expected = [0 if p <= -7 else 1 if p <= -1 else 2 if p <= 5 else 3 if p <= 9 else 4 for p in pts]
    assert cls.tolist() == expected


def test_ba1_classifies_benign_whatever_else_and_notes_the_conflict():
    res = combine(["PVS1", "PS1", "PM1", "BA1"])
    assert res.points == 8 + 4 + 2 - 8
    assert res.classification == B
    assert res.acmg2015 == VUS  # contradictory under 2015 rules
    assert res.conflict
    assert any("BA1 classifies Benign despite pathogenic evidence" in n for n in res.notes)
    alone = combine(["BA1"])
    assert (alone.classification, alone.acmg2015, alone.conflict, alone.notes) == (B, B, False, ())


def test_conflict_flag_is_disagreement_of_the_two_systems():
    res = combine(["PVS1", "PM2_Supporting"])
    assert (res.points, res.classification, res.acmg2015, res.conflict) == (9, LP, VUS, True)
    same = combine(["PVS1", "PS1"])
    assert (same.classification, same.acmg2015, same.conflict) == (P, P, False)


def test_result_is_frozen():
    res = combine(["PM2_Supporting"])
    with pytest.raises(AttributeError):
        res.points = 3  # type: ignore[misc]


# --- vectorised ------------------------------------------------------------------------------------


def test_combine_frame_matches_scalar_and_keeps_index():
    counts = pd.DataFrame({"pvs": [1, 1, 0, 0], "pm": [0, 1, 0, 0], "pp": [1, 0, 0, 0], "ba": [0, 0, 1, 0],
                           "bs": [0, 0, 0, 2]}, index=list("abcd"))  # fmt: skip
    out = combine_frame(counts)
    assert out.index.tolist() == list("abcd")
    assert out["points"].tolist() == [9, 10, -8, -8]
    assert out["classification"].tolist() == [LP, P, B, B]
    assert out["acmg2015"].tolist() == [VUS, LP, B, B]
    assert out["conflict"].tolist() == [True, True, False, False]
    assert out["classification"].cat.ordered
    with pytest.raises(EvidenceCodeError, match="unknown count columns"):
        combine_frame(pd.DataFrame({"pvx": [1]}))


def test_combine_counts_rejects_negative_counts():
    with pytest.raises(EvidenceCodeError):
        combine_counts(pp=np.array([-1]))


def test_combine_counts_handles_a_million_variants_quickly():
    rng = np.random.default_rng(1)
    n = 1_000_000
    counts = {k: rng.integers(0, 3, size=n) for k in ("pvs", "ps", "pm", "pp", "bs", "bp")}
    res = combine_counts(**counts)
    assert res.points.shape == (n,)
    assert set(np.unique(res.classification)) <= set(range(5))


# --- properties ------------------------------------------------------------------------------------

PATHOGENIC_CODES = [
    f"{c}_{s}" for c in CRITERIA if c.startswith("P") for s in ("Supporting", "Moderate", "Strong", "VeryStrong")
]
ALL_CODES = PATHOGENIC_CODES + [
    f"{c}_{s}" for c in CRITERIA if c.startswith("BS") or c.startswith("BP")
    for s in ("Supporting", "Moderate", "Strong", "VeryStrong")
] + ["BA1"]  # fmt: skip


def _unique_criteria(codes: list[str]) -> list[str]:
    seen, out = set(), []
    for code in codes:
        crit = code.split("_")[0]
        if crit not in seen:
            seen.add(crit)
            out.append(code)
    return out


code_sets = st.lists(st.sampled_from(ALL_CODES), max_size=10).map(_unique_criteria)


@given(code_sets, code_sets)
@settings(max_examples=200, deadline=None)
def test_points_are_additive_over_disjoint_code_sets(a, b):
    crit_a = {c.split("_")[0] for c in a}
    b = [c for c in b if c.split("_")[0] not in crit_a]
    assert combine(a + b).points == combine(a).points + combine(b).points


@given(st.lists(st.integers(-30, 30), min_size=2, max_size=50))
def test_class_is_monotone_in_points(points):
    pts = np.sort(np.array(points))
    cls = points_to_class(pts)
    assert (np.diff(cls.astype(int)) >= 0).all()


def _other_criteria(codes: list[str], pool: list[str]) -> list[str]:
    """The codes of ``pool`` whose criterion is not among ``codes`` (adding one of them is new evidence)."""
    used = {c.split("_")[0] for c in codes}
    return [c for c in pool if c.split("_")[0] not in used]


# every example reaches the assert: the extra code is drawn from the criteria not yet met (at most 10 of
# the 16 pathogenic criteria are), BA1 is left out of the starting set (stand-alone Benign)
codes_without_ba1 = st.lists(st.sampled_from([c for c in ALL_CODES if c != "BA1"]), max_size=10).map(_unique_criteria)


@given(codes_without_ba1, st.data())
@settings(max_examples=200, deadline=None)
def test_adding_pathogenic_evidence_never_lowers_the_points_class(codes, data):
    extra = data.draw(st.sampled_from(_other_criteria(codes, PATHOGENIC_CODES)))
    before = CLASSES.index(combine(codes).classification)
    after = CLASSES.index(combine(codes + [extra]).classification)
    assert combine(codes + [extra]).points > combine(codes).points
    assert after >= before


@given(st.lists(st.sampled_from(PATHOGENIC_CODES), max_size=8).map(_unique_criteria), st.data())
@settings(max_examples=200, deadline=None)
def test_2015_rules_are_monotone_for_pathogenic_evidence(codes, data):
    extra = data.draw(st.sampled_from(_other_criteria(codes, PATHOGENIC_CODES)))
    before = CLASSES.index(combine(codes).acmg2015)
    after = CLASSES.index(combine(codes + [extra]).acmg2015)
    assert after >= before


@given(st.lists(code_sets, min_size=1, max_size=30))
@settings(max_examples=50, deadline=None)
def test_vectorised_combine_equals_scalar(sets):
    from wgs_east.acmg.combine import count_codes

    counts = [count_codes(parse_codes(s)) for s in sets]
    frame = combine_frame(pd.DataFrame(counts))
    for i, s in enumerate(sets):
        one = combine(s)
        assert frame["points"].iloc[i] == one.points
        assert frame["classification"].iloc[i] == one.classification
        assert frame["acmg2015"].iloc[i] == one.acmg2015
        assert bool(frame["conflict"].iloc[i]) == one.conflict


# --- CLI -------------------------------------------------------------------------------------------


def test_cli_combine_prints_a_readable_result(capsys):
    assert cli_combine(["PVS1", "PM2_Supporting"]) == 0
    out = capsys.readouterr().out
    assert "points:         9" in out
    assert "classification: Likely pathogenic" in out
    assert "ACMG 2015:      Uncertain significance" in out
    assert "conflict:       yes" in out


def test_cli_combine_bad_code_is_exit_2_through_the_cli(capsys):
    from wgs_east.cli import main

    assert main(["acmg", "combine", "PVS1", "PM2_Supporting"]) == 0
    assert "Likely pathogenic" in capsys.readouterr().out
    assert main(["acmg", "combine", "PVS1", "PQ9"]) == 2
    assert "unknown ACMG criterion" in capsys.readouterr().err
