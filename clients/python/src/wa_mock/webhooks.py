"""A local webhook endpoint for tests: records each POST and answers 200."""

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, List, Optional
import json


@dataclass(frozen=True)
class ReceivedWebhook:
    """One POST the receiver got."""

    path: str
    headers: Dict[str, str]
    body: bytes

    @property
    def signature(self) -> Optional[str]:
        """The ``X-Hub-Signature-256`` header."""
        return self.headers.get("x-hub-signature-256")

    def json(self):
        """The body, parsed."""
        return json.loads(self.body)


class WebhookReceiver:
    """An HTTP server on a free loopback port, in a thread of its own.

    ``status`` is what it answers (200 by default; set it to test the mock's retries). Use it
    as a context manager, or call :meth:`close`.
    """

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: List[ReceivedWebhook] = []
        self._lock = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver._lock:
                    receiver.received.append(ReceivedWebhook(self.path, headers, body))
                    receiver._lock.notify_all()
                self.send_response(receiver.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """Where to point the mock's webhooks."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/webhook"

    def wait(
        self,
        count: int = 1,
        timeout: float = 5.0,
        where: Optional[Callable[[ReceivedWebhook], bool]] = None,
    ) -> List[ReceivedWebhook]:
        """The first ``count`` webhooks received (that satisfy ``where``), waiting up to
        ``timeout`` seconds for them; raises ``TimeoutError`` with what did arrive."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                matching = [w for w in self.received if where is None or where(w)]
                if len(matching) >= count:
                    return matching[:count]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"{len(matching)} of {count} webhooks after {timeout}s: {matching!r}"
                    )
                self._lock.wait(left)

    def close(self) -> None:
        """Stops the server."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "WebhookReceiver":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
