// WaMockContainer against the image named by WA_MOCK_IMAGE. WA_MOCK_CONTAINER_NETWORK=host
// runs it on the host's network, for Docker daemons without a bridge (as in CI); the webhook
// test needs it, since its receiver listens on the host's loopback. Imports the package by
// name, like the helper's suite.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

import { WaMock, WebhookReceiver, verifySignature } from "wa-mock";
import { WaMockContainer } from "wa-mock/testcontainers";

const IMAGE = process.env.WA_MOCK_IMAGE;
// The repository's example world, or WA_MOCK_WORLD where this file is run from a copy.
const WORLD =
  process.env.WA_MOCK_WORLD ??
  fileURLToPath(new URL("../../../fixtures/world/example.toml", import.meta.url));

function container() {
  assert.ok(IMAGE, "set WA_MOCK_IMAGE to the image to test (docker/build makes one)");
  const made = new WaMockContainer(IMAGE);
  return process.env.WA_MOCK_CONTAINER_NETWORK === "host" ? made.withHostNetwork() : made;
}

const text = (value) => ({ type: "text", text: value });
const SEASONAL_PROMO = {
  name: "seasonal_promo",
  language: { code: "en_US" },
  components: [{ type: "body", parameters: [text("Ann")] }],
};
// The example world's one template; its WABA is not onboarded, so it goes by /messages.
const WEEKLY_DEALS = {
  name: "weekly_deals",
  language: { code: "en_GB" },
  components: [
    { type: "header", parameters: [text("you")] },
    { type: "body", parameters: [text("Sam"), text("2 for 1")] },
  ],
};

/** POSTs a template message to `${graphUrl}/${path}`; the answer's JSON. */
async function send(graphUrl, token, path, template) {
  const response = await fetch(`${graphUrl}/${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      messaging_product: "whatsapp",
      to: "14165551234",
      type: "template",
      template,
    }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return response.json();
}

test("the container is healthy and sends a marketing message through the MM API", async (t) => {
  const mock = await container().start();
  t.after(() => mock.stop());

  const sandbox = await mock.getDefaultSandbox();
  const path = `${sandbox.phoneNumberId}/marketing_messages`;
  const answer = await send(mock.getGraphUrl(), sandbox.token, path, SEASONAL_PROMO);

  assert.equal(mock.getGraphUrl(), `${mock.getUrl()}/v25.0`);
  assert.equal(sandbox.token, "wa-mock-default-token");
  assert.deepEqual(
    [sandbox.businessId, sandbox.wabaId, sandbox.phoneNumberId],
    ["100000000000001", "100000000000011", "100000000000021"],
  );
  const messages = await (await mock.getClient().defaultSandbox()).messages();
  assert.deepEqual(
    messages.map((m) => [m.id, m.route, m.pricing_category]),
    [[answer.messages[0].id, "marketing_messages", "marketing_lite"]],
  );
});

test("a world, a seed and a webhook URL configure the container", async (t) => {
  const receiver = await WebhookReceiver.start();
  t.after(() => receiver.close());
  const mock = await container()
    .withWorld(WORLD)
    .withSeed(7)
    .withWebhookUrl(receiver.url, "s3cret")
    .start();
  t.after(() => mock.stop());

  const sandbox = await mock.getDefaultSandbox();
  const path = `${sandbox.phoneNumberId}/messages`;
  const wamid = (await send(mock.getGraphUrl(), sandbox.token, path, WEEKLY_DEALS)).messages[0].id;
  await sandbox.advance(60);
  const received = await receiver.wait(3);
  const createdInContainer = (await mock.getClient().sandbox()).token;
  // The same world and seed on the packaged binary make the same sandbox token.
  const local = await WaMock.start({ args: ["--clock", "manual", "--seed", "7", "--config", WORLD] });
  t.after(() => local.stop());
  const createdLocally = (await local.sandbox()).token;

  assert.equal(sandbox.token, "example-token");
  assert.equal(createdInContainer, createdLocally);
  assert.deepEqual(
    received.map((w) => w.json().entry[0].changes[0].value.statuses[0].id),
    [wamid, wamid, wamid],
  );
  assert.ok(received.every((w) => verifySignature("s3cret", w.body, w.signature)));
});
