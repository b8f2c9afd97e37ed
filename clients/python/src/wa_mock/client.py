"""The server (started or attached) and a sandbox's admin API.

Bodies and answers are the admin API's JSON as ``GET /__admin/openapi.json`` describes it; the
``TypedDict`` types below name the fields tests read most.
"""

import json
import os
import shutil
import subprocess
import sysconfig
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional, Sequence, TypedDict, Union

DEFAULT_GRAPH_VERSION = "v25.0"
"""The Graph version in :attr:`Sandbox.graph_url`: the newest the mock serves."""

Json = Dict[str, Any]


class ClockState(TypedDict):
    """``GET /__admin/clock``."""

    mode: str
    now: str
    unix: int
    pending_jobs: int


class StatusRecord(TypedDict, total=False):
    """One step of a message's status history."""

    status: str
    at: str
    error: str


class LinkClick(TypedDict, total=False):
    """A user's link click in a message (``button_text`` for ``cta`` clicks only)."""

    message_id: str
    component: str
    button_text: str
    click_id: str
    tracking_token: str
    at: str


class Message(TypedDict, total=False):
    """One entry of ``GET /__admin/messages``."""

    id: str
    phone_number_id: str
    waba_id: str
    endpoint: str
    input: str
    wa_id: str
    type: str
    template: Json
    route: str
    pricing_category: str
    creative_features: List[str]
    ttl_seconds: int
    conversation_id: str
    created_at: str
    statuses: List[StatusRecord]
    clicks: List[LinkClick]


class Attempt(TypedDict, total=False):
    """One entry of ``GET /__admin/webhooks/deliveries``: one POST of a webhook."""

    delivery_id: int
    attempt: int
    at: str
    url: str
    field: str
    message_ids: List[str]
    status: Optional[int]
    latency_ms: int
    error: Optional[str]
    outcome: str
    next_attempt_at: Optional[str]
    duplicate_of: Optional[int]
    signature: str
    body: Json


class State(TypedDict):
    """``GET /__admin/state``: a sandbox's world."""

    token: str
    businesses: List[Json]
    wabas: List[Json]
    phone_numbers: List[Json]
    templates: List[Json]


class WaMockError(Exception):
    """A non-2xx answer, in Graph's error envelope."""

    def __init__(self, method: str, url: str, status: int, body: Any) -> None:
        self.method = method
        self.url = url
        self.status = status
        self.body = body
        error = body.get("error", {}) if isinstance(body, dict) else {}
        self.code: Optional[int] = error.get("code")
        self.details: Optional[str] = (error.get("error_data") or {}).get("details")
        super().__init__(f"{method} {url}: {status} {json.dumps(body)}")


def _request(
    method: str,
    url: str,
    token: Optional[str] = None,
    body: Any = None,
    timeout: float = 30.0,
) -> Any:
    data = None if body is None else json.dumps(body).encode("utf-8")
    headers = {"Accept": "application/json"}
    if method != "GET":
        # The admin API refuses state changes in any other content type (cross-site forms).
        headers["Content-Type"] = "application/json"
        data = data if data is not None else b""
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = raw.decode("utf-8", "replace")
        raise WaMockError(method, url, e.code, answer) from None


