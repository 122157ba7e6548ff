"""HPC execution: the profiles, the software-deployment envs, the SLURM job layout, and a real run of the
test batch through a throw-away single-node SLURM cluster on localhost (tests/slurm_cluster.py).

The cluster test needs root and the Debian packages of scripts/slurm_test.tsv (`make setup` as root
installs them); elsewhere it skips, and the reason shows in the test summary (`-ra`). With
WGS_EAST_REQUIRE_SLURM=1 (set by `.ci/run`) a missing cluster is a failure, not a skip, so CI cannot be
green without a real SLURM run.

The SLURM run is the whole workflow of the test batch (every stage: reference, alignment, QC, calling,
annotation, classification, reports), with the slurm profile and a site profile (after `--`, as a site
would) that sizes the memory requests for the test genome, the first attempt of one job deliberately
too small: that job is killed by SLURM's memory enforcement (cgroup: state OUT_OF_MEMORY) and succeeds on
the retry with the larger request (`mem_mb = base x attempt`, the profile's `retries`).
"""

from __future__ import annotations

import importlib.util
import json
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
REQUIRE_SLURM = os.environ.get("WGS_EAST_REQUIRE_SLURM") == "1"
# The SLURM run: the test batch reduced to its singleton family (SINGLETON1, one unit): every stage, fewer
# jobs than the four-sample batch (each SLURM job starts a Snakemake of its own).
SLURM_SAMPLE = "SINGLETON1"
# The job that runs out of memory on its first attempt: the unit's alignment group (trim_reads + map_reads).
# fastp peaks at ~1,325 MB on a unit of the test genome (sacct MaxRSS of its srun step, 2026-12-05), beside
# the job's own Snakemake (the batch step, ~207 MB). The site profile asks OOM_BASE_MB x attempt for
# trim_reads: attempt 1 is killed by the kernel (cgroup OOM), attempt 2 has ~40 % to spare.
OOM_GROUP = f"align_{SLURM_SAMPLE}_L001"
OOM_RULE = "trim_reads"
OOM_BASE_MB = 1100


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


