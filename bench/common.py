"""Shared helpers of the benchmarks in bench/: machine facts, versions, timed runs, result files.

Every benchmark writes ``bench/results/<name>.json`` with :func:`write_result`, which adds the common
envelope (machine, versions, repetitions, time of the run). A result's ``summary`` is a list of rows
(:func:`row`) that ``bench/run_all.py`` puts into ``bench/results/SUMMARY.md`` as they are: the headline
figures of a benchmark belong there, and only there do README figures come from.

Timed runs (:func:`run_timed`) measure the wall time of a command and, like ``/usr/bin/time``, the
user + system CPU time of its whole process tree and the peak resident set size of its largest
process (``os.wait4`` on the child: the rusage of the child and all the descendants it waited for).
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "bench" / "work"  # scratch output directories (git-ignored)
BIN = Path(sys.executable).parent  # the venv's bin/ when run as .venv/bin/python
WGS_EAST = str(BIN / "wgs-east")
TEST_CONFIG = ROOT / "config" / "test.yaml"
GNU_TIME = "/usr/bin/time"  # Debian package `time` (scripts/test_tools.tsv)

if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))


# --- machine and versions -------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_facts() -> dict[str, Any]:
    """Cores (online and usable by this process), memory, CPU model, OS."""
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        mem = 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cores": usable,
        "cores_online": os.cpu_count(),
        "memory_gib": round(mem / 2**30, 1),
        "cpu": _cpu_model(),
        "platform": platform.platform(),
    }


def tool_version(tool: str) -> str | None:
    """The version an external tool reports (the queries of `wgs_east.provenance`), None if absent."""
    from wgs_east.provenance import TOOL_QUERIES, query_tool_version

    if tool in TOOL_QUERIES:
        return query_tool_version(tool)
    path = shutil.which(tool)
    if path is None:
        return None
    proc = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"\d+(\.\d+)+\S*", proc.stdout + proc.stderr)
    return match.group(0) if match else "unknown"


def versions(tools: Sequence[str] = ()) -> dict[str, str | None]:
    """Versions of Python, wgs-east, the main Python libraries (those installed) and the given tools."""
    from importlib import metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    for dist in ("wgs-east", "snakemake", "pydantic", "numpy", "pandas"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    for tool in tools:
        out[tool] = tool_version(tool)
    return out


def git_commit() -> str | None:
    proc = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    if proc.returncode != 0:
        return None
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "--", ".",
                            ":!bench/results"], capture_output=True, text=True).stdout.strip()  # fmt: skip  # results: ours
    return proc.stdout.strip() + ("+uncommitted changes" if dirty else "")


# --- statistics ------------------------------------------------------------------------------------


def stats(values: Sequence[float], digits: int = 3) -> dict[str, Any]:
    """n, median, min, max and every value (rounded)."""
    if not values:
        raise ValueError("no values")
    return {
        "n": len(values),
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "values": [round(v, digits) for v in values],
    }


# --- timed runs ------------------------------------------------------------------------------------


def busy_cpu_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat), None where unknown."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    """One timed command: wall seconds, CPU seconds (user + system, whole process tree), peak RSS, and
    the CPU seconds other processes of the machine used meanwhile (noise: should be near 0)."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    returncode: int
    other_cpu_s: float | None = None

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "wall_s": round(self.wall_s, 3),
            "cpu_s": round(self.cpu_s, 3),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "returncode": self.returncode,
            "other_cpu_s": None if self.other_cpu_s is None else round(self.other_cpu_s, 1),
        }


