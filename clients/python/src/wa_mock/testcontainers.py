"""A Testcontainers module: wa-mock's image started for a test, answering health.

Needs ``testcontainers`` (``pip install "wa-mock[testcontainers]"``)::

    from wa_mock.testcontainers import WaMockContainer

    with WaMockContainer().with_seed(7) as container:
        sandbox = container.get_default_sandbox()   # its token and ids
        client_under_test(base_url=container.get_graph_url(), token=sandbox.token)
        assert container.get_client().default_sandbox().messages()

The image is pinned to this package's version; the clock is manual, as the pytest plugin's.
"""

import socket
from importlib.metadata import version
from pathlib import Path
from typing import Optional, Union

from testcontainers.core.container import DockerContainer
from testcontainers.core.wait_strategies import HealthcheckWaitStrategy

from .client import DEFAULT_GRAPH_VERSION, Sandbox, WaMock

DEFAULT_IMAGE = f"ghcr.io/wa-mock/wa-mock:{version('wa-mock')}"
"""The image the release of this package published."""

PORT = 8089
"""The port the server listens on inside the container."""

WORLD_PATH = "/wa-mock/world.toml"
"""Where :meth:`WaMockContainer.with_world` puts the world file in the container."""


class WaMockContainer(DockerContainer):
    """wa-mock in a container, started when its ``HEALTHCHECK`` (the binary's ``healthcheck``)
    turns healthy. Each ``with_*`` sets the server's ``WA_MOCK_*`` variable and returns the
    container, so they chain."""

    def __init__(self, image: str = DEFAULT_IMAGE, **kwargs) -> None:
        super().__init__(image, _wait_strategy=HealthcheckWaitStrategy(), **kwargs)
        self._host_port: Optional[int] = None
        self.with_exposed_ports(PORT)
        self.with_env("WA_MOCK_CLOCK", "manual")

    def with_world(self, path: Union[str, Path]) -> "WaMockContainer":
        """Serves the world file at ``path`` (``--config``) instead of the default world."""
        self.with_copy_into_container(Path(path), WORLD_PATH)
        return self.with_env("WA_MOCK_CONFIG", WORLD_PATH)

    def with_seed(self, seed: int) -> "WaMockContainer":
        """Seeds the id and token streams (``--seed``): the same seed, the same ids."""
        return self.with_env("WA_MOCK_SEED", str(seed))

    def with_webhook_url(
        self, url: str, app_secret: Optional[str] = None
    ) -> "WaMockContainer":
        """Sends the default sandbox's webhooks to ``url`` (``--webhook-url``), signed with
        ``app_secret`` when given (``--app-secret``). The URL is dialled from the container."""
        self.with_env("WA_MOCK_WEBHOOK_URL", url)
        return self.with_env("WA_MOCK_APP_SECRET", app_secret) if app_secret else self

    def with_host_network(self) -> "WaMockContainer":
        """Runs on the host's network (Linux), listening on a free loopback port, for Docker
        daemons without a bridge network; webhooks then reach the host at 127.0.0.1."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self._host_port = probe.getsockname()[1]
        self.ports.clear()
        self.with_kwargs(network_mode="host")
        return self.with_env("WA_MOCK_LISTEN", f"127.0.0.1:{self._host_port}")

    def get_url(self) -> str:
        """The server's base URL as seen from the host: ``http://host:port``."""
        if self._host_port is not None:
            return f"http://127.0.0.1:{self._host_port}"
        return f"http://{self.get_container_host_ip()}:{self.get_exposed_port(PORT)}"

    def get_graph_url(self, graph_version: str = DEFAULT_GRAPH_VERSION) -> str:
        """The Graph base URL to give the client under test: ``{url}/v25.0``."""
        return f"{self.get_url()}/{graph_version}"

    def get_client(self) -> WaMock:
        """The admin client (:class:`~wa_mock.WaMock`) attached to this container."""
        return WaMock.attach(self.get_url())

    def get_default_sandbox(self) -> Sandbox:
        """The sandbox the server starts with: its token, business, WABA and phone number
        ids (those of the world file when :meth:`with_world` gave one)."""
        return self.get_client().default_sandbox()
