// The reference terminals' one client of the public API: sign-in, REST with problem bodies, the
// WebSocket with reconnects, de-duplicated pushes and the server's clock, and countdowns.
// Plain ES modules for evergreen browsers: nothing to build, nothing fetched from a CDN.

import { keptToken, returnFromSignIn, startSignIn } from "./oidc.js";

const SEEN_KEPT = 500; // push ids remembered for de-duplication (a reconnect may repeat a few)
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];

export async function loadConfig() {
  const answer = await fetch("/terminals/config.json", { cache: "no-store" });
  if (!answer.ok) throw new Error(`config.json: ${answer.status}`);
  return answer.json(); // {rest, ws, signIn: "dev" | "oidc", oidc?: {authorize, token, clientId, redirect, scopes}}
}

/** A token for these claims from the stage's issuer (the local stack's dev issuer). */
export async function signIn(config, claims) {
  if (config.signIn !== "dev") throw new Error("this stage signs in through its hosted login");
  const answer = await fetch(`${config.rest}/dev/tokens`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(claims),
  });
  const body = await answer.json();
  if (!answer.ok) throw new Problem(body, answer.status);
  return body.token;
}

/** An RFC 9457 problem body as an error a screen can show: its title, detail and fields. */
export class Problem extends Error {
  constructor(body, status) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`);
    this.body = body || {};
    this.status = status;
  }

  get text() {
    const fields = (this.body.errors || []).map((e) => `${e.field}: ${e.message}`);
    return [this.body.title, this.body.detail, ...fields].filter(Boolean).join(" — ");
  }
}

export class Api {
  constructor(config, token) {
    this.base = config.rest;
    this.token = token;
  }

  async call(method, path, body, { idempotent = false } = {}) {
    const headers = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (idempotent) headers["Idempotency-Key"] = crypto.randomUUID();
    const answer = await fetch(this.base + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await answer.text();
    const parsed = text ? JSON.parse(text) : null;
    if (!answer.ok) throw new Problem(parsed, answer.status);
    return parsed;
  }

  get(path) { return this.call("GET", path); }
  post(path, body, options) { return this.call("POST", path, body, options); }
}

/** The server's time as this browser's clock sees it: every message carries `server_time`. */
export class ServerClock {
  constructor() { this.offsetMs = 0; }

  observe(serverTime) {
    const at = Date.parse(serverTime);
    if (!Number.isNaN(at)) this.offsetMs = at - Date.now();
  }

  now() { return Date.now() + this.offsetMs; }
}

/**
 * The terminal's WebSocket: (re)connects with backoff, shows its state, asks for its pending work
 * on every (re)connect (pushes are never replayed), hands each push to `on(type)` once.
 */
export class Terminal {
  constructor(config, token, clock, stateElement) {
    this.url = `${config.ws}/?token=${encodeURIComponent(token)}`;
    this.clock = clock;
    this.stateElement = stateElement;
    this.handlers = new Map();
    this.seen = [];
    this.attempt = 0;
    this.connectionId = null;
    this.closed = false;
  }

  on(type, handler) { this.handlers.set(type, handler); return this; }

  start() { this.connect(); return this; }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  connect() {
    this.show("connecting");
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.attempt = 0;
      this.show("online");
      this.send({ action: "hello" });
      this.send({ action: "list_pending" });
    });
    socket.addEventListener("message", (event) => this.receive(event.data));
    socket.addEventListener("close", () => {
      if (this.closed) return;
      this.show("offline");
      const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
      this.attempt += 1;
      setTimeout(() => this.connect(), base / 2 + Math.random() * base / 2);
    });
  }

  receive(raw) {
    let message;
    try { message = JSON.parse(raw); } catch { return; }
    if (message.server_time) this.clock.observe(message.server_time);
    if (message.id) {
      if (this.seen.includes(message.id)) return;
      this.seen.push(message.id);
      if (this.seen.length > SEEN_KEPT) this.seen.shift();
    }
    if (message.type === "connection.identified") this.connectionId = message.data.connection_id;
    const handler = this.handlers.get(message.type);
    if (handler) handler(message.data, message);
  }

  show(state) {
    if (!this.stateElement) return;
    this.stateElement.textContent = state;
    this.stateElement.dataset.state = state;
  }

  close() { this.closed = true; if (this.socket) this.socket.close(); }
}

/**
 * A countdown to `deadline` on the server's clock, drawn into a progress bar with ARIA values and
 * a text; `onEnd` once it reaches zero (the server's push settles the outcome, not this).
 */
export class Countdown {
  constructor(bar, label, clock, deadline, totalMs, onEnd) {
    this.bar = bar;
    this.label = label;
    this.clock = clock;
    this.deadline = Date.parse(deadline);
    this.totalMs = totalMs;
    this.onEnd = onEnd;
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", String(Math.round(totalMs / 1000)));
    this.timer = setInterval(() => this.draw(), 250);
    this.draw();
  }

  remainingMs() { return Math.max(0, this.deadline - this.clock.now()); }

  draw() {
    const left = this.remainingMs();
    const seconds = Math.ceil(left / 1000);
    this.bar.setAttribute("aria-valuenow", String(seconds));
    this.bar.setAttribute("aria-valuetext", `${seconds} s left`);
    const fill = this.bar.querySelector(".fill");
    if (fill) fill.style.width = `${this.totalMs ? (100 * left) / this.totalMs : 0}%`;
    if (this.label) this.label.textContent = `${seconds} s`;
    if (left === 0) { this.stop(); if (this.onEnd) this.onEnd(); }
  }

  stop() { clearInterval(this.timer); }
}

/** A short tone through Web Audio (no file to fetch): a new order, a ringing call. */
export function chime() {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.value = 0.1;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.25);
  } catch { /* no audio device: the visual alert remains */ }
}

export function money(value) {
  const digits = { JPY: 0, KRW: 0 }[value.currency] ?? 2;
  return `${(value.amount / 10 ** digits).toFixed(digits)} ${value.currency}`;
}

/** The element for `html`, built from a trusted template with its values escaped. */
export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "onclick") node.addEventListener("click", value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function showError(region, error) {
  region.textContent = error instanceof Problem ? error.text : String(error.message || error);
  region.hidden = false;
}

export function params() {
  return Object.fromEntries(new URLSearchParams(location.search));
}

/** The cards of a list by id: a newer state of one replaces its card (and stops its countdown). */
export class Cards {
  constructor(container) {
    this.container = container;
    this.known = new Map();
  }

  put(id, card, countdown = null) {
    this.drop(id);
    this.container.prepend(card);
    this.known.set(id, { card, countdown });
  }

  drop(id) {
    const known = this.known.get(id);
    if (!known) return;
    known.countdown?.stop();
    known.card.remove();
    this.known.delete(id);
  }

  card(id) { return this.known.get(id)?.card; }
}

/**
 * The page's sign-in: the form `#sign-in` (its `fields`), or the same claims in the page's query
 * (`?sub=…`), or those this tab signed in with before; then a token for `role`, the form hidden, `#who` filled, and
 * `onSignedIn({config, token, api, claims})`. Every failure is shown in `#error`. On a stage whose
 * `signIn` is "oidc" the form is only its button, which goes to the hosted login (`oidc.js`); the
 * token the tab came back with is the sign-in.
 */
export function signInPage(role, fields, onSignedIn) {
  const form = document.getElementById("sign-in");
  const report = (error) => showError(document.getElementById("error"), error);
  const configured = loadConfig();
  const proceed = async (config, token, claims) => {
    form.hidden = true;
    document.getElementById("who").textContent = fields.map((f) => claims[f]).join(" · ");
    await onSignedIn({ config, token, api: new Api(config, token), claims });
  };
  const begin = async (claims) => {
    const config = await configured;
    const token = await signIn(config, { role, ...claims });
    // The same tab's other pages of this terminal (the customer app's) sign in as the same person.
    sessionStorage.setItem(`ontime.claims.${role}`, JSON.stringify(claims));
    await proceed(config, token, claims);
  };
  const claimsOf = (read) => Object.fromEntries(fields.map((f) => [f, read(f)]));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    configured.then((config) => (config.signIn === "oidc" ? startSignIn(config.oidc, role)
      : begin(claimsOf((f) => data.get(f))))).catch(report);
  });
  configured.then(async (config) => {
    if (config.signIn === "oidc") {
      // Who signs in is the login's to say: the form keeps only its button.
      form.querySelectorAll("label").forEach((label) => { label.style.display = "none"; });
      form.querySelectorAll("input").forEach((input) => { input.disabled = true; });
      if (await returnFromSignIn(config.oidc)) return;
      const kept = keptToken(role);
      if (kept) await proceed(config, kept.token, kept.claims);
      return;
    }
    const given = params();
    const remembered = JSON.parse(sessionStorage.getItem(`ontime.claims.${role}`) || "null");
    if (fields.every((f) => given[f])) await begin(claimsOf((f) => given[f]));
    else if (remembered) await begin(remembered);
  }).catch(report);
}
