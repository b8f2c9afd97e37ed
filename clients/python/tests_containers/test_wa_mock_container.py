"""WaMockContainer against the image named by WA_MOCK_IMAGE. WA_MOCK_CONTAINER_NETWORK=host
runs it on the host's network, for Docker daemons without a bridge (as in CI); the webhook test
needs it, since its receiver listens on the host's loopback."""

import json
import os
import urllib.request
from pathlib import Path

from wa_mock import WaMock, WebhookReceiver, verify_signature
from wa_mock.testcontainers import WaMockContainer

IMAGE = os.environ.get("WA_MOCK_IMAGE", "")
WORLD = Path(__file__).resolve().parents[3] / "fixtures" / "world" / "example.toml"


def container() -> WaMockContainer:
    assert IMAGE, "set WA_MOCK_IMAGE to the image to test (docker/build makes one)"
    made = WaMockContainer(IMAGE)
    if os.environ.get("WA_MOCK_CONTAINER_NETWORK") == "host":
        made.with_host_network()
    return made


def text(value: str) -> dict:
    return {"type": "text", "text": value}


SEASONAL_PROMO = {
    "name": "seasonal_promo",
    "language": {"code": "en_US"},
    "components": [{"type": "body", "parameters": [text("Ann")]}],
}
# The example world's one template; its WABA is not onboarded, so it goes by /messages.
WEEKLY_DEALS = {
    "name": "weekly_deals",
    "language": {"code": "en_GB"},
    "components": [
        {"type": "header", "parameters": [text("you")]},
        {"type": "body", "parameters": [text("Sam"), text("2 for 1")]},
    ],
}


def send(graph_url: str, token: str, path: str, template: dict) -> dict:
    """POSTs a template message to ``{graph_url}/{path}``; the answer's JSON."""
    body = {
        "messaging_product": "whatsapp",
        "to": "14165551234",
        "type": "template",
        "template": template,
    }
    request = urllib.request.Request(
        f"{graph_url}/{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


def test_the_container_is_healthy_and_sends_a_marketing_message_through_the_mm_api():
    with container() as mock:
        sandbox = mock.get_default_sandbox()
        answer = send(
            mock.get_graph_url(),
            sandbox.token,
            f"{sandbox.phone_number_id}/marketing_messages",
            SEASONAL_PROMO,
        )

        inspected = mock.get_wrapped_container()
        inspected.reload()
        assert inspected.attrs["State"]["Health"]["Status"] == "healthy"
        assert mock.get_graph_url() == f"{mock.get_url()}/v25.0"
        assert sandbox.token == "wa-mock-default-token"
        assert (sandbox.business_id, sandbox.waba_id, sandbox.phone_number_id) == (
            "100000000000001",
            "100000000000011",
            "100000000000021",
        )
        [message] = mock.get_client().default_sandbox().messages()
        assert message["id"] == answer["messages"][0]["id"]
        assert (message["route"], message["pricing_category"]) == (
            "marketing_messages",
            "marketing_lite",
        )


def test_a_world_a_seed_and_a_webhook_url_configure_the_container():
    with WebhookReceiver() as receiver, container().with_world(WORLD).with_seed(
        7
    ).with_webhook_url(receiver.url, app_secret="s3cret") as mock:
        sandbox = mock.get_default_sandbox()
        path = f"{sandbox.phone_number_id}/messages"
        wamid = send(mock.get_graph_url(), sandbox.token, path, WEEKLY_DEALS)["messages"][0]["id"]
        sandbox.advance(60)
        received = receiver.wait(3)
        created_in_container = mock.get_client().sandbox().token

        # The same world and seed on the packaged binary make the same sandbox token.
        with WaMock.start(
            args=["--clock", "manual", "--seed", "7", "--config", str(WORLD)]
        ) as local:
            created_locally = local.sandbox().token

    assert sandbox.token == "example-token"
    assert created_in_container == created_locally
    assert [
        w.json()["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] for w in received
    ] == [wamid] * 3
    assert all(verify_signature("s3cret", w.body, w.signature) for w in received)
