"""A local Mailgun for the production-topology check: Signpost's production settings send
through django-anymail's real Mailgun backend to this address (MAILGUN_API_URL), and it
delivers as Mailgun would, one .eml file per recipient in --mail-dir: each batch
recipient's %recipient.key% variables substituted in the subject, bodies and h: headers,
and only their own address in To. `.ci/journey.py --mail-dir` then reads the files as it
reads `make run`'s.

    python .ci/mailgun_mailbox.py --port 8599 --mail-dir /tmp/mail
"""

import argparse
import json
import re
import sys
import uuid
from email.message import EmailMessage
from email.utils import parseaddr
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.mock_mailgun import parse_form  # noqa: E402 (after the path above)

VARIABLE = re.compile(r"%recipient\.([^%\s]+)%")


def substitute(text: str, values: dict) -> str:
    return VARIABLE.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


class Mailbox(ThreadingHTTPServer):
    daemon_threads = True
    mail_dir: Path
    sequence = 0


class Handler(BaseHTTPRequestHandler):
    server: Mailbox

    def log_message(self, format, *args):  # noqa: A002 (quiet)
        return

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self.path.endswith("/messages"):
            self._answer(404, {"message": "Not found"})
            return
        fields = parse_form(self.headers.get("Content-Type", ""), body)
        single = dict(fields)
        to = [value for name, value in fields if name == "to"]
        variables = json.loads(single.get("recipient-variables") or "{}")
        message_id = f"<{uuid.uuid4().hex}@mailbox.localhost>"
        for recipient in to:
            address = parseaddr(recipient)[1]
            values = variables.get(address, {}) if variables else {}
            message = EmailMessage()
            message["From"] = single.get("from", "")
            message["To"] = recipient if variables else ", ".join(to)
            message["Subject"] = substitute(single.get("subject", ""), values)
            message["Message-ID"] = message_id
            for name, value in fields:
                if name.startswith("h:"):
                    message[name[2:]] = substitute(value, values)
            message.set_content(substitute(single.get("text", ""), values))
            if single.get("html"):
                message.add_alternative(substitute(single["html"], values), subtype="html")
            self.server.sequence += 1
            safe = re.sub(r"[^A-Za-z0-9@._+-]+", "_", address)[:80]
            name = f"{self.server.sequence:06d}-{safe}.eml"
            partial = self.server.mail_dir / f".{name}.part"
            partial.write_bytes(message.as_bytes())
            partial.replace(self.server.mail_dir / name)
        self._answer(200, {"id": message_id, "message": "Queued. Thank you."})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mail-dir", type=Path, required=True)
    args = parser.parse_args()
    args.mail_dir.mkdir(parents=True, exist_ok=True)
    server = Mailbox(("127.0.0.1", args.port), Handler)
    server.mail_dir = args.mail_dir
    server.serve_forever()


if __name__ == "__main__":
    main()
