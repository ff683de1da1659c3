"""An email backend for the fault tests' workers: a slow mail server that writes what it gets.

Each message is a file in ``FAULT_MAIL_DIR`` (its recipient, then its subject). Before each
message the backend notes which one is in flight and in which process (``inflight``), then waits
``FAULT_MAIL_BEFORE`` seconds, delivers, and waits ``FAULT_MAIL_AFTER`` seconds: a worker killed
in the first wait has sent nothing (the server never got the end of the message); killed in the
second, the server has the message but the worker never heard back.
"""

import json
import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


def delivered(folder: Path) -> list[str]:
    """The recipient of every delivered message, one entry per delivery."""
    return sorted(p.read_text().split("\n", 1)[0] for p in folder.glob("*.eml"))


def in_flight(folder: Path) -> dict | None:
    path = folder / "inflight"
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None


class SlowSinkBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        folder = Path(os.environ["FAULT_MAIL_DIR"])
        before = float(os.environ.get("FAULT_MAIL_BEFORE", "0"))
        after = float(os.environ.get("FAULT_MAIL_AFTER", "0"))
        for message in email_messages:
            marker = {"pid": os.getpid(), "to": message.to[0], "at": time.time()}
            (folder / "inflight.tmp").write_text(json.dumps(marker))
            (folder / "inflight.tmp").replace(folder / "inflight")
            time.sleep(before)
            eml = folder / f"{uuid.uuid4().hex}.eml"
            eml.with_suffix(".tmp").write_text(f"{message.to[0]}\n{message.subject}")
            eml.with_suffix(".tmp").replace(eml)
            time.sleep(after)
        return len(email_messages)