def _packaged_binary() -> Optional[str]:
    """The binary the wheel installed beside this package: the scripts directory of this
    interpreter's install scheme (a venv's ``bin``), else of the user scheme (``pip install
    --user``). Found there even when that directory is not on ``PATH``."""
    name = "wa-mock.exe" if os.name == "nt" else "wa-mock"
    for scripts in (sysconfig.get_path("scripts"), sysconfig.get_path("scripts", f"{os.name}_user")):
        candidate = os.path.join(scripts, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def find_binary(binary: Optional[str] = None) -> str:
    """The ``wa-mock`` binary that :meth:`WaMock.start` runs: ``binary``, else ``WA_MOCK_BIN``,
    else the one installed with this package, else ``wa-mock`` on ``PATH``."""
    found = (
        binary
        or os.environ.get("WA_MOCK_BIN")
        or _packaged_binary()
        or shutil.which("wa-mock")
    )
    if not found:
        raise FileNotFoundError(
            "no wa-mock binary: set WA_MOCK_BIN, install the wa-mock wheel, put wa-mock on PATH,"
            " or attach to a URL"
        )
    return found


class WaMock:
    """A wa-mock server: one this process started (:meth:`start`) or one running elsewhere
    (:meth:`attach`). Use it as a context manager, or call :meth:`stop`."""

    def __init__(self, url: str, process: Optional[subprocess.Popen] = None) -> None:
        self.url = url.rstrip("/")
        self._process = process

    @classmethod
    def attach(cls, url: str) -> "WaMock":
        """A server already running at ``url``, e.g. ``http://localhost:8089``."""
        return cls(url)

    @classmethod
    def start(
        cls,
        args: Sequence[str] = ("--clock", "manual"),
        binary: Optional[str] = None,
        env: Optional[Dict[str, str]] = None,
        timeout: float = 10.0,
    ) -> "WaMock":
        """Starts the binary (:func:`find_binary`) on a free loopback port with ``args``, and
        waits for its ``listening on`` line."""
        command = [find_binary(binary), "--listen", "127.0.0.1:0", *args]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            text=True,
        )
        first: List[str] = []
        reader = threading.Thread(
            target=lambda: first.append(process.stdout.readline()), daemon=True
        )
        reader.start()
        reader.join(timeout)
        line = first[0].strip() if first else ""
        if not line.startswith("listening on "):
            process.kill()
            process.wait()
            raise RuntimeError(
                f"{' '.join(command)} did not start (exit {process.returncode}): {line!r}"
            )
        # Keep reading stdout so that the server never blocks on a full pipe.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        return cls(line[len("listening on ") :], process)

    def stop(self) -> None:
        """Stops a server this process started (an attached one keeps running)."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> "WaMock":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def health(self) -> Json:
        """``GET /__admin/health``: ``{"status": "ok"}``."""
        return _request("GET", f"{self.url}/__admin/health")

    def wait_healthy(self, timeout: float = 10.0) -> None:
        """Waits until the server answers its health check (a container that is starting)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.health()
                return
            except (OSError, WaMockError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def openapi(self) -> Json:
        """``GET /__admin/openapi.json``: the admin API in OpenAPI 3.1."""
        return _request("GET", f"{self.url}/__admin/openapi.json")

    def memory(self) -> Json:
        """``GET /__admin/memory``: the server's memory budget."""
        return _request("GET", f"{self.url}/__admin/memory")

    def sandbox(
        self,
        clock_start: Optional[str] = None,
        webhook_url: Optional[str] = None,
        app_secret: Optional[str] = None,
        webhook_version: Optional[str] = None,
        chaos: Optional[Json] = None,
    ) -> "Sandbox":
        """``POST /__admin/sandboxes``: a fresh sandbox with its own ids, clock and token."""
        body = {
            k: v
            for k, v in {
                "clock_start": clock_start,
                "webhook_url": webhook_url,
                "app_secret": app_secret,
                "webhook_version": webhook_version,
                "chaos": chaos,
            }.items()
            if v is not None
        }
        answer = _request("POST", f"{self.url}/__admin/sandboxes", body=body)
        return Sandbox(self.url, answer["token"], answer["state"])

    def default_sandbox(self, token: str = "wa-mock-default-token") -> "Sandbox":
        """The sandbox the server starts with (shared by everyone who uses it)."""
        state = _request("GET", f"{self.url}/__admin/state", token)
        return Sandbox(self.url, state["token"], state)


class Sandbox:
    """One sandbox: its token, the ids of its world, and the admin API on it.

    ``phone_number_id`` and ``waba_id`` are the onboarded WABA's (marketing goes through the
    MM API); ``state`` is the world as it was made (call :meth:`get_state` for now)."""

    def __init__(self, url: str, token: str, state: State) -> None:
        self.url = url
        self.token = token
        self.state = state
        onboarded = [
            w
            for w in state["wabas"]
            if w["marketing_messages_onboarding_status"] == "ONBOARDED" and not w["msc"]
        ]
        waba = (onboarded or state["wabas"] or [{}])[0]
        self.waba_id: Optional[str] = waba.get("id")
        self.business_id: Optional[str] = waba.get("business_id")
        phones = [p for p in state["phone_numbers"] if p["waba_id"] == self.waba_id]
        self.phone_number_id: Optional[str] = (phones or state["phone_numbers"] or [{}])[
            0
        ].get("id")

    @property
    def graph_url(self) -> str:
        """The Graph base URL to give the client under test: ``{url}/v25.0``."""
        return f"{self.url}/{DEFAULT_GRAPH_VERSION}"

    def template(self, name: str, language: str = "en_US") -> Json:
        """A template of the world as it was made, by name and language."""
        for t in self.state["templates"]:
            if t["name"] == name and t["language"] == language:
                return t
        raise KeyError(f"no template {name} ({language}) in this sandbox")

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        return _request(method, f"{self.url}{path}", self.token, body)

    # The world and the clock.

    def get_state(self) -> State:
        """``GET /__admin/state``."""
        return self._call("GET", "/__admin/state")

    def reset(self) -> State:
        """``POST /__admin/reset``: back to the initial world."""
        return self._call("POST", "/__admin/reset")

    def export_snapshot(self, secrets: bool = False) -> Json:
        """``GET /__admin/snapshot``: the sandbox as one versioned document, to keep or share
        (the webhook ``app_secret`` only with ``secrets``)."""
        query = "?include=secrets" if secrets else ""
        return self._call("GET", f"/__admin/snapshot{query}")

    def restore(self, snapshot: Json) -> State:
        """``POST /__admin/snapshot``: the sandbox takes the snapshot's state (its token stays);
        its pending statuses and reviews carry on."""
        return self._call("POST", "/__admin/snapshot", snapshot)

    def clock(self) -> ClockState:
        """``GET /__admin/clock``."""
        return self._call("GET", "/__admin/clock")

    def advance(self, seconds: int) -> ClockState:
        """``POST /__admin/clock/advance``: returns once everything that fell due (webhook
        deliveries included) has run."""
        return self._call("POST", "/__admin/clock/advance", {"seconds": seconds})

    def delete(self) -> None:
        """``DELETE /__admin/sandboxes/{token}``: frees the sandbox at once."""
        _request("DELETE", f"{self.url}/__admin/sandboxes/{urllib.parse.quote(self.token)}")

    # What happened.

    def messages(self) -> List[Message]:
        """``GET /__admin/messages``: every message, oldest first."""
        return self._call("GET", "/__admin/messages")["data"]

    def message(self, wamid: str) -> Message:
        """The message with this wamid."""
        for m in self.messages():
            if m["id"] == wamid:
                return m
        raise KeyError(f"no message {wamid} in this sandbox")

    def requests(self) -> List[Json]:
        """``GET /__admin/requests``: the Graph request journal, with contract violations."""
        return self._call("GET", "/__admin/requests")["data"]

    def events(self) -> List[Json]:
        """``GET /__admin/events``: the sandbox's domain events."""
        return self._call("GET", "/__admin/events")["data"]

    def deliveries(
        self, message_id: Optional[str] = None, field: Optional[str] = None
    ) -> List[Attempt]:
        """``GET /__admin/webhooks/deliveries``: every delivery attempt, oldest first."""
        query = urllib.parse.urlencode(
            {k: v for k, v in {"message_id": message_id, "field": field}.items() if v}
        )
        return self._call("GET", f"/__admin/webhooks/deliveries?{query}")["data"]

    def wait_for_delivery(
        self,
        message_id: Optional[str] = None,
        field: Optional[str] = None,
        outcome: Optional[str] = "delivered",
        count: int = 1,
        timeout: float = 10.0,
    ) -> List[Attempt]:
        """The first ``count`` attempts (of ``message_id``, ``field``, ending in ``outcome``),
        polling up to ``timeout`` seconds: for realtime clocks. On a manual clock
        :meth:`advance` has already attempted every delivery that fell due."""
        deadline = time.monotonic() + timeout
        while True:
            found = [
                a
                for a in self.deliveries(message_id, field)
                if outcome is None or a["outcome"] == outcome
            ]
            if len(found) >= count:
                return found[:count]
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{len(found)} of {count} deliveries after {timeout}s "
                    f"(message_id={message_id}, field={field}, outcome={outcome})"
                )
            time.sleep(0.05)

    # Webhooks.

    def webhooks(self) -> Json:
        """``GET /__admin/webhooks``: the settings in force."""
        return self._call("GET", "/__admin/webhooks")

    def set_webhooks(
        self,
        webhook_url: Optional[str] = None,
        app_secret: Optional[str] = None,
        webhook_version: Optional[str] = None,
        chaos: Optional[Json] = None,
    ) -> Json:
        """``PUT /__admin/webhooks``: replaces the sandbox's own settings."""
        body = {
            k: v
            for k, v in {
                "webhook_url": webhook_url,
                "app_secret": app_secret,
                "webhook_version": webhook_version,
                "chaos": chaos,
            }.items()
            if v is not None
        }
        return self._call("PUT", "/__admin/webhooks", body)

    # Recipients and users.

    def recipients(self) -> List[Json]:
        """``GET /__admin/recipients``."""
        return self._call("GET", "/__admin/recipients")["data"]

    def set_recipient(
        self,
        phone: str,
        behaviour: Optional[str] = None,
        name: Optional[str] = None,
        delivered_after_seconds: Optional[int] = None,
        read_after_seconds: Optional[int] = None,
    ) -> Json:
        """``PUT /__admin/recipients/{phone}``: ``behaviour`` is ``default``,
        ``undeliverable``, ``ecosystem_limited``, ``stopped_marketing``, ``offline`` or
        ``never_read``; settings left out take their defaults."""
        body = {
            k: v
            for k, v in {
                "behaviour": behaviour,
                "name": name,
                "delivered_after_seconds": delivered_after_seconds,
                "read_after_seconds": read_after_seconds,
            }.items()
            if v is not None
        }
        return self._call("PUT", f"/__admin/recipients/{urllib.parse.quote(phone)}", body)

    def inbound(
        self,
        from_: str,
        text: Optional[str] = None,
        button: Optional[Json] = None,
        name: Optional[str] = None,
        phone_number_id: Optional[str] = None,
    ) -> str:
        """``POST /__admin/inbound``: a user's text or button tap (``{"text": "Stop
        promotions", "context_message_id": wamid}``), with its webhook; returns its wamid."""
        body = {
            k: v
            for k, v in {
                "from": from_,
                "text": text,
                "button": button,
                "name": name,
                "phone_number_id": phone_number_id,
            }.items()
            if v is not None
        }
        return self._call("POST", "/__admin/inbound", body)["id"]

    def click(
        self,
        from_: str,
        message_id: str,
        component: str = "cta",
        phone_number_id: Optional[str] = None,
    ) -> LinkClick:
        """``POST /__admin/inbound`` with ``click``: the user clicks a link (``cta``, the URL
        button, or ``body``) in the MM API message ``message_id``, with Meta's click webhook;
        returns the click (``click_id``, ``tracking_token``, …)."""
        body: Json = {"from": from_, "click": {"message_id": message_id, "component": component}}
        if phone_number_id is not None:
            body["phone_number_id"] = phone_number_id
        return self._call("POST", "/__admin/inbound", body)["click"]

    # Faults.

    def faults(self) -> Json:
        """``GET /__admin/faults``: the faults armed and the throughput limit."""
        return self._call("GET", "/__admin/faults")

    def add_fault(
        self,
        action: Json,
        path: Optional[str] = None,
        phone: Optional[str] = None,
        count: Optional[int] = None,
    ) -> Json:
        """``POST /__admin/faults``. ``action``: ``{"type": "error", "error": "<catalogue
        key>"}``, ``{"type": "latency", "millis": N}`` or ``{"type": "drop"}``."""
        body = {"path": path, "phone": phone, "count": count, "action": action}
        return self._call("POST", "/__admin/faults", body)

    def fail_with(
        self,
        error: str,
        path: Optional[str] = None,
        phone: Optional[str] = None,
        count: Optional[int] = None,
    ) -> Json:
        """Answers matching requests with a catalogue error, e.g. ``throughput_limit``."""
        return self.add_fault({"type": "error", "error": error}, path, phone, count)

    def clear_faults(self) -> None:
        """``DELETE /__admin/faults``."""
        self._call("DELETE", "/__admin/faults")

    def set_throughput(self, messages_per_second: Optional[int]) -> Json:
        """``PUT /__admin/throughput``: sends per phone number per second (``None`` lifts
        the limit)."""
        return self._call(
            "PUT", "/__admin/throughput", {"messages_per_second": messages_per_second}
        )

    def marketing_limit(self) -> Json:
        """``GET /__admin/marketing_limit``: Meta's per-user marketing limit as the sandbox
        counts it."""
        return self._call("GET", "/__admin/marketing_limit")

    def set_marketing_limit(self, per_user_per_24h: Optional[int]) -> Json:
        """``PUT /__admin/marketing_limit``: marketing templates a user receives in 24 hours
        before more fail with 131049 (``None`` turns the limit off)."""
        return self._call(
            "PUT", "/__admin/marketing_limit", {"per_user_per_24h": per_user_per_24h}
        )

    # Templates and WABAs.

    def set_template_status(
        self, template_id: str, status: str, reason: Optional[str] = None
    ) -> Json:
        """``POST /__admin/templates/{id}/status``, with its webhook."""
        body: Json = {"status": status}
        if reason is not None:
            body["reason"] = reason
        return self._call(
            "POST", f"/__admin/templates/{urllib.parse.quote(template_id)}/status", body
        )

    def patch_waba(self, waba_id: str, **flags: Union[str, bool, Json]) -> Json:
        """``PATCH /__admin/wabas/{id}``: ``marketing_messages_onboarding_status``, ``msc``,
        ``disable_marketing_messages_on_cloud_api``, ``message_activity_sharing``,
        ``degrees_of_freedom_spec``."""
        return self._call("PATCH", f"/__admin/wabas/{urllib.parse.quote(waba_id)}", flags)
