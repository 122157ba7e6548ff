"""HPC execution: the profiles, the software-deployment envs, the SLURM job layout, and a real run of the
test batch through a throw-away single-node SLURM cluster on localhost (tests/slurm_cluster.py).

The cluster test needs root and the Debian packages of scripts/slurm_test.tsv (`make setup` as root
installs them); elsewhere it skips, and the reason shows in the test summary (`-ra`).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pysam
import pytest
import yaml

from tests.conftest import REPO, TEST_CONFIG, wgs_east_cmd
from tests.slurm_cluster import ACCOUNT, PARTITIONS, LocalSlurm, SlurmUnavailable, unavailable_reason

RULES = REPO / "workflow" / "rules"
ENVS = REPO / "workflow" / "envs"
PROFILES = REPO / "profiles"
RULE_RE = re.compile(r"^(\s*)rule (\w+):", re.M)
PIN_RE = re.compile(r"^[A-Za-z0-9_.\-]+(\[[^\]]*\])?=\d[\w.]*$")  # name=1.2.3 (exact version, no wildcard)

# the partition and account the SLURM run must reach sbatch with (set through the environment)
RUN_PARTITION = PARTITIONS[1]  # not the cluster's default partition
TARGET = "variants/B001.vcf.gz"


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_dag_scale", REPO / "bench" / "bench_dag_scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rule_blocks() -> dict[str, str]:
    """Text of every rule of the workflow (all files, both branches of `if` blocks), by name."""
    blocks = {}
    for path in [REPO / "workflow" / "Snakefile", *sorted(RULES.glob("*.smk"))]:
        text = path.read_text()
        starts = list(RULE_RE.finditer(text))
        for i, m in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
            blocks.setdefault(m.group(2), "")
            blocks[m.group(2)] += f"\n# {path.name}\n" + text[m.start() : end]
    return blocks


# --- software deployment ---------------------------------------------------------------------------


def test_every_rule_has_a_conda_env_that_exists() -> None:
    blocks = rule_blocks()
    assert len(blocks) > 20
    for name, block in blocks.items():
        if name == "all":  # the target rule runs nothing
            continue
        envs = re.findall(r"conda:\s*\n\s*\"([^\"]+)\"", block)
        assert envs, f"rule {name} has no conda: env"
        for env in envs:
            assert (RULES / env).resolve().parent == ENVS, f"rule {name}: {env} is not in workflow/envs/"
            assert (RULES / env).is_file(), f"rule {name}: {env} does not exist"


@pytest.mark.parametrize("env", sorted(p.name for p in ENVS.glob("*.yaml")))
def test_env_file_parses_and_pins_every_package(env: str) -> None:
    data = yaml.safe_load((ENVS / env).read_text())
    assert set(data) <= {"name", "channels", "dependencies"}, env
    assert data["channels"][:2] == ["conda-forge", "bioconda"], env
    deps = data["dependencies"]
    assert deps and all(isinstance(d, str) for d in deps), f"{env}: pip sections or empty dependencies"
    unpinned = [d for d in deps if not PIN_RE.match(d)]
    assert not unpinned, f"{env}: not pinned to one version: {unpinned}"


def test_every_env_file_is_used() -> None:
    used = {Path(e).name for b in rule_blocks().values() for e in re.findall(r"conda:\s*\n\s*\"([^\"]+)\"", b)}
    assert {p.name for p in ENVS.glob("*.yaml")} == used


# --- profiles -------------------------------------------------------------------------------------


def parse_profile(name: str, monkeypatch: pytest.MonkeyPatch, **env: str) -> dict:
    """The profile as Snakemake reads it (YTE evaluated, key=value lists), under the given environment."""
    from snakemake.profiles import ProfileConfigFileParser

    for var in [v for v in os.environ if v.startswith("WGS_EAST_")]:
        monkeypatch.delenv(var)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    with open(PROFILES / name / "profile.yaml") as fh:
        return dict(ProfileConfigFileParser().parse(fh))


def test_slurm_profile_takes_site_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    bare = parse_profile("slurm", monkeypatch)
    assert bare["executor"] == "slurm"
    assert not [r for r in bare["default-resources"] if r.startswith(("slurm_account", "slurm_partition", "qos"))]
    site = parse_profile(
        "slurm", monkeypatch, WGS_EAST_SLURM_ACCOUNT="lab-x", WGS_EAST_SLURM_PARTITION="long",
        WGS_EAST_SLURM_QOS="normal", WGS_EAST_SLURM_JOBS="25", WGS_EAST_SLURM_MAX_CORES="8",
    )  # fmt: skip
    assert {"slurm_account='lab-x'", "slurm_partition='long'", "qos='normal'"} <= set(site["default-resources"])
    assert (site["jobs"], site["cores"]) == ("25", "8")


def test_slurm_profile_names_real_rules_and_grows_memory_with_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = parse_profile("slurm", monkeypatch)
    rules = set(rule_blocks())
    grouped = {item.split("=")[0] for item in profile["groups"]}
    tuned = {re.split("[:=]", item)[0] for item in profile["set-resources"] + profile["set-threads"]}
    arrays = set(profile["slurm-array-jobs"].split(","))
    assert grouped | tuned | arrays <= rules, (grouped | tuned | arrays) - rules
    assert not grouped & arrays, "a grouped rule cannot be submitted as a job array"
    assert int(profile["retries"]) >= 1
    mems = [item for item in profile["set-resources"] if ":mem_mb=" in item]
    assert mems and all("attempt" in item for item in mems), mems


def test_local_profile_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = parse_profile("local", monkeypatch, WGS_EAST_LOCAL_MEM_MB="12000")
    assert profile["executor"] == "local"
    assert profile["resources"] == ["mem_mb=12000"]


def test_runner_applies_the_profile() -> None:
    from wgs_east.runner import snakemake_command

    out = Path("/tmp/x")
    local = snakemake_command(out, 4)
    assert local[local.index("--cores") + 1] == "4" and "--profile" not in local
    for kwargs in ({"profile": "slurm"}, {"executor": "slurm"}, {"profile": str(PROFILES / "slurm")}):
        cmd = snakemake_command(out, 4, **kwargs)
        assert cmd[cmd.index("--profile") + 1] == str(PROFILES / "slurm"), kwargs
        # on a cluster our --cores is what runs on this machine; the profile sets the cores per job
        assert "--cores" not in cmd and cmd[cmd.index("--local-cores") + 1] == "4", kwargs
    cmd = snakemake_command(out, 4, profile="local")
    assert cmd[cmd.index("--cores") + 1] == "4" and cmd[cmd.index("--profile") + 1] == str(PROFILES / "local")


# --- job layout (dry run) -------------------------------------------------------------------------


def dry_run(tmp_path: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "WGS_EAST_"))}
    proc = subprocess.run(
        [*wgs_east_cmd(), "run", str(TEST_CONFIG), "--outdir", str(tmp_path / "dry"), "--dry-run", *args],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def test_slurm_jobs_per_sample(tmp_path: Path) -> None:
    """One SLURM job per unit for trimming + mapping, one per sample for the CRAM and one for QC, one per
    family for the gVCFs, one for the reference steps and one for joint genotyping + batch QC; FASTQ
    checks, ploidy files and calling chunks as job arrays."""
    from wgs_east.config import load_batch

    batch = load_batch(TEST_CONFIG, check_inputs=False)
    units = sum(len(s.units) for s in batch.samples)
    count = _bench_module().count_jobs
    local = count(dry_run(tmp_path, "--cores", "2"))
    slurm = count(dry_run(tmp_path, "--profile", "slurm"))
    kinds = slurm["slurm_jobs_by_kind"]
    assert local["snakemake_jobs"] == slurm["snakemake_jobs"]  # same work, packed differently
    assert kinds["group align"] == units
    assert kinds["group cram"] == kinds["group qc"] == len(batch.samples)
    assert kinds["group gvcf"] == len(batch.call_groups())
    assert kinds["group prep"] == kinds["group batch"] == 1
    assert kinds["rule check_fastq_pair"] == units
    assert kinds["rule make_ploidy_files"] == len(batch.call_groups())
    assert not [k for k in kinds if k.startswith("rule") and k.split()[1] in {"map_reads", "trim_reads",
                "mark_duplicates", "copy_reference", "record_tool_versions", "summarise_reads"}]  # fmt: skip
    assert slurm["slurm_jobs"] < local["snakemake_jobs"] / 2


# --- a real SLURM cluster -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def slurm_cluster() -> Iterator[LocalSlurm]:
    reason = unavailable_reason()
    if reason:
        pytest.skip(f"no local SLURM cluster: {reason}")
    root = Path(tempfile.mkdtemp(prefix="wgs-slurm-"))  # short: unix socket paths are limited to 107 bytes
    cluster = LocalSlurm(root)
    try:
        cluster.start()
    except SlurmUnavailable as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"no local SLURM cluster: {exc}")
    try:
        yield cluster
    finally:
        procs = [proc for _, proc in cluster.procs]
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
        alive = [p.args[0] for p in procs if p.poll() is None]
        assert not alive, f"daemons still running after stop(): {alive}"


@pytest.fixture(scope="module")
def slurm_run(slurm_cluster: LocalSlurm, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The test batch's batch VCF made through SLURM with the slurm profile, site settings from the environment."""
    outdir = tmp_path_factory.mktemp("slurm") / "run"
    env = slurm_cluster.env()
    env.update(
        WGS_EAST_SLURM_ACCOUNT=ACCOUNT,
        WGS_EAST_SLURM_PARTITION=RUN_PARTITION,
        WGS_EAST_SLURM_MAX_CORES="1",  # two 1-core jobs at a time on a 2-core machine
    )
    cmd = [*wgs_east_cmd(), "run", str(TEST_CONFIG), "--outdir", str(outdir), "--profile", "slurm",
           "--", "--slurm-init-seconds-before-status-checks", "3", TARGET]  # fmt: skip
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env, timeout=1500)
    elapsed = time.monotonic() - t0
    (outdir.parent / "run.log").write_text(proc.stdout + proc.stderr)
    logs = sorted((outdir / ".snakemake" / "log").glob("*.snakemake.log"))
    return {"outdir": outdir, "proc": proc, "seconds": elapsed, "log": logs[-1].read_text() if logs else ""}


