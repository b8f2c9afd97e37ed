// A Node team's integration test against wa-mock, written with two third-party clients:
// @kapso/whatsapp-cloud-api sends (its baseUrl option points it at the mock) and verifies
// webhooks; whatsapp-api-js verifies them too, computing the HMAC over the body with non-ASCII
// escaped, so it only accepts webhooks sent as ASCII-only JSON signed over the exact bytes.
//
// It starts the mock (manual clock, fixed seed) with this script's receiver subscribed, sends on
// the Marketing Messages API (to a phone number and to a BSUID) and on Cloud API, injects an
// inbound message from a user with a non-ASCII name, advances the clock, and checks what both
// clients parsed. Then it runs
// `wa-contract journal` on the mock and `wa-contract webhooks` against the same receiver.
//
//   node scenario.mjs     # binaries from target/debug (override: WA_MOCK_BIN, WA_CONTRACT_BIN)
import { execFile, spawn } from "node:child_process";
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GraphApiError, WhatsAppClient } from "@kapso/whatsapp-cloud-api";
import { normalizeWebhook, verifySignature } from "@kapso/whatsapp-cloud-api/server";
import { WhatsAppAPI } from "whatsapp-api-js/middleware/web-standard";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const target = join(process.env.CARGO_TARGET_DIR ?? join(root, "target"), "debug");
const WA_MOCK = process.env.WA_MOCK_BIN ?? join(target, "wa-mock");
const WA_CONTRACT = process.env.WA_CONTRACT_BIN ?? join(target, "wa-contract");

// The default world's onboarded WABA phone number and token (see the README).
const PHONE_ID = "100000000000021";
const TOKEN = "wa-mock-default-token";
const APP_SECRET = "node-example-secret";
const CUSTOMER = "14165551234";
const BSUID = "CA.13491208655302741918";
const PARENT_BSUID = "CA.ENT.11815799212886844830";

