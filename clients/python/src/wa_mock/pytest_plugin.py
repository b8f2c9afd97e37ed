"""pytest fixtures: one wa-mock per session, a sandbox of its own per test.

- ``wa_mock_server``: the session's :class:`~wa_mock.WaMock`: ``WA_MOCK_URL`` when set
  (attached), else the binary (``WA_MOCK_BIN``, else the one installed with this package, else
  ``PATH``) started with ``--clock manual``. Override this fixture to start it otherwise.
- ``wa_mock``: a fresh :class:`~wa_mock.Sandbox` on it, deleted after the test.
"""

import os

import pytest

from .client import Sandbox, WaMock


@pytest.fixture(scope="session")
def wa_mock_server():
    url = os.environ.get("WA_MOCK_URL")
    if url:
        mock = WaMock.attach(url)
        mock.wait_healthy()
        yield mock
        return
    with WaMock.start() as mock:
        yield mock


@pytest.fixture
def wa_mock(wa_mock_server: WaMock):
    sandbox: Sandbox = wa_mock_server.sandbox()
    yield sandbox
    sandbox.delete()
