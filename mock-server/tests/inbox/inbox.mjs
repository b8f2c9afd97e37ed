// The inbox in a real browser: Debian's chromium driven by playwright-core, against the wa-mock
// binary on a loopback port with the manual clock. Every non-loopback request the page makes
// fails the run.
//
//   node inbox.mjs [--binary PATH] [--screenshots DIR]
//
// --binary defaults to target/debug/wa-mock; --screenshots writes the README's pictures.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const binary = resolve(arg('--binary', join(root, 'target/debug/wa-mock')));
const shots = arg('--screenshots', null);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const BULK = Number(process.env.INBOX_BULK_MESSAGES || 10000);

// ---- the mock ------------------------------------------------------------------------------

function startMock() {
  const child = spawn(binary, ['--listen', '127.0.0.1:0', '--clock', 'manual', '--seed', '7'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  return new Promise((ok, fail) => {
    let out = '';
    child.on('error', fail);
    child.on('exit', (code) => fail(new Error(`wa-mock exited with ${code}: ${out}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) ok({ child, url: m[1] });
    });
  });
}

const mock = await startMock();
const base = mock.url;
// A run that fails half-way must not leave the mock behind.
process.on('exit', () => mock.child.kill('SIGTERM'));

async function call(method, path, token, body) {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

// A webhook endpoint on loopback that takes everything; the sandboxes made below send to it.
const hooks = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200).end());
});
await new Promise((ok) => hooks.listen(0, '127.0.0.1', ok));
const hookUrl = `http://127.0.0.1:${hooks.address().port}/webhook`;

async function sandbox(settings = { webhook_url: hookUrl, app_secret: 'inbox-secret' }) {
  const created = await call('POST', '/__admin/sandboxes', 'any', settings);
  assert.equal(created.status, 200);
  const { token, state } = created.body;
  const waba = state.wabas.find((w) => w.marketing_messages_onboarding_status === 'ONBOARDED' && !w.msc);
  const phone = state.phone_numbers.find((p) => p.waba_id === waba.id).id;
  return { token, phone };
}

function promo(to, name) {
  return {
    messaging_product: 'whatsapp', to, type: 'template',
    template: { name: 'seasonal_promo', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: name }] }] },
  };
}

async function send(box, to, name) {
  const answer = await call('POST', `/v23.0/${box.phone}/marketing_messages`, box.token, promo(to, name));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.messages[0].id;
}

// ---- the browser ---------------------------------------------------------------------------

const profile = mkdtempSync(join(tmpdir(), 'wa-mock-inbox-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1100, height: 700 },
});
const external = [];
const loopback = (href) => {
  const url = new URL(href);
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.protocol === 'data:';
};
// Every request goes through this, and one leaving loopback is failed and recorded.
const guard = (route) => {
  if (loopback(route.request().url())) return route.continue();
  external.push(route.request().url());
  return route.abort();
};
await context.route('**/*', guard);
// Also seen when the route is lifted to time the page without the interception's round trips.
context.on('request', (r) => { if (!loopback(r.url())) external.push(r.url()); });
const page = context.pages()[0] || (await context.newPage());
const consoleErrors = [];
page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
page.on('pageerror', (e) => consoleErrors.push(String(e)));

const results = [];
async function test(name, body) {
  const started = Date.now();
  try {
    await body();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}\n     ${e.stack || e}`);
  }
}

async function open(box) {
  await page.goto(`${base}/__inbox/?token=${encodeURIComponent(box.token)}`);
  await page.waitForSelector('body[data-ready=true]');
}

const row = (wamid) => page.locator(`li.row.out[data-id="${wamid}"]`);

// ---- the tests -----------------------------------------------------------------------------

// A 1×1 PNG: an image header's example and the picture sent in it.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

// Creates the marketing template `spring_launch` with an IMAGE header in `box`, its example a
// handle from the Resumable Upload API on the sandbox's app; the creation's answer.
async function springLaunch(box) {
  const state = (await call('GET', '/__admin/state', box.token)).body;
  const waba = state.phone_numbers.find((p) => p.id === box.phone).waba_id;
  // The header's example: a handle from the Resumable Upload API, on the sandbox's app.
  const session = (await call('POST', `/v23.0/${state.app_id}/uploads?file_name=spring.png&file_length=${PNG.length}&file_type=image/png`, box.token)).body.id;
  const piece = await fetch(`${base}/v23.0/${session}`, { method: 'POST', headers: { Authorization: `OAuth ${box.token}`, file_offset: '0' }, body: PNG });
  const handle = (await piece.json()).h;
  const created = await call('POST', `/v23.0/${waba}/message_templates`, box.token, {
    name: 'spring_launch', language: 'en_US', category: 'MARKETING',
    components: [
      { type: 'HEADER', format: 'IMAGE', example: { header_handle: [handle] } },
      { type: 'BODY', text: 'Hello {{1}}, the spring collection is here. {{2}} off this week only.', example: { body_text: [['Ann', '20%']] } },
      { type: 'FOOTER', text: 'Reply STOP to opt out' },
      { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Shop now', url: 'https://shop.example/{{1}}', example: ['https://shop.example/spring'] }, { type: 'QUICK_REPLY', text: 'Stop promotions' }] },
    ],
  });
  return created;
}

const box = await sandbox();
const first = await send(box, '+1 416 555 1234', 'Ann');

await test('a browser asking for / is sent to the inbox', async () => {
  await page.goto(`${base}/?token=${box.token}`);
  assert.equal(new URL(page.url()).pathname, '/__inbox/');
});

await test('without a token the page opens the default sandbox and the selector switches', async () => {
  await page.goto(`${base}/__inbox/`);
  await page.waitForSelector('body[data-ready=true]');
  assert.equal(new URL(page.url()).searchParams.get('token'), 'wa-mock-default-token');
  assert.equal(await page.locator('#view-picker').isHidden(), true);
  await page.locator('#sandbox option', { hasText: box.token.slice(0, 10) }).waitFor({ state: 'attached' });
  await page.selectOption('#sandbox', box.token);
  await page.waitForURL((url) => url.searchParams.get('token') === box.token);
  await page.waitForSelector('body[data-ready=true]');
});

await test('the page renders a sent template with its parameters', async () => {
  await open(box);
  const bubble = row(first).locator('.bubble');
  await bubble.waitFor();
  assert.equal(await bubble.locator('.body').textContent(), 'Hi Ann, our Fall Sale is on! Use code FALL25 for 25% off.');
  assert.equal(await bubble.locator('.footer').textContent(), 'Not interested? Tap Stop promotions');
  assert.equal((await row(first).locator('.buttons .reply').textContent()).trim(), '↩ Stop promotions');
  assert.equal(await row(first).getAttribute('data-status'), 'sent');
  assert.equal(await bubble.locator('.meta .badge').textContent(), 'MM API');
});

await test('the ticks change as the clock advances through the page', async () => {
  await page.getByRole('button', { name: '+1 min' }).click();
  await page.waitForSelector(`li.row.out[data-id="${first}"][data-status=read]`);
  assert.equal(await row(first).locator('.ticks').getAttribute('aria-label'), 'read');
});

await test('a message sent while the page is open appears without reload', async () => {
  await page.evaluate(() => { window.stillThisPage = true; });
  const second = await send(box, '+1 416 555 1234', 'Bea');
  await row(second).waitFor({ timeout: 5000 });
  assert.equal(await row(second).locator('.body').textContent(), 'Hi Bea, our Fall Sale is on! Use code FALL25 for 25% off.');
  assert.equal(await page.evaluate(() => window.stillThisPage), true);
});

await test('a template with named parameters is rendered with them, header included', async () => {
  const state = (await call('GET', '/__admin/state', box.token)).body;
  const waba = state.phone_numbers.find((p) => p.id === box.phone).waba_id;
  const created = await call('POST', `/v23.0/${waba}/message_templates`, box.token, {
    name: 'order_ready', language: 'en_US', category: 'UTILITY', parameter_format: 'NAMED',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Order {{order_id}}', example: { header_text_named_params: [{ param_name: 'order_id', example: 'A-1' }] } },
      { type: 'BODY', text: 'Hi {{first_name}}, your order {{order_id}} is ready for pickup.', example: { body_text_named_params: [{ param_name: 'first_name', example: 'Ann' }, { param_name: 'order_id', example: 'A-1' }] } },
    ],
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  await call('POST', `/__admin/templates/${created.body.id}/status`, box.token, { status: 'APPROVED' });
  const sent = await call('POST', `/v23.0/${box.phone}/messages`, box.token, {
    messaging_product: 'whatsapp', to: '14165551234', type: 'template',
    template: { name: 'order_ready', language: { code: 'en_US' }, components: [
      { type: 'header', parameters: [{ type: 'text', parameter_name: 'order_id', text: 'B-7' }] },
      { type: 'body', parameters: [{ type: 'text', parameter_name: 'first_name', text: 'Ann' }, { type: 'text', parameter_name: 'order_id', text: 'B-7' }] },
    ] },
  });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  const bubble = row(sent.body.messages[0].id).locator('.bubble');
  await bubble.waitFor();
  assert.equal(await bubble.locator('.header').textContent(), 'Order B-7');
  assert.equal(await bubble.locator('.body').textContent(), 'Hi Ann, your order B-7 is ready for pickup.');
  assert.equal(await bubble.locator('.meta .badge').textContent(), 'Cloud API');
});

await test('a message that outlives its TTL shows the expiry', async () => {
  const offline = await send(box, '+1 416 555 0408', 'Dee');
  await call('POST', '/__admin/clock/advance', box.token, { seconds: 30 * 86400 + 1 });
  await page.locator('button.conv', { hasText: '14165550408' }).click();
  const failure = row(offline).locator('.failure');
  await failure.waitFor();
  assert.match(await failure.textContent(), /^Failed \d+ — .+ \(TTL 30 d ran out\)$/);
  await page.locator('button.conv', { hasText: '14165551234' }).click();
  await row(first).waitFor();
});

await test('the details show route, pricing, policy and the request', async () => {
  await row(first).getByRole('button', { name: /Details of message/ }).click();
  const details = page.locator('#details');
  await details.waitFor();
  const text = await details.textContent();
  for (const fact of ['MM API', 'marketing_lite', 'CLOUD_API_FALLBACK (default)', '30 d', '"text": "Ann"']) {
    assert.ok(text.includes(fact), `details show ${fact}`);
  }
  await page.keyboard.press('Escape');
  await details.waitFor({ state: 'hidden' });
});

await test('a Stop promotions tap from the page opts the user out', async () => {
  await row(first).getByRole('button', { name: /Stop promotions/ }).click();
  await page.locator('li.row.in').first().waitFor();
  assert.match(await page.locator('li.row.in .body').first().textContent(), /tapped Stop promotions/);
  const convs = await call('GET', '/__admin/conversations', box.token);
  assert.equal(convs.body.data[0].opted_out, true);
  const later = await send(box, '+14165551234', 'Cy');
  await call('POST', '/__admin/clock/advance', box.token, { seconds: 1 });
  const thread = await call('GET', '/__admin/conversations/14165551234', box.token);
  const failed = thread.body.data.find((i) => i.direction === 'outbound' && i.message.id === later);
  assert.equal(failed.failure.code, 131050);
  await page.waitForSelector(`li.row.out[data-id="${later}"] .failure`);
});

await test('the templates tab changes a template status through the admin API', async () => {
  await page.getByRole('tab', { name: 'Templates' }).click();
  await page.getByRole('button', { name: /^pause order_update/ }).click();
  await page.waitForSelector('tr[data-template=order_update] .status-paused');
  const state = await call('GET', '/__admin/state', box.token);
  assert.equal(state.body.templates.find((t) => t.name === 'order_update').status, 'PAUSED');
});

await test('the webhooks tab and the details show each delivery attempt', async () => {
  await page.getByRole('tab', { name: 'Webhooks' }).click();
  await page.locator('#deliveries .entry').first().waitFor();
  assert.match(await page.locator('#webhook-target').textContent(), /\/webhook/);
  assert.match(await page.locator('#deliveries .entry .badge').first().textContent(), /delivered/);
  await page.getByRole('tab', { name: 'Conversations' }).click();
  await row(first).getByRole('button', { name: /Details of message/ }).click();
  await page.locator('#details .log .entry').first().waitFor();
  assert.match(await page.locator('#details .log').textContent(), /X-Hub-Signature-256: sha256=/);
  await page.getByRole('button', { name: 'Close details' }).click();
});

await test('the tabs are reached and switched with the keyboard', async () => {
  await page.getByRole('tab', { name: 'Conversations' }).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getByRole('tab', { name: 'Templates' }).getAttribute('aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-templates');
  assert.equal(await page.locator('#view-templates').isVisible(), true);
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.locator('#view-conversations').isVisible(), true);
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('button, input, select')]
    .filter((e) => e.offsetParent !== null && !(e.getAttribute('aria-label') || e.textContent.trim() || (e.labels && e.labels.length)))
    .map((e) => e.outerHTML));
  assert.deepEqual(unlabelled, [], 'every visible control has a name');
});

await test('the journal tab highlights contract violations', async () => {
  const bad = await call('POST', `/v23.0/${box.phone}/messages`, box.token, { messaging_product: 'whatsapp', to: '14165551234', type: 'text', text: { body: 5 } });
  assert.equal(bad.status, 400);
  await page.getByRole('tab', { name: 'Journal' }).click();
  const flagged = page.locator('#journal .entry.bad').first();
  await flagged.waitFor();
  assert.equal(await flagged.locator('.violation').textContent(), 'Field text.body should be a string, but is the number 5 (type).');
  assert.ok(await page.locator('#journal .entry:not(.bad)').count() >= 3, 'conformant requests are listed too');
  await page.getByLabel('Only requests with contract violations').check();
  await page.waitForFunction(() => document.querySelectorAll('#journal .entry:not(.bad)').length === 0);
  await page.getByRole('tab', { name: 'Conversations' }).click();
});

await test('a click on the URL button of an MM API message sends the click webhook', async () => {
  const state = (await call('GET', '/__admin/state', box.token)).body;
  const waba = state.phone_numbers.find((p) => p.id === box.phone).waba_id;
  const created = await call('POST', `/v23.0/${waba}/message_templates`, box.token, {
    name: 'fall_sale', language: 'en_US', category: 'MARKETING',
    components: [
      { type: 'BODY', text: 'Hi {{1}}, the Fall Sale is on!', example: { body_text: [['Ann']] } },
      { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Shop now', url: 'https://shop.example/fall' }] },
    ],
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  // Past the review and the 10-minute ad sync.
  await call('POST', '/__admin/clock/advance', box.token, { seconds: 601 });
  const sent = await call('POST', `/v23.0/${box.phone}/marketing_messages`, box.token, {
    messaging_product: 'whatsapp', to: '14165552222', type: 'template',
    template: { name: 'fall_sale', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Bo' }] }] },
  });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  const wamid = sent.body.messages[0].id;
  await call('POST', '/__admin/clock/advance', box.token, { seconds: 5 });
  await page.locator('button.conv', { hasText: '14165552222' }).click();
  await row(wamid).getByRole('button', { name: /Shop now/ }).click();
  await row(wamid).locator('.meta .badge.clicks').waitFor();
  assert.equal(await row(wamid).locator('.meta .badge.clicks').textContent(), '1 click');
  const message = (await call('GET', '/__admin/messages', box.token)).body.data.find((m) => m.id === wamid);
  assert.equal(message.clicks.length, 1);
  assert.equal(message.clicks[0].button_text, 'Shop now');
  // Returns once the deliveries that fell due were attempted.
  await call('POST', '/__admin/clock/advance', box.token, { seconds: 0 });
  const deliveries = await call('GET', `/__admin/webhooks/deliveries?message_id=${encodeURIComponent(wamid)}`, box.token);
  const click = deliveries.body.data.map((d) => d.body).find((b) => b.entry[0].changes[0].value.user_actions);
  assert.equal(click.entry[0].changes[0].value.user_actions[0].marketing_messages_link_click_data.click_id, message.clicks[0].click_id);
});

// ---- what users send -----------------------------------------------------------------------

await test('each kind a user sends shows as a phone shows it, and the composer sends them', async () => {
  const kinds = await sandbox();
  const to = '14165557777';
  const sent = await send(kinds, to, 'Cy');
  const user = async (content) => {
    const answer = await call('POST', '/__admin/inbound', kinds.token, { from: to, ...content });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.id;
  };
  const photo = await user({ image: { mime_type: 'image/png', caption: 'The one I mean' } });
  await user({ location: { latitude: 43.6426, longitude: -79.3871, name: 'CN Tower', address: '290 Bremner Blvd' } });
  await user({ contacts: [{ name: { formatted_name: 'Bo Li' }, phones: [{ phone: '+1 416 555 0000' }] }] });
  await user({ reaction: { message_id: sent, emoji: '❤️' } });
  await user({ text: 'Like this?', context_message_id: photo });
  await user({ audio: { mime_type: 'audio/ogg', voice: true } });
  await user({ document: { mime_type: 'application/pdf', filename: 'order.pdf' } });
  await page.goto(`${base}/__inbox/?token=${encodeURIComponent(kinds.token)}#${to}`);
  await page.waitForSelector('body[data-ready=true]');

  const image = page.locator(`li.row.in[data-id="${photo}"] img.photo`);
  await page.waitForFunction((id) => {
    const img = document.querySelector(`li.row.in[data-id="${id}"] img.photo`);
    return img && img.complete && img.naturalWidth > 0;
  }, photo);
  assert.equal(await image.getAttribute('alt'), 'The one I mean');
  assert.match(await image.getAttribute('src'), /\/whatsapp_business\/attachments\/\?mid=/);
  const location = page.locator('li.row.in[data-type=location] .card');
  assert.equal(await location.locator('strong').textContent(), '📍 CN Tower');
  assert.equal(await page.locator('li.row.in[data-type=contacts] .card strong').textContent(), '👤 Bo Li');
  assert.equal(await row(sent).locator('.reaction').textContent(), '❤️');
  assert.equal(await page.locator('li.row.in[data-type=reaction]').count(), 0, 'shown on its message, not on its own');
  const reply = page.locator('li.row.in[data-type=text]').last();
  assert.equal(await reply.locator('.quote span').textContent(), 'The one I mean');
  assert.equal(await reply.locator('.body').textContent(), 'Like this?');
  assert.equal(await page.locator('li.row.in[data-type=audio] .tap').textContent(), '🎤 voice message');
  assert.equal(await page.locator('li.row.in[data-type=audio] audio').count(), 1);
  assert.match(await page.locator('li.row.in[data-type=document] a.doc').textContent(), /order\.pdf/);

  // The composer: text, a location, a photo and a reaction, as the user.
  await page.fill('#reply', 'Thanks!');
  await page.getByRole('button', { name: 'Send as user' }).click();
  await page.locator('li.row.in[data-type=text] .body', { hasText: 'Thanks!' }).waitFor();
  await page.fill('#reply', '51.5007, -0.1246 Big Ben');
  await page.getByRole('button', { name: 'Location' }).click();
  await page.locator('li.row.in[data-type=location] strong', { hasText: 'Big Ben' }).waitFor();
  await page.setInputFiles('#photo', { name: 'shot.png', mimeType: 'image/png', buffer: Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64') });
  await page.waitForFunction(() => document.querySelectorAll('li.row.in[data-type=image] img.photo').length === 2);
  await row(sent).getByRole('button', { name: /React to message/ }).click();
  await page.waitForFunction((id) => document.querySelector(`li.row.out[data-id="${id}"] .reaction`)?.textContent === '👍', sent);
  const received = (await call('GET', '/__admin/inbound', kinds.token)).body.data.map((m) => m.type);
  assert.deepEqual(received.slice(-4), ['text', 'location', 'image', 'reaction']);
});

await test('an image header sent by media id shows the picture', async () => {
  const pics = await sandbox();
  const created = await springLaunch(pics);
  assert.equal(created.status, 200, JSON.stringify(created.body));
  await call('POST', '/__admin/clock/advance', pics.token, { seconds: 700 });
  const form = new FormData();
  form.append('messaging_product', 'whatsapp');
  form.append('file', new Blob([PNG], { type: 'image/png' }), 'spring.png');
  const uploaded = await (await fetch(`${base}/v23.0/${pics.phone}/media`, { method: 'POST', headers: { Authorization: `Bearer ${pics.token}` }, body: form })).json();
  const sent = await call('POST', `/v23.0/${pics.phone}/marketing_messages`, pics.token, {
    messaging_product: 'whatsapp', to: '14165551234', type: 'template',
    template: { name: 'spring_launch', language: { code: 'en_US' }, components: [
      { type: 'header', parameters: [{ type: 'image', image: { id: uploaded.id } }] },
      { type: 'body', parameters: [{ type: 'text', text: 'Ann' }, { type: 'text', text: '20%' }] },
      { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'spring' }] },
    ] },
  });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  await page.goto(`${base}/__inbox/?token=${encodeURIComponent(pics.token)}#14165551234`);
  await page.waitForSelector('body[data-ready=true]');
  await page.waitForFunction((id) => {
    const img = document.querySelector(`li.row.out[data-id="${id}"] img.photo`);
    return img && img.complete && img.naturalWidth > 0;
  }, sent.body.messages[0].id);
});

await test('export saves the sandbox as a snapshot and import puts it back after a confirmation', async () => {
  const saved = await sandbox();
  const kept = await send(saved, '+1 416 555 2001', 'Dee');
  await open(saved);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  const file = await download.path();
  const snapshot = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(snapshot.format_version, 1);
  assert.ok(snapshot.messages.some((m) => m.id === kept), 'the message is in the file');

  const later = await send(saved, '+1 416 555 2002', 'Eve');
  let asked = '';
  page.once('dialog', (dialog) => {
    asked = dialog.message();
    dialog.accept();
  });
  await page.setInputFiles('#import-file', file);
  // The import answers in the page's own time: ask the sandbox until it is the snapshot again.
  const ids = async () => (await call('GET', '/__admin/messages', saved.token)).body.data.map((m) => m.id);
  const deadline = Date.now() + 10_000;
  while ((await ids()).includes(later) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.match(asked, /^Replace everything in this sandbox with the snapshot in /);
  assert.deepEqual(await ids(), [kept], 'the sandbox is the snapshot again');
});

await test('the page made no request beyond loopback', async () => {
  assert.deepEqual(external, []);
  assert.deepEqual(consoleErrors, []);
});

// ---- first paint with many messages --------------------------------------------------------

let paint = null;
await test(`first paint with ${BULK} messages in the sandbox is measured`, async () => {
  const bulk = await sandbox({});
  const started = Date.now();
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < BULK) {
      const n = next++;
      await send(bulk, `+1 416 600 ${String(n % 100).padStart(4, '0')}`, `User ${n}`);
    }
  }));
  const seeded = Date.now() - started;
  // Routing every request through this script adds its own latency to each call: lift it.
  await context.unroute('**/*', guard);
  await open(bulk);
  paint = await page.evaluate(() => ({
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
    rendered: performance.getEntriesByName('inbox-rendered')[0]?.startTime,
    calls: performance.getEntriesByType('resource')
      .filter((r) => !r.name.includes('/changes'))
      .map((r) => `${new URL(r.name).pathname} ${r.startTime.toFixed(0)}–${r.responseEnd.toFixed(0)}`),
    html: performance.getEntriesByType('navigation')[0]?.responseEnd,
  }));
  const perUser = Math.ceil(BULK / 100);
  const rows = await page.locator('li.row.out').count();
  assert.equal(rows, Math.min(50, perUser), 'one window of the conversation is rendered');
  console.log(`     ${BULK} messages seeded in ${seeded} ms; first contentful paint ${paint.fcp?.toFixed(0)} ms, `
    + `conversations and thread rendered ${paint.rendered?.toFixed(0)} ms after navigation`);
  console.log(`     page answered at ${paint.html?.toFixed(0)} ms; then (ms after navigation) ${paint.calls.join(', ')}`);
  const title = await page.locator('#thread-title').textContent();
  await page.reload();
  await page.waitForSelector('body[data-ready=true]');
  assert.equal(await page.locator('#thread-title').textContent(), title, 'the URL names the open conversation');
  assert.ok(new URL(page.url()).hash.length > 1);
  const again = await page.evaluate(() => performance.getEntriesByName('inbox-rendered')[0]?.startTime);
  console.log(`     reloaded: rendered ${again?.toFixed(0)} ms after navigation`);
  if (perUser > 50) {
    await page.getByRole('button', { name: 'Load earlier messages' }).click();
    const expected = Math.min(100, perUser);
    await page.waitForFunction((n) => document.querySelectorAll('li.row.out').length === n, expected);
  }
  await context.route('**/*', guard);
  assert.deepEqual(external, []);
});

