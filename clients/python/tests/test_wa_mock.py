"""wa_mock against the real binary (WA_MOCK_BIN, else the packaged one, else PATH; WA_MOCK_URL
to attach instead)."""

import json
import os
import sysconfig
import urllib.error
import urllib.request

import pytest

from wa_mock import (
    Sandbox,
    WaMock,
    WaMockError,
    WebhookReceiver,
    find_binary,
    sign,
    verify_signature,
)

CUSTOMER = "14165551234"


def promo(to: str = CUSTOMER) -> dict:
    return {
        "messaging_product": "whatsapp",
        "to": to,
        "type": "template",
        "template": {
            "name": "seasonal_promo",
            "language": {"code": "en_US"},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": "Ann"}]}
            ],
        },
    }


def graph_post(sandbox: Sandbox, path: str, body: dict) -> tuple:
    """POST to the Graph API as the client under test would: (status, answer)."""
    request = urllib.request.Request(
        f"{sandbox.graph_url}/{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {sandbox.token}",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def send(sandbox: Sandbox, body: dict) -> tuple:
    """POST /marketing_messages: (status, answer)."""
    return graph_post(sandbox, f"{sandbox.phone_number_id}/marketing_messages", body)


def test_each_test_gets_a_sandbox_of_its_own_with_its_token_ids_and_graph_url(
    wa_mock, wa_mock_server
):
    other = wa_mock_server.sandbox()

    assert wa_mock.token != other.token
    assert wa_mock.phone_number_id != other.phone_number_id
    assert wa_mock.graph_url == f"{wa_mock_server.url}/v25.0"
    assert wa_mock.get_state()["token"] == wa_mock.token
    assert wa_mock.template("seasonal_promo")["status"] == "APPROVED"
    other.delete()


def test_a_marketing_message_goes_through_the_mm_api_and_is_read_on_the_clock(wa_mock):
    status, answer = send(wa_mock, promo())
    wamid = answer["messages"][0]["id"]

    before = [s["status"] for s in wa_mock.message(wamid)["statuses"]]
    clock = wa_mock.advance(60)
    after = wa_mock.message(wamid)

    assert status == 200
    assert answer["contacts"] == [{"input": CUSTOMER, "wa_id": CUSTOMER}]
    assert after["route"] == "marketing_messages"
    assert after["pricing_category"] == "marketing_lite"
    assert [s["status"] for s in after["statuses"]] == before + ["delivered", "read"]
    assert clock["mode"] == "manual"
    assert clock["now"] == "2026-12-01T00:01:00.000Z"
    assert wa_mock.requests()[-1]["path"].endswith("/marketing_messages")


def test_sandboxes_do_not_see_each_others_messages(wa_mock, wa_mock_server):
    other = wa_mock_server.sandbox()

    send(wa_mock, promo())

    assert len(wa_mock.messages()) == 1
    assert other.messages() == []
    other.delete()


def test_a_snapshot_restored_into_another_sandbox_carries_on_where_it_was(
    wa_mock, wa_mock_server
):
    send(wa_mock, promo())
    saved = wa_mock.export_snapshot()
    other = wa_mock_server.sandbox()

    state = other.restore(saved)
    other.advance(60)
    wa_mock.advance(60)

    assert saved["format_version"] == 1
    assert state["token"] == other.token
    assert other.messages() == wa_mock.messages()
    assert [s["status"] for s in other.messages()[0]["statuses"]] == [
        "sent",
        "delivered",
        "read",
    ]
    other.delete()


def test_the_clock_of_one_sandbox_moves_alone(wa_mock, wa_mock_server):
    other = wa_mock_server.sandbox(clock_start="2026-07-01T09:00:00Z")

    wa_mock.advance(3600)

    assert other.clock()["now"] == "2026-07-01T09:00:00.000Z"
    assert wa_mock.clock()["unix"] - other.clock()["unix"] != 0
    other.delete()


def test_an_undeliverable_recipient_fails_with_131026(wa_mock):
    profile = wa_mock.set_recipient(CUSTOMER, behaviour="undeliverable", name="Ann")
    _, answer = send(wa_mock, promo())

    wa_mock.advance(60)

    assert profile == {
        "phone": CUSTOMER,
        "user_id": "CA.17587197811127514456",
        "profile": {
            "behaviour": "undeliverable",
            "name": "Ann",
            "delivered_after_seconds": 2,
            "read_after_seconds": 5,
        },
        "marketing_opted_out": False,
        "customer_service_window_until": None,
    }
    statuses = wa_mock.message(answer["messages"][0]["id"])["statuses"]
    assert statuses[-1]["status"] == "failed"
    assert statuses[-1]["error"] == "message_undeliverable"
    assert wa_mock.recipients() == [profile]


def test_a_fault_answers_its_error_as_many_times_as_asked(wa_mock):
    fault = wa_mock.fail_with("throughput_limit", path="marketing_messages", count=1)

    first_status, first = send(wa_mock, promo())
    second_status, _ = send(wa_mock, promo())

    assert fault == {
        "path": "marketing_messages",
        "phone": None,
        "count": 1,
        "action": {"type": "error", "error": "throughput_limit"},
    }
    assert (first_status, first["error"]["code"]) == (400, 130429)
    assert second_status == 200
    wa_mock.clear_faults()
    assert wa_mock.faults()["data"] == []


def test_a_user_past_the_marketing_limit_fails_with_131049(wa_mock):
    assert wa_mock.set_marketing_limit(1) == {"per_user_per_24h": 1}
    _, first = send(wa_mock, promo())
    _, second = send(wa_mock, promo())

    wa_mock.advance(60)

    assert wa_mock.marketing_limit() == {"per_user_per_24h": 1}
    assert wa_mock.message(first["messages"][0]["id"])["statuses"][-1]["status"] == "read"
    last = wa_mock.message(second["messages"][0]["id"])["statuses"][-1]
    assert (last["status"], last["error"]) == ("failed", "ecosystem_engagement")
    assert wa_mock.set_marketing_limit(None) == {"per_user_per_24h": None}


def test_a_paused_template_is_refused_with_132015(wa_mock):
    template = wa_mock.template("seasonal_promo")

    answer = wa_mock.set_template_status(template["id"], "PAUSED")
    status, refused = send(wa_mock, promo())

    assert answer == {"id": template["id"], "status": "PAUSED"}
    assert (status, refused["error"]["code"]) == (400, 132015)


def test_a_waba_that_is_not_onboarded_falls_back_to_the_cloud_api(wa_mock):
    waba = wa_mock.patch_waba(
        wa_mock.waba_id, marketing_messages_onboarding_status="ELIGIBLE"
    )
    _, answer = send(wa_mock, promo())

    assert waba["marketing_messages_onboarding_status"] == "ELIGIBLE"
    message = wa_mock.message(answer["messages"][0]["id"])
    assert (message["route"], message["pricing_category"]) == ("cloud_api", "marketing")


def test_inbound_messages_are_recorded_as_events(wa_mock):
    wamid = wa_mock.inbound(CUSTOMER, text="hi", name="Zoë")

    inbound = [e for e in wa_mock.events() if e["type"] == "inbound"]
    assert wamid.startswith("wamid.")
    assert len(inbound) == 1
    assert inbound[0]["profile_name"] == "Zoë"
    assert inbound[0]["phone_number_id"] == wa_mock.phone_number_id
    assert inbound[0]["message"]["id"] == wamid
    assert inbound[0]["message"]["text"] == {"body": "hi"}


def test_a_click_on_an_mm_api_messages_url_button_is_kept_on_the_message(wa_mock):
    template = {
        "name": "fall_sale",
        "language": "en_US",
        "category": "MARKETING",
        "components": [
            {
                "type": "BODY",
                "text": "Hi {{1}}, the Fall Sale is on!",
                "example": {"body_text": [["Ann"]]},
            },
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "URL", "text": "Shop now", "url": "https://shop.example.com/fall"}
                ],
            },
        ],
    }
    status, answer = graph_post(wa_mock, f"{wa_mock.waba_id}/message_templates", template)
    assert status == 200, answer
    wa_mock.advance(601)  # the review, then the 10-minute ad sync
    body = promo()
    body["template"]["name"] = "fall_sale"
    _, answer = send(wa_mock, body)
    wamid = answer["messages"][0]["id"]
    wa_mock.advance(5)

    click = wa_mock.click(CUSTOMER, wamid)

    assert (click["component"], click["button_text"]) == ("cta", "Shop now")
    assert click["click_id"].startswith("IwAR")
    assert wa_mock.message(wamid)["clicks"] == [click]
    with pytest.raises(WaMockError) as refused:
        wa_mock.click(CUSTOMER, "wamid.nope")
    assert refused.value.code == 100
    assert refused.value.details == (
        "click.message_id: no message 'wamid.nope' was sent in this sandbox"
    )


