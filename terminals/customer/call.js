// The customer app's video call (spec 05): call a shop, its ring deadline counting down, the call
// screen with both videos, the details window over the call when the shop asks (synced as typed),
// then the order the shop drafted, paid on the payment page.
import { Cards, Countdown, ServerClock, Terminal, element, money, params, showError, signInPage } from "../shared/ontime.js";
import { CallMedia, connectionIdOf } from "../shared/rtc.js";
import { customerNav } from "./nav.js";

customerNav();

const $ = (id) => document.getElementById(id);
const clock = new ServerClock();
const orders = new Cards($("orders"));
const FIELDS = ["content", "price_proposal", "when", "address"];
const TYPING_PAUSE_MS = 300; // one PATCH per pause in the typing, not one per key
const ENDED = {
  ring_deadline_elapsed: "No answer: the shop did not pick up in time",
  declined_by_merchant: "The shop declined the call",
  cancelled_by_customer: "You cancelled the call",
  hung_up_by_customer: "You hung up",
  hung_up_by_merchant: "The shop hung up",
  both_terminals_gone: "The call was lost",
};
const ORDER_STATUS = {
  draft: "Draft", awaiting_payment: "Waiting for your payment", paid: "Paid", expired: "Expired: not paid in time",
  cancelled: "Cancelled",
};

let api;
let terminal;
/** The call on this page: its latest view, its media once connected, signals that came first. */
let current = null;
let ringCountdown = null;
const details = { versions: Object.fromEntries(FIELDS.map((f) => [f, 0])), changed: new Set(), timer: null };

const report = (error) => showError($("error"), error);
const given = params();
if (given.merchant_id) $("dial-id").elements.merchant_id.value = given.merchant_id;
let shopsToken = null;

signInPage("customer", ["sub"], async ({ config, token, api: signedIn }) => {
  api = signedIn;
  $("dial").hidden = false;
  terminal = new Terminal(config, token, clock, $("state"))
    .on("calls.listed", resume)
    .on("call.connected", connected)
    .on("call.status_changed", changed)
    .on("call.signalled", ({ call_id, payload }) => ifCurrent(call_id, () => signalled(payload)))
    .on("call.rejoined", ({ call_id }) => ifCurrent(call_id, () => current.media?.expectFreshOffer()))
    .on("details.requested", ({ call_id }) => ifCurrent(call_id, () => openDetails()))
    .on("call_order.created", showOrder)
    .on("call_order.status_changed", showOrder)
    .on("call_order.refund_due", showOrder)
    .on("error", refused)
    .start();
  await listShops();
});

async function listShops(more = false) {
  const query = more && shopsToken ? `&next_token=${encodeURIComponent(shopsToken)}` : "";
  const page = await api.get(`/merchants?limit=20${query}`);
  shopsToken = page.next_token;
  const rows = page.items.map((m) => element("li", { "data-merchant": m.merchant_id },
    element("span", {}, m.name, m.paused ? element("span", { class: "muted" }, " paused") : null),
    element("button", { type: "button", onclick: () => dial(m.merchant_id).catch(report) }, `Call ${m.name}`)));
  if (more) $("shops").append(...rows);
  else $("shops").replaceChildren(...rows);
  $("more-shops").hidden = !shopsToken;
}

function ifCurrent(callId, then) { if (current && current.view.call_id === callId) then(); }

async function dial(merchantId) {
  $("error").hidden = true;
  const body = { merchant_id: merchantId, connection_id: await connectionIdOf(terminal) };
  const view = await api.post("/calls", body, { idempotent: true });
  begin(view, body.connection_id);
}

/** `boundTo`: the connection the call relays to this side (null: not known, as after a reload). */
function begin(view, boundTo = null) {
  clock.observe(view.server_time);
  current = { view, boundTo, media: null, early: [] };
  details.versions = Object.fromEntries(FIELDS.map((f) => [f, view.details[f]?.version || 0]));
  details.changed.clear();
  $("outcome").hidden = true;
  $("dial").hidden = true;
  $("callee").textContent = $("peer").textContent = view.merchant_id;
  api.get(`/merchants/${view.merchant_id}`)
    .then((merchant) => { $("callee").textContent = $("peer").textContent = merchant.name; })
    .catch(() => {}); // the id stays shown
  view.orders.forEach(showOrder);
  if (view.status === "ringing") ring(view);
}

function ring(view) {
  $("ringing").hidden = false;
  ringCountdown?.stop();
  const total = Date.parse(view.ring_deadline) - Date.parse(view.created_at);
  ringCountdown = new Countdown($("ring-bar"), $("ring-left"), clock, view.ring_deadline, total);
}

function connected(view) {
  if (!current || current.view.call_id !== view.call_id) return;
  clock.observe(view.server_time);
  current.view = view;
  // The phone reconnected while it rang: the call still relays to its old connection.
  if (current.boundTo !== terminal.connectionId) rejoin(view.call_id).catch(report);
  else onCallScreen(view);
}

async function rejoin(callId) {
  const body = { connection_id: await connectionIdOf(terminal) };
  const view = await api.post(`/calls/${callId}/rejoin`, body);
  current.view = view;
  current.boundTo = body.connection_id;
  view.orders.forEach(showOrder);
  onCallScreen(view, { rejoined: true });
  if (view.details_requested_at && !view.details_submitted_at) openDetails(view.details);
}

