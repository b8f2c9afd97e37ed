#!/usr/bin/env python3
"""A Python team's integration test against wa-mock, written with the third-party client pywa.

It starts the mock (manual clock, fixed seed) with this script's webhook receiver subscribed,
sends through pywa on the Marketing Messages API and on Cloud API, checks pywa's error mapping,
advances the mock's clock and checks that pywa verified and parsed every status webhook the mock
sent, including statuses of users known only by business-scoped user id (BSUID) and the
`user_preferences` webhook of a user who stops marketing. Then `wa-contract journal` validates every request pywa made, and `wa-contract webhooks`
fuzzes the same pywa receiver with signed and badly signed webhooks.

    python scenario.py            # binaries from target/debug (override: WA_MOCK_BIN, WA_CONTRACT_BIN)
"""
import json
import logging
import os
import subprocess
import sys
import threading
import urllib.request
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from pywa import WhatsApp, types
from pywa.errors import TemplateNotExists
from pywa.types.templates import BodyText, HeaderImage, TemplateLanguage

ROOT = Path(__file__).resolve().parents[2]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug"
WA_MOCK = os.environ.get("WA_MOCK_BIN", str(TARGET / "wa-mock"))
WA_CONTRACT = os.environ.get("WA_CONTRACT_BIN", str(TARGET / "wa-contract"))

# The default world's onboarded WABA, its phone number and the default token (see the README).
PHONE_ID = "100000000000021"
TOKEN = "wa-mock-default-token"
APP_SECRET = "python-example-secret"
VERIFY_TOKEN = "python-example-verify"
CUSTOMER = "14165551234"
APP_ID = "100000000000041"
WABA_ID = "100000000000011"
BSUID = "CA.13491208655302741918"
PARENT_BSUID = "CA.ENT.11815799212886844830"

checks = {"passed": 0, "failed": 0}


class ErrorCount(logging.Handler):
    """Counts what pywa logs as an error: an update it received but could not parse."""

    errors = []

    def emit(self, record):
        self.errors.append(record.getMessage())


# CATEGORY_NOT_AVAILABLE is a documented (deprecated) rejection reason that pywa 4.5.0 does not
# list; it parses it as UNKNOWN and warns.
warnings.filterwarnings("ignore", message="Unknown TemplateRejectionReason")
# pywa warns about every badly signed webhook the fuzzer sends (expected); errors must not happen.
logging.getLogger("pywa").setLevel(logging.ERROR)
logging.getLogger("pywa").addHandler(ErrorCount(logging.ERROR))
logging.getLogger("pywa").propagate = False


def check(name, ok, detail=""):
    checks["passed" if ok else "failed"] += 1
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f": {detail}" if detail and not ok else ""))


statuses = []
preferences = []
wa = WhatsApp(
    phone_id=PHONE_ID,
    token=TOKEN,
    api_version="23.0",
    app_secret=APP_SECRET,
    verify_token=VERIFY_TOKEN,
    session=httpx.Client(timeout=10),
)


@wa.on_message_status
def on_status(_: WhatsApp, status: types.MessageStatus):
    statuses.append(status)


@wa.on_user_marketing_preferences
def on_preferences(_: WhatsApp, update: types.UserMarketingPreferences):
    preferences.append(update)


class Receiver(BaseHTTPRequestHandler):
    """The client's webhook endpoint: pywa verifies the signature, then parses and dispatches."""

    def do_GET(self):
        from urllib.parse import parse_qs, urlparse

        q = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
        body, status = wa.webhook_challenge_handler(q.get("hub.verify_token", ""), q.get("hub.challenge", ""))
        self.reply(status, body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        error = wa.webhook_update_validator(body, self.headers.get("X-Hub-Signature-256"))
        if error is not None:
            self.reply(error[1], error[0])
            return
        message, status = wa.webhook_update_handler(body)
        self.reply(status, message)

    def reply(self, status, text):
        data = str(text).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_):
        pass