const results = { passed: 0, failed: 0 };
function check(name, ok, detail = "") {
  results[ok ? "passed" : "failed"] += 1;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok || !detail ? "" : `: ${detail}`}`);
}

// whatsapp-api-js: a webhook handler that checks X-Hub-Signature-256 its own way.
const wajs = new WhatsAppAPI({ token: TOKEN, appSecret: APP_SECRET, webhookVerifyToken: "unused", v: "v23.0" });
const parsed = { statuses: [], messages: [] };
wajs.on.status = ({ id, status, recipient }) => parsed.statuses.push({ id, status, recipient });
wajs.on.message = ({ message, name }) => parsed.messages.push({ id: message.id, name });

async function receive(req, res) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const raw = Buffer.concat(chunks).toString("utf8");
  const signature = req.headers["x-hub-signature-256"];
  const kapsoAccepts = verifySignature({ appSecret: APP_SECRET, rawBody: raw, signatureHeader: signature });
  let status = kapsoAccepts ? 200 : 401;
  let body;
  try {
    body = JSON.parse(raw);
  } catch {
    status = 400;
  }
  // whatsapp-api-js 6.3.0 only understands the `messages` field (it reads `value.metadata` of
  // every change), so template and account updates are checked by kapso alone.
  if (body?.entry?.[0]?.changes?.[0]?.field === "messages") {
    try {
      await wajs.post(body, raw, signature);
    } catch (e) {
      status = e.httpStatus ?? 500;
    }
  }
  if (status === 200) {
    for (const s of normalizeWebhook(body).statuses ?? []) kapsoStatuses.push(s);
  }
  res.writeHead(status).end();
}
const kapsoStatuses = [];

async function admin(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

async function run(base, hook) {
  const client = new WhatsAppClient({ accessToken: TOKEN, baseUrl: base, graphVersion: "v23.0" });
  const promo = { name: "seasonal_promo", language: { code: "en_US" },
    components: [{ type: "body", parameters: [{ type: "text", text: "Ada" }] }] };

  // kapso has no marketing_messages helper; its raw request goes through the same HTTP layer.
  const mm = await client.request("POST", `${PHONE_ID}/marketing_messages`, {
    body: { messagingProduct: "whatsapp", recipientType: "individual", to: CUSTOMER, type: "template",
      template: promo, productPolicy: "STRICT" },
    responseType: "json",
  });
  const mmId = mm.messages?.[0]?.id ?? "";
  check("kapso sends a marketing message on the MM API", mmId.startsWith("wamid."), JSON.stringify(mm));

  const cloud = await client.messages.sendTemplate({ phoneNumberId: PHONE_ID, to: CUSTOMER,
    template: { name: "order_update", language: { code: "en_US" },
      components: [{ type: "body", parameters: [{ type: "text", text: "A-1001" }] }] } });
  const cloudId = cloud.messages?.[0]?.id ?? "";
  check("kapso sends a utility template on Cloud API", cloudId.startsWith("wamid."), JSON.stringify(cloud));

  try {
    await client.messages.sendTemplate({ phoneNumberId: PHONE_ID, to: CUSTOMER,
      template: { name: "login_code", language: { code: "en_US" } } });
    check("a missing parameter raises GraphApiError 132000", false, "no error");
  } catch (e) {
    check("a missing parameter raises GraphApiError 132000", e instanceof GraphApiError && e.code === 132000,
      `${e.name} ${e.code} ${e.message}`);
  }

  // A user the business knows only by BSUID, with a parent BSUID.
  await admin(base, "PUT", `/__admin/recipients/${BSUID}`, { name: "Pablo M.", parent_user_id: PARENT_BSUID });
  const toBsuid = await client.request("POST", `${PHONE_ID}/marketing_messages`, {
    body: { messagingProduct: "whatsapp", recipientType: "individual", recipient: BSUID, type: "template",
      template: promo },
    responseType: "json",
  });
  const bsuidId = toBsuid.messages?.[0]?.id ?? "";
  check("kapso sends a marketing message to a BSUID", bsuidId.startsWith("wamid.") &&
    toBsuid.contacts?.[0]?.userId === BSUID, JSON.stringify(toBsuid)); // kapso camel-cases answers

  const inbound = await admin(base, "POST", "/__admin/inbound", { from: CUSTOMER, name: "Zoë Ωmega 👋", text: "¿Hay descuento?" });
  await admin(base, "POST", "/__admin/clock/advance", { seconds: 60 });

  const seen = (id) => parsed.statuses.filter((s) => s.id === id).map((s) => s.status);
  check("whatsapp-api-js verified and parsed sent, delivered and read for the MM message",
    JSON.stringify(seen(mmId)) === JSON.stringify(["sent", "delivered", "read"]), JSON.stringify(seen(mmId)));
  check("kapso parsed the same statuses", kapsoStatuses.filter((s) => s.id === mmId).length === 3,
    JSON.stringify(kapsoStatuses));
  const bsuidStatuses = parsed.statuses.filter((s) => s.id === bsuidId);
  check("whatsapp-api-js parsed the BSUID send's statuses with the BSUID, its parent and no phone",
    bsuidStatuses.length === 3 && bsuidStatuses.every((s) => s.recipient?.bsuid === BSUID &&
      s.recipient?.pbsuid === PARENT_BSUID && s.recipient?.phone === undefined),
    JSON.stringify(bsuidStatuses));
  const mmPricing = kapsoStatuses.filter((s) => s.id === mmId && s.pricing).map((s) => s.pricing.category);
  check("the MM message is priced marketing_lite", mmPricing.length > 0 && mmPricing.every((c) => c === "marketing_lite"),
    JSON.stringify(mmPricing));
  const hello = parsed.messages.find((m) => m.id === inbound.id);
  check("a user name with non-ASCII characters survives the escaped-body signature check",
    hello?.name === "Zoë Ωmega 👋", JSON.stringify(parsed.messages));

  // Media: kapso uploads an image, reads it back through the two hops, and sends it by id.
  const png = new Uint8Array(1024).map((_, i) => i % 256);
  const uploaded = await client.media.upload({ phoneNumberId: PHONE_ID, type: "image/png",
    file: new Blob([png], { type: "image/png" }), fileName: "banner.png" });
  const node = await client.media.get({ mediaId: uploaded.id });
  const bytes = new Uint8Array(await client.media.download({ mediaId: uploaded.id, auth: "always" }));
  check("kapso uploads an image and downloads the same bytes through its URL",
    node.mimeType === "image/png" && node.fileSize === png.length && bytes.length === png.length
      && bytes.every((b, i) => b === png[i]), JSON.stringify(node));
  const image = await client.messages.sendImage({ phoneNumberId: PHONE_ID, to: CUSTOMER, image: { id: uploaded.id } });
  const imageId = image.messages?.[0]?.id ?? "";
  const messages = (await admin(base, "GET", "/__admin/messages")).data;
  check("the mock recorded the image kapso sent by id",
    JSON.stringify(messages.find((m) => m.id === imageId)?.media) === JSON.stringify([{ type: "image", component: "body", id: uploaded.id }]),
    JSON.stringify(image));

  const journal = await run_cli(["journal", "--mock", base, "--token", TOKEN]);
  check("wa-contract journal finds kapso's requests conformant", journal.code === 0, journal.output);
  const fuzz = await run_cli(["webhooks", "--url", hook, "--app-secret", APP_SECRET, "--cases", "32", "--seed", "1"]);
  check("the receiver accepts signed webhooks and refuses badly signed ones", fuzz.code === 0, fuzz.output);
}

// Asynchronously: the receiver in this process must keep answering while the CLI runs.
function run_cli(args) {
  return new Promise((resolve) => {
    execFile(WA_CONTRACT, args, (error, stdout, stderr) => resolve({ code: error ? error.code : 0, output: stdout + stderr }));
  });
}

const receiver = createServer((req, res) => {
  receive(req, res).catch(() => res.writeHead(500).end());
});
await new Promise((ok) => receiver.listen(0, "127.0.0.1", ok));
const hook = `http://127.0.0.1:${receiver.address().port}/webhook`;

const mock = spawn(WA_MOCK, ["--listen", "127.0.0.1:0", "--clock", "manual", "--seed", "7",
  "--webhook-url", hook, "--app-secret", APP_SECRET], { stdio: ["ignore", "pipe", "ignore"] });
try {
  const lines = createInterface({ input: mock.stdout });
  const [first] = await lines[Symbol.asyncIterator]().next().then((r) => [r.value ?? ""]);
  check("the mock announces its address first", first.startsWith("listening on http://"), first);
  mock.stdout.resume();
  await run(first.replace("listening on ", ""), hook);
} finally {
  mock.kill();
  receiver.close();
}
console.log(`${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed ? 1 : 0);
