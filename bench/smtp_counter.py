"""aiosmtpd's fallback for ``bench.outbox`` where Postfix's smtp-sink is missing.

``python -m bench.smtp_counter PORT``: accepts and drops every message like aiosmtpd's Sink,
and writes a running count (``mesg=N``, as smtp-sink -c does) after each one.
"""

from __future__ import annotations

import sys
import time


class Counter:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        sys.stdout.write(f"mesg={self.count}\n")
        sys.stdout.flush()
        return "250 OK"


def main(port: int) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]))
