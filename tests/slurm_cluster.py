"""A throw-away single-node SLURM cluster on localhost, from Debian packages, for the SLURM test.

Daemons, all run as root in the foreground by this module, their state, logs and sockets in one
temporary directory, listening on loopback only (free ports chosen at start):

- munged (authentication, own key and socket),
- mariadbd (the accounting database) and slurmdbd: the executor plugin polls job states with `sacct`,
  which needs accounting storage; the test also reads the jobs back from it,
- slurmctld and slurmd (one node, sized to this machine: all its CPUs, 95 % of its memory; cores and
  memory are consumed by jobs, and a job's memory request is enforced: by the kernel through Slurm's
  task/cgroup plugin where the cgroup v1 memory controller is writable, else by Slurm's polling
  OverMemoryKill),
  two partitions (`debug`, the default, and `wgs`) and one account (`wgs-east-test`), so that a
  test can check that partition and account reach sbatch.

``LocalSlurm(root).start()`` raises ``SlurmUnavailable`` (say why: not root, a program missing) when
it cannot run, and ``SlurmStartError`` (with the daemon's log) when a daemon does not come up in time;
``stop()`` cancels the cluster's jobs and stops every daemon it started, in reverse order.
Commands (sbatch, sacct, ...) talk to this cluster when ``SLURM_CONF`` is set as in ``env()``.

Manual use: ``python tests/slurm_cluster.py DIR`` starts it, prints the environment to use, and stops
it on Ctrl-C.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

CLUSTER = "wgseast"
ACCOUNT = "wgs-east-test"
PARTITIONS = ("debug", "wgs")  # the first is the default
DB_USER, DB_PASS, DB_NAME = "slurm", "wgs-east-test", "slurm_acct_db"

PROGRAMS = {
    "munged": "munge",
    "mariadbd": "mariadb-server",
    "mariadb-install-db": "mariadb-server",
    "mariadb": "mariadb-client",
    "slurmdbd": "slurmdbd",
    "slurmctld": "slurmctld",
    "slurmd": "slurmd",
    "sbatch": "slurm-client",
    "sacct": "slurm-client",
    "sacctmgr": "slurm-client",
    "sinfo": "slurm-client",
    "scancel": "slurm-client",
    "unshare": "util-linux",
}
SBIN = ("/usr/sbin", "/usr/bin", "/sbin", "/bin")


class SlurmUnavailable(RuntimeError):
    """This machine cannot run the local cluster (the test skips, with this reason)."""


class SlurmStartError(RuntimeError):
    """A daemon did not come up (the test fails, with the daemon's log)."""


def which(program: str) -> str | None:
    path = os.pathsep.join([os.environ.get("PATH", ""), *SBIN])
    return shutil.which(program, path=path)


def unavailable_reason() -> str | None:
    """Why the local cluster cannot run here, or None if it can."""
    if os.geteuid() != 0:
        return "needs root (slurmd and slurmctld run as root)"
    missing = sorted({pkg for prog, pkg in PROGRAMS.items() if which(prog) is None})
    if missing:
        return f"Debian packages missing: {' '.join(missing)} (`make setup` as root installs them)"
    if not Path("/etc/slurm").is_dir():
        return "/etc/slurm does not exist (it comes with the slurm-client package)"
    probe = subprocess.run(
        [which("unshare") or "unshare", "--mount", "--propagation", "private", "true"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        return f"cannot create a mount namespace (unshare --mount: {probe.stderr.decode().strip()})"
    return None


def memory_enforcement() -> str:
    """'cgroup' where this process can make cgroup v1 memory and freezer groups (Slurm's task/cgroup and
    proctrack/cgroup need them), else 'poll'."""
    base = Path("/sys/fs/cgroup")
    probe = base / "memory" / f"wgs-east-probe-{os.getpid()}"
    if not (base / "freezer").is_dir() or not (base / "memory" / "memory.limit_in_bytes").exists():
        return "poll"
    try:
        probe.mkdir()
        probe.rmdir()
    except OSError:
        return "poll"
    return "cgroup"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine_size() -> tuple[int, int]:
    """(CPUs, MB of memory offered to jobs): all CPUs, 95 % of physical memory."""
    cpus = len(os.sched_getaffinity(0))
    with open("/proc/meminfo") as fh:
        kb = next(int(line.split()[1]) for line in fh if line.startswith("MemTotal:"))
    return cpus, int(kb / 1024 * 0.95)


class LocalSlurm:
    def __init__(self, root: Path, *, timeout: float = 120) -> None:
        self.root = Path(root)
        self.timeout = timeout
        self.hostname = socket.gethostname().split(".")[0]
        self.cpus, self.mem_mb = machine_size()
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.timings: dict[str, float] = {}
        self.conf = self.root / "etc" / "slurm.conf"
        self.memory_enforcement = memory_enforcement()

    # -- environment ---------------------------------------------------------------------------------
    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """An environment whose SLURM commands use this cluster."""
        env = dict(os.environ if base is None else base)
        env["SLURM_CONF"] = str(self.conf)
        env["PATH"] = os.pathsep.join([env.get("PATH", ""), *SBIN])
        for var in [v for v in env if v.startswith(("SLURM_JOB", "SBATCH_", "SRUN_", "SALLOC_"))]:
            del env[var]
        return env

    def run(self, *args: str, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        cmd = [which(args[0]) or args[0], *args[1:]]
        proc = subprocess.run(cmd, env=self.env(), capture_output=True, text=True, timeout=timeout, check=False)
        if check and proc.returncode != 0:
            raise SlurmStartError(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}")
        return proc

    # -- start ---------------------------------------------------------------------------------------
    def start(self) -> LocalSlurm:
        reason = unavailable_reason()
        if reason:
            raise SlurmUnavailable(reason)
        t0 = time.monotonic()
        try:
            self._layout()
            self._step("munge", self._start_munge)
            self._step("mariadb", self._start_mariadb)
            self._step("slurmdbd", self._start_slurmdbd)
            self._step("slurmctld", self._start_slurmctld)
            self._step("slurmd", self._start_slurmd)
        except BaseException:
            self.stop()
            raise
        self.timings["total"] = round(time.monotonic() - t0, 1)
        return self

    def _step(self, name: str, func) -> None:
        t = time.monotonic()
        func()
        self.timings[name] = round(time.monotonic() - t, 1)

    def _layout(self) -> None:
        for sub in ("etc", "munge", "db", "state", "spool", "log", "run"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)
        (self.root / "munge").chmod(0o700)
        self.ports = {name: free_port() for name in ("mariadb", "slurmdbd", "slurmctld", "slurmd")}
        self.munge_socket = self.root / "munge" / "munge.socket"
        self.db_socket = self.root / "run" / "mariadb.sock"
        for name, text in (("slurm.conf", self._slurm_conf()), ("slurmdbd.conf", self._slurmdbd_conf())):
            path = self.root / "etc" / name
            path.write_text(text)
            path.chmod(0o600)

    def _slurm_conf(self) -> str:
        r, p = self.root, self.ports
        node = self.hostname
        lines = [
            f"ClusterName={CLUSTER}",
            f"SlurmctldHost={self.hostname}(127.0.0.1)",
            f"SlurmctldPort={p['slurmctld']}",
            f"SlurmdPort={p['slurmd']}",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            f"AuthInfo=socket={self.munge_socket}",
            "SlurmUser=root",
            "SlurmdUser=root",
            f"StateSaveLocation={r}/state",
            f"SlurmdSpoolDir={r}/spool",
            f"SlurmctldPidFile={r}/run/slurmctld.pid",
            f"SlurmdPidFile={r}/run/slurmd.pid",
            f"SlurmctldLogFile={r}/log/slurmctld.log",
            f"SlurmdLogFile={r}/log/slurmd.log",
            "SlurmctldDebug=info",
            "SlurmdDebug=info",
            *self._memory_lines(),
            "JobAcctGatherType=jobacct_gather/linux",
            "MpiDefault=none",
            "SelectType=select/cons_tres",
            # memory is a consumable resource: a job gets what it asks for (--mem), and no more
            "SelectTypeParameters=CR_Core_Memory",
            "SchedulerType=sched/backfill",
            "SchedulerParameters=sched_interval=2",
            "AccountingStorageType=accounting_storage/slurmdbd",
            "AccountingStorageHost=127.0.0.1",
            f"AccountingStoragePort={p['slurmdbd']}",
            f"AccountingStoragePass={self.munge_socket}",  # the munge socket for talking to slurmdbd
            "AccountingStorageEnforce=associations",
            "JobCompType=jobcomp/none",
            "ReturnToService=2",
            "MinJobAge=300",
            "KillWait=5",
            "InactiveLimit=0",
            "SlurmctldTimeout=30",
            "SlurmdTimeout=60",
            f"PlugStackConfig={r}/etc/plugstack.conf",
            f"NodeName={node} NodeHostname={self.hostname} NodeAddr=127.0.0.1 CPUs={self.cpus}"
            f" RealMemory={self.mem_mb} State=UNKNOWN",
        ]
        for i, part in enumerate(PARTITIONS):
            lines.append(
                f"PartitionName={part} Nodes={node} Default={'YES' if i == 0 else 'NO'} MaxTime=INFINITE State=UP"
            )
        (r / "etc" / "plugstack.conf").write_text("")
        return "\n".join(lines) + "\n"

    def _memory_lines(self) -> list[str]:
        """How a job's memory request is enforced. With a writable cgroup v1 memory controller (as root on
        a VM or a privileged container), as on a production cluster: task/cgroup, ConstrainRAMSpace (the
        kernel kills a job at its request: state OUT_OF_MEMORY). Without it, Slurm's polling fallback:
        jobacct_gather samples every second and kills a step above its request (OverMemoryKill)."""
        if self.memory_enforcement == "cgroup":
            (self.root / "etc" / "cgroup.conf").write_text(
                "CgroupPlugin=cgroup/v1\nCgroupMountpoint=/sys/fs/cgroup\nConstrainRAMSpace=yes\n"
                "AllowedRAMSpace=100\nConstrainSwapSpace=no\nConstrainCores=no\nConstrainDevices=no\n"
            )
            return ["ProctrackType=proctrack/cgroup", "TaskPlugin=task/cgroup", "JobAcctGatherFrequency=task=1"]
        return ["ProctrackType=proctrack/linuxproc", "TaskPlugin=task/none", "JobAcctGatherFrequency=task=1",
                "JobAcctGatherParams=OverMemoryKill"]  # fmt: skip

    def _slurmdbd_conf(self) -> str:
        r, p = self.root, self.ports
        return (
            "\n".join(
                [
                    "AuthType=auth/munge",
                    f"AuthInfo=socket={self.munge_socket}",
                    f"DbdHost={self.hostname}",
                    "DbdAddr=127.0.0.1",
                    f"DbdPort={p['slurmdbd']}",
                    "SlurmUser=root",
                    f"PidFile={r}/run/slurmdbd.pid",
                    f"LogFile={r}/log/slurmdbd.log",
                    "DebugLevel=info",
                    "StorageType=accounting_storage/mysql",
                    "StorageHost=127.0.0.1",
                    f"StoragePort={p['mariadb']}",
                    f"StorageUser={DB_USER}",
                    f"StoragePass={DB_PASS}",
                    f"StorageLoc={DB_NAME}",
                ]
            )
            + "\n"
        )

    def _spawn(self, name: str, cmd: list[str]) -> subprocess.Popen[bytes]:
        log = open(self.root / "log" / f"{name}.out", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            cmd,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal reaches the test, not the daemons
        )
        log.close()
        self.procs.append((name, proc))
        return proc

    def _wait(self, name: str, ready, what: str) -> None:
        deadline = time.monotonic() + self.timeout
        proc = dict(self.procs).get(name)
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                raise SlurmStartError(f"{name} exited with code {proc.returncode} before {what}\n{self.logs(name)}")
            try:
                if ready():
                    return
            except (OSError, subprocess.SubprocessError):
                pass
            time.sleep(0.5)
        raise SlurmStartError(f"{name}: no {what} after {self.timeout:.0f} s\n{self.logs(name)}")

    def logs(self, name: str, lines: int = 30) -> str:
        out = []
        for path in sorted((self.root / "log").glob(f"{name}*")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path} (last {len(text)} lines)\n" + "\n".join(text))
        return "\n".join(out) or f"(no log of {name})"

    def _start_munge(self) -> None:
        key = self.root / "munge" / "munge.key"
        key.write_bytes(secrets.token_bytes(1024))
        key.chmod(0o400)
        self._spawn(
            "munged",
            [
                which("munged"), "--foreground", "--force",
                f"--key-file={key}", f"--socket={self.munge_socket}",
                f"--pid-file={self.root}/munge/munged.pid", f"--seed-file={self.root}/munge/munged.seed",
                f"--log-file={self.root}/log/munged.log",
            ],
        )  # fmt: skip
        self._wait("munged", self.munge_socket.exists, "socket")

    def _sql(self, statements: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [which("mariadb"), "--no-defaults", f"--socket={self.db_socket}", "-uroot", "-e", statements],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def _start_mariadb(self) -> None:
        datadir = self.root / "db"
        proc = subprocess.run(
            [
                which("mariadb-install-db"), "--no-defaults", f"--datadir={datadir}", "--user=root",
                "--skip-test-db", "--auth-root-authentication-method=socket",
            ],
            capture_output=True, text=True, timeout=self.timeout, check=False,
        )  # fmt: skip
        (self.root / "log" / "mariadb-install-db.out").write_text(proc.stdout + proc.stderr)
        if proc.returncode != 0:
            raise SlurmStartError(f"mariadb-install-db failed\n{self.logs('mariadb-install-db')}")
        self._spawn(
            "mariadbd",
            [
                which("mariadbd"), "--no-defaults", f"--datadir={datadir}", "--user=root",
                f"--socket={self.db_socket}", f"--port={self.ports['mariadb']}", "--bind-address=127.0.0.1",
                "--skip-name-resolve", f"--pid-file={self.root}/run/mariadbd.pid",
                f"--log-error={self.root}/log/mariadbd.log", "--innodb-use-native-aio=0",
                "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=16M",
            ],
        )  # fmt: skip
        self._wait("mariadbd", lambda: self._sql("SELECT 1").returncode == 0, "answer on its socket")
        grant = self._sql(
            f"CREATE USER IF NOT EXISTS '{DB_USER}'@'127.0.0.1' IDENTIFIED BY '{DB_PASS}';"
            f"GRANT ALL ON {DB_NAME}.* TO '{DB_USER}'@'127.0.0.1'; FLUSH PRIVILEGES;"
        )
        if grant.returncode != 0:
            raise SlurmStartError(f"mariadb: creating the slurm user failed: {grant.stderr}")

    def _start_slurmdbd(self) -> None:
        self._spawn("slurmdbd", [which("slurmdbd"), "-D"])
        self._wait("slurmdbd", lambda: self.run("sacctmgr", "-n", "list", "cluster", check=False).returncode == 0,
                   "answer to sacctmgr")  # fmt: skip
        for args in (
            ("add", "cluster", CLUSTER),
            ("add", "account", ACCOUNT, "Description=wgs-east test", "Organization=wgs-east"),
            ("add", "user", "root", f"Account={ACCOUNT}"),
        ):
            self.run("sacctmgr", "-i", *args)

    def _start_slurmctld(self) -> None:
        self._spawn("slurmctld", [which("slurmctld"), "-D", "-i"])
        self._wait("slurmctld", lambda: self.run("sinfo", "-h", check=False).returncode == 0, "answer to sinfo")

    def node_state(self) -> str:
        """The node's state in sinfo (one line per partition, all the same)."""
        states = set(self.run("sinfo", "-h", "-N", "-o", "%T", check=False).stdout.split())
        return states.pop() if len(states) == 1 else ",".join(sorted(states))

    def _start_slurmd(self) -> None:
        # Inside a job, snakemake-executor-plugin-slurm runs each step with `srun` in an environment
        # cleared of SLURM_* variables (SLURM_CONF too), so srun reads the compiled-in /etc/slurm/slurm.conf.
        # slurmd (and with it every job) runs in a private mount namespace where /etc/slurm is this
        # cluster's etc/: the machine's /etc/slurm is never written to.
        script = 'mount --bind "$0" /etc/slurm && exec "$1" -D -N "$2"'
        self._spawn(
            "slurmd",
            [which("unshare"), "--mount", "--propagation", "private", "sh", "-c", script,
             str(self.root / "etc"), which("slurmd"), self.hostname],
        )  # fmt: skip
        self._wait("slurmd", lambda: self.node_state() == "idle", "idle node in sinfo")

    # -- stop ----------------------------------------------------------------------------------------
    def stop(self) -> None:
        """Cancel this cluster's jobs, then stop the daemons in reverse order (TERM, then KILL)."""
        alive = {name for name, proc in self.procs if proc.poll() is None}
        if {"slurmctld", "slurmd"} <= alive:
            try:
                self.run("scancel", "--full", "--user=root", check=False)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and self.run("squeue", "-h", check=False).stdout.strip():
                    time.sleep(1)
            except (OSError, subprocess.SubprocessError):
                pass
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
        self.procs.clear()
        if self.memory_enforcement == "cgroup":  # slurmd's cgroup tree (empty once its jobs are gone)
            for top in Path("/sys/fs/cgroup").glob(f"*/slurm_{self.hostname}"):
                dirs = sorted((d for d in top.rglob("*") if d.is_dir()), key=lambda d: -len(d.parts))
                for d in [*dirs, top]:  # deepest first; cgroupfs removes an empty group with rmdir
                    try:
                        d.rmdir()
                    except OSError:
                        pass


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/slurm_cluster.py STATE_DIR", file=sys.stderr)
        return 2
    cluster = LocalSlurm(Path(argv[0]).resolve())
    try:
        cluster.start()
        print(f"up in {cluster.timings}\nexport SLURM_CONF={cluster.conf}\n(Ctrl-C stops it)", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