def test_webhooks_are_signed_with_the_app_secret_and_can_be_awaited(wa_mock_server):
    with WebhookReceiver() as receiver:
        sandbox = wa_mock_server.sandbox(webhook_url=receiver.url, app_secret="s3cret")
        _, answer = send(sandbox, promo())
        wamid = answer["messages"][0]["id"]

        sandbox.advance(60)
        attempts = sandbox.wait_for_delivery(message_id=wamid, count=3)
        received = receiver.wait(3)

        assert [a["outcome"] for a in attempts] == ["delivered"] * 3
        assert [a["status"] for a in attempts] == [200] * 3
        for webhook in received:
            assert verify_signature("s3cret", webhook.body, webhook.signature)
            assert not verify_signature("other", webhook.body, webhook.signature)
            assert not verify_signature("s3cret", webhook.body + b" ", webhook.signature)
        statuses = [
            w.json()["entry"][0]["changes"][0]["value"]["statuses"][0]["status"]
            for w in received
        ]
        assert statuses == ["sent", "delivered", "read"]
        assert sandbox.webhooks()["app_secret_configured"] is True
        sandbox.delete()


def test_waiting_for_a_delivery_that_never_comes_times_out(wa_mock):
    with pytest.raises(TimeoutError, match="0 of 1 deliveries"):
        wa_mock.wait_for_delivery(message_id="wamid.none", timeout=0.2)


