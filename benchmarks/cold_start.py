"""Demo cold start: a fresh clone, `uv run manage.py demo`, until the first
portal page answers.

    uv run python benchmarks/cold_start.py [--port 8104]

Clones this repository's committed HEAD into a temporary folder (nothing of
this checkout is used but its history), then runs the README's one command
there with a clean environment (SQLite, no Redis, the demo's own data folder)
and times, from the start of `uv run`:

- the virtual environment made by uv (from uv's package cache: packages are
  not downloaded again, as on a developer's machine that has run uv before);
- the demo's guide printed (migrations, static files, seeding);
- the first portal page answering 200 (the servers up, the page rendered).

Then Ctrl-C (SIGINT) and the folder is removed. Target (issue 23): under 30 s
on an idle machine.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 30.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8104)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="portal-cold-"))
    clone = workdir / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)],
        check=True,
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_", "EMAIL_", "PORTAL_", "REDIS_", "VIRTUAL_ENV")
        )
    }
    env.update(DEMO_DATA_DIR=str(workdir / "demo"), PYTHONUNBUFFERED="1")
    uv = shutil.which("uv") or str(Path.home() / ".local/bin/uv")
    started = time.monotonic()
    demo = subprocess.Popen(
        [uv, "run", "manage.py", "demo", f"127.0.0.1:{args.port}"],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[tuple[float, str]] = []

    def read() -> None:
        for line in demo.stdout:  # type: ignore[union-attr]
            lines.append((time.monotonic() - started, line))

    threading.Thread(target=read, daemon=True).start()
    marks: dict[str, float] = {}
    try:
        deadline = started + 300
        while "page" not in marks:
            if demo.poll() is not None or time.monotonic() > deadline:
                print("".join(line for _, line in lines)[-3000:])
                raise SystemExit("the demo never served a portal page")
            if "venv" not in marks and (clone / ".venv" / "pyvenv.cfg").exists():
                marks["venv"] = time.monotonic() - started
            for at, line in lines:
                if "Demo data" in line and "seeded" not in marks:
                    marks["seeded"] = at
                if "Serving on" in line and "serving" not in marks:
                    marks["serving"] = at
            portal = next(
                (
                    re.search(r"portal of [^:]+: (http\S+)", line)
                    for _, line in lines
                    if "portal of" in line and "http" in line
                ),
                None,
            )
            if portal is not None:
                try:
                    with urllib.request.urlopen(portal[1], timeout=5) as response:
                        if response.status == 200:
                            marks["page"] = time.monotonic() - started
                except OSError:
                    pass
            time.sleep(0.1)
    finally:
        if demo.poll() is None:
            demo.send_signal(signal.SIGINT)
            try:
                demo.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(demo.pid, signal.SIGKILL)
        shutil.rmtree(workdir, ignore_errors=True)
    print("What the demo printed, with the time since `uv run` started:")
    for at, line in lines:
        if line.strip() and "password" not in line:
            print(f"  {at:6.1f} s  {line.rstrip()[:100]}")
    print("Demo cold start (fresh clone, `uv run manage.py demo`):")
    for name, label in (
        ("venv", "virtual environment ready (uv, from its cache)"),
        ("serving", '"Serving on" (migrated, static files, seeded, servers up)'),
        ("page", "first portal page answered 200"),
    ):
        if name in marks:
            print(f"  {marks[name]:6.1f} s  {label}")
    ok = marks["page"] < TARGET_SECONDS
    print(
        f"{'PASS' if ok else 'MISS'}  first portal page in < {TARGET_SECONDS:g} s "
        f"({marks['page']:.1f} s)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