def run_timed(
    cmd: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
    check: bool = True,
) -> Run:
    """Run ``cmd`` (stdout + stderr to ``log``, or discarded) and measure it as /usr/bin/time does.

    The peak RSS comes from GNU time (``/usr/bin/time -f %M``) run around the command: a process's
    ``ru_maxrss`` counts the memory of the process it was forked from (here the benchmark's Python, which
    may hold a generated data set), so only a small process in between measures the command alone."""
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    rss_file = tempfile.NamedTemporaryFile(prefix="wgs-east-bench-rss-", delete=False)  # noqa: SIM115
    rss_file.close()
    try:
        busy0 = busy_cpu_seconds()
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [GNU_TIME, "-f", "%M", "-o", rss_file.name, *cmd], cwd=cwd, env=dict(env) if env else None,
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        rss_kb = int(Path(rss_file.name).read_text().split()[-1])
    finally:
        if log:
            out.close()  # type: ignore[union-attr]
        os.unlink(rss_file.name)
    busy1 = busy_cpu_seconds()
    cpu = usage.ru_utime + usage.ru_stime
    other = None if busy0 is None or busy1 is None else max(0.0, busy1 - busy0 - cpu)
    run = Run(wall, cpu, rss_kb / 1024, proc.returncode, other)
    if check and run.returncode != 0:
        where = f"; output in {log}" if log else ""
        raise RuntimeError(f"command failed with exit code {run.returncode}: {' '.join(cmd)}{where}")
    return run


def other_cpu(runs: Sequence[Run]) -> float | None:
    """Median CPU seconds that other processes used during the runs (None where unknown)."""
    values = [r.other_cpu_s for r in runs if r.other_cpu_s is not None]
    return round(statistics.median(values), 1) if values else None


def tool_env() -> dict[str, str]:
    """The environment of a benchmark's commands: the venv's bin/ first on PATH (python, wgs-east)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    # as on a user's machine: Python reuses the bytecode it compiled (some sandboxes set this to 1, so that
    # every timed Python process would compile wgs-east's modules again)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compile_package() -> None:
    """Byte-compile wgs-east's modules (src/) before timing, so that no timed run pays for compiling them."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True,
                   env=tool_env(), stdout=subprocess.DEVNULL)  # fmt: skip


def fresh_dir(path: Path) -> Path:
    """An empty directory at ``path`` (removed first if it exists)."""
    if path.exists():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


# --- results ---------------------------------------------------------------------------------------


def row(metric: str, value: Any, unit: str = "", note: str = "") -> dict[str, Any]:
    """One line of a result's ``summary`` (shown in SUMMARY.md as metric | value | unit | note)."""
    return {"metric": metric, "value": value, "unit": unit, "note": note}


def write_result(
    name: str,
    data: Mapping[str, Any],
    *,
    repetitions: int,
    summary: Sequence[Mapping[str, Any]],
    tools: Sequence[str] = (),
    title: str | None = None,
    started: float | None = None,
) -> Path:
    """Write ``bench/results/<name>.json``: envelope (machine, versions, repetitions, date, commit,
    total seconds) + the benchmark's own ``data`` + its ``summary`` rows. Returns the path."""
    result: dict[str, Any] = {
        "benchmark": name,
        "title": title or name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "machine": machine_facts(),
        "versions": versions(tools),
        "repetitions": repetitions,
    }
    if started is not None:
        result["benchmark_seconds"] = round(time.perf_counter() - started, 1)
    result["summary"] = list(summary)
    result.update(data)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    tmp.replace(path)
    return path


# --- output checks ---------------------------------------------------------------------------------

VARIANT_FORMAT = r"%CHROM\t%POS\t%REF\t%ALT\t%QUAL\t%FILTER[\t%SAMPLE=%GT]\n"


def variant_fingerprint(vcf: Path) -> dict[str, Any]:
    """Records and genotypes of a VCF (CHROM POS REF ALT QUAL FILTER, every sample's GT; the header is
    left out: it names the command and the time): the number of records and the sha256 of that text."""
    import hashlib

    proc = subprocess.run(
        ["bcftools", "query", "-f", VARIANT_FORMAT, str(vcf)], capture_output=True, check=True
    )
    return {"records": proc.stdout.count(b"\n"), "sha256": hashlib.sha256(proc.stdout).hexdigest()}
