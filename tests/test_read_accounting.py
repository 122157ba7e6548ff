"""Read accounting (issue 19): the reads counted by the FASTQ check, read and written by fastp and found in
the unit's alignment agree, or the unit's job fails naming it. Unit tests of the accounting function and
two small real runs of the workflow up to the CRAM (one sample, two units)."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pysam
import pytest
import yaml

from tests.conftest import REPO, absolute_test_config, wgs_east_cmd
from wgs_east.qc.accounting import account
from wgs_east.qc.multiqc import accounting_section
from wgs_east.qc.reads import sample_metrics


def _fastp(reads_in: int, reads_out: int, **removed: int) -> dict[str, Any]:
    filtering = {"passed_filter_reads": reads_out, "low_quality_reads": 0, "too_many_N_reads": 0,
                 "too_short_reads": 0, "too_long_reads": 0}  # fmt: skip
    filtering.update(removed)
    return {
        "summary": {"before_filtering": {"total_reads": reads_in}, "after_filtering": {"total_reads": reads_out}},
        "filtering_result": filtering,
    }


def _flagstat(primary: int, mapped: int, secondary: int = 0) -> dict[str, Any]:
    return {
        "QC-passed reads": {"total": primary + secondary, "primary": primary, "primary mapped": mapped},
        "QC-failed reads": {"total": 0, "primary": 0, "primary mapped": 0},
    }


def test_all_reads_accounted() -> None:
    counts, problems = account(1000, _fastp(2000, 1980, low_quality_reads=20), _flagstat(1980, 1900, 50), 0.5)
    assert problems == []
    assert counts["reads_checked"] == 2000 and counts["reads_fastp_in"] == 2000
    assert counts["reads_fastp_out"] == 1980 and counts["reads_filtered"] == 20
    assert counts["reads_aligned"] == 1980 and counts["reads_mapped"] == 1900  # secondary not counted
    assert counts["filtered_fraction"] == pytest.approx(0.01)


def test_fastp_reading_nothing_is_a_lost_lane() -> None:
    # defect 1 as it was: a gzip file named .fastq, fastp read it as text, found 0 reads and exited 0
    _, problems = account(1000, _fastp(0, 0), _flagstat(0, 0), 0.5)
    assert len(problems) == 1
    assert "fastp read 0 reads, but the FASTQ check counted 1000 pairs (2000 reads): 2000 reads lost" in problems[0]


def test_filtering_above_the_configured_fraction_fails() -> None:
    fastp = _fastp(2000, 1000, too_short_reads=900, low_quality_reads=100)
    _, problems = account(1000, fastp, _flagstat(1000, 1000), 0.4)
    assert len(problems) == 1
    assert "removed 1000 of 2000 reads (50.0%; low_quality_reads 100, too_short_reads 900)" in problems[0]
    assert "qc.max_unit_read_loss = 0.4" in problems[0]
    assert account(1000, fastp, _flagstat(1000, 1000), 0.5)[1] == []  # at the limit: allowed


def test_reads_lost_between_trimming_and_alignment() -> None:
    _, problems = account(1000, _fastp(2000, 2000), _flagstat(1990, 1990), 0.5)
    assert problems == ["the alignment has 1990 primary reads, but fastp wrote 2000: 10 reads lost "
                        "between trimming and alignment"]  # fmt: skip


def test_filter_reasons_must_add_up() -> None:
    fastp = _fastp(2000, 1900)  # 100 reads removed, no reason counted
    _, problems = account(1000, fastp, _flagstat(1900, 1900), 0.5)
    assert len(problems) == 1 and "does not add up" in problems[0]


def test_sample_metrics_sum_the_unit_accounting() -> None:
    unit = {"reads_before": 10, "bases_before": 1, "q30_bases_before": 1, "reads_after": 8, "bases_after": 1,
            "q30_bases_after": 1, "adapter_trimmed_reads": 0}  # fmt: skip
    acc = {"reads_checked": 10, "reads_fastp_in": 10, "reads_fastp_out": 8, "reads_filtered": 2,
           "reads_aligned": 8, "reads_mapped": 7}  # fmt: skip
    m = sample_metrics({"L1": {**unit, **acc}, "L2": {**unit, **acc}})
    assert m["reads_checked"] == 20 and m["reads_aligned"] == 16 and m["reads_mapped"] == 14
    assert "reads_checked" not in sample_metrics({"L1": {**unit, **acc}, "L2": unit})  # not all units: left out
    section = accounting_section({"S1": {"L1": acc}})
    assert section["data"] == {"S1 L1": {k: acc[k] for k in section["headers"]}}


# --- the real workflow, one sample, up to its CRAM and read metrics ---------------------------------------
TARGETS = ("qc/metrics/PROBAND1.reads.json", "alignments/PROBAND1.cram")
REFERENCE = REPO / "test_data" / "reference" / "genome.fa"


def _head(src: str, dst: Path, pairs: int = 3000, gz: bool = True) -> str:
    """The first reads of a test FASTQ (keeps the runs short)."""
    with gzip.open(src, "rb") as fh:
        data = b"".join(line for _, line in zip(range(4 * pairs), fh, strict=False))
    dst.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return str(dst)


def _one_sample_config(tmp_path: Path) -> dict[str, Any]:
    """PROBAND1 alone (two units), its reads cut to 3000 pairs per unit."""
    data = absolute_test_config()
    data["samples"] = [s for s in data["samples"] if s["id"] == "PROBAND1"]
    s = data["samples"][0]
    s.pop("father"), s.pop("mother")
    for u in s["units"]:
        for field in ("fastq1", "fastq2"):
            u[field] = _head(u[field], tmp_path / Path(u[field]).name)
    data.pop("resources", None)
    return data


def _run(config: dict[str, Any], tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    path = tmp_path / "batch.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    outdir = tmp_path / "out"
    proc = subprocess.run(
        [*wgs_east_cmd(), "run", str(path), "--outdir", str(outdir), "--cores", "2", "--", *TARGETS],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return proc, outdir


@pytest.mark.slow
def test_misnamed_compression_and_quoted_path_lose_no_read(tmp_path: Path) -> None:
    """Defects 1, 5 and 8: a gzip R1 named `.fastq`, a plain-text R2 named `.fastq.gz`, and a unit in a
    directory whose name holds `"` and `\\`; every read reaches the CRAM and the QC counts say so."""
    config = _one_sample_config(tmp_path)
    l001, l002 = config["samples"][0]["units"]
    quoted = tmp_path / 'reads "run 7" \\ lane'
    quoted.mkdir()
    for field in ("fastq1", "fastq2"):
        l001[field] = str(shutil.move(l001[field], quoted))
    gz_named_plain = tmp_path / "PROBAND1_L002_R1.fastq"
    shutil.move(l002["fastq1"], gz_named_plain)
    plain_named_gz = tmp_path / "PROBAND1_L002_R2.plain.fastq.gz"
    _head(l002["fastq2"], plain_named_gz, gz=False)
    l002["fastq1"], l002["fastq2"] = str(gz_named_plain), str(plain_named_gz)

    proc, outdir = _run(config, tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    units = json.loads((outdir / "qc" / "metrics" / "PROBAND1.reads.json").read_text())["units"]
    for unit in ("L001", "L002"):
        u = units[unit]
        assert u["reads_checked"] == u["reads_fastp_in"] == u["reads_before"] > 0, unit
        assert u["reads_aligned"] == u["reads_fastp_out"] == u["reads_after"] >= 0.95 * u["reads_before"], unit
    assert units["L002"]["reads_checked"] == 2 * 3000
    primary = pysam.view("-c", "-F", "0x900", "-T", str(REFERENCE), str(outdir / "alignments" / "PROBAND1.cram"))
    assert int(primary) == units["L001"]["reads_after"] + units["L002"]["reads_after"]
    fastp_json = (outdir / "qc" / "fastp" / "PROBAND1" / "L001.fastp.json").read_text()
    assert str(quoted) not in fastp_json and json.loads(fastp_json)  # the user's path never reaches fastp
    assert not list((outdir / "work" / "trim").glob("*/*.in_R?.fastq*"))  # the symlinks are removed


@pytest.mark.slow
def test_unit_losing_too_many_reads_fails_naming_it(tmp_path: Path) -> None:
    """A unit whose reads fastp mostly removes (too short) stops the run; the message names the unit."""
    config = _one_sample_config(tmp_path)
    config["qc"] = {"max_unit_read_loss": 0.3}
    l002 = config["samples"][0]["units"][1]
    for field in ("fastq1", "fastq2"):
        short = tmp_path / f"short_{field}.fastq"
        with gzip.open(l002[field], "rb") as fh, short.open("wb") as out:
            for i, line in enumerate(fh):
                if i >= 4000:
                    break
                out.write(line[:10] + b"\n" if i % 2 == 1 and i < 2400 else line)  # 600 of 1000 reads: 10 bp
        l002[field] = str(short)
    proc, outdir = _run(config, tmp_path)
    assert proc.returncode == 1
    message = ("PROBAND1 unit L002: fastp's filters removed 1200 of 2000 reads (60.0%; too_short_reads 1200), "
               "more than qc.max_unit_read_loss = 0.3")  # fmt: skip
    assert message in (outdir / "logs" / "align" / "account_reads" / "PROBAND1" / "L002.log").read_text()
    assert "read accounting failed for sample PROBAND1, unit L002" in proc.stderr and message in proc.stderr
    assert not (outdir / "alignments" / "PROBAND1.cram").exists()
    assert not (outdir / "qc" / "read_accounting" / "PROBAND1" / "L002.json").exists()


@pytest.mark.slow
def test_every_unit_of_the_test_batch_is_accounted_for(pipeline_run: Path) -> None:
    """The session's run of config/test.yaml: counts per unit in the QC JSON, TSV and MultiQC table."""
    data = json.loads((pipeline_run / "qc" / "B001.qc.json").read_text())
    table = pd.read_csv(pipeline_run / "qc" / "B001.qc.tsv", sep="\t").set_index("sample")
    mqc = pd.read_csv(pipeline_run / "qc" / "multiqc_data" / "multiqc_wgs_east_read_accounting_table.txt", sep="\t")
    rows = 0
    for s in data["samples"]:
        for unit, u in s["units"].items():
            check = json.loads((pipeline_run / "qc" / "fastq_check" / s["sample"] / f"{unit}.json").read_text())
            assert u["reads_checked"] == 2 * check["read_pairs"] == u["reads_fastp_in"] == u["reads_before"] > 0
            assert u["reads_aligned"] == u["reads_fastp_out"] == u["reads_after"] >= u["reads_mapped"] > 0
            rows += 1
        cram = pipeline_run / "alignments" / f"{s['sample']}.cram"
        primary = int(pysam.view("-c", "-F", "0x900", "-T", str(REFERENCE), str(cram)))
        assert primary == sum(u["reads_aligned"] for u in s["units"].values()) == table.loc[s["sample"], "reads_aligned"]
        assert table.loc[s["sample"], "reads_checked"] == sum(u["reads_checked"] for u in s["units"].values())
    assert rows == 5 and len(mqc) == 5
    assert set(mqc["Sample"]) == {f"{s['sample']} {u}" for s in data["samples"] for u in s["units"]}
