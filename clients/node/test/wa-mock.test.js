// The helper against the real binary (WA_MOCK_BIN, else the platform package's, else PATH;
// WA_MOCK_URL to attach instead). It imports the package by name, so that the same file tests
// this directory and an install from the packed tarballs.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
  WaMock,
  WaMockError,
  WebhookReceiver,
  findBinary,
  packagedBinary,
  sign,
  verifySignature,
} from "wa-mock";

const CUSTOMER = "14165551234";

const promo = (to = CUSTOMER) => ({
  messaging_product: "whatsapp",
  to,
  type: "template",
  template: {
    name: "seasonal_promo",
    language: { code: "en_US" },
    components: [{ type: "body", parameters: [{ type: "text", text: "Ann" }] }],
  },
});

/** POST /marketing_messages as the client under test would. */
async function send(sandbox, body) {
  const response = await fetch(`${sandbox.graphUrl}/${sandbox.phoneNumberId}/marketing_messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${sandbox.token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

let mock;
before(async () => {
  mock = process.env.WA_MOCK_URL ? WaMock.attach(process.env.WA_MOCK_URL) : await WaMock.start();
  await mock.waitHealthy();
});
after(() => mock.stop());

/** A sandbox of the test's own, deleted after it. */
async function sandboxFor(t, options) {
  const sandbox = await mock.sandbox(options);
  t.after(() => sandbox.delete());
  return sandbox;
}

test("each test gets a sandbox of its own with its token, ids and Graph URL", async (t) => {
  const one = await sandboxFor(t);
  const other = await sandboxFor(t);

  assert.notEqual(one.token, other.token);
  assert.notEqual(one.phoneNumberId, other.phoneNumberId);
  assert.equal(one.graphUrl, `${mock.url}/v25.0`);
  assert.equal((await one.getState()).token, one.token);
  assert.equal(one.template("seasonal_promo").status, "APPROVED");
});

test("a marketing message goes through the MM API and is read on the clock", async (t) => {
  const sandbox = await sandboxFor(t);

  const sent = await send(sandbox, promo());
  const wamid = sent.body.messages[0].id;
  const before = (await sandbox.message(wamid)).statuses.map((s) => s.status);
  const clock = await sandbox.advance(60);
  const message = await sandbox.message(wamid);

  assert.equal(sent.status, 200);
  assert.deepEqual(sent.body.contacts, [{ input: CUSTOMER, wa_id: CUSTOMER }]);
  assert.equal(message.route, "marketing_messages");
  assert.equal(message.pricing_category, "marketing_lite");
  assert.deepEqual(
    message.statuses.map((s) => s.status),
    [...before, "delivered", "read"],
  );
  assert.deepEqual([clock.mode, clock.now], ["manual", "2026-12-01T00:01:00.000Z"]);
});

test("sandboxes do not see each other's messages", async (t) => {
  const one = await sandboxFor(t);
  const other = await sandboxFor(t);

  await send(one, promo());

  assert.equal((await one.messages()).length, 1);
  assert.deepEqual(await other.messages(), []);
});

test("a snapshot restored into another sandbox carries on where it was", async (t) => {
  const one = await sandboxFor(t);
  const other = await sandboxFor(t);

  await send(one, promo());
  const saved = await one.exportSnapshot();
  const state = await other.restore(saved);
  await other.advance(60);
  await one.advance(60);

  assert.equal(saved.format_version, 1);
  assert.equal(state.token, other.token);
  assert.deepEqual(await other.messages(), await one.messages());
  assert.deepEqual(
    (await other.messages())[0].statuses.map((s) => s.status),
    ["sent", "delivered", "read"],
  );
});

test("an undeliverable recipient fails with message_undeliverable", async (t) => {
  const sandbox = await sandboxFor(t);

  const recipient = await sandbox.setRecipient(CUSTOMER, { behaviour: "undeliverable", name: "Ann" });
  const sent = await send(sandbox, promo());
  await sandbox.advance(60);

  assert.deepEqual(recipient, {
    phone: CUSTOMER,
    user_id: "CA.17587197811127514456",
    profile: { behaviour: "undeliverable", name: "Ann", delivered_after_seconds: 2, read_after_seconds: 5 },
    marketing_opted_out: false,
    customer_service_window_until: null,
  });
  const last = (await sandbox.message(sent.body.messages[0].id)).statuses.at(-1);
  assert.deepEqual([last.status, last.error], ["failed", "message_undeliverable"]);
  assert.deepEqual(await sandbox.recipients(), [recipient]);
});

test("a fault answers its error as many times as asked", async (t) => {
  const sandbox = await sandboxFor(t);

  const fault = await sandbox.failWith("throughput_limit", { path: "marketing_messages", count: 1 });
  const first = await send(sandbox, promo());
  const second = await send(sandbox, promo());
  await sandbox.clearFaults();

  assert.deepEqual(fault, {
    path: "marketing_messages",
    phone: null,
    count: 1,
    action: { type: "error", error: "throughput_limit" },
  });
  assert.deepEqual([first.status, first.body.error.code], [400, 130429]);
  assert.equal(second.status, 200);
  assert.deepEqual((await sandbox.faults()).data, []);
});

test("a user past the marketing limit fails with 131049", async (t) => {
  const sandbox = await sandboxFor(t);

  assert.deepEqual(await sandbox.setMarketingLimit(1), { per_user_per_24h: 1 });
  const first = await send(sandbox, promo());
  const second = await send(sandbox, promo());
  await sandbox.advance(60);

  assert.deepEqual(await sandbox.marketingLimit(), { per_user_per_24h: 1 });
  assert.equal((await sandbox.message(first.body.messages[0].id)).statuses.at(-1).status, "read");
  const last = (await sandbox.message(second.body.messages[0].id)).statuses.at(-1);
  assert.deepEqual([last.status, last.error], ["failed", "ecosystem_engagement"]);
  assert.deepEqual(await sandbox.setMarketingLimit(null), { per_user_per_24h: null });
});

test("a paused template is refused with 132015", async (t) => {
  const sandbox = await sandboxFor(t);
  const template = sandbox.template("seasonal_promo");

  const answer = await sandbox.setTemplateStatus(template.id, "PAUSED");
  const refused = await send(sandbox, promo());

  assert.deepEqual(answer, { id: template.id, status: "PAUSED" });
  assert.deepEqual([refused.status, refused.body.error.code], [400, 132015]);
});

test("a WABA that is not onboarded falls back to the Cloud API", async (t) => {
  const sandbox = await sandboxFor(t);

  const waba = await sandbox.patchWaba(sandbox.wabaId, {
    marketing_messages_onboarding_status: "ELIGIBLE",
  });
  const sent = await send(sandbox, promo());
  const message = await sandbox.message(sent.body.messages[0].id);

  assert.equal(waba.marketing_messages_onboarding_status, "ELIGIBLE");
  assert.deepEqual([message.route, message.pricing_category], ["cloud_api", "marketing"]);
});

test("inbound messages are recorded as events", async (t) => {
  const sandbox = await sandboxFor(t);

  const wamid = await sandbox.inbound({ from: CUSTOMER, text: "hi", name: "Zoë" });
  const inbound = (await sandbox.events()).filter((e) => e.type === "inbound");

  assert.match(wamid, /^wamid\./);
  assert.equal(inbound.length, 1);
  assert.equal(inbound[0].profile_name, "Zoë");
  assert.equal(inbound[0].message.id, wamid);
  assert.deepEqual(inbound[0].message.text, { body: "hi" });
});

test("a click on an MM API message's URL button is kept on the message", async (t) => {
  const sandbox = await sandboxFor(t);
  const created = await fetch(`${sandbox.graphUrl}/${sandbox.wabaId}/message_templates`, {
    method: "POST",
    headers: { authorization: `Bearer ${sandbox.token}`, "content-type": "application/json" },
    body: JSON.stringify({
      name: "fall_sale",
      language: "en_US",
      category: "MARKETING",
      components: [
        { type: "BODY", text: "Hi {{1}}, the Fall Sale is on!", example: { body_text: [["Ann"]] } },
        { type: "BUTTONS", buttons: [{ type: "URL", text: "Shop now", url: "https://shop.example.com/fall" }] },
      ],
    }),
  });
  assert.equal(created.status, 200);
  await sandbox.advance(601); // review, then the 10-minute ad sync
  const body = promo();
  body.template.name = "fall_sale";
  const sent = await send(sandbox, body);
  const wamid = sent.body.messages[0].id;
  await sandbox.advance(5);

  const click = await sandbox.click({ from: CUSTOMER, messageId: wamid });

  assert.deepEqual([click.component, click.button_text], ["cta", "Shop now"]);
  assert.match(click.click_id, /^IwAR/);
  assert.deepEqual((await sandbox.message(wamid)).clicks, [click]);
  await assert.rejects(sandbox.click({ from: CUSTOMER, messageId: "wamid.nope" }), (e) => {
    assert.ok(e instanceof WaMockError);
    assert.equal(e.code, 100);
    assert.equal(e.details, "click.message_id: no message 'wamid.nope' was sent in this sandbox");
    return true;
  });
});

test("webhooks are signed with the app secret and can be awaited", async (t) => {
  const receiver = await WebhookReceiver.start();
  t.after(() => receiver.close());
  const sandbox = await sandboxFor(t, { webhookUrl: receiver.url, appSecret: "s3cret" });

  const sent = await send(sandbox, promo());
  const wamid = sent.body.messages[0].id;
  await sandbox.advance(60);
  const attempts = await sandbox.waitForDelivery({ messageId: wamid, count: 3 });
  const received = await receiver.wait(3);

  assert.deepEqual(
    attempts.map((a) => [a.outcome, a.status]),
    [["delivered", 200], ["delivered", 200], ["delivered", 200]],
  );
  for (const webhook of received) {
    assert.equal(verifySignature("s3cret", webhook.body, webhook.signature), true);
    assert.equal(verifySignature("other", webhook.body, webhook.signature), false);
    assert.equal(verifySignature("s3cret", Buffer.concat([webhook.body, Buffer.from(" ")]), webhook.signature), false);
  }
  assert.deepEqual(
    received.map((w) => w.json().entry[0].changes[0].value.statuses[0].status),
    ["sent", "delivered", "read"],
  );
  assert.equal((await sandbox.webhooks()).app_secret_configured, true);
});

test("waiting for a delivery that never comes times out", async (t) => {
  const sandbox = await sandboxFor(t);

  await assert.rejects(sandbox.waitForDelivery({ messageId: "wamid.none", timeoutMs: 200 }), {
    message: /^0 of 1 deliveries after 200 ms/,
  });
});

test("signatures are HMAC-SHA256 of the exact body", () => {
  const fox = "The quick brown fox jumps over the lazy dog";

  // The widely published example of HMAC-SHA256 with the key "key".
  assert.equal(sign("key", fox), "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  assert.equal(verifySignature("key", Buffer.from(fox), sign("key", fox)), true);
  assert.equal(verifySignature("secret", "{}", undefined), false);
  assert.equal(verifySignature("secret", "{}", "md5=abc"), false);
});

test("bad input is refused in Graph's envelope", async (t) => {
  const sandbox = await sandboxFor(t);

  const refused = await sandbox.setRecipient(CUSTOMER, { behaviour: "sometimes" }).catch((e) => e);

  assert.ok(refused instanceof WaMockError);
  assert.deepEqual([refused.status, refused.code, refused.body.error.type], [400, 100, "OAuthException"]);
  assert.equal(
    refused.details,
    "request body: unknown variant `sometimes`, expected one of `default`, `undeliverable`, " +
      "`ecosystem_limited`, `stopped_marketing`, `offline`, `never_read` at line 1 column 24",
  );
  assert.deepEqual(await sandbox.recipients(), [], "a refusal changes nothing");
});

test("attaching to a running server, and its OpenAPI document", async () => {
  const attached = WaMock.attach(`${mock.url}/`);

  assert.deepEqual(await attached.health(), { status: "ok" });
  const document = await attached.openapi();
  assert.equal(document.openapi, "3.1.0");
  assert.ok("/__admin/sandboxes" in document.paths);
  await attached.stop(); // an attached server keeps running
  assert.deepEqual(await mock.health(), { status: "ok" });
});

test(
  "without WA_MOCK_BIN the platform package's binary is started",
  { skip: packagedBinary() === undefined && "no platform package installed" },
  async (t) => {
    const saved = process.env.WA_MOCK_BIN;
    delete process.env.WA_MOCK_BIN;
    t.after(() => {
      if (saved !== undefined) process.env.WA_MOCK_BIN = saved;
    });

    const platform = `${process.platform}-${process.arch}`;
    const where = `/node_modules/@wa-mock/wa-mock-${platform}/bin/wa-mock(\\.exe)?$`;
    assert.match(packagedBinary(), new RegExp(where));
    assert.equal(findBinary(), packagedBinary());
    const started = await WaMock.start();
    t.after(() => started.stop());
    assert.deepEqual(await started.health(), { status: "ok" });
  },
);

test("WA_MOCK_BIN overrides the platform package, and a binary given overrides both", (t) => {
  const saved = process.env.WA_MOCK_BIN;
  process.env.WA_MOCK_BIN = "/elsewhere/wa-mock";
  t.after(() => {
    if (saved === undefined) delete process.env.WA_MOCK_BIN;
    else process.env.WA_MOCK_BIN = saved;
  });

  assert.equal(findBinary(), "/elsewhere/wa-mock");
  assert.equal(findBinary("/given/wa-mock"), "/given/wa-mock");
});

test("starting a binary that is not there says how to find one", async () => {
  await assert.rejects(WaMock.start({ binary: "/nonexistent/wa-mock" }), {
    message: "/nonexistent/wa-mock did not start: not found (set WA_MOCK_BIN, put wa-mock on PATH, or attach to a URL)",
  });
});

test("a binary that refuses its flags is reported", async () => {
  await assert.rejects(WaMock.start({ args: ["--speed", "0"] }), {
    message: /did not start: it exited with 2$/,
  });
});
