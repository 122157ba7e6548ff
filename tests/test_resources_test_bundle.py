"""The committed test bundle (test_data/resources) is what the bundle workflow (resources/Snakefile, the one
a real GRCh38 build runs) makes of the committed synthetic upstream files (test_data/resources/upstream),
and those are what scripts/make_test_resources.py writes from the design: both rebuilt here and compared
record by record, so the committed bundle cannot drift from the workflow or from the design.

Compared: the decompressed text of every file, header lines included (nothing in them is dated at build
time: ClinVar's ``##fileDate`` comes from the upstream file, bcftools runs with ``--no-version``). Not
compared: the compressed bytes (bgzip output may differ between htslib versions), hence the manifest's
``sha256`` values (each checked against the committed file instead) and the tabix indexes (derived from the
compared content; that they open and agree is checked by reading each committed file through its index)."""

from __future__ import annotations

import gzip
import subprocess
import sys
import zipfile
from pathlib import Path

import pysam
import pytest
import yaml

from tests.conftest import REPO
from wgs_east.resources.check import sha256_of

sys.path.insert(0, str(REPO / "scripts"))

import make_test_resources  # noqa: E402

BUNDLE = REPO / "test_data" / "resources"
UPSTREAM = BUNDLE / "upstream"


def _text(path: Path) -> list[str]:
    """Lines of a file as the pipeline reads it: gzip/bgzip decompressed, a zip's members concatenated."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            return [line for name in sorted(zf.namelist()) for line in zf.read(name).decode().splitlines()]
    if path.suffix in (".gz", ".bgz"):
        with gzip.open(path, "rt") as fh:
            return fh.read().splitlines()
    return path.read_text().splitlines()


def _first_difference(made: list[str], committed: list[str]) -> str:
    for i, (a, b) in enumerate(zip(made, committed, strict=False)):
        if a != b:
            return f"line {i + 1}: rebuilt {a[:200]!r} != committed {b[:200]!r}"
    return f"rebuilt {len(made)} lines, committed {len(committed)}"


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle built by resources/Snakefile from the committed upstream files."""
    bundle = tmp_path_factory.mktemp("test_bundle") / "bundle"
    proc = make_test_resources.build_bundle(UPSTREAM, bundle)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return bundle


def test_upstream_files_are_what_the_script_writes(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_test_resources.py"), "--outdir", str(tmp_path / "b"),
                    "--upstream", str(tmp_path / "up"), "--upstream-only"], check=True, capture_output=True)  # fmt: skip
    made = sorted(p.name for p in (tmp_path / "up").iterdir())
    assert made == sorted(p.name for p in UPSTREAM.iterdir() if p.name != "README.md")
    for name in made:
        if name.endswith(".tbi"):
            continue
        a, b = _text(tmp_path / "up" / name), _text(UPSTREAM / name)
        assert a == b, f"{name}: {_first_difference(a, b)}"


def test_committed_bundle_is_what_the_workflow_builds(rebuilt: Path) -> None:
    files = make_test_resources.bundle_files(rebuilt)
    assert sorted(files) == sorted(make_test_resources.bundle_files(BUNDLE))
    for name in files:
        if name.endswith((".tbi", ".csi")) or name == "manifest.yaml":
            continue
        a, b = _text(rebuilt / name), _text(BUNDLE / name)
        assert a == b, f"{name}: {_first_difference(a, b)}"
    made, committed = (yaml.safe_load((d / "manifest.yaml").read_text()) for d in (rebuilt, BUNDLE))
    for data, where in ((made, rebuilt), (committed, BUNDLE)):
        for name, src in data["sources"].items():
            assert src.pop("sha256") == sha256_of(where / src["path"]), f"{where}: sources.{name}.sha256"
    assert made == committed


def test_committed_indexes_find_every_record() -> None:
    """Each committed tabix index returns, contig by contig, exactly the records of its file."""
    data = yaml.safe_load((BUNDLE / "manifest.yaml").read_text())
    indexed = [s["path"] for s in data["sources"].values() if (BUNDLE / f"{s['path']}.tbi").exists()]
    assert len(indexed) == 4  # gnomAD, ClinVar, REVEL, SpliceAI
    for name in indexed:
        body = [line for line in _text(BUNDLE / name) if not line.startswith("#")]
        with pysam.TabixFile(str(BUNDLE / name)) as tbx:
            fetched = [line for contig in tbx.contigs for line in tbx.fetch(contig)]
        assert fetched == body, name
