// The wa-mock inbox: a sandbox's conversations as its users' phones show them, read from the
// admin API (/__admin) and kept live by its change stream (/__admin/changes). No framework, no
// build step: every node is built with textContent, never from HTML strings, since message
// text is whatever a client sent.
'use strict';

const PAGE_SIZE = 50; // conversation items per window
const LIST_SIZE = 200; // conversations per window of the list
const NARROW = window.matchMedia('(max-width: 760px)');

const S = {
  token: new URLSearchParams(location.search).get('token'),
  world: null,
  clock: null,
  convs: [],
  convTotal: 0,
  convLimit: LIST_SIZE,
  // wa_id of the open conversation; the URL's fragment keeps it across reloads.
  current: decodeURIComponent(location.hash.slice(1)) || null,
  items: [], // its items, oldest first
  before: null, // cursor for older items
  tab: 'conversations',
  detail: null, // id of the message whose details are open
  refreshing: null,
  again: false,
  onlyViolations: false,
  firstPaint: true,
};

const $ = (id) => document.getElementById(id);

// Builds an element: attributes (on* are listeners, `text` is textContent), then children.
function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

async function api(path, body, method) {
  const headers = {};
  if (S.token) headers.Authorization = `Bearer ${S.token}`;
  const init = { method: method || (body ? 'POST' : 'GET'), headers, cache: 'no-store' };
  if (body) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const json = await res.json();
  if (!res.ok) {
    const err = json.error || {};
    const details = err.error_data && err.error_data.details ? ` (${err.error_data.details})` : '';
    throw new Error(`${err.code || res.status}: ${err.message || res.statusText}${details}`);
  }
  return json;
}

function showError(e) {
  const p = $('error');
  if (!e) {
    p.hidden = true;
    return;
  }
  p.textContent = String(e.message || e);
  p.hidden = false;
}

// ---- formatting ----------------------------------------------------------------------------

const time = (at) => (at ? at.slice(11, 19) : '');
const day = (at) => (at ? at.slice(0, 10) : '');
const ROUTES = { marketing_messages: 'MM API', cloud_api: 'Cloud API' };
const TICKS = {
  accepted: ['🕓', 'accepted'],
  sent: ['✓', 'sent'],
  delivered: ['✓✓', 'delivered'],
  read: ['✓✓', 'read'],
  failed: ['!', 'failed'],
};

function ticks(status) {
  const [glyph, label] = TICKS[status] || ['?', status || 'unknown'];
  return h('span', { class: `ticks ${status}`, role: 'img', 'aria-label': label, title: label, text: glyph });
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const units = [[86400, 'd'], [3600, 'h'], [60, 'min'], [1, 's']];
  for (const [n, u] of units) if (seconds >= n && seconds % n === 0) return `${seconds / n} ${u}`;
  return `${seconds} s`;
}

function since(fromIso, toIso) {
  return Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000);
}

// ---- message content -----------------------------------------------------------------------

function paramText(p) {
  if (!p) return null;
  switch (p.type) {
    case 'text': return p.text;
    case 'currency': return p.currency && (p.currency.fallback_value || `${p.currency.amount_1000 / 1000} ${p.currency.code}`);
    case 'date_time': return p.date_time && p.date_time.fallback_value;
    case 'payload': return p.payload;
    case 'coupon_code': return p.coupon_code;
    default: return `[${p.type}]`;
  }
}

// Fills `{{1}}` or `{{name}}` placeholders from the send's parameters; unfilled ones stay visible.
function fill(text, params) {
  return (text || '').replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, key) => {
    const p = /^\d+$/.test(key) ? params[Number(key) - 1] : params.find((x) => x.parameter_name === key);
    const value = paramText(p);
    return value === null || value === undefined ? whole : value;
  });
}

function templateOf(message) {
  const ref = message.template;
  if (!ref || !S.world) return null;
  return S.world.templates.find((t) => t.name === ref.name && t.language === ref.language && t.waba_id === message.waba_id)
    || S.world.templates.find((t) => t.name === ref.name && t.language === ref.language);
}

function media(kind, label) {
  return h('div', { class: 'media', role: 'img', 'aria-label': `${kind} attachment` }, h('span', { text: kind.toUpperCase() }), label ? h('small', { text: label }) : null);
}

function sentParams(request, type, index) {
  const comps = (request && request.template && request.template.components) || [];
  const c = comps.find((x) => String(x.type).toLowerCase() === type && (index === undefined || Number(x.index) === index));
  return (c && c.parameters) || [];
}

