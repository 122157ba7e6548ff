"""`wgs-east run`: validate the batch, prepare the output directory, run Snakemake's own CLI.

The output directory holds one batch. Its state lives in ``DIR/.wgs-east/``:
- ``batch.json``: the validated, path-resolved batch the workflow reads (rewritten only when it changes,
  so that a resumed run redoes nothing);
- ``run.json``: the facts the result headers record (config path and sha256, versions, first command);
- ``lock``: an exclusive lock held while a run is active; a second run refuses to start.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import IO

from wgs_east import __version__, checksums, provenance, snakemake_child
from wgs_east.config import file_sha256, load_batch
from wgs_east.config.models import Batch
from wgs_east.errors import InputError, Problem, RunError, WorkflowFailed

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = REPO_ROOT / "workflow" / "Snakefile"
PROFILES = REPO_ROOT / "profiles"
STATE = ".wgs-east"
DEFAULT_UMASK = 0o027


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def git_commit() -> str | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def write_if_changed(path: Path, text: str) -> None:
    """Atomic write that leaves the file (and its mtime) alone when the content is the same."""
    if path.exists() and path.read_text() == text:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def prepare_outdir(outdir: Path, batch: Batch) -> Path:
    """Create the output directory (or check an existing one); refuse one that holds another batch."""
    if outdir.exists() and not outdir.is_dir():
        raise InputError(outdir, [Problem("--outdir", "exists and is not a directory")])
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(outdir, [Problem("--outdir", f"cannot create the output directory: {exc.strerror}")]) from None
    try:  # a real probe: os.access() says yes to root even on a read-only file system
        with tempfile.NamedTemporaryFile(dir=outdir, prefix=".wgs-east-probe-"):
            pass
    except OSError as exc:
        raise InputError(outdir, [Problem("--outdir", f"output directory is not writable: {exc.strerror}")]) from None
    state = outdir / STATE
    previous = state / "batch.json"
    if previous.exists():
        try:
            old = json.loads(previous.read_text()).get("batch")
        except (OSError, ValueError):
            old = None
        if old != batch.batch:
            raise InputError(
                outdir,
                [Problem("--outdir", f"holds a run of batch {old!r}, not {batch.batch!r}: use another directory")],
            )
    elif outdir.exists() and any(p.name != STATE for p in outdir.iterdir()):
        raise InputError(outdir, [Problem("--outdir", "is not empty and holds no wgs-east run: use a new directory")])
    state.mkdir(exist_ok=True)
    return state


def acquire_lock(state: Path) -> IO[str]:
    fh = open(state / "lock", "a+")  # noqa: SIM115 - held for the whole run
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "unknown"
        fh.close()
        raise RunError(
            f"{state.parent}: another wgs-east run is active in this output directory ({holder}); "
            "wait for it to finish or use another --outdir"
        ) from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()} on {os.uname().nodename}\n")
    fh.flush()
    return fh


def lock_is_held(state: Path) -> bool:
    """Whether a wgs-east run holds the lock of the output directory whose state directory is ``state``
    (checked read-only: the directory is not written to)."""
    lock = state / "lock"
    if not lock.exists():
        return False
    with open(lock) as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
    return False


def write_state(
    state: Path, batch: Batch, config: Path, command: str, dry_run: bool = False, derived_from: dict | None = None
) -> None:
    write_if_changed(state / "batch.json", batch.model_dump_json(indent=2) + "\n")
    facts = {
        "batch": batch.batch,
        "config_path": str(config.resolve()),
        "config_sha256": file_sha256(config),
        "wgs_east_version": __version__,
        "git_commit": git_commit(),
    }
    if derived_from is not None:  # a reanalysis (wgs-east reanalyze): the run it reuses
        facts["derived_from"] = derived_from
    run_json = state / "run.json"
    if run_json.exists():
        old = json.loads(run_json.read_text())
        same = {k: old.get(k) for k in facts} == facts
        if same and (dry_run or not old.get("dry_run")):
            return  # same run: keep the first real command, leave the mtime alone
    record = {**facts, "command": command, "dry_run": dry_run}
    write_if_changed(run_json, json.dumps(record, indent=2) + "\n")


def resolve_profile(profile: str) -> str:
    candidate = PROFILES / profile
    if candidate.is_dir():
        return str(candidate)
    if Path(profile).is_dir():
        return str(Path(profile).resolve())
    raise InputError("--profile", [Problem(profile, f"no such profile (looked in {PROFILES} and the current directory)")])


LOCAL_EXECUTORS = ("local", "dryrun", "touch")


def profile_executor(profile_dir: str) -> str | None:
    """The `executor:` a Snakemake profile directory sets (None if it sets none)."""
    import yaml

    files = sorted(Path(profile_dir).glob("profile*.yaml")) or sorted(Path(profile_dir).glob("config*.yaml"))
    for path in files:
        try:
            data = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and isinstance(data.get("executor"), str):
            return data["executor"]
    return None


def execution(profile: str | None, executor: str | None) -> tuple[str | None, bool]:
    """The profile directory to apply (None for none) and whether jobs run off this machine (a cluster)."""
    profile_dir = resolve_profile(profile) if profile else None
    if profile_dir is None and executor and executor not in LOCAL_EXECUTORS and (PROFILES / executor).is_dir():
        profile_dir = str(PROFILES / executor)  # `--executor slurm` brings the workflow's slurm profile
    remote = (executor or (profile_executor(profile_dir) if profile_dir else None) or "local") not in LOCAL_EXECUTORS
    return profile_dir, remote


def snakemake_command(
    outdir: Path,
    cores: int,
    *,
    dry_run: bool = False,
    profile: str | None = None,
    executor: str | None = None,
    targets: Sequence[str] = (),
    extra: Sequence[str] = (),
) -> list[str]:
    cmd = [
        sys.executable, "-m", "wgs_east.snakemake_child",
        "--snakefile", str(WORKFLOW),
        "--directory", str(outdir),
        "--config", f"batch_json={STATE}/batch.json", f"run_json={STATE}/run.json",
        "--rerun-incomplete",
        "--show-failed-logs",
        "--nolock",  # exclusivity comes from our own lock, which dies with the process
    ]  # fmt: skip
    profile_dir, remote = execution(profile, executor)
    # --cores N is what wgs-east may use on this machine. On a cluster, Snakemake's own --cores is the
    # most cores of one job (the profile sets it); ours becomes --local-cores (for local rules).
    cmd += ["--local-cores" if remote else "--cores", str(cores)]
    if profile_dir:
        cmd += ["--profile", profile_dir]
    if executor:
        cmd += ["--executor", executor]
    if dry_run:
        cmd += ["--dry-run"]
    cmd += list(targets)
    cmd += list(extra)  # last: an option taking several values (--allowed-rules) must not swallow targets
    return cmd


def job_environment(remote: bool = False) -> dict[str, str]:
    """The environment of Snakemake and its jobs: `python` (and `wgs-east`) on PATH are the interpreter
    wgs-east runs in, so that the workflow's helper steps (`python -m wgs_east.<module>`) find the package."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env[snakemake_child.REMOTE_ENV] = "1" if remote else "0"
    return env


