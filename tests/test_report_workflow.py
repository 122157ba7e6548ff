"""The clinical reports of the test genome (the session's pipeline run): which pages exist, and that what
they show is what the QC, classification and provenance files of the same run say."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import TEST_CONFIG
from wgs_east.config import load_batch
from wgs_east.config.models import Batch
from wgs_east.report.context import fmt_value

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def batch() -> Batch:
    return load_batch(TEST_CONFIG)


@pytest.fixture(scope="module")
def qc(pipeline_run: Path, batch: Batch) -> dict:
    return json.loads((pipeline_run / "qc" / f"{batch.batch}.qc.json").read_text())


def _page(pipeline_run: Path, name: str) -> str:
    return (pipeline_run / "reports" / f"{name}.html").read_text()


def test_one_report_per_affected_sample_and_the_batch_overview(pipeline_run: Path, batch: Batch) -> None:
    made = sorted(p.name for p in (pipeline_run / "reports").iterdir())
    affected = [s.id for s in batch.samples if s.affected]
    assert made == sorted([f"{batch.batch}.html", *(f"{s}.html" for s in affected)])


def test_sample_report_header_qc_and_provenance_match_the_run(
    pipeline_run: Path, batch: Batch, qc: dict
) -> None:
    html = _page(pipeline_run, "PROBAND1")
    q = next(s for s in qc["samples"] if s["sample"] == "PROBAND1")
    run = json.loads((pipeline_run / ".wgs-east" / "run.json").read_text())
    tools = json.loads((pipeline_run / "provenance" / "tools.json").read_text())
    assert f'<span class="verdict verdict-{q["verdict"].lower()}">{q["verdict"]}</span>' in html
    assert "declared <strong>female</strong>, inferred <strong>female</strong>" in html
    text = re.sub(r"\s+", " ", html)
    assert "HP:0001250" in html and "HP:0001263" in html and "FAM1: father FATHER1" in text
    assert run["config_sha256"] in html and run["git_commit"] in html
    for tool, version in tools.items():
        if version:
            assert f"{tool} {version}" in html
    assert fmt_value(q["metrics"]["median_depth"], "depth") in html
    assert html.count('src="data:image/svg+xml;base64,') == 1  # the coverage figure, inlined
    assert 'href="../qc/multiqc.html"' in html and (pipeline_run / "qc" / "multiqc.html").exists()


def test_candidate_table_is_the_classified_list(pipeline_run: Path, batch: Batch) -> None:
    for s in (s.id for s in batch.samples if s.affected):
        doc = json.loads((pipeline_run / "classified" / f"{s}.json").read_text())
        html = _page(pipeline_run, s)
        genes = re.findall(r'<tr class="variant [^"]*"[^>]* data-gene="([^"]*)"', html)
        assert genes == [v["gene"] for v in doc["variants"]], s
        if not doc["variants"]:
            assert 'id="no-candidates"' in html
    html = _page(pipeline_run, "PROBAND1")
    row = re.search(r'<tr class="variant [^"]*"[^>]* data-gene="SYNAD1".*?</tr>', html, re.S)
    assert row and "c.550C&gt;T" in row.group(0) and "de novo" in row.group(0)


def test_batch_overview_matches_qc_and_classification(pipeline_run: Path, batch: Batch, qc: dict) -> None:
    html = _page(pipeline_run, batch.batch)
    shown = dict(re.findall(r'data-sample="([^"]+)" data-verdict="([^"]+)"', html))
    assert shown == qc["verdicts"]
    counts = dict(re.findall(r'data-sample="([^"]+)" data-verdict="[^"]+" data-counts="([^"]+)"', html))
    expected = {}
    for s in (s.id for s in batch.samples if s.affected):
        listed = json.loads((pipeline_run / "classified" / f"{s}.json").read_text())["counts"][
            "classes_listed"
        ]
        expected[s] = (
            f"{listed['Pathogenic']},{listed['Likely pathogenic']},{listed['Uncertain significance']}"
        )
    assert counts == expected
    for s in expected:
        assert f'href="{s}.html"' in html
    assert 'href="../qc/multiqc.html"' in html