// The template as the phone shows it: header, body, footer, buttons, parameters filled in.
function renderTemplate(item, bubble, buttons) {
  const { message, request } = item;
  const tpl = templateOf(message);
  if (!tpl) {
    bubble.append(h('p', { class: 'muted', text: `Template ${message.template ? message.template.name : ''} (no longer in the sandbox)` }));
    return;
  }
  if (!request) bubble.append(h('p', { class: 'note', text: 'The send request is no longer in the journal: placeholders shown unfilled.' }));
  for (const c of tpl.components) {
    const kind = String(c.type).toUpperCase();
    if (kind === 'HEADER') {
      const params = sentParams(request, 'header');
      const format = (c.format || 'TEXT').toUpperCase();
      if (format === 'TEXT') bubble.append(h('p', { class: 'header', text: fill(c.text, params) }));
      else {
        // The file the message recorded outlasts its request in the journal.
        const sent = (message.media || []).find((x) => x.component === 'header');
        const p = params[0] || {};
        const m = sent || p[String(p.type)] || {};
        // An image header sent by id shows the picture, fetched through the two hops; a link
        // is never fetched, so it stays a label.
        if (format === 'IMAGE' && m.id) bubble.append(mediaElement('img', m.id, { class: 'photo', alt: 'image header' }));
        else bubble.append(media(format.toLowerCase(), m.filename || m.link || (m.id ? `media ${m.id}` : '')));
      }
    } else if (kind === 'BODY') {
      bubble.append(h('p', { class: 'body', text: fill(c.text, sentParams(request, 'body')) }));
    } else if (kind === 'FOOTER') {
      bubble.append(h('p', { class: 'footer', text: c.text || '' }));
    } else if (kind === 'BUTTONS') {
      (c.buttons || []).forEach((b, i) => buttons.push({ ...b, index: i, params: sentParams(request, 'button', i) }));
    }
  }
}

function renderFreeForm(item, bubble, buttons) {
  const r = item.request || {};
  const type = item.message.type;
  const part = r[type] || {};
  if (!item.request) {
    bubble.append(h('p', { class: 'note', text: `A ${type} message (its request is no longer in the journal).` }));
    return;
  }
  if (type === 'text') bubble.append(h('p', { class: 'body', text: part.body || '' }));
  else if (type === 'interactive') {
    if (part.header && part.header.text) bubble.append(h('p', { class: 'header', text: part.header.text }));
    else if (part.header && part.header.type) bubble.append(media(part.header.type, ''));
    if (part.body) bubble.append(h('p', { class: 'body', text: part.body.text || '' }));
    if (part.footer) bubble.append(h('p', { class: 'footer', text: part.footer.text || '' }));
    const action = part.action || {};
    for (const b of action.buttons || []) buttons.push({ type: 'QUICK_REPLY', text: (b.reply && b.reply.title) || b.title || '', payload: b.reply && b.reply.id });
    if (action.button) buttons.push({ type: 'LIST', text: action.button });
    if (action.name === 'cta_url' && action.parameters) buttons.push({ type: 'URL', text: action.parameters.display_text });
  } else if (['image', 'video', 'document', 'audio', 'sticker'].includes(type)) {
    bubble.append(media(type, part.filename || part.link || part.id || ''));
    if (part.caption) bubble.append(h('p', { class: 'body', text: part.caption }));
  } else if (type === 'location') {
    bubble.append(media('location', [part.name, part.address].filter(Boolean).join(', ')));
  } else if (type === 'reaction') {
    bubble.append(h('p', { class: 'body', text: `${part.emoji || ''} (reaction)` }));
  } else {
    bubble.append(h('p', { class: 'muted', text: `A ${type} message` }));
  }
}

function outboundBubble(item) {
  const m = item.message;
  const bubble = h('div', { class: 'bubble out' });
  const buttons = [];
  if (m.type === 'template') renderTemplate(item, bubble, buttons);
  else renderFreeForm(item, bubble, buttons);
  const status = m.statuses.length ? m.statuses[m.statuses.length - 1].status : 'accepted';
  if (item.failure) {
    const f = item.failure;
    bubble.append(h('p', { class: 'failure', role: 'note' }, h('strong', { text: `Failed ${f.code}` }), ` — ${f.title}`,
      f.key === 'ttl_expired' ? ` (TTL ${duration(m.ttl_seconds)} ran out)` : ''));
  }
  const clicks = (m.clicks || []).length;
  bubble.append(h('div', { class: 'meta' },
    h('span', { class: 'badge', text: ROUTES[m.route] || m.route }),
    clicks ? h('span', { class: 'badge clicks', text: `${clicks} ${clicks === 1 ? 'click' : 'clicks'}` }) : null,
    m.pacing ? h('span', { class: `badge pacing ${m.pacing}`, title: 'Pacing', text: m.pacing }) : null,
    h('time', { datetime: m.created_at, title: m.created_at, text: time(m.created_at) }),
    ticks(status),
    h('button', { type: 'button', class: 'link', 'aria-label': `Details of message ${m.id}`, onclick: () => showDetails(m.id), text: 'details' }),
    h('button', { type: 'button', class: 'link react', 'aria-label': `React to message ${m.id}`, title: 'React 👍 as the user (again: remove it)', onclick: () => react(m), text: '👍' })));
  const wrap = h('li', { class: 'row out', 'data-id': m.id, 'data-status': status }, bubble);
  if (buttons.length) {
    wrap.append(h('div', { class: 'buttons' }, buttons.map((b) => {
      const type = String(b.type || '').toUpperCase();
      if (type === 'QUICK_REPLY') {
        const payload = (b.params[0] && b.params[0].payload) || b.payload || undefined;
        return h('button', { type: 'button', class: 'reply', title: 'Tap as the user', onclick: () => tap(b.text, payload, m) }, '↩ ', b.text);
      }
      // Meta reports link clicks on MM API messages only; the admin API refuses the others.
      if (type === 'URL' && m.type === 'template' && m.route === 'marketing_messages') {
        return h('button', { type: 'button', class: 'reply', title: `Click as the user${b.url ? `: ${fill(b.url, b.params)}` : ''}`, onclick: () => clickLink(m) }, '↗ ', b.text || '');
      }
      const icon = { URL: '↗', PHONE_NUMBER: '☎', COPY_CODE: '⧉', OTP: '⧉', LIST: '☰' }[type] || '•';
      return h('span', { class: 'cta', title: `${type.toLowerCase()} button${b.url ? `: ${fill(b.url, b.params)}` : ''}` }, `${icon} `, b.text || '');
    })));
  }
  return wrap;
}

