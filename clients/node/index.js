// Drive wa-mock, a stateful fake of Meta's WhatsApp Graph API, from Node tests.
//
// - WaMock.start() runs the `wa-mock` binary (WA_MOCK_BIN, else the platform package's, else
//   PATH) on a free loopback port;
//   WaMock.attach(url) uses one running elsewhere (a container's published port).
// - mock.sandbox() makes a sandbox of its own for a test: token, ids, Graph base URL, and one
//   method per admin endpoint (Sandbox).
// - verifySignature() checks a webhook's X-Hub-Signature-256; WebhookReceiver is a local
//   endpoint that records the webhooks it is sent.
// No dependencies: fetch, node:child_process, node:crypto and node:http.

import { spawn } from "node:child_process";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";

const require = createRequire(import.meta.url);

/** The Graph version in `Sandbox.graphUrl`: the newest the mock serves. */
export const DEFAULT_GRAPH_VERSION = "v25.0";

/** A non-2xx answer, in Graph's error envelope. */
export class WaMockError extends Error {
  constructor(method, url, status, body) {
    super(`${method} ${url}: ${status} ${JSON.stringify(body)}`);
    this.name = "WaMockError";
    this.method = method;
    this.url = url;
    this.status = status;
    this.body = body;
    const error = body && typeof body === "object" ? body.error ?? {} : {};
    this.code = error.code;
    this.details = error.error_data?.details;
  }
}

async function request(method, url, { token, body } = {}) {
  const headers = { accept: "application/json" };
  let payload;
  if (method !== "GET") {
    // The admin API refuses state changes in any other content type (cross-site forms).
    headers["content-type"] = "application/json";
    payload = body === undefined ? "" : JSON.stringify(body);
  }
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, { method, headers, body: payload });
  const text = await response.text();
  let answer;
  try {
    answer = text ? JSON.parse(text) : null;
  } catch {
    answer = text;
  }
  if (!response.ok) throw new WaMockError(method, url, response.status, answer);
  return answer;
}

/** Drops the entries whose value is undefined or null. */
function defined(fields) {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null));
}

/**
 * The binary of the platform package that npm installed through `optionalDependencies`
 * (`@wa-mock/wa-mock-linux-x64` and the others), or undefined when there is none for this
 * platform.
 */
export function packagedBinary() {
  const name = `@wa-mock/wa-mock-${process.platform}-${process.arch}`;
  let manifest;
  try {
    manifest = require.resolve(`${name}/package.json`);
  } catch {
    return undefined;
  }
  return join(dirname(manifest), "bin", process.platform === "win32" ? "wa-mock.exe" : "wa-mock");
}

/**
 * The `wa-mock` binary that `WaMock.start()` runs: `binary`, else WA_MOCK_BIN, else the one of
 * the installed platform package, else `wa-mock` on PATH.
 */
export function findBinary(binary) {
  return binary ?? process.env.WA_MOCK_BIN ?? packagedBinary() ?? "wa-mock";
}

/** A wa-mock server: one this process started, or one running elsewhere. */
export class WaMock {
  constructor(url, child = null) {
    this.url = url.replace(/\/+$/, "");
    this.child = child;
  }

  /** A server already running at `url`, e.g. `http://localhost:8089`. */
  static attach(url) {
    return new WaMock(url);
  }

