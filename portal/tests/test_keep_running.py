"""``deploy/keep-running``, the restart loop ``make run`` puts the worker and beat under."""

import os
import signal
import subprocess
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
SCRIPT = BASE_DIR / "deploy" / "keep-running"


def _wait(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_restarts_the_command_until_told_to_stop(tmp_path):
    runs = tmp_path / "runs"
    # Each run notes its pid, then the first two die at once and the third stays up.
    command = f'echo $$ >> {runs}; [ "$(wc -l < {runs})" -ge 3 ] && exec sleep 60; kill -9 $$'
    loop = subprocess.Popen(
        [str(SCRIPT), "sh", "-c", command],
        env={**os.environ, "KEEP_RUNNING_DELAY": "0.1"},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait(lambda: runs.exists() and len(runs.read_text().split()) == 3)
        last = int(runs.read_text().split()[-1])
        time.sleep(0.3)
        assert len(runs.read_text().split()) == 3, "a command that stays up is left alone"
        loop.send_signal(signal.SIGTERM)
        assert loop.wait(timeout=10) == 0
    finally:
        if loop.poll() is None:
            loop.kill()
    # The command it was running was stopped with it.
    _wait(lambda: not Path(f"/proc/{last}").exists() or _zombie(last))
    assert loop.stderr.read().count("exited with status 137; starting it again") == 2


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except FileNotFoundError:
        return True