// The bytes of a media file, from the mock's own byte endpoint: GET /{media_id} gives a URL
// signed for a few minutes of the sandbox's clock, so a broken one is asked for again once.
const MEDIA = new Map();
function mediaUrl(id) {
  if (!MEDIA.has(id)) {
    MEDIA.set(id, api(`/${encodeURIComponent(id)}`).then((node) => `${node.url}&access_token=${encodeURIComponent(S.token)}`));
  }
  return MEDIA.get(id);
}
function mediaElement(tag, id, attrs) {
  const e = h(tag, attrs);
  let retried = false;
  const load = () => mediaUrl(id).then((url) => { e.src = url; }, () => e.replaceWith(h('p', { class: 'muted', text: 'media no longer available' })));
  e.addEventListener('error', () => {
    if (retried) return;
    retried = true;
    MEDIA.delete(id);
    load();
  });
  load();
  return e;
}

// What a message says in a line: for quotes and the reactions' tooltips.
function summary(item) {
  if (!item) return 'a message';
  const m = item.message || {};
  if (item.direction === 'outbound') return m.type === 'template' && m.template ? `template ${m.template.name}` : `${m.type} message`;
  if (m.type === 'text') return (m.text && m.text.body) || '';
  if (m.type === 'button') return (m.button && m.button.text) || 'button';
  const node = m[m.type] || {};
  return node.caption || node.filename || node.name || m.type;
}

// The user's last reaction to each message in the window (no emoji: removed).
function reactions() {
  const map = new Map();
  for (const item of S.items) {
    const r = item.direction === 'inbound' && item.message && item.message.reaction;
    if (!r) continue;
    if (r.emoji) map.set(r.message_id, r.emoji);
    else map.delete(r.message_id);
  }
  return map;
}

function inboundContent(m, bubble) {
  const type = m.type;
  const node = m[type] || {};
  if (type === 'text') bubble.append(h('p', { class: 'body', text: node.body || '' }));
  else if (type === 'button') {
    bubble.append(h('p', { class: 'body' }, h('span', { class: 'tap', text: 'tapped ' }), node.text || ''));
  } else if (type === 'interactive') {
    const r = node.button_reply || node.list_reply;
    if (r) bubble.append(h('p', { class: 'body' }, h('span', { class: 'tap', text: 'chose ' }), r.title || ''), r.description ? h('p', { class: 'footer', text: r.description }) : null);
    else bubble.append(h('p', { class: 'body' }, h('span', { class: 'tap', text: 'sent the form ' }), (node.nfm_reply && node.nfm_reply.name) || ''));
  } else if (type === 'image' || type === 'sticker') {
    bubble.append(mediaElement('img', node.id, { class: type === 'sticker' ? 'sticker' : 'photo', alt: node.caption || type }));
  } else if (type === 'video') {
    bubble.append(mediaElement('video', node.id, { class: 'photo', controls: true, preload: 'metadata' }));
  } else if (type === 'audio') {
    bubble.append(node.voice ? h('p', { class: 'tap', text: '🎤 voice message' }) : null, mediaElement('audio', node.id, { controls: true, preload: 'none' }));
  } else if (type === 'document') {
    const link = h('a', { class: 'doc', download: node.filename || 'document' }, h('strong', { text: `📄 ${node.filename || 'Document'}` }), h('small', { class: 'muted', text: ` ${node.mime_type || ''}` }));
    mediaUrl(node.id).then((url) => { link.href = url; }, () => {});
    bubble.append(link);
  } else if (type === 'location') {
    bubble.append(h('div', { class: 'card location' }, h('strong', { text: `📍 ${node.name || 'Location'}` }),
      node.address ? h('small', { text: node.address }) : null,
      h('small', { class: 'muted', text: `${node.latitude}, ${node.longitude}` })));
  } else if (type === 'contacts') {
    for (const c of m.contacts || []) {
      const phones = (c.phones || []).map((p) => p.phone).filter(Boolean).join(', ');
      bubble.append(h('div', { class: 'card contact' }, h('strong', { text: `👤 ${(c.name && c.name.formatted_name) || 'Contact'}` }), phones ? h('small', { text: phones }) : null));
    }
  } else if (type === 'reaction') {
    bubble.append(h('p', { class: 'body' }, node.emoji ? `${node.emoji} ` : '', h('span', { class: 'tap', text: node.emoji ? 'reacted to a message' : 'removed a reaction' })));
  } else if (type === 'unsupported') {
    bubble.append(h('p', { class: 'muted', text: 'Unsupported message (131051: message type unknown)' }));
  } else bubble.append(h('p', { class: 'muted', text: `A ${type} message` }));
  if (node.caption) bubble.append(h('p', { class: 'body', text: node.caption }));
}