def _stop_with_parent(parent: int) -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask the kernel to send the stop signal to Snakemake when wgs-east dies (even by SIGKILL), so that
    the run's jobs stop instead of running on orphaned (see wgs_east.snakemake_child)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, snakemake_child.STOP)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # wgs-east died before the request was in place
        os._exit(1)


def run_snakemake(cmd: list[str], env: dict[str, str], pass_fds: Sequence[int] = ()) -> int:
    """Run Snakemake (wgs_east.snakemake_child) in a process group of its own and wait for it. Ctrl-C or
    SIGTERM to wgs-east, and wgs-east's death, stop the whole run; the exit code is Snakemake's."""
    proc = subprocess.Popen(
        cmd, env=env, start_new_session=True, preexec_fn=partial(_stop_with_parent, os.getpid()), pass_fds=pass_fds
    )

    def forward(signum: int, frame: object) -> None:
        proc.send_signal(snakemake_child.STOP)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return proc.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run(
    config: Path,
    outdir: Path,
    cores: int = 1,
    dry_run: bool = False,
    profile: str | None = None,
    executor: str | None = None,
    extra: Sequence[str] = (),
    targets: Sequence[str] = (),
    umask: int = DEFAULT_UMASK,
    batch: Batch | None = None,
    derived_from: dict | None = None,
    prepare: Callable[[Path], None] | None = None,
) -> int:
    """Run the workflow on the batch of ``config`` (or on ``batch``, already validated, whose file
    ``config`` is) in ``outdir``. ``prepare(outdir)`` runs once the output directory is locked, before
    Snakemake (a reanalysis puts the files it reuses in place); ``derived_from`` is recorded in
    run.json and provenance.json. A complete run ends with provenance.json and checksums.sha256."""
    batch = load_batch(config) if batch is None else batch
    os.umask(umask)
    outdir = Path(os.path.abspath(outdir))
    state = prepare_outdir(outdir, batch)
    lock = acquire_lock(state)
    try:
        command = shlex.join(["wgs-east", *sys.argv[1:]]) if sys.argv[0].endswith("wgs-east") else shlex.join(sys.argv)
        write_state(state, batch, config, command, dry_run, derived_from)
        if prepare is not None:
            prepare(outdir)
        cmd = snakemake_command(
            outdir, cores, dry_run=dry_run, profile=profile, executor=executor, targets=targets, extra=extra
        )
        started = _now()
        returncode = run_snakemake(cmd, job_environment(remote=execution(profile, executor)[1]), (lock.fileno(),))
        if returncode < 0:
            outcome = f"interrupted (Snakemake stopped by {signal.Signals(-returncode).name})"
        else:
            outcome = f"failed (Snakemake exit code {returncode})"
        if not dry_run:
            status = "complete" if returncode == 0 else outcome
            if (targets or extra) and derived_from is None:
                status += " (targets/extra Snakemake arguments given: possibly partial)"
            run_facts = json.loads((state / "run.json").read_text())
            record = provenance.run_provenance(
                outdir, run_facts, command, started, _now(), status, getattr(batch, "resources", None)
            )
            provenance.write_json_atomic(outdir / "provenance.json", record)
            if returncode == 0:
                checksums.write_checksums(outdir)
    finally:
        lock.close()
    if returncode != 0:
        raise WorkflowFailed(
            f"the workflow {'was ' if returncode < 0 else ''}{outcome}; a failed job's log is shown above, all logs are under {outdir}/logs/. "
            "Fix the cause and re-run the same command: finished steps are kept."
        )
    if not dry_run and derived_from is None:
        print(f"wgs-east: done. Results in {outdir}/: variants/{batch.batch}.vcf.gz, alignments/, gvcf/, qc/")
    return 0
