"""Shared fixtures: a tiny valid batch written into a temporary directory, to be broken by tests."""

from __future__ import annotations

import copy
import gzip
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]


def write_fastq(path: Path, names: list[str], length: int = 50, seed: int = 1, gz: bool = True) -> None:
    rng = random.Random(seed)
    lines = []
    for name in names:
        seq = "".join(rng.choice("ACGT") for _ in range(length))
        lines += [f"@{name}", seq, "+", "I" * length]
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)


def write_fasta(path: Path, contigs: dict[str, int], seed: int = 2) -> None:
    rng = random.Random(seed)
    out = []
    for name, length in contigs.items():
        seq = "".join(rng.choice("ACGT") for _ in range(length))
        out.append(f">{name}")
        out += [seq[i : i + 60] for i in range(0, length, 60)]
    path.write_text("\n".join(out) + "\n")


class MiniBatch:
    """A valid 3-sample batch (trio) + one singleton, with real small files, editable as a dict."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "ref").mkdir()
        (root / "reads").mkdir()
        write_fasta(root / "ref" / "genome.fa", {"chr1": 600, "chrX": 300, "chrY": 120})
        samples = []
        specs = [
            ("KID1", "female", "FAM1", "DAD1", "MUM1", True),
            ("DAD1", "male", "FAM1", None, None, False),
            ("MUM1", "female", "FAM1", None, None, False),
            ("SOLO1", "male", "FAM2", None, None, True),
        ]
        for k, (sid, sex, fam, father, mother, affected) in enumerate(specs):
            names = [f"{sid}_r{i}" for i in range(20)]
            write_fastq(root / "reads" / f"{sid}_R1.fastq.gz", names, seed=10 * k)
            write_fastq(root / "reads" / f"{sid}_R2.fastq.gz", names, seed=10 * k + 1)
            s: dict[str, Any] = {
                "id": sid,
                "sex": sex,
                "family": fam,
                "affected": affected,
                "phenotypes": ["HP:0001250"] if affected else [],
                "units": [
                    {
                        "id": "L001",
                        "fastq1": f"reads/{sid}_R1.fastq.gz",
                        "fastq2": f"reads/{sid}_R2.fastq.gz",
                        "platform": "ILLUMINA",
                        "library": f"LIB_{sid}",
                    }
                ],
            }
            if father:
                s["father"] = father
            if mother:
                s["mother"] = mother
            samples.append(s)
        self.data: dict[str, Any] = {
            "batch": "MINI1",
            "reference": {"fasta": "ref/genome.fa", "build": "GRCh38", "sex_chromosomes": {"x": "chrX", "y": "chrY"}},
            "samples": samples,
        }

    def write(self, data: dict[str, Any] | None = None, name: str = "batch.yaml") -> Path:
        path = self.root / name
        path.write_text(yaml.safe_dump(self.data if data is None else data, sort_keys=False))
        return path

    def copy(self) -> dict[str, Any]:
        return copy.deepcopy(self.data)


@pytest.fixture
def mini(tmp_path: Path) -> MiniBatch:
    return MiniBatch(tmp_path)


@pytest.fixture
def run_cli() -> Callable[..., tuple[int, str, str]]:
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""
    import contextlib
    import io

    from wgs_east.cli import main

    def _run(*args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse usage errors
                code = int(exc.code or 0)
        return code, out.getvalue(), err.getvalue()

    return _run


TEST_CONFIG = REPO / "config" / "test.yaml"


def absolute_test_config() -> dict[str, Any]:
    """config/test.yaml as a dict with every path made absolute, to be edited and written elsewhere."""
    data = yaml.safe_load(TEST_CONFIG.read_text())
    base = TEST_CONFIG.parent

    def absolute(p: str) -> str:
        return str((base / p).resolve())

    data["reference"]["fasta"] = absolute(data["reference"]["fasta"])
    for s in data["samples"]:
        for u in s["units"]:
            u["fastq1"], u["fastq2"] = absolute(u["fastq1"]), absolute(u["fastq2"])
    if data.get("resources"):
        data["resources"] = absolute(data["resources"])
    return data


def wgs_east_cmd() -> list[str]:
    """The installed console script next to this interpreter (the venv's)."""
    import sys

    return [str(Path(sys.executable).parent / "wgs-east")]


def shared_session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory shared by every pytest-xdist worker of this session (the session's own basetemp
    without xdist)."""
    import os

    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real workflow, run once per test session on the test genome (config/test.yaml).

    Under pytest-xdist (`make test` runs two workers) the first worker to ask runs it while holding a
    lock; the others wait for it and read the same run, whose exit code and log tail it records."""
    import fcntl
    import json
    import subprocess

    shared = shared_session_dir(tmp_path_factory) / "pipeline"
    shared.mkdir(exist_ok=True)
    outdir, result = shared / "run", shared / "result.json"
    with open(shared / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not result.exists():
            proc = subprocess.run(
                [*wgs_east_cmd(), "run", str(TEST_CONFIG), "--outdir", str(outdir), "--cores", "2"],
                capture_output=True,
                text=True,
                check=False,
            )
            (shared / "run.log").write_text(proc.stdout + proc.stderr)
            tail = proc.stdout[-3000:] + proc.stderr[-5000:]
            result.write_text(json.dumps({"returncode": proc.returncode, "tail": tail}))
        done = json.loads(result.read_text())
    assert done["returncode"] == 0, done["tail"]
    return outdir


# Modules that take longest and mostly wait (the real-SLURM run polls its jobs): collected first, so that
# with two pytest-xdist workers (`make test`, `--dist loadfile --no-loadscope-reorder`) one of them starts
# with it while the other goes through the rest.
FIRST_MODULES = ("test_slurm.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name not in FIRST_MODULES)  # stable: the rest keep their order
