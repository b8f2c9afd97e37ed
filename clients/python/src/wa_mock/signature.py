"""Webhook signatures: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, body)>``."""

import hashlib
import hmac
from typing import Optional, Union

_PREFIX = "sha256="


def _bytes(value: Union[str, bytes]) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def sign(app_secret: Union[str, bytes], body: Union[str, bytes]) -> str:
    """The ``X-Hub-Signature-256`` value for ``body`` signed with ``app_secret``."""
    digest = hmac.new(_bytes(app_secret), _bytes(body), hashlib.sha256).hexdigest()
    return _PREFIX + digest


def verify_signature(
    app_secret: Union[str, bytes], body: Union[str, bytes], header: Optional[str]
) -> bool:
    """Whether ``header`` (the ``X-Hub-Signature-256`` value) signs exactly ``body``.

    Verify against the raw bytes received, before any JSON parsing: re-encoding changes them.
    """
    if not header or not header.startswith(_PREFIX):
        return False
    return hmac.compare_digest(sign(app_secret, body), header.strip())