def test_signatures_are_hmac_sha256_of_the_exact_body():
    fox = "The quick brown fox jumps over the lazy dog"

    # The widely published example of HMAC-SHA256 with the key "key".
    assert sign("key", fox) == (
        "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    )
    assert verify_signature(b"key", fox.encode(), sign("key", fox))
    assert not verify_signature("secret", b"{}", None)
    assert not verify_signature("secret", b"{}", "md5=abc")


def test_bad_input_is_refused_in_graphs_envelope(wa_mock):
    with pytest.raises(WaMockError) as refused:
        wa_mock.set_recipient(CUSTOMER, behaviour="sometimes")

    assert refused.value.status == 400
    assert refused.value.code == 100
    assert refused.value.body["error"]["type"] == "OAuthException"
    assert refused.value.details == (
        "request body: unknown variant `sometimes`, expected one of `default`, "
        "`undeliverable`, `ecosystem_limited`, `stopped_marketing`, `offline`, `never_read` "
        "at line 1 column 25"
    )
    assert wa_mock.recipients() == [], "a refusal changes nothing"


def test_attaching_to_a_running_server_and_its_openapi_document(wa_mock_server):
    attached = WaMock.attach(wa_mock_server.url + "/")

    assert attached.health() == {"status": "ok"}
    document = attached.openapi()
    assert document["openapi"] == "3.1.0"
    assert "/__admin/sandboxes" in document["paths"]
    attached.stop()  # an attached server keeps running
    assert wa_mock_server.health() == {"status": "ok"}


def test_the_binary_installed_with_the_package_starts_without_wa_mock_bin_or_path(
    monkeypatch, tmp_path
):
    monkeypatch.delenv("WA_MOCK_BIN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))

    packaged = os.path.join(sysconfig.get_path("scripts"), "wa-mock")
    assert find_binary() == packaged
    with WaMock.start() as mock:
        assert mock.health() == {"status": "ok"}


def test_wa_mock_bin_overrides_the_packaged_binary(monkeypatch, tmp_path):
    missing = str(tmp_path / "elsewhere" / "wa-mock")
    monkeypatch.setenv("WA_MOCK_BIN", missing)

    assert find_binary() == missing
    with pytest.raises(FileNotFoundError, match="elsewhere"):
        WaMock.start()


def test_starting_without_a_binary_says_how_to_find_one(monkeypatch, tmp_path):
    monkeypatch.delenv("WA_MOCK_BIN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    # Nor one installed with the package.
    monkeypatch.setattr(sysconfig, "get_path", lambda *_: str(tmp_path))

    with pytest.raises(FileNotFoundError, match="set WA_MOCK_BIN"):
        WaMock.start()


def test_a_binary_that_does_not_start_is_reported(tmp_path):
    with pytest.raises(RuntimeError, match="did not start"):
        WaMock.start(args=["--speed", "0"])