// ---- pictures for the README ---------------------------------------------------------------

if (shots) {
  const demo = await sandbox();
  const profile = (name) => ({ behaviour: 'default', name, delivered_after_seconds: 2, read_after_seconds: 5 });
  await call('PUT', '/__admin/recipients/14165551234', demo.token, profile('Ann Lee'));
  await call('PUT', '/__admin/recipients/447700900123', demo.token, profile('Olu Bello'));
  const created = await springLaunch(demo);
  if (created.status !== 200) console.log(`     (template not created: ${JSON.stringify(created.body)})`);
  await call('POST', '/__admin/clock/advance', demo.token, { seconds: 700 });
  const m = await send(demo, '+1 416 555 1234', 'Ann');
  await send(demo, '+44 7700 900123', 'Olu');
  await call('POST', '/__admin/clock/advance', demo.token, { seconds: 60 });
  await call('POST', '/__admin/inbound', demo.token, { from: '14165551234', text: 'Is the sale on in store too?' });
  await call('POST', `/v23.0/${demo.phone}/messages`, demo.token, { messaging_product: 'whatsapp', to: '14165551234', type: 'text', text: { body: 'Yes, in every store until Sunday.' } });
  await call('POST', `/v23.0/${demo.phone}/marketing_messages`, demo.token, {
    messaging_product: 'whatsapp', to: '14165551234', type: 'template',
    template: { name: 'spring_launch', language: { code: 'en_US' }, components: [
      { type: 'header', parameters: [{ type: 'image', image: { link: 'https://shop.example/spring.jpg' } }] },
      { type: 'body', parameters: [{ type: 'text', text: 'Ann' }, { type: 'text', text: '20%' }] },
      { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'spring' }] },
    ] },
  });
  await call('POST', '/__admin/clock/advance', demo.token, { seconds: 30 });
  await call('POST', '/__admin/inbound', demo.token, { from: '14165551234', button: { text: 'Stop promotions', context_message_id: m } });
  await send(demo, '+1 416 555 1234', 'Ann');
  await call('POST', '/__admin/clock/advance', demo.token, { seconds: 5 });
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 1100, height: 640 });
    await open(demo);
    await page.screenshot({ path: join(shots, `inbox-conversations-${scheme}.png`) });
    await page.setViewportSize({ width: 390, height: 760 });
    await open(demo);
    await page.locator('button.conv').first().click();
    await page.waitForSelector('.show-thread li.row');
    await page.screenshot({ path: join(shots, `inbox-phone-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1100, height: 640 });
  await open(demo);
  await page.locator('li.row.out').first().getByRole('button', { name: /Details of message/ }).click();
  await page.locator('#details h3').first().waitFor();
  await page.screenshot({ path: join(shots, 'inbox-details-light.png') });
  await page.keyboard.press('Escape');
  await page.getByRole('tab', { name: 'Templates' }).click();
  await page.locator('#templates tr').first().waitFor();
  await page.screenshot({ path: join(shots, 'inbox-templates-light.png') });
  console.log(`     screenshots written to ${shots}`);
}

await context.close();
rmSync(profile, { recursive: true, force: true });
mock.child.removeAllListeners('exit');
mock.child.kill('SIGTERM');
hooks.close();

const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