  /**
   * Starts the binary (`findBinary(binary)`) on a free loopback port with `args`, and waits
   * for its `listening on` line.
   */
  static start({ args = ["--clock", "manual"], binary, env, timeoutMs = 10_000 } = {}) {
    const command = findBinary(binary);
    const child = spawn(command, ["--listen", "127.0.0.1:0", ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "ignore"],
    });
    return new Promise((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      const fail = (why) => {
        clearTimeout(timer);
        child.kill();
        reject(new Error(`${command} did not start: ${why}`));
      };
      const timer = setTimeout(() => fail(`no "listening on" line in ${timeoutMs} ms`), timeoutMs);
      child.once("error", (e) =>
        fail(
          e.code === "ENOENT"
            ? "not found (set WA_MOCK_BIN, put wa-mock on PATH, or attach to a URL)"
            : e.message,
        ),
      );
      child.once("exit", (code) => fail(`it exited with ${code}`));
      lines.once("line", (line) => {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        if (!line.startsWith("listening on ")) return fail(JSON.stringify(line));
        // Keep reading stdout so that the server never blocks on a full pipe.
        lines.on("line", () => {});
        resolve(new WaMock(line.slice("listening on ".length).trim(), child));
      });
    });
  }

  /** Stops a server this process started (an attached one keeps running). */
  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolve) => {
      child.once("exit", resolve);
      child.kill("SIGTERM");
    });
  }

  /** `GET /__admin/health`: `{status: "ok"}`. */
  health() {
    return request("GET", `${this.url}/__admin/health`);
  }

  /** Waits until the server answers its health check (a container that is starting). */
  async waitHealthy({ timeoutMs = 10_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await this.health();
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** `GET /__admin/openapi.json`: the admin API in OpenAPI 3.1. */
  openapi() {
    return request("GET", `${this.url}/__admin/openapi.json`);
  }

  /** `GET /__admin/memory`: the server's memory budget. */
  memory() {
    return request("GET", `${this.url}/__admin/memory`);
  }

  /** `POST /__admin/sandboxes`: a fresh sandbox with its own ids, clock and token. */
  async sandbox({ clockStart, webhookUrl, appSecret, webhookVersion, chaos } = {}) {
    const body = defined({
      clock_start: clockStart,
      webhook_url: webhookUrl,
      app_secret: appSecret,
      webhook_version: webhookVersion,
      chaos,
    });
    const answer = await request("POST", `${this.url}/__admin/sandboxes`, { body });
    return new Sandbox(this.url, answer.token, answer.state);
  }

  /** The sandbox the server starts with (shared by everyone who uses it). */
  async defaultSandbox(token = "wa-mock-default-token") {
    const state = await request("GET", `${this.url}/__admin/state`, { token });
    return new Sandbox(this.url, state.token, state);
  }
}

/** One sandbox: its token, the ids of its world, and the admin API on it. */
export class Sandbox {
  constructor(url, token, state) {
    this.url = url;
    this.token = token;
    this.state = state;
    const onboarded = state.wabas.filter(
      (w) => w.marketing_messages_onboarding_status === "ONBOARDED" && !w.msc,
    );
    const waba = onboarded[0] ?? state.wabas[0] ?? {};
    this.wabaId = waba.id;
    this.businessId = waba.business_id;
    const phone =
      state.phone_numbers.find((p) => p.waba_id === this.wabaId) ?? state.phone_numbers[0] ?? {};
    this.phoneNumberId = phone.id;
  }

  /** The Graph base URL to give the client under test: `{url}/v25.0`. */
  get graphUrl() {
    return `${this.url}/${DEFAULT_GRAPH_VERSION}`;
  }

  /** A template of the world as it was made. */
  template(name, language = "en_US") {
    const found = this.state.templates.find((t) => t.name === name && t.language === language);
    if (!found) throw new Error(`no template ${name} (${language}) in this sandbox`);
    return found;
  }

  #call(method, path, body) {
    return request(method, `${this.url}${path}`, { token: this.token, body });
  }

  getState() {
    return this.#call("GET", "/__admin/state");
  }

  reset() {
    return this.#call("POST", "/__admin/reset");
  }

  /** The sandbox as one versioned document (the webhook `app_secret` only with `secrets`). */
  exportSnapshot({ secrets = false } = {}) {
    return this.#call("GET", `/__admin/snapshot${secrets ? "?include=secrets" : ""}`);
  }

  /** Takes a snapshot's state (the token stays); its pending statuses and reviews carry on. */
  restore(snapshot) {
    return this.#call("POST", "/__admin/snapshot", snapshot);
  }

  clock() {
    return this.#call("GET", "/__admin/clock");
  }

  /** Returns once everything that fell due (webhook deliveries included) has run. */
  advance(seconds) {
    return this.#call("POST", "/__admin/clock/advance", { seconds });
  }

  async delete() {
    await request("DELETE", `${this.url}/__admin/sandboxes/${encodeURIComponent(this.token)}`);
  }

  async messages() {
    return (await this.#call("GET", "/__admin/messages")).data;
  }

  async message(wamid) {
    const found = (await this.messages()).find((m) => m.id === wamid);
    if (!found) throw new Error(`no message ${wamid} in this sandbox`);
    return found;
  }

  async requests() {
    return (await this.#call("GET", "/__admin/requests")).data;
  }

  async events() {
    return (await this.#call("GET", "/__admin/events")).data;
  }

  async deliveries({ messageId, field } = {}) {
    const query = new URLSearchParams(defined({ message_id: messageId, field }));
    return (await this.#call("GET", `/__admin/webhooks/deliveries?${query}`)).data;
  }

  /**
   * The first `count` attempts (of `messageId`, `field`, ending in `outcome`), polling up to
   * `timeoutMs`: for realtime clocks. On a manual clock `advance` has already attempted every
   * delivery that fell due.
   */
  async waitForDelivery({ messageId, field, outcome = "delivered", count = 1, timeoutMs = 10_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.deliveries({ messageId, field })).filter(
        (a) => outcome == null || a.outcome === outcome,
      );
      if (found.length >= count) return found.slice(0, count);
      if (Date.now() > deadline) {
        throw new Error(
          `${found.length} of ${count} deliveries after ${timeoutMs} ms ` +
            `(messageId=${messageId}, field=${field}, outcome=${outcome})`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  webhooks() {
    return this.#call("GET", "/__admin/webhooks");
  }

  setWebhooks({ webhookUrl, appSecret, webhookVersion, chaos } = {}) {
    return this.#call(
      "PUT",
      "/__admin/webhooks",
      defined({ webhook_url: webhookUrl, app_secret: appSecret, webhook_version: webhookVersion, chaos }),
    );
  }

  async recipients() {
    return (await this.#call("GET", "/__admin/recipients")).data;
  }

  /** `profile`: `{behaviour, name, delivered_after_seconds, read_after_seconds}`, any subset. */
  setRecipient(phone, profile = {}) {
    return this.#call("PUT", `/__admin/recipients/${encodeURIComponent(phone)}`, profile);
  }

  /** A user's text or button tap, with its webhook; resolves to its wamid. */
  async inbound({ from, text, button, name, phoneNumberId }) {
    const body = defined({ from, text, button, name, phone_number_id: phoneNumberId });
    return (await this.#call("POST", "/__admin/inbound", body)).id;
  }

  /**
   * The user `from` clicks a link (`component`: `cta`, the URL button, or `body`) in the MM API
   * message `messageId`, with Meta's click webhook; resolves to the click
   * (`{message_id, component, button_text?, click_id, tracking_token, at}`).
   */
  async click({ from, messageId, component = "cta", phoneNumberId }) {
    const body = defined({
      from,
      phone_number_id: phoneNumberId,
      click: { message_id: messageId, component },
    });
    return (await this.#call("POST", "/__admin/inbound", body)).click;
  }

  faults() {
    return this.#call("GET", "/__admin/faults");
  }

  /** `action`: `{type: "error", error}`, `{type: "latency", millis}` or `{type: "drop"}`. */
  addFault(action, { path = null, phone = null, count = null } = {}) {
    return this.#call("POST", "/__admin/faults", { path, phone, count, action });
  }

  /** Answers matching requests with a catalogue error, e.g. `throughput_limit`. */
  failWith(error, options = {}) {
    return this.addFault({ type: "error", error }, options);
  }

  async clearFaults() {
    await this.#call("DELETE", "/__admin/faults");
  }

  setThroughput(messagesPerSecond) {
    return this.#call("PUT", "/__admin/throughput", { messages_per_second: messagesPerSecond });
  }

  /** Meta's per-user marketing limit as the sandbox counts it. */
  marketingLimit() {
    return this.#call("GET", "/__admin/marketing_limit");
  }

  /** Marketing templates a user receives in 24 hours before more fail with 131049 (`null`: off). */
  setMarketingLimit(perUserPer24h) {
    return this.#call("PUT", "/__admin/marketing_limit", { per_user_per_24h: perUserPer24h });
  }

  setTemplateStatus(templateId, status, reason) {
    return this.#call(
      "POST",
      `/__admin/templates/${encodeURIComponent(templateId)}/status`,
      defined({ status, reason }),
    );
  }

  patchWaba(wabaId, flags) {
    return this.#call("PATCH", `/__admin/wabas/${encodeURIComponent(wabaId)}`, flags);
  }
}

/** The `X-Hub-Signature-256` value for `body` signed with `appSecret`. */
export function sign(appSecret, body) {
  return `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`;
}

/**
 * Whether `header` (the `X-Hub-Signature-256` value) signs exactly `body`. Verify against the
 * raw bytes received, before any JSON parsing: re-encoding changes them.
 */
export function verifySignature(appSecret, body, header) {
  if (typeof header !== "string" || !header.startsWith("sha256=")) return false;
  const expected = Buffer.from(sign(appSecret, body));
  const given = Buffer.from(header.trim());
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** An HTTP server on a free loopback port that records each POST and answers `status`. */
export class WebhookReceiver {
  constructor(server, status) {
    this.server = server;
    this.status = status;
    this.received = [];
    this.waiters = new Set();
  }

  static start({ status = 200 } = {}) {
    const receiver = new WebhookReceiver(null, status);
    const server = createServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        receiver.received.push({
          path: req.url,
          headers: req.headers,
          body,
          signature: req.headers["x-hub-signature-256"],
          json: () => JSON.parse(body.toString("utf8")),
        });
        for (const wake of receiver.waiters) wake();
        res.writeHead(receiver.status, { "content-length": "0" }).end();
      });
    });
    receiver.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve(receiver));
    });
  }

  /** Where to point the mock's webhooks. */
  get url() {
    const { address, port } = this.server.address();
    return `http://${address}:${port}/webhook`;
  }

  /** The first `count` webhooks received (that satisfy `where`), waiting up to `timeoutMs`. */
  wait(count = 1, { timeoutMs = 5_000, where } = {}) {
    const matching = () => this.received.filter((w) => !where || where(w));
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = matching();
        if (found.length >= count) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(found.slice(0, count));
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${matching().length} of ${count} webhooks after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  close() {
    return new Promise((resolve) => {
      this.server.closeAllConnections?.();
      this.server.close(() => resolve());
    });
  }
}