function inboundBubble(item) {
  const m = item.message || {};
  const bubble = h('div', { class: 'bubble in' });
  if (m.referral) bubble.append(h('p', { class: 'referral', title: m.referral.source_url }, h('span', { class: 'tap', text: `from ${m.referral.source_type === 'post' ? 'a post' : 'an ad'}: ` }), m.referral.headline || m.referral.source_url));
  if (m.context && m.type !== 'button') {
    const quoted = S.items.find((i) => (i.direction === 'outbound' ? i.message.id : i.id) === m.context.id);
    bubble.append(h('blockquote', { class: 'quote' }, h('small', { class: 'muted', text: quoted && quoted.direction === 'inbound' ? 'You' : 'Business' }), h('span', { text: summary(quoted) })));
  }
  inboundContent(m, bubble);
  bubble.append(h('div', { class: 'meta' }, h('time', { datetime: item.at, title: item.at, text: time(item.at) })));
  return h('li', { class: 'row in', 'data-id': item.id, 'data-type': m.type }, bubble);
}

// The reaction shown under a message, as a phone shows it.
function withReaction(row, emoji) {
  if (emoji) row.append(h('span', { class: 'reaction', 'aria-label': `reaction ${emoji}`, text: emoji }));
  return row;
}

// ---- views ---------------------------------------------------------------------------------

function renderClock() {
  const c = S.clock;
  if (!c) return;
  $('clock-now').textContent = c.now.replace('T', ' ').replace('Z', ' UTC');
  $('clock-now').setAttribute('datetime', c.now);
  $('clock-mode').textContent = c.mode;
  $('clock-pending').textContent = String(c.pending_jobs);
}

function renderConversations() {
  const list = $('conv-list');
  list.replaceChildren(...S.convs.map((c) => {
    const selected = c.wa_id === S.current;
    const label = c.last_type === 'inbound' ? 'replied' : c.last_type;
    return h('li', {},
      h('button', { type: 'button', class: 'conv', 'aria-current': selected ? 'true' : null, 'data-wa-id': c.wa_id, onclick: () => openConversation(c.wa_id) },
        h('span', { class: 'avatar', 'aria-hidden': 'true', text: (c.profile_name || '?').slice(0, 1).toUpperCase() }),
        h('span', { class: 'who' },
          h('strong', { text: c.profile_name || c.wa_id }),
          h('small', { text: c.input && c.input !== c.wa_id ? `${c.wa_id} · to ${c.input}` : c.wa_id }),
          h('small', { class: 'muted' }, `${label} · ${c.outbound} sent, ${c.inbound} received`, c.opted_out ? h('span', { class: 'badge warn', text: 'opted out' }) : null)),
        h('span', { class: 'when' }, h('time', { datetime: c.last_at, text: time(c.last_at) }), c.last_status ? ticks(c.last_status) : null)));
  }));
  $('conv-count').textContent = `${S.convTotal} conversation${S.convTotal === 1 ? '' : 's'}`;
  $('conv-more').hidden = S.convs.length >= S.convTotal;
}

function renderThread() {
  const thread = $('thread');
  const conv = S.convs.find((c) => c.wa_id === S.current);
  $('compose').hidden = !S.current;
  if (!S.current) return;
  $('thread-title').textContent = conv ? conv.profile_name || conv.wa_id : S.current;
  $('thread-sub').textContent = conv ? `${conv.wa_id}${conv.input && conv.input !== conv.wa_id ? ` · addressed as ${conv.input}` : ''}${conv.opted_out ? ' · opted out of marketing' : ''}` : S.current;
  const atBottom = thread.scrollHeight - thread.scrollTop - thread.clientHeight < 40;
  const rows = [];
  const reacted = reactions();
  let lastDay = null;
  for (const item of S.items) {
    const at = item.direction === 'outbound' ? item.message.created_at : item.at;
    if (day(at) !== lastDay) {
      lastDay = day(at);
      rows.push(h('li', { class: 'day', text: lastDay }));
    }
    const id = item.direction === 'outbound' ? item.message.id : item.id;
    const reaction = item.direction === 'inbound' && item.message && item.message.reaction;
    // A reaction shows on its message when that is in the window, as a phone shows it.
    if (reaction && S.items.some((i) => (i.direction === 'outbound' ? i.message.id : i.id) === reaction.message_id)) continue;
    rows.push(withReaction(item.direction === 'outbound' ? outboundBubble(item) : inboundBubble(item), reacted.get(id)));
  }
  const children = [];
  if (S.before) children.push(h('button', { type: 'button', class: 'more', onclick: loadEarlier, text: 'Load earlier messages' }));
  children.push(h('ol', { class: 'bubbles' }, rows));
  thread.replaceChildren(...children);
  if (S.scrollToEnd) {
    // At phone width the page scrolls, not the thread.
    const last = thread.querySelector('.bubbles > li:last-child');
    if (last) last.scrollIntoView({ block: 'end' });
  }
  if (atBottom || S.scrollToEnd) thread.scrollTop = thread.scrollHeight;
  S.scrollToEnd = false;
}