def submitted_job_ids(log: str) -> set[str]:
    """SLURM job ids as Snakemake's log records them (array tasks as JOBID_TASK)."""
    ids = set(re.findall(r"has been submitted with SLURM jobid (\d+)", log))
    for job, first, last in re.findall(
        r"Submitted array job with Snakemake IDs [\d,]+ and SLURM job ID (\d+)\. The individual task IDs are (\d+)-(\d+)",
        log,
    ):
        ids |= {f"{job}_{task}" for task in range(int(first), int(last) + 1)}
    return ids


@pytest.mark.slow
def test_slurm_run_succeeds(slurm_run: dict) -> None:
    proc = slurm_run["proc"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    assert (slurm_run["outdir"] / TARGET).is_file()
    print(f"SLURM run of the test batch: {slurm_run['seconds']:.0f} s")


@pytest.mark.slow
def test_jobs_went_through_slurm(slurm_run: dict, slurm_cluster: LocalSlurm, tmp_path: Path) -> None:
    """Every job id in Snakemake's log is a job of the cluster's accounting, finished, with the account and
    partition from the environment, named after the run; and there are as many as the dry run plans."""
    log = slurm_run["log"]
    run_id = re.search(r"SLURM run ID: (\S+)", log).group(1)
    ids = submitted_job_ids(log)
    sacct = slurm_cluster.run(
        "sacct", "-X", "--parsable2", "--noheader", "--allusers", "--starttime", "now-1days",
        f"--name={run_id}", "--format=JobID,State,Account,Partition,JobName",
    ).stdout  # fmt: skip
    rows = {line.split("|")[0]: line.split("|")[1:] for line in sacct.splitlines() if line}
    assert ids and set(rows) == ids, (sorted(ids), sacct)
    for job, (state, account, partition, name) in rows.items():
        assert (state, account, partition, name) == ("COMPLETED", ACCOUNT, RUN_PARTITION, run_id), job
    planned = _bench_module().count_jobs(dry_run(tmp_path, "--profile", "slurm", "--", TARGET))
    assert len(ids) == planned["slurm_jobs"]


def vcf_records(path: Path) -> list[tuple]:
    with pysam.VariantFile(str(path)) as vcf:
        samples = list(vcf.header.samples)
        return [
            (r.chrom, r.pos, r.ref, r.alts, tuple(r.samples[s]["GT"] for s in samples), tuple(r.filter.keys()))
            for r in vcf
        ]


@pytest.mark.slow
def test_slurm_variants_equal_local_run(slurm_run: dict, pipeline_run: Path) -> None:
    assert slurm_run["proc"].returncode == 0
    local = vcf_records(pipeline_run / TARGET)
    slurm = vcf_records(slurm_run["outdir"] / TARGET)
    assert len(local) > 500
    assert slurm == local