def admin(base, method, path, body=None):
    req = urllib.request.Request(
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())


def main():
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{receiver.server_port}/webhook"

    mock = subprocess.Popen(
        [WA_MOCK, "--listen", "127.0.0.1:0", "--clock", "manual", "--seed", "7",
         "--webhook-url", hook, "--app-secret", APP_SECRET, "--verify-token", VERIFY_TOKEN],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        first = mock.stdout.readline().strip()
        base = first.removeprefix("listening on ")
        check("the mock announces its address first", first.startswith("listening on http://"), first)
        wa.api._session.base_url = f"{base}/v23.0"  # pywa has no public base-URL option
        run(base, hook)
    finally:
        mock.terminate()
        mock.wait()
        receiver.shutdown()
    print(f"{checks['passed']} passed, {checks['failed']} failed")
    sys.exit(1 if checks["failed"] else 0)


def run(base, hook):
    promo = [BodyText.params("Ada")]
    mm = wa.send_template(to=CUSTOMER, name="seasonal_promo", language=TemplateLanguage.ENGLISH_US,
                          params=promo, use_mm_lite_api=True, message_activity_sharing=True)
    check("pywa sends a marketing message on the MM API", mm.id.startswith("wamid."), mm.id)
    cloud = wa.send_template(to=CUSTOMER, name="order_update", language=TemplateLanguage.ENGLISH_US,
                             params=[BodyText.params("A-1001")])
    check("pywa sends a utility template on Cloud API", cloud.id.startswith("wamid."), cloud.id)
    try:
        wa.send_template(to=CUSTOMER, name="no_such_template", language=TemplateLanguage.ENGLISH_US)
        check("an unknown template raises TemplateNotExists", False, "no error")
    except TemplateNotExists as e:
        check("an unknown template raises TemplateNotExists", e.code == 132001, e)

    recorded = {m["id"]: m for m in admin(base, "GET", "/__admin/messages")["data"]}
    check("the mock routed the marketing message via the MM API",
          recorded[mm.id]["route"] == "marketing_messages" and recorded[mm.id]["pricing_category"] == "marketing_lite",
          recorded.get(mm.id))

    # A user the business knows only by BSUID, with a parent BSUID; pywa sends to it as `recipient`.
    admin(base, "PUT", f"/__admin/recipients/{BSUID}", {"name": "Pablo M.", "parent_user_id": PARENT_BSUID})
    to_bsuid = wa.send_template(to=BSUID, name="seasonal_promo", language=TemplateLanguage.ENGLISH_US,
                                params=promo, use_mm_lite_api=True)
    to_parent = wa.send_template(to=PARENT_BSUID, name="seasonal_promo", language=TemplateLanguage.ENGLISH_US,
                                 params=promo, use_mm_lite_api=True)
    check("pywa sends marketing to a BSUID and to a parent BSUID",
          to_bsuid.id.startswith("wamid.") and to_parent.id.startswith("wamid."), (to_bsuid, to_parent))
    admin(base, "POST", f"/__admin/recipients/{CUSTOMER}/user_preferences", {"value": "stop"})

    admin(base, "POST", "/__admin/clock/advance", {"seconds": 60})
    bsuid_statuses = [s for s in statuses if s.id in (to_bsuid.id, to_parent.id)]
    check("pywa parsed the BSUID sends' statuses, with the BSUID and no phone number",
          len(bsuid_statuses) == 6 and all(
              s.from_user.bsuid == BSUID and s.from_user.wa_id is None
              and s.from_user.parent_bsuid == PARENT_BSUID for s in bsuid_statuses),
          [(s.status, s.from_user) for s in bsuid_statuses])
    check("pywa parsed user_preferences: the customer stopped marketing",
          len(preferences) == 1 and preferences[0].value.value == "stop"
          and preferences[0].from_user.wa_id == CUSTOMER and bool(preferences[0].from_user.bsuid),
          preferences)
    by_message = {}
    for s in statuses:
        by_message.setdefault(s.id, []).append(s.status.value)
    check("pywa verified and parsed sent, delivered and read for the MM message",
          by_message.get(mm.id) == ["sent", "delivered", "read"], by_message.get(mm.id))
    check("pywa parsed the Cloud API message's statuses", by_message.get(cloud.id, [])[:1] == ["sent"],
          by_message.get(cloud.id))
    mm_pricing = [s.pricing for s in statuses if s.id == mm.id and s.pricing is not None]
    check("the MM message is priced marketing_lite",
          bool(mm_pricing) and all(p.category.value == "marketing_lite" for p in mm_pricing), mm_pricing)

    media(base)

    journal = subprocess.run([WA_CONTRACT, "journal", "--mock", base, "--token", TOKEN],
                             capture_output=True, text=True)
    check("wa-contract journal finds pywa's requests conformant", journal.returncode == 0,
          journal.stdout + journal.stderr)
    fuzz = subprocess.run([WA_CONTRACT, "webhooks", "--url", hook, "--app-secret", APP_SECRET,
                           "--cases", "32", "--seed", "1"], capture_output=True, text=True)
    check("pywa's receiver accepts signed webhooks and refuses badly signed ones", fuzz.returncode == 0,
          fuzz.stdout + fuzz.stderr)
    check("pywa parsed every webhook it accepted without error", not ErrorCount.errors, ErrorCount.errors[:3])


def media(base):
    """A header image through pywa's Resumable Upload API calls (cut and resumed), a template
    made with its handle, and an image uploaded and sent by id, in a message and an MM header."""
    png = bytes(range(256)) * 4
    session = wa.api.create_upload_session(app_id=APP_ID, file_name="banner.png",
                                           file_length=len(png), file_type="image/png")["id"]
    cut = wa.api.upload_file(upload_session_id=session, file=png[:300], file_offset=0)
    offset = wa.api.get_upload_session(upload_session_id=session)["file_offset"]
    handle = wa.api.upload_file(upload_session_id=session, file=png[offset:], file_offset=offset)["h"]
    check("pywa resumes an upload session from its offset and gets a handle",
          cut["file_offset"] == 300 and offset == 300 and handle.startswith("4::"), (cut, offset, handle))
    created = admin(base, "POST", f"/v23.0/{WABA_ID}/message_templates", {
        "name": "new_collection", "language": "en_US", "category": "MARKETING",
        "components": [{"type": "HEADER", "format": "IMAGE", "example": {"header_handle": [handle]}},
                       {"type": "BODY", "text": "Our new collection is in."}]})
    admin(base, "POST", "/__admin/clock/advance", {"seconds": 11 * 60})

    uploaded = wa.upload_media(media=png, mime_type="image/png", filename="banner.png")
    url = wa.get_media_url(uploaded.id)
    check("pywa uploads an image and reads its download URL",
          url.mime_type == "image/png" and url.file_size == len(png), url)
    image = wa.send_image(to=CUSTOMER, image=uploaded.id)
    header = wa.send_template(to=CUSTOMER, name="new_collection", language=TemplateLanguage.ENGLISH_US,
                              params=[HeaderImage.params(image=uploaded.id)], use_mm_lite_api=True)
    recorded = {m["id"]: m for m in admin(base, "GET", "/__admin/messages")["data"]}
    check("the mock recorded the image pywa sent by id, and the MM header made with a handle",
          recorded[image.id]["media"] == [{"type": "image", "component": "body", "id": uploaded.id}]
          and recorded[header.id]["media"] == [{"type": "image", "component": "header", "id": uploaded.id}]
          and recorded[header.id]["route"] == "marketing_messages" and created["status"] == "PENDING",
          (recorded.get(image.id), recorded.get(header.id)))


if __name__ == "__main__":
    main()
