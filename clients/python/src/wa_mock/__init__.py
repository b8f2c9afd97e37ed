"""Drive wa-mock, a stateful fake of Meta's WhatsApp Graph API, from Python tests.

- :class:`WaMock` starts the ``wa-mock`` binary (:func:`find_binary`: ``WA_MOCK_BIN``, else the
  one installed with this package, else ``PATH``) or attaches to a running one (a URL, e.g. a
  container's published port).
- :meth:`WaMock.sandbox` makes a sandbox of its own for a test: a token, ids, a Graph base URL
  and typed methods for the admin API (:class:`Sandbox`).
- :func:`verify_signature` checks a webhook's ``X-Hub-Signature-256``;
  :class:`WebhookReceiver` is a local endpoint that records the webhooks it is sent.
- The pytest plugin (``wa_mock.pytest_plugin``, loaded by pytest) gives the fixtures
  ``wa_mock_server`` (one server per session) and ``wa_mock`` (a fresh sandbox per test).
"""

from .client import (
    DEFAULT_GRAPH_VERSION,
    Sandbox,
    WaMock,
    WaMockError,
    find_binary,
)
from .signature import sign, verify_signature
from .webhooks import ReceivedWebhook, WebhookReceiver

__all__ = [
    "DEFAULT_GRAPH_VERSION",
    "ReceivedWebhook",
    "Sandbox",
    "WaMock",
    "WaMockError",
    "WebhookReceiver",
    "find_binary",
    "sign",
    "verify_signature",
]
