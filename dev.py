#!/usr/bin/env python3
"""Guichet's two commands.

    python3 dev.py run    set everything up (virtual environment, dependencies, database,
                          demo data) and run Guichet: web server and background worker
    python3 dev.py test   install the test dependencies and run the whole test suite

Only the standard library is used here, so that it works on a fresh machine.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("GUICHET_VENV", ROOT / ".venv"))
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
DEMO_PASSWORD = "Guichet-Demo-2026!"


def say(message: str) -> None:
    print(f"\033[1m» {message}\033[0m", flush=True)


def ensure_venv(extras: str = "") -> None:
    if sys.version_info < (3, 11):
        sys.exit("Guichet needs Python 3.11 or newer.")
    if not PYTHON.exists():
        say(f"Creating the virtual environment in {VENV.name}/")
        venv.EnvBuilder(with_pip=True).create(VENV)
    spec = f".[{extras}]" if extras else "."
    stamp = VENV / f".guichet-installed{('-' + extras) if extras else ''}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    say("Installing dependencies")
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", spec],
        cwd=ROOT,
        check=True,
    )
    stamp.write_text(digest)


def manage(*args: str, env: dict | None = None) -> None:
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, check=True, env=env)


def run() -> None:
    ensure_venv()
    env = {**os.environ, "GUICHET_DEMO": os.environ.get("GUICHET_DEMO", "1")}
    say("Preparing the database")
    manage("migrate", "--noinput", env=env)
    manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
    manage("demo_data", "--if-empty", env=env)
    host = os.environ.get("GUICHET_HOST", "127.0.0.1")
    port = os.environ.get("GUICHET_PORT", "8000")
    env.setdefault("GUICHET_SITE_URL", f"http://{host}:{port}")
    web = subprocess.Popen(
        [str(PYTHON), "-m", "gunicorn", "guichet.wsgi:application", "--bind", f"{host}:{port}",
         "--workers", os.environ.get("GUICHET_WEB_WORKERS", "2"), "--threads", "4",
         # No access log: URLs may carry search words and tracking links (personal data).
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    worker = subprocess.Popen(
        [str(PYTHON), "manage.py", "db_worker", "--queue-name", "*", "--interval", "1"],
        cwd=ROOT, env=env,
    )
    # Recurring jobs (mailbox polling, sweeps, scheduled acknowledgements), run by the worker.
    periodic = subprocess.Popen([str(PYTHON), "manage.py", "periodic"], cwd=ROOT, env=env)
    time.sleep(1.5)
    print(
        f"""
  Guichet is running at http://{host}:{port}/
    Citizens' portal:  http://{host}:{port}/ville-demo/
    Agents' back office: http://{host}:{port}/agents/

  Demo logins (password for all: {DEMO_PASSWORD})
    accueil@demo.guichet.fr     front desk (accueil, standard)
    voirie@demo.guichet.fr      agent, service Voirie
    etat-civil@demo.guichet.fr  agent, service État civil
    dst@demo.guichet.fr         manager, Direction des services techniques
    admin@demo.guichet.fr       administrator (also /admin/)
    dpo@demo.guichet.fr         data protection officer
    usager@demo.guichet.fr      citizen with an account

  Press Ctrl-C to stop.
""",
        flush=True,
    )

    def stop(*_):
        for process in (web, worker, periodic):
            if process.poll() is None:
                process.terminate()
        for process in (web, worker, periodic):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in (web, worker, periodic)):
            time.sleep(1)
        say("A process stopped: shutting down")
    except KeyboardInterrupt:
        pass
    stop()


def test(args: list[str]) -> int:
    ensure_venv("test")
    env = {**os.environ, "GUICHET_DEMO": "1", "GUICHET_DEBUG": "0"}
    database = env.get("DATABASE_URL", "sqlite (embedded)")
    say(f"Running the test suite on {database.split('@')[-1]}")
    command = [str(PYTHON), "-m", "pytest", *args]
    if not any(a.startswith("-n") for a in args) and os.environ.get("GUICHET_TEST_WORKERS") != "0":
        command += ["-n", os.environ.get("GUICHET_TEST_WORKERS", "2")]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test"}:
        print(__doc__)
        sys.exit(2)
    if sys.argv[1] == "run":
        run()
    else:
        sys.exit(test(sys.argv[2:]))


if __name__ == "__main__":
    main()
