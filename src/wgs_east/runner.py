"""`wgs-east run`: validate the batch, prepare the output directory, run Snakemake's own CLI.

The output directory holds one batch. Its state lives in ``DIR/.wgs-east/``:
- ``batch.json``: the validated, path-resolved batch the workflow reads (rewritten only when it changes,
  so that a resumed run redoes nothing);
- ``run.json``: the facts the result headers record (config path and sha256, versions, first command);
- ``lock``: an exclusive lock held while a run is active; a second run refuses to start.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
import shlex
import shutil
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
from wgs_east.errors import InputError, Interrupted, OutputError, Problem, RunError, WorkflowFailed

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
    """Atomic write that leaves the file (and its mtime) alone when the content is the same. A failed
    write (full file system, quota) leaves no temporary file and raises OutputError (exit code 2)."""
    if path.exists() and path.read_text() == text:
        return
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc} (free space or fix the output directory, "
                          "then run the same command again)") from None


def run_facts(batch: Batch, config: Path, derived_from: dict | None = None) -> dict:
    """What run.json records about the run besides the command (compared to decide whether it changed)."""
    facts = {
        "batch": batch.batch,
        "config_path": str(config.resolve()),
        "config_sha256": file_sha256(config),
        "wgs_east_version": __version__,
        "git_commit": git_commit(),
    }
    if derived_from is not None:  # a reanalysis (wgs-east reanalyze): the run it reuses
        facts["derived_from"] = derived_from
    return facts


# what a changed top-level field of the batch makes Snakemake redo (its job list follows)
REDONE = {
    "reference": "everything (reference copy, alignment, calling, QC, annotation, classification, reports)",
    "samples": "alignment and calling of the changed samples' families, then QC, annotation, classification and reports",
    "calling": "calling, then QC, annotation, classification and reports",
    "qc": "QC and reports",
    "resources": "annotation, classification and reports",
    "acmg": "classification and reports",
    "classification": "classification and reports",
}


def changed_fields(old: object, new: object, loc: tuple = ()) -> list[str]:
    """Field paths (``samples[2].units[0].fastq1``) where two batch dumps differ."""
    from wgs_east.config.load import format_loc

    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in [*old, *(k for k in new if k not in old)]:
            out += changed_fields(old.get(key), new.get(key), (*loc, key))
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [f for i, (a, b) in enumerate(zip(old, new, strict=True)) for f in changed_fields(a, b, (*loc, i))]
    return [] if old == new else [format_loc(loc) or "(the whole batch)"]


def describe_changes(state: Path, batch: Batch) -> str | None:
    """What differs between the batch of the run in ``state`` and ``batch``, and what that redoes."""
    previous = state / "batch.json"
    if not previous.exists():
        return None
    try:
        old = json.loads(previous.read_text())
    except (OSError, ValueError):
        return None
    fields = changed_fields(old, json.loads(batch.model_dump_json()))
    if not fields:
        return None
    shown = ", ".join(fields[:12]) + (f" ... ({len(fields)} in all)" if len(fields) > 12 else "")
    tops = list(dict.fromkeys(f.split(".")[0].split("[")[0] for f in fields))
    redone = "; ".join(f"{t}: {REDONE[t]}" for t in tops if t in REDONE)
    return f"the config changed since the last run in {state.parent}: {shown}. Redone: {redone or 'nothing'}"


def prepare_outdir(outdir: Path, batch: Batch) -> Path:
    """Create the output directory (or check an existing one); refuse one that holds another batch."""
    try:  # paths under it go into JSON state and result headers
        str(outdir).encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(str(outdir)).decode("utf-8", "backslashreplace")
        raise InputError(shown, [Problem("--outdir", "the path is not valid UTF-8 text: use another name")]) from None
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
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} on {os.uname().nodename}\n")
        fh.flush()
    except OSError as exc:
        with contextlib.suppress(OSError):  # closing flushes the same unwritable buffer again
            fh.close()
        raise OutputError(f"{state / 'lock'}: cannot write: {exc.strerror} (free space or fix the output "
                          "directory, then run the same command again)") from None
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
    facts = run_facts(batch, config, derived_from)
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
    state_files: tuple[str, str] = (f"{STATE}/batch.json", f"{STATE}/run.json"),
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
        "--config", f"batch_json={state_files[0]}", f"run_json={state_files[1]}",
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
    # htslib looks a CRAM's reference up by MD5 in REF_PATH, which defaults to an EBI web service; any local
    # value stops that, and htslib then reads the @SQ UR: path (the run's own reference/genome.fa)
    env["REF_PATH"] = os.path.join("reference", "md5", "%s")
    return env


def _stop_with_parent(parent: int) -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask the kernel to send the stop signal to Snakemake when wgs-east dies (even by SIGKILL), so that
    the run's jobs stop instead of running on orphaned (see wgs_east.snakemake_child)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, snakemake_child.STOP)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # wgs-east died before the request was in place
        os._exit(1)


def run_snakemake(
    cmd: list[str], env: dict[str, str], pass_fds: Sequence[int] = (), received: list[int] | None = None
) -> int:
    """Run Snakemake (wgs_east.snakemake_child) in a process group of its own and wait for it. Ctrl-C or
    SIGTERM to wgs-east, and wgs-east's death, stop the whole run; the exit code is Snakemake's. The
    signals wgs-east received meanwhile are appended to ``received``."""
    proc = subprocess.Popen(
        cmd, env=env, start_new_session=True, preexec_fn=partial(_stop_with_parent, os.getpid()), pass_fds=pass_fds
    )

    def forward(signum: int, frame: object) -> None:
        if received is not None:
            received.append(signum)
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
    scratch: Path | None = None
    try:
        command = shlex.join(["wgs-east", *sys.argv[1:]]) if sys.argv[0].endswith("wgs-east") else shlex.join(sys.argv)
        changes = describe_changes(state, batch)
        state_files = (f"{STATE}/batch.json", f"{STATE}/run.json")
        if dry_run and (state / "batch.json").exists():
            # a dry run never writes into an existing run's state: a changed batch / run record goes to a
            # scratch directory outside the run, and only the files that differ are taken from there
            scratch = Path(tempfile.mkdtemp(prefix="wgs-east-dry-run-"))
            write_state(scratch, batch, config, command, dry_run, derived_from)
            old_run = json.loads((state / "run.json").read_text()) if (state / "run.json").exists() else {}
            new_facts = run_facts(batch, config, derived_from)
            state_files = (
                str(scratch / "batch.json") if changes else state_files[0],
                state_files[1] if {k: old_run.get(k) for k in new_facts} == new_facts else str(scratch / "run.json"),
            )
            if changes:
                print(f"wgs-east: dry run: {changes}. Nothing is written into {state}.", file=sys.stderr)
        else:
            if changes:
                print(f"wgs-east: {changes}.", file=sys.stderr)
            write_state(state, batch, config, command, dry_run, derived_from)
        if prepare is not None:
            prepare(outdir)
        cmd = snakemake_command(
            outdir, cores, state_files=state_files, dry_run=dry_run, profile=profile, executor=executor,
            targets=targets, extra=extra,
        )
        started = _now()
        received: list[int] = []
        returncode = run_snakemake(
            cmd, job_environment(remote=execution(profile, executor)[1]), (lock.fileno(),), received
        )
        if returncode < 0:
            outcome = f"interrupted (Snakemake stopped by {signal.Signals(-returncode).name})"
        else:
            outcome = f"failed (Snakemake exit code {returncode})"
        missing: list[str] = []
        if not dry_run and returncode == 0 and not (targets or extra) and derived_from is None:
            missing = [rel for rel in checksums.required(batch) if not (outdir / rel).is_file()]
            if missing:  # never call a run complete that lacks a deliverable
                returncode, outcome = 1, f"incomplete (deliverables missing: {', '.join(missing[:5])})"
        if not dry_run:
            status = "complete" if returncode == 0 else outcome
            if (targets or extra) and derived_from is None:
                status += " (targets/extra Snakemake arguments given: possibly partial)"
            recorded = json.loads((state / "run.json").read_text())
            record = provenance.run_provenance(
                outdir, recorded, command, started, _now(), status, getattr(batch, "resources", None)
            )
            provenance.write_json_atomic(outdir / "provenance.json", record)
            if returncode == 0:
                checksums.write_checksums(outdir)
    except OSError as exc:  # the output file system is full or gone: a message, not a traceback
        where = f"{exc.filename}: " if exc.filename else f"{outdir}: "
        raise OutputError(f"{where}cannot write: {exc.strerror or exc} (free space or fix the output directory, "
                          "then run the same command again)") from None
    finally:
        lock.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    if returncode != 0 and received:  # Ctrl-C / SIGTERM to wgs-east: exit 130 / 143, as a shell reports it
        raise Interrupted(
            f"the workflow was {outcome if returncode < 0 else f'interrupted ({outcome})'} after "
            f"{signal.Signals(received[0]).name}; all logs are under "
            f"{outdir}/logs/. Re-run the same command to resume: finished steps are kept.",
            received[0],
        )
    if returncode != 0:
        raise WorkflowFailed(
            f"the workflow {'was ' if returncode < 0 else ''}{outcome}; a failed job's log is shown above, all logs are under {outdir}/logs/. "
            "Fix the cause and re-run the same command: finished steps are kept."
        )
    if not dry_run and derived_from is None:
        print(f"wgs-east: done. Results in {outdir}/: variants/{batch.batch}.vcf.gz, alignments/, gvcf/, qc/")
    return 0
