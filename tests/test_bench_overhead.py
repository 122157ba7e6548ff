"""bench/baseline.sh runs the workflow's own commands: the same multiset as a dry run of `wgs-east run` for
the baseline's deliverables (bench/bench_overhead.py refuses to measure otherwise, so a rule changed without
the baseline must fail here, in `make test`, not only in `make bench`)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import bench_overhead as bo  # noqa: E402

from tests.conftest import TEST_CONFIG  # noqa: E402


def test_baseline_runs_the_workflows_commands(tmp_path: Path) -> None:
    _, samples, targets = bo.deliverables(TEST_CONFIG)
    workflow = bo.workflow_commands(TEST_CONFIG, 2, targets, tmp_path / "dry-run")
    baseline = bo.baseline_commands(TEST_CONFIG, 2, tmp_path / "print")
    only_wf = [shlex.join(k)[:300] for k in (workflow - baseline)]
    only_bl = [shlex.join(k)[:300] for k in (baseline - workflow)]
    assert not only_wf and not only_bl, {"only in the workflow": only_wf, "only in baseline.sh": only_bl}
    rules = {k[0] for k in workflow}
    assert {"trim_reads", "account_reads", "map_reads", "call_variants", "joint_genotype"} <= rules
    assert sum(workflow.values()) > 3 * len(samples)  # every sample's jobs, not an empty dry run