/** The call screen and its media; the shop sends the offer (it answered), this side answers it. */
function onCallScreen(view, { rejoined = false } = {}) {
  ringCountdown?.stop();
  $("ringing").hidden = true;
  $("call").hidden = false;
  if (!current.media) {
    current.media = new CallMedia({ terminal, callId: view.call_id, iceServers: view.ice_servers,
      localVideo: $("local-video"), remoteVideo: $("remote-video"), onError: report });
    if (rejoined) current.media.offer({ fresh: true }); // the one who rejoined offers again
    else current.media.start();
    current.early.splice(0).forEach((payload) => current.media.accept(payload));
    current.media.keepIceFresh(clock, view.ice_expires_at, () => api.get(`/calls/${view.call_id}`), { restart: false });
  } else if (rejoined) {
    current.media.offer({ fresh: true });
  }
  if (view.details_requested_at) $("details-show").hidden = false;
}

/** The socket refused one of this page's signals (the call just ended, a malformed one): shown. */
function refused(problem) {
  if (current && problem.action === "call.signal") report(new Error(problem.detail || problem.problem));
}

function signalled(payload) {
  if (current.media) current.media.accept(payload);
  else current.early.push(payload); // relayed before `call.connected` reached this phone
}

/** After a (re)connect: a live call of mine takes this terminal again and starts its video over. */
async function resume(listing) {
  const live = listing.items.find((c) => c.status === "connected" || c.status === "ringing");
  if (!live) return;
  if (!current || current.view.call_id !== live.call_id) begin(live);
  if (live.status === "connected") await rejoin(live.call_id).catch(report);
}

function changed(view) {
  if (!current || current.view.call_id !== view.call_id) return;
  clock.observe(view.server_time);
  clearTimeout(details.timer); // typing into an ended call changes nothing
  details.changed.clear();
  ringCountdown?.stop();
  current.media?.close();
  current = null;
  for (const id of ["ringing", "call", "details"]) $(id).hidden = true;
  $("dial").hidden = false;
  $("outcome").textContent = ENDED[view.cause] || `Call ${view.status}`;
  $("outcome").dataset.status = view.status;
  $("outcome").hidden = false;
}

// ── the details window ────────────────────────────────────────────────────────────────────

/** The input window; `held`: what the call holds already (a reloaded page shows it again). */
function openDetails(held = null) {
  for (const name of FIELDS) {
    if (held?.[name] && !details.changed.has(name)) $("details").elements[name].value = held[name].value;
  }
  $("details").hidden = false;
  $("details-show").hidden = false;
  $("details").elements.content.focus();
}

function typed(name) {
  details.changed.add(name);
  clearTimeout(details.timer);
  details.timer = setTimeout(flushDetails, TYPING_PAUSE_MS);
}

/** The changed fields, each with the next number of its edit: the server keeps the highest. */
function changedFields() {
  const form = $("details").elements;
  const fields = {};
  for (const name of details.changed) {
    details.versions[name] += 1;
    fields[name] = { value: form[name].value, version: details.versions[name] };
  }
  details.changed.clear();
  return fields;
}

function flushDetails() {
  clearTimeout(details.timer);
  if (!current || !details.changed.size) return;
  const fields = changedFields();
  api.call("PATCH", `/calls/${current.view.call_id}/details`, { fields })
    .then(() => { $("details-state").textContent = "the shop sees what you type"; })
    .catch(report);
}

async function submitDetails() {
  clearTimeout(details.timer);
  const view = await api.post(`/calls/${current.view.call_id}/details/submit`, { fields: changedFields() });
  current.view = { ...current.view, ...view };
  $("details").hidden = true;
  $("details-state").textContent = "sent";
}

// ── orders drafted in my calls ────────────────────────────────────────────────────────────

function showOrder(order) {
  clock.observe(order.server_time);
  const payable = order.status === "awaiting_payment" && order.payment?.pay_url;
  const bar = element("div", { class: "progress", "aria-label": "payment window" }, element("div", { class: "fill" }));
  const left = element("span", {});
  const card = element("article", { class: "card", "data-order": order.order_id, "data-status": order.status },
    element("div", { class: "status" }, ORDER_STATUS[order.status] || order.status),
    element("div", {}, element("strong", {}, money(order.price)), " ", order.content),
    order.address ? element("div", { class: "muted" }, order.address) : null,
    order.time ? element("div", { class: "muted" }, `when: ${new Date(order.time).toLocaleString()}`) : null,
    order.note ? element("div", { class: "muted" }, order.note) : null,
    payable ? [bar, element("div", { class: "muted" }, "pay within ", left),
      element("a", { class: "button", href: order.payment.pay_url, target: "_blank", rel: "noopener" }, "Pay")] : null);
  const countdown = payable && order.payment_deadline
    ? new Countdown(bar, left, clock, order.payment_deadline,
      Date.parse(order.payment_deadline) - Date.parse(order.sent_at || order.created_at))
    : null;
  orders.put(order.order_id, card, countdown);
}

// ── the page's controls ───────────────────────────────────────────────────────────────────

$("more-shops").addEventListener("click", () => listShops(true).catch(report));
$("dial-id").addEventListener("submit", (event) => {
  event.preventDefault();
  dial(new FormData(event.target).get("merchant_id")).catch(report);
});
$("cancel").addEventListener("click", () => {
  if (current) api.post(`/calls/${current.view.call_id}/cancel`).then(changedLocally).catch(report);
});
$("hangup").addEventListener("click", () => {
  if (current) api.post(`/calls/${current.view.call_id}/hangup`).then(changedLocally).catch(report);
});
for (const name of FIELDS) $("details").elements[name].addEventListener("input", () => typed(name));
$("details").addEventListener("submit", (event) => {
  event.preventDefault();
  submitDetails().catch(report);
});
$("details-hide").addEventListener("click", () => { $("details").hidden = true; });
$("details-show").addEventListener("click", () => openDetails());

/** My own hang-up's answer ends the screen at once (the push that follows finds nothing to do). */
function changedLocally(view) { changed({ ...view, cause: view.end_cause }); }