function dl(pairs) {
  return h('dl', { class: 'facts' }, pairs.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', {}, v === null || v === undefined || v === '' ? '—' : v)]));
}

function json(value) {
  return h('pre', { class: 'json', tabindex: '0', text: JSON.stringify(value, null, 2) });
}

async function showDetails(id) {
  const item = S.items.find((i) => i.direction === 'outbound' && i.message.id === id);
  if (!item) return;
  const m = item.message;
  const r = item.request || {};
  const policy = r.product_policy || (m.endpoint === 'marketing_messages' ? 'CLOUD_API_FALLBACK (default)' : '—');
  const sharing = m.message_activity_sharing === undefined || m.message_activity_sharing === null ? '—' : (m.message_activity_sharing ? 'on' : 'off');
  const body = $('details-body');
  const panel = $('details');
  const scrolled = S.detail === id ? panel.scrollTop : 0;
  body.replaceChildren(
    dl([
      ['Message', h('code', { text: m.id })],
      ['To', `${m.input}${m.input !== m.wa_id ? ` (wa_id ${m.wa_id})` : ''}`],
      ['Endpoint', `/${m.phone_number_id}/${m.endpoint}`],
      ['Route', ROUTES[m.route] || m.route],
      ['Pricing', m.pricing_category],
      ['Type', m.template ? `template ${m.template.name} (${m.template.language}, ${m.template.category})` : m.type],
      ['Product policy', policy],
      ['Creative features', m.creative_features.length ? m.creative_features.join(', ') : 'none'],
      ['TTL', duration(m.ttl_seconds)],
      ['Activity sharing', sharing],
      ['Callback data', m.biz_opaque_callback_data],
      ['Pacing', m.pacing],
      ['Messaging account', m.messaging_account_id],
      ['Conversation', m.conversation_id],
    ]),
    h('h3', { text: 'Statuses' }),
    h('ol', { class: 'statuses' }, m.statuses.map((s) => h('li', {}, ticks(s.status), ` ${s.status} at `, h('time', { datetime: s.at, text: s.at }), s.error ? ` — ${s.code} ${s.title} (${s.error})` : ''))),
    h('h3', { text: item.request_seq ? `Request (journal #${item.request_seq})` : 'Request' }),
    item.request ? json(item.request) : h('p', { class: 'muted', text: 'No longer in the journal.' }),
    h('h3', { text: 'Webhooks' }),
    h('p', { class: 'muted', id: 'details-webhooks', text: 'Loading…' }));
  S.detail = id;
  panel.hidden = false;
  panel.scrollTop = scrolled;
  $('view-conversations').classList.add('has-details');
  document.body.classList.add('show-details');
  try {
    const attempts = (await api(`/__admin/webhooks/deliveries?message_id=${encodeURIComponent(id)}`)).data;
    const target = $('details-webhooks');
    if (target && S.detail === id) target.replaceWith(attempts.length ? h('ol', { class: 'log' }, attempts.map(attemptRow)) : h('p', { class: 'muted', text: 'None sent (no callback URL, or none due yet).' }));
  } catch (e) {
    showError(e);
  }
}

function closeDetails() {
  S.detail = null;
  $('details').hidden = true;
  $('view-conversations').classList.remove('has-details');
  document.body.classList.remove('show-details');
}

function attemptRow(a) {
  const ok = a.outcome === 'delivered';
  return h('li', { class: `entry ${ok ? '' : 'bad'}` },
    h('div', { class: 'line' },
      h('span', { class: `badge ${ok ? 'ok' : 'warn'}`, text: a.outcome }),
      h('strong', { text: a.field }),
      ` attempt ${a.attempt} of delivery #${a.delivery_id}${a.duplicate_of ? ` (duplicate of #${a.duplicate_of})` : ''}`,
      h('span', { class: 'muted' }, ` · ${a.at} · ${a.status === null ? 'no answer' : `HTTP ${a.status}`} · ${a.latency_ms} ms`),
      a.error ? h('span', { class: 'violation', text: ` ${a.error}` }) : null,
      a.next_attempt_at ? h('span', { class: 'muted', text: ` · next attempt ${a.next_attempt_at}` }) : null),
    h('div', { class: 'muted small', text: `${a.url} · ${a.message_ids.join(', ')}` }),
    h('details', {}, h('summary', { text: 'Signature and body' }), h('p', {}, h('code', { text: `X-Hub-Signature-256: ${a.signature}` })), json(a.body)));
}

function renderTemplates() {
  if (!S.world || !S.clock) return;
  const now = S.clock.now;
  const rows = S.world.templates.map((t) => {
    let sync = 'synced';
    const left = since(now, t.synced_at);
    if (left > 0) sync = `ad sync in ${duration(left) === `${left} s` ? `${Math.floor(left / 60)} min ${left % 60} s` : duration(left)}`;
    else if (t.last_mm_send && since(t.last_mm_send, now) > 7 * 86400) sync = 'dormant: the next MM API send re-syncs';
    const set = (status, verb) => h('button', { type: 'button', disabled: t.status === status, onclick: () => setTemplateStatus(t, status), 'aria-label': `${verb} ${t.name} (${t.language}, ${t.id})` }, verb);
    const waba = S.world.wabas.find((w) => w.id === t.waba_id);
    return h('tr', { 'data-template': t.name, 'data-id': t.id },
      h('th', { scope: 'row' }, h('strong', { text: t.name }), h('br'), h('small', { class: 'muted', text: `${t.language} · ${t.id} · ${waba ? waba.name : t.waba_id}` })),
      h('td', { text: t.category }),
      h('td', {}, h('span', { class: `badge status-${t.status.toLowerCase()}`, text: t.status }), t.rejected_reason ? h('small', { text: ` ${t.rejected_reason}` }) : null),
      h('td', { class: 'muted', title: 'Template quality is not modelled', text: '—' }),
      h('td', { text: sync }),
      h('td', {}, h('span', { class: 'actions' }, set('APPROVED', 'approve'), set('REJECTED', 'reject'), set('PAUSED', 'pause'), set('DISABLED', 'disable'))));
  });
  $('templates').replaceChildren(...rows);
}

async function renderWebhooks() {
  const [view, attempts] = await Promise.all([api('/__admin/webhooks'), api('/__admin/webhooks/deliveries?limit=200')]);
  $('webhook-target').textContent = view.wabas.map((w) => `${w.waba_id} → ${w.callback_url || 'nowhere'}`).join(' · ')
    + ` · retries from ${view.retry.first_retry_seconds} s up to ${duration(view.retry.max_age_seconds)}`;
  $('deliveries').replaceChildren(...(attempts.data.length ? attempts.data.slice().reverse().map(attemptRow)
    : [h('li', { class: 'muted', text: 'No deliveries yet. Set a callback URL with PUT /__admin/webhooks or wa-mock --webhook-url.' })]));
}

async function renderJournal() {
  const entries = (await api('/__admin/requests?limit=200')).data.slice().reverse()
    .filter((e) => !S.onlyViolations || e.violations.length);
  $('journal').replaceChildren(...(entries.length ? entries.map((e) => h('li', { class: `entry ${e.violations.length ? 'bad' : ''}`, 'data-seq': e.seq },
    h('div', { class: 'line' },
      h('span', { class: `badge ${e.status < 300 ? 'ok' : 'warn'}`, text: String(e.status) }),
      h('strong', { text: `${e.method} ${e.path}` }),
      h('span', { class: 'muted', text: ` · #${e.seq} · ${e.at}` })),
    e.violations.length ? h('ul', { class: 'violations', 'aria-label': 'Contract violations' }, e.violations.map((v) => h('li', { class: 'violation', text: v }))) : null,
    h('details', {}, h('summary', { text: 'Request and response' }), json(e.request), json(e.response))))
    : [h('li', { class: 'muted', text: 'No Graph requests yet.' })]));
}

// ---- loading -------------------------------------------------------------------------------

async function loadConversations() {
  const page = await api(`/__admin/conversations?limit=${S.convLimit}`);
  S.convs = page.data;
  S.convTotal = page.total;
}

async function loadThread() {
  if (!S.current) return;
  const page = await api(`/__admin/conversations/${encodeURIComponent(S.current)}?limit=${PAGE_SIZE}`);
  const first = page.data[0];
  const keep = first ? S.items.findIndex((i) => itemId(i) === itemId(first)) : -1;
  if (keep > 0) S.items = S.items.slice(0, keep).concat(page.data);
  else {
    S.items = page.data;
    S.before = page.before;
  }
}

const itemId = (i) => (i.direction === 'outbound' ? i.message.id : i.id);

async function loadEarlier() {
  if (!S.before) return;
  const page = await api(`/__admin/conversations/${encodeURIComponent(S.current)}?limit=${PAGE_SIZE}&before=${encodeURIComponent(S.before)}`);
  const thread = $('thread');
  const fromBottom = thread.scrollHeight - thread.scrollTop;
  S.items = page.data.concat(S.items);
  S.before = page.before;
  renderThread();
  thread.scrollTop = thread.scrollHeight - fromBottom;
}

async function openConversation(waId) {
  S.current = waId;
  history.replaceState(null, '', `#${encodeURIComponent(waId)}`);
  S.items = [];
  S.before = null;
  S.scrollToEnd = true;
  closeDetails();
  document.body.classList.add('show-thread');
  try {
    await loadThread();
    renderConversations();
    renderThread();
  } catch (e) {
    showError(e);
  }
}

// Refetches what the open views show; calls that arrive while one runs make it run once more.
async function refresh() {
  if (S.refreshing) {
    S.again = true;
    return S.refreshing;
  }
  S.refreshing = (async () => {
    do {
      S.again = false;
      try {
        const before = S.items.length;
        const wasOpen = S.current;
        // A conversation known up front (open, or named in the URL) loads with the rest.
        const thread = S.current ? loadThread() : null;
        const [world, clock] = await Promise.all([api('/__admin/state'), api('/__admin/clock'), loadConversations(), thread]);
        S.world = world;
        S.clock = clock;
        if (!S.current && S.convs.length && !NARROW.matches) {
          S.current = S.convs[0].wa_id;
          history.replaceState(null, '', `#${encodeURIComponent(S.current)}`);
          S.scrollToEnd = true;
          await loadThread();
        }
        if (wasOpen === S.current && S.items.length > before && before > 0) {
          const n = S.items.length - before;
          $('announce').textContent = `${n} new message${n === 1 ? '' : 's'} in this conversation`;
        }
        renderClock();
        renderConversations();
        renderThread();
        if (S.tab === 'templates') renderTemplates();
        if (S.tab === 'webhooks') await renderWebhooks();
        if (S.tab === 'journal') await renderJournal();
        if (S.detail && !$('details').hidden) await showDetails(S.detail);
        showError(null);
        if (S.firstPaint) {
          S.firstPaint = false;
          requestAnimationFrame(() => {
            performance.mark('inbox-rendered');
            document.body.dataset.ready = 'true';
          });
        }
      } catch (e) {
        showError(e);
      }
    } while (S.again);
    S.refreshing = null;
  })();
  return S.refreshing;
}

let pending = null;
function refreshSoon() {
  clearTimeout(pending);
  pending = setTimeout(refresh, 120);
}

function live() {
  const status = $('live');
  const source = new EventSource(`/__admin/changes?access_token=${encodeURIComponent(S.token)}`);
  let connected = false;
  source.addEventListener('ready', () => {
    status.textContent = 'live';
    status.className = 'live on';
    // Changes made while the stream was down were not announced.
    if (connected) refreshSoon();
    connected = true;
  });
  source.addEventListener('change', refreshSoon);
  source.addEventListener('error', () => {
    status.textContent = 'reconnecting…';
    status.className = 'live off';
  });
}

// ---- actions -------------------------------------------------------------------------------

async function act(work) {
  try {
    await work();
    await refresh();
  } catch (e) {
    showError(e);
  }
}

function businessNumber() {
  const last = S.items.slice().reverse().find((i) => i.direction === 'outbound');
  return last ? last.message.phone_number_id : (S.items.length ? S.items[S.items.length - 1].phone_number_id : undefined);
}

function tap(text, payload, message) {
  return act(() => api('/__admin/inbound', {
    from: S.current,
    phone_number_id: message.phone_number_id,
    button: { text, payload, context_message_id: message.id },
  }));
}

// What the composer sends: the user, to the number of the conversation.
function asUser(content) {
  const who = S.current.includes('.') ? { user_id: S.current } : { from: S.current };
  return api('/__admin/inbound', { ...who, phone_number_id: businessNumber(), ...content });
}

// A 👍 on a message sent to the user; a second one removes it, as on a phone.
function react(message) {
  const again = reactions().get(message.id) === '👍';
  return act(() => asUser({ reaction: { message_id: message.id, emoji: again ? undefined : '👍' } }));
}

// "lat, long" and an optional name, or Meta's headquarters when the box is empty.
function parseLocation(text) {
  if (!text) return { latitude: 37.4847, longitude: -122.1477, name: 'Meta', address: '1 Hacker Way, Menlo Park, CA' };
  const m = text.match(/^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*(.*)$/);
  if (!m) throw new Error('Type "latitude, longitude" and a name to share a location (or leave the box empty)');
  return { latitude: Number(m[1]), longitude: Number(m[2]), name: m[3] || undefined };
}

function readBase64(file) {
  return new Promise((ok, fail) => {
    const reader = new FileReader();
    reader.onload = () => ok(String(reader.result).split(',')[1] || '');
    reader.onerror = () => fail(reader.error);
    reader.readAsDataURL(file);
  });
}

// A click on the message's URL button, through the admin API as a test would make it.
function clickLink(message) {
  const who = S.current.includes('.') ? { user_id: S.current } : { from: S.current };
  return act(() => api('/__admin/inbound', {
    ...who,
    phone_number_id: message.phone_number_id,
    click: { message_id: message.id, component: 'cta' },
  }));
}

function setTemplateStatus(t, status) {
  return act(() => api(`/__admin/templates/${encodeURIComponent(t.id)}/status`, { status }));
}

function selectTab(name, focus) {
  S.tab = name;
  for (const tab of document.querySelectorAll('[role=tab]')) {
    const on = tab.id === `tab-${name}`;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $(tab.getAttribute('aria-controls')).hidden = !on;
    if (on && focus) tab.focus();
  }
  refresh();
}

// The sandbox as a snapshot file (GET /__admin/snapshot), saved through a download link.
async function exportSnapshot() {
  const snapshot = await api('/__admin/snapshot');
  const url = URL.createObjectURL(new Blob([JSON.stringify(snapshot)], { type: 'application/json' }));
  const link = h('a', { href: url, download: `wa-mock-snapshot-${snapshot.clock.now.replace(/[:.]/g, '-')}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

// Replaces the sandbox with a snapshot file, once the user confirms: nothing of it is kept.
async function importSnapshot(file) {
  if (!confirm(`Replace everything in this sandbox with the snapshot in ${file.name}?`)) return;
  await api('/__admin/snapshot', JSON.parse(await file.text()));
}

function wire() {
  $('export').addEventListener('click', () => exportSnapshot().catch(showError));
  $('import').addEventListener('click', () => $('import-file').click());
  $('import-file').addEventListener('change', (e) => {
    const [file] = e.target.files;
    e.target.value = '';
    if (file) act(() => importSnapshot(file));
  });
  for (const b of document.querySelectorAll('[data-advance]')) {
    b.addEventListener('click', () => act(() => api('/__admin/clock/advance', { seconds: Number(b.dataset.advance) })));
  }
  const tabs = [...document.querySelectorAll('[role=tab]')];
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => selectTab(tab.id.slice(4)));
    tab.addEventListener('keydown', (e) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (step) selectTab(tabs[(i + step + tabs.length) % tabs.length].id.slice(4), true);
    });
  });
  $('compose').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('reply');
    const text = input.value.trim();
    if (!text) return;
    act(async () => {
      await asUser({ text });
      input.value = '';
    });
  });
  $('send-location').addEventListener('click', () => {
    const input = $('reply');
    act(async () => {
      await asUser({ location: parseLocation(input.value.trim()) });
      input.value = '';
    });
  });
  $('send-photo').addEventListener('click', () => $('photo').click());
  $('photo').addEventListener('change', (e) => {
    const file = e.target.files[0];
    e.target.value = '';
    if (!file) return;
    const caption = $('reply').value.trim() || undefined;
    act(async () => {
      await asUser({ image: { mime_type: file.type || 'image/jpeg', data: await readBase64(file), caption } });
      $('reply').value = '';
    });
  });
  $('stop-promotions').addEventListener('click', () => {
    const last = S.items.slice().reverse().find((i) => i.direction === 'outbound' && i.message.type === 'template');
    act(() => api('/__admin/inbound', {
      from: S.current,
      phone_number_id: businessNumber(),
      button: { text: 'Stop promotions', context_message_id: last ? last.message.id : undefined },
    }));
  });
  $('conv-more').addEventListener('click', () => {
    S.convLimit += LIST_SIZE;
    refresh();
  });
  $('back').addEventListener('click', () => document.body.classList.remove('show-thread'));
  $('details-close').addEventListener('click', closeDetails);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !$('details').hidden) closeDetails();
  });
  $('only-violations').addEventListener('change', (e) => {
    S.onlyViolations = e.target.checked;
    refresh();
  });
  $('sandbox').addEventListener('change', (e) => {
    location.search = `?token=${encodeURIComponent(e.target.value)}`;
  });
}

async function boot() {
  wire();
  const listed = api('/__admin/sandboxes').then((r) => r.data, (e) => {
    showError(e);
    return [];
  });
  if (!S.token) {
    const sandboxes = await listed;
    // No token: the default sandbox, as the quick start promises; the selector still switches.
    const fallback = sandboxes.find((s) => s.default);
    if (fallback) {
      S.token = fallback.token;
      history.replaceState(null, '', `?token=${encodeURIComponent(S.token)}${location.hash}`);
    }
  }
  if (!S.token) {
    const sandboxes = (await listed).filter((s) => s.token);
    fillPicker(sandboxes);
    document.body.classList.add('picking');
    for (const id of ['view-conversations', 'view-templates', 'view-webhooks', 'view-journal']) $(id).hidden = true;
    $('view-picker').hidden = false;
    if (!sandboxes.length) $('picker-list').append(h('li', {}, 'No sandbox to list: open ', h('code', { text: '/__inbox/?token=YOUR_TOKEN' }), ' instead.'));
    else $('picker-list').replaceChildren(...sandboxes.map((s) => h('li', {},
      h('a', { href: `?token=${encodeURIComponent(s.token)}` }, h('strong', { text: s.default ? 'Default sandbox' : 'Sandbox' }), h('code', { text: ` ${s.token}` })),
      h('small', { class: 'muted', text: ` ${s.messages} messages · clock ${s.now}` }))));
    return;
  }
  // The sandbox list is not needed for the first paint: it fills the picker when it comes.
  listed.then(fillPicker);
  if (S.current) {
    S.scrollToEnd = true;
    document.body.classList.add('show-thread');
  }
  await refresh();
  live();
  // A realtime clock moves without changes to announce: its display follows it.
  setInterval(async () => {
    if (!S.clock || S.clock.mode !== 'realtime' || document.hidden) return;
    try {
      S.clock = await api('/__admin/clock');
      renderClock();
      if (S.tab === 'templates') renderTemplates();
    } catch (e) {
      showError(e);
    }
  }, 2000);
}

function fillPicker(listed) {
  // Other sandboxes' tokens are shown only to the default sandbox: the rest cannot be chosen.
  const sandboxes = listed.filter((s) => s.token);
  const select = $('sandbox');
  select.replaceChildren(...sandboxes.map((s) => h('option', { value: s.token, selected: s.token === S.token }, `${s.default ? 'default' : `${s.token.slice(0, 10)}…`} (${s.messages} messages)`)));
  if (S.token && !sandboxes.some((s) => s.token === S.token)) select.prepend(h('option', { value: S.token, selected: true, text: 'this token' }));
}

boot();
