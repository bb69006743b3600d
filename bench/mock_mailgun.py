"""A local stand-in for Mailgun's sending API, for tests and the email benchmark.

It speaks ``POST /v3/<domain>/messages`` (multipart form, repeated ``to`` fields and
``recipient-variables``), answers as Mailgun does, and logs every accepted recipient, one
line each (``<batch id> <address>``), so lost and duplicated emails can be counted.
Run it alone with ``python bench/mock_mailgun.py --port 8599 --log /tmp/recipients.log``.
"""

import argparse
import json
import threading
import time
import uuid
from email.parser import BytesParser
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def parse_form(content_type: str, body: bytes) -> list[tuple[str, str]]:
    if content_type.startswith("application/x-www-form-urlencoded"):
        from urllib.parse import parse_qsl

        return parse_qsl(body.decode(), keep_blank_values=True)
    message = BytesParser(policy=default_policy).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    fields = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        fields.append((name, payload.decode("utf-8", "replace")))
    return fields


class MockMailgun(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address=("127.0.0.1", 0), log_path: str | None = None):
        super().__init__(address, Handler)
        self.log_path = log_path
        self.lock = threading.Lock()
        self.calls = 0
        self.recipients: list[str] = []
        self.fail_next: list[int] = []  # HTTP statuses for the next calls
        self.delay_seconds = 0.0

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v3"

    def start(self) -> "MockMailgun":
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def record(self, batch_id: str, recipients: list[str]) -> None:
        with self.lock:
            self.calls += 1
            self.recipients.extend(recipients)
            if self.log_path:
                with open(self.log_path, "a", encoding="utf-8") as log:
                    log.writelines(f"{batch_id} {address}\n" for address in recipients)


class Handler(BaseHTTPRequestHandler):
    server: MockMailgun

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
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if not self.path.endswith("/messages"):
            self._answer(404, {"message": "Not found"})
            return
        if self.server.delay_seconds:
            time.sleep(self.server.delay_seconds)
        with self.server.lock:
            status = self.server.fail_next.pop(0) if self.server.fail_next else 200
        if status != 200:
            self._answer(status, {"message": f"Mock failure {status}"})
            return
        fields = parse_form(self.headers.get("Content-Type", ""), body)
        to = [value for name, value in fields if name == "to"]
        variables = json.loads(dict(fields).get("recipient-variables") or "{}")
        if variables and set(variables) - {addr.split("<")[-1].rstrip(">") for addr in to}:
            self._answer(400, {"message": "recipient-variables do not match the recipients"})
            return
        batch_id = f"<{uuid.uuid4().hex}@mock.mailgun>"
        self.server.record(batch_id, [addr.split("<")[-1].rstrip(">").lower() for addr in to])
        self._answer(200, {"id": batch_id, "message": "Queued. Thank you."})


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8599)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    server = MockMailgun(("127.0.0.1", args.port), log_path=args.log)
    print(f"Mock Mailgun at {server.api_url}, logging to {args.log}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