def dry_run(tmp_path: Path, *args: str, config: Path = TEST_CONFIG) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "WGS_EAST_"))}
    proc = subprocess.run(
        [*wgs_east_cmd(), "run", str(config), "--outdir", str(tmp_path / "dry"), "--dry-run", *args],
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
    assert kinds["group cram"] == kinds["group qc"] == kinds["group sv"] == len(batch.samples)
    assert kinds["group gvcf"] == len(batch.call_groups())
    assert kinds["group prep"] == kinds["group batch"] == 1
    assert kinds["rule check_fastq_pair"] == units
    assert kinds["rule make_ploidy_files"] == len(batch.call_groups())
    assert kinds["rule sv_genotype_family"] == len(batch.families)  # a job array
    assert not [k for k in kinds if k.startswith("rule") and k.split()[1] in {"map_reads", "trim_reads",
                "mark_duplicates", "copy_reference", "record_tool_versions", "summarise_reads"}]  # fmt: skip
    assert slurm["slurm_jobs"] < local["snakemake_jobs"] / 2


# --- a real SLURM cluster -------------------------------------------------------------------------


def _no_cluster(reason: str) -> None:
    if REQUIRE_SLURM:
        pytest.fail(f"WGS_EAST_REQUIRE_SLURM=1 but there is no local SLURM cluster: {reason}")
    pytest.skip(f"no local SLURM cluster: {reason}")


@pytest.fixture(scope="module")
def slurm_cluster() -> Iterator[LocalSlurm]:
    reason = unavailable_reason()
    if reason:
        _no_cluster(reason)
    root = Path(tempfile.mkdtemp(prefix="wgs-slurm-"))  # short: unix socket paths are limited to 107 bytes
    cluster = LocalSlurm(root)
    try:
        cluster.start()
    except SlurmUnavailable as exc:
        shutil.rmtree(root, ignore_errors=True)
        _no_cluster(str(exc))
    try:
        yield cluster
    finally:
        procs = [proc for _, proc in cluster.procs]
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
        alive = [p.args[0] for p in procs if p.poll() is None]
        assert not alive, f"daemons still running after stop(): {alive}"


def site_profile(directory: Path) -> Path:
    """A site profile for the test genome (given after `--`, it replaces the slurm profile's
    set-resources): requests sized for 30x of 335 kb, memory still base x attempt; the OOM job's first
    attempt is below its peak, its second above."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "profile.yaml").write_text(
        "set-resources:\n"
        + "".join(f"  {rule}:\n    mem_mb: 1000 * attempt\n" for rule in (
            "index_reference_bwa", "map_reads", "mark_duplicates", "call_variants", "joint_genotype"))
        + f"  {OOM_RULE}:\n    mem_mb: {OOM_BASE_MB} * attempt\n"
    )  # fmt: skip
    return directory


def singleton_config(path: Path) -> Path:
    """config/test.yaml reduced to SLURM_SAMPLE's family (absolute paths), written to ``path``."""
    from tests.conftest import absolute_test_config

    data = absolute_test_config()
    family = next(s["family"] for s in data["samples"] if s["id"] == SLURM_SAMPLE)
    data["samples"] = [s for s in data["samples"] if s["family"] == family]
    assert [s["id"] for s in data["samples"]] == [SLURM_SAMPLE]
    # two region chunks (the 200 kb chr22 slice; the four short contigs packed together) instead of the test
    # config's ten: scatter-gather still goes through SLURM (a 2-task calling array, two annotation group
    # jobs) with 16 fewer jobs to schedule; the local run covers the ten-chunk plan
    data["calling"]["chunk_size"] = 200_001
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def slurm_run(slurm_cluster: LocalSlurm, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The whole workflow of the test batch through SLURM: slurm profile, site settings from the
    environment, the test's site profile after `--`."""
    outdir = tmp_path_factory.mktemp("slurm") / "run"
    env = slurm_cluster.env()
    env.update(
        WGS_EAST_SLURM_ACCOUNT=ACCOUNT,
        WGS_EAST_SLURM_PARTITION=RUN_PARTITION,
        WGS_EAST_SLURM_MAX_CORES="1",  # two 1-core jobs at a time on a 2-core machine
    )
    site = site_profile(outdir.parent / "site")
    config = singleton_config(outdir.parent / "singleton.yaml")
    cmd = [*wgs_east_cmd(), "run", str(config), "--outdir", str(outdir), "--profile", "slurm",
           "--", "--profile", str(site), "--slurm-init-seconds-before-status-checks", "3"]  # fmt: skip
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env, timeout=2400)
    elapsed = time.monotonic() - t0
    (outdir.parent / "run.log").write_text(proc.stdout + proc.stderr)
    logs = sorted((outdir / ".snakemake" / "log").glob("*.snakemake.log"))
    return {"outdir": outdir, "proc": proc, "seconds": elapsed, "log": logs[-1].read_text() if logs else "",
            "config": config}  # fmt: skip


def submitted_job_ids(log: str) -> set[str]:
    """SLURM job ids as Snakemake's log records them (array tasks as JOBID_TASK)."""
    ids = set(re.findall(r"has been submitted with SLURM jobid (\d+)", log))
    for job, first, last in re.findall(
        r"Submitted array job with Snakemake IDs [\d,]+ and SLURM job ID (\d+)\. The individual task IDs are (\d+)-(\d+)",
        log,
    ):
        ids |= {f"{job}_{task}" for task in range(int(first), int(last) + 1)}
    return ids


def local_run(request: pytest.FixtureRequest) -> Path:
    """The local run of the whole batch (conftest's session fixture), asked for only after the SLURM run: as
    a session fixture named in the signature it would be set up first, delaying the SLURM run (the longest
    item of the suite) by the local run's time."""
    return request.getfixturevalue("pipeline_run")


@pytest.mark.slow
def test_slurm_run_makes_every_deliverable(slurm_run: dict, request: pytest.FixtureRequest) -> None:
    """Every stage ran through SLURM: the run is complete and holds the deliverables the local run has for
    the sample (alignments, gVCF, batch VCF, QC, annotated VCF, classification, reports, provenance)."""
    pipeline_run = local_run(request)
    proc = slurm_run["proc"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    out, s = slurm_run["outdir"], SLURM_SAMPLE
    for rel in (f"alignments/{s}.cram", f"gvcf/{s}.g.vcf.gz", TARGET, "qc/B001.qc.tsv", "qc/multiqc.html",
                "annotated/B001.vcf.gz", f"classified/{s}.tsv", f"reports/{s}.html", "reports/B001.html",
                "provenance.json", "checksums.sha256"):  # fmt: skip
        assert (out / rel).is_file(), rel
    others = {"FATHER1", "MOTHER1", "PROBAND1"}
    local = {p.relative_to(pipeline_run) for p in pipeline_run.rglob("*") if p.is_file()
             and p.parts[len(pipeline_run.parts)] in ("alignments", "gvcf", "variants", "qc", "annotated",
                                                       "classified", "reports")
             and not any(o in str(p.relative_to(pipeline_run)) for o in others)
             and p.name != "multiqc_wgs_east_relatedness_table.txt"}  # fmt: skip  (one sample: no pairs)
    missing = sorted(str(p) for p in local if not (out / p).is_file())
    assert len(local) > 20 and not missing, missing
    # "complete (targets/extra Snakemake arguments given: possibly partial)": the site profile is an extra argument
    assert json.loads((out / "provenance.json").read_text())["status"].startswith("complete")
    print(f"SLURM run of the whole workflow: {slurm_run['seconds']:.0f} s")


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
    failed = {job for job, (state, *_rest) in rows.items() if state != "COMPLETED"}
    assert len(failed) == 1, sacct  # the one job that ran out of memory (test below), nothing else
    for job, (_state, account, partition, name) in rows.items():
        assert (account, partition, name) == (ACCOUNT, RUN_PARTITION, run_id), job
    planned = _bench_module().count_jobs(dry_run(tmp_path, "--profile", "slurm", config=slurm_run["config"]))
    assert len(ids) == planned["slurm_jobs"] + 1  # + the retry


@pytest.mark.slow
def test_a_job_out_of_memory_succeeds_on_retry_with_more(slurm_run: dict, slurm_cluster: LocalSlurm) -> None:
    """The alignment group asked for OOM_BASE_MB on attempt 1 (trim_reads' request, the largest of the
    group), fastp was killed by the kernel for exceeding it (SLURM: step OUT_OF_MEMORY, job FAILED), and
    Snakemake resubmitted the group with 2 x OOM_BASE_MB (the profile's retries, mem_mb = base x attempt),
    which completed."""
    log = slurm_run["log"]
    run_id = re.search(r"SLURM run ID: (\S+)", log).group(1)
    sacct = slurm_cluster.run(
        "sacct", "--parsable2", "--noheader", "--allusers", "--starttime", "now-1days",
        f"--name={run_id}", "--format=JobID,State,ReqMem", "--units=M",
    ).stdout  # fmt: skip
    jobs = [r.split("|") for r in sacct.splitlines() if r and "." not in r.split("|")[0]]
    failed = [r for r in jobs if r[1] != "COMPLETED"]
    assert len(failed) == 1 and failed[0][1] == "FAILED", sacct
    assert float(failed[0][2].rstrip("M")) == OOM_BASE_MB, sacct
    # the step that ran fastp was killed for memory (sacct lists steps of all jobs, not only named ones)
    steps = slurm_cluster.run("sacct", "--parsable2", "--noheader", "-j", failed[0][0], "--format=JobID,State").stdout
    step_states = {r.split("|")[1] for r in steps.splitlines() if "." in r.split("|")[0]}
    if slurm_cluster.memory_enforcement == "cgroup":
        assert "OUT_OF_MEMORY" in step_states, steps
    retried = [r for r in jobs if r[1] == "COMPLETED" and float(r[2].rstrip("M")) == 2 * OOM_BASE_MB]
    assert len(retried) == 1 and int(retried[0][0].split("_")[0]) > int(failed[0][0].split("_")[0]), sacct
    out = slurm_run["proc"].stdout + slurm_run["proc"].stderr
    assert f"Error in group {OOM_GROUP}" in out and "oom-kill event" in out, out[-4000:]
    assert f"Error in rule {OOM_RULE}:" in out and "Trying to restart job" in out
    assert (slurm_run["outdir"] / "alignments" / f"{SLURM_SAMPLE}.cram").is_file()


def vcf_records(path: Path) -> list[tuple]:
    with pysam.VariantFile(str(path)) as vcf:
        samples = list(vcf.header.samples)
        return [
            (r.chrom, r.pos, r.ref, r.alts, tuple(r.samples[s]["GT"] for s in samples), tuple(r.filter.keys()))
            for r in vcf
        ]


@pytest.mark.slow
def test_slurm_variants_equal_local_run(slurm_run: dict, request: pytest.FixtureRequest) -> None:
    """The sample's variant calls through SLURM are the local run's. The SLURM batch is the singleton's family
    alone while the local batch is called jointly (issue 23: the whole batch is one joint-calling group), so
    the gVCFs' hom-ref blocks differ and the joint call may add a call the family alone lacks (measured: one
    hemizygous chrX site of 459); every call of the SLURM run must be in the local run with the same genotype."""
    pipeline_run = local_run(request)
    assert slurm_run["proc"].returncode == 0
    rel = f"gvcf/{SLURM_SAMPLE}.g.vcf.gz"

    def calls(path: Path) -> set[tuple]:
        return {
            (r[0], r[1], r[2], r[3], r[4])
            for r in vcf_records(path)
            if r[3] and r[3][0] != "<*>" and any(a not in (0, None) for a in r[4][0])
        }

    local = calls(pipeline_run / rel)
    slurm = calls(slurm_run["outdir"] / rel)
    assert len(local) > 400
    assert slurm <= local, sorted(slurm - local)[:10]
    assert len(local - slurm) <= 2, sorted(local - slurm)
