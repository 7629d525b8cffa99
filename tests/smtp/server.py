"""A local SMTP server for piagam's send tests (Debian's python3-aiosmtpd).

Every message accepted is written to OUT as NNNN.eml, its recipients in
NNNN.rcpt. An address starting with `tolak@` is refused for good (550);
one starting with `nanti@` is refused once for now (451), then taken.
Prints `ready` when it listens.

Usage: python3 server.py PORT OUT [HOST]   (HOST default 127.0.0.1)
"""
import sys
import time
from pathlib import Path

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, out):
        self.out = out
        self.count = 0
        self.delayed = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local == "tolak":
            return "550 5.1.1 No such mailbox here"
        if local == "nanti" and address not in self.delayed:
            self.delayed.add(address)
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        stem = self.out / f"{self.count:04d}"
        Path(f"{stem}.eml.part").write_bytes(envelope.original_content or envelope.content)
        Path(f"{stem}.rcpt").write_text("\n".join(envelope.rcpt_tos))
        Path(f"{stem}.eml.part").rename(f"{stem}.eml")
        return "250 2.0.0 Message accepted for delivery"


def main():
    port, out = int(sys.argv[1]), Path(sys.argv[2])
    host = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"
    out.mkdir(parents=True, exist_ok=True)
    controller = Controller(Handler(out), hostname=host, port=port)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
