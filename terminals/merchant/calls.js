// The merchant console's calls part (spec 05): incoming calls ring with their deadline, the
// answering console takes the call (its own connection id), video both ways, the customer's
// details filling the order form as they type, and the order drafted, sent and seen paid.
// Mounted by console.js with {config, token, api, clock, terminal, merchantId}; it handles the
// call messages only (the console's other parts take theirs).
import { Cards, Countdown, chime, element, money, showError } from "../shared/ontime.js";
import { CallMedia, connectionIdOf } from "../shared/rtc.js";

const RING_REPEAT_MS = 2500;
const FIELDS = { content: "content", price_proposal: "price", when: "when", address: "address" };
const ORDER_STATUS = {
  draft: "draft", awaiting_payment: "awaiting payment", paid: "paid", expired: "expired", cancelled: "cancelled",
};
const ENDED = {
  ring_deadline_elapsed: "missed: nobody answered in time", declined_by_merchant: "declined",
  cancelled_by_customer: "the customer hung up before it was answered", hung_up_by_customer: "the customer hung up",
  hung_up_by_merchant: "you hung up", both_terminals_gone: "the call was lost",
};

export function mountCalls(context) {
  const desk = new CallDesk(context, document.getElementById("calls"));
  context.terminal
    .on("call.ringing", (view) => desk.ring(view))
    .on("call.answered_elsewhere", ({ call_id }) => desk.stopRinging(call_id))
    .on("call.status_changed", (view) => desk.changed(view))
    .on("calls.listed", (listing) => desk.resume(listing.items))
    .on("call.signalled", ({ call_id, payload }) => desk.inCall(call_id)?.media.accept(payload))
    .on("call.rejoined", ({ call_id }) => desk.inCall(call_id)?.media.expectFreshOffer())
    .on("details.updated", ({ call_id, fields }) => desk.inCall(call_id)?.form.fill(fields))
    .on("details.submitted", ({ call_id, details }) => desk.inCall(call_id)?.form.fill(details, { submitted: true }))
    .on("call_order.status_changed", (order) => desk.calls.get(order.call_id)?.showOrder(order));
  return desk;
}

class CallDesk {
  constructor({ api, clock, terminal, merchantId }, section) {
    this.api = api;
    this.clock = clock;
    this.terminal = terminal;
    this.section = section;
    this.currency = null;
    this.active = null;
    this.calls = new Map(); // every call this console took, ended ones too: their orders get paid later
    this.ringer = null;
    this.report = (error) => showError(document.getElementById("error"), error);
    this.ringing = element("div", { class: "ringing-calls" });
    this.screen = element("div", { class: "active-call" });
    this.outcome = element("p", { class: "muted", role: "status", "aria-live": "polite" });
    section.replaceChildren(element("h2", { id: "calls-title" }, "Calls"), this.ringing, this.outcome, this.screen);
    this.cards = new Cards(this.ringing);
    // The calls part brings its own styles: the console's page stays the same for every part.
    if (!document.querySelector('link[href="../shared/call.css"]')) {
      document.head.append(element("link", { rel: "stylesheet", href: "../shared/call.css" }));
    }
    api.get(`/merchants/${merchantId}`).then((m) => { this.currency = m.currency; }).catch(this.report);
  }

  inCall(callId) { return this.active && this.active.callId === callId ? this.active : null; }

  ring(view) {
    this.clock.observe(view.server_time);
    this.section.hidden = false;
    const bar = element("div", { class: "progress", "aria-label": "ring time" }, element("div", { class: "fill" }));
    const left = element("span", {});
    const card = element("article", { class: "card alerting", "data-call": view.call_id, "data-status": view.status },
      element("div", {}, element("span", { class: "status" }, "incoming call"), " from ",
        element("strong", {}, view.customer_id)),
      bar, element("div", { class: "muted" }, "answer within ", left),
      element("button", { class: "primary", onclick: () => this.answer(view.call_id).catch(this.report) }, "Answer"),
      element("button", { onclick: () => this.decline(view.call_id) }, "Decline"));
    const total = Date.parse(view.ring_deadline) - Date.parse(view.created_at);
    this.cards.put(view.call_id, card, new Countdown(bar, left, this.clock, view.ring_deadline, total));
    const alerts = document.getElementById("alerts");
    alerts.textContent = `Incoming call from ${view.customer_id}`;
    alerts.dataset.call = view.call_id;
    this.keepRinging();
  }

  keepRinging() {
    if (this.ringer) return;
    chime();
    this.ringer = setInterval(() => {
      if (this.ringing.querySelector('[data-status="ringing"]')) chime();
      else { clearInterval(this.ringer); this.ringer = null; }
    }, RING_REPEAT_MS);
  }

  stopRinging(callId) {
    this.cards.drop(callId);
    const alerts = document.getElementById("alerts");
    // Only this call's alert: an order's alert written since stays.
    if (alerts.dataset.call === callId && alerts.textContent.startsWith("Incoming call")) alerts.textContent = "";
  }

  async answer(callId) {
    if (this.active) throw new Error("hang up the current call first");
    const terminal = { connection_id: await connectionIdOf(this.terminal) };
    const view = await this.api.post(`/merchant/calls/${callId}/answer`, terminal);
    this.stopRinging(callId);
    this.open(view).media.offer(); // the answering console offers; the customer's phone answers
  }

  decline(callId) {
    this.api.post(`/merchant/calls/${callId}/decline`).then(() => this.stopRinging(callId)).catch(this.report);
  }

  open(view) {
    this.clock.observe(view.server_time);
    this.section.hidden = false;
    this.outcome.textContent = "";
    this.active = new ActiveCall(this, view);
    this.calls.set(view.call_id, this.active);
    this.screen.prepend(this.active.root);
    return this.active;
  }

  /** A call taken again after a reload: its ended self, if this page had one, goes. */
  reopen(view) {
    this.calls.get(view.call_id)?.root.remove();
    return this.open(view);
  }

  changed(view) {
    const rang = Boolean(this.cards.card(view.call_id));
    this.stopRinging(view.call_id);
    const active = this.inCall(view.call_id);
    if (active) {
      active.end();
      this.active = null;
    }
    if (active || rang) this.outcome.textContent = `Call from ${view.customer_id}: ${ENDED[view.cause] || view.status}`;
  }

  /** After a (re)connect: ringing calls ring again; a call this console was in takes it again. */
  resume(calls) {
    for (const view of calls) {
      if (view.status === "ringing") this.ring(view);
      else if (view.status === "connected" && this.inCall(view.call_id)) this.rejoin(view.call_id).catch(this.report);
      else if (view.status === "connected" && !this.active) this.offerRejoin(view);
    }
  }

  offerRejoin(view) {
    this.section.hidden = false;
    const card = element("article", { class: "card", "data-call": view.call_id, "data-status": view.status },
      element("span", { class: "status" }, "in a call"), " with ", element("strong", {}, view.customer_id), " ",
      element("button", { class: "primary", onclick: () => this.rejoin(view.call_id).catch(this.report) }, "Rejoin"));
    this.cards.put(view.call_id, card);
  }

  async rejoin(callId) {
    const terminal = { connection_id: await connectionIdOf(this.terminal) };
    const view = await this.api.post(`/merchant/calls/${callId}/rejoin`, terminal);
    this.cards.drop(callId);
    const active = this.inCall(callId) || this.reopen(view);
    view.orders.forEach((order) => active.showOrder(order));
    active.form.fill(view.details);
    active.media.offer({ fresh: true }); // the side that rejoined offers again
  }
}

class ActiveCall {
  constructor(desk, view) {
    this.desk = desk;
    this.callId = view.call_id;
    this.customerId = view.customer_id;
    const video = (kind, label) => element("video", { class: kind, autoplay: true, playsinline: true, "aria-label": label });
    const remote = video("remote", "the customer's video");
    const local = video("local", "your camera");
    local.muted = true; // the attribute alone does not mute a video made in script
    this.media = new CallMedia({ terminal: desk.terminal, callId: view.call_id, iceServers: view.ice_servers,
      localVideo: local, remoteVideo: remote, onError: desk.report });
    this.form = new OrderForm(this, view);
    this.orders = element("div", { class: "call-orders" });
    this.orderCards = new Cards(this.orders);
    this.requestButton = element("button", { onclick: () => this.requestDetails() }, "Request details");
    this.root = element("article", { class: "card", "data-call": view.call_id, "data-status": "connected" },
      this.title = element("h3", {}, "In a call with ", view.customer_id),
      element("div", { class: "call-layout" },
        element("div", {}, element("div", { class: "call-screen" }, remote, local),
          element("div", { class: "call-controls" }, this.requestButton,
            element("button", { class: "danger", onclick: () => this.hangUp() }, "Hang up"))),
        element("div", {}, this.form.root, this.orders)));
    view.orders.forEach((order) => this.showOrder(order));
    this.form.fill(view.details);
    // This side offers, so it restarts ICE when the TURN credentials are renewed.
    this.media.keepIceFresh(desk.clock, view.ice_expires_at, () => desk.api.get(`/calls/${view.call_id}`),
      { restart: true });
  }

  requestDetails() {
    this.desk.api.post(`/merchant/calls/${this.callId}/details-request`, {})
      .then(() => { this.requestButton.textContent = "Details requested"; })
      .catch(this.desk.report);
  }

  hangUp() {
    this.desk.api.post(`/merchant/calls/${this.callId}/hangup`)
      .then((view) => this.desk.changed({ ...view, cause: view.end_cause }))
      .catch(this.desk.report);
  }

  async draft(body) {
    const order = await this.desk.api.post(`/merchant/calls/${this.callId}/orders`, body, { idempotent: true });
    this.showOrder(order);
  }

  async send(orderId) {
    this.showOrder(await this.desk.api.post(`/merchant/call-orders/${orderId}/send`));
  }

  showOrder(order) {
    this.desk.clock.observe(order.server_time);
    const card = element("article", { class: "card", "data-order": order.order_id, "data-status": order.status },
      element("span", { class: "status" }, ORDER_STATUS[order.status] || order.status), " ",
      element("strong", {}, money(order.price)), " ", order.content,
      order.address ? element("div", { class: "muted" }, order.address) : null,
      order.note ? element("div", { class: "muted" }, order.note) : null,
      order.status === "draft"
        ? element("button", { class: "primary", onclick: () => this.send(order.order_id).catch(this.desk.report) },
          "Send to the customer")
        : null);
    this.orderCards.put(order.order_id, card);
  }

  /** The call is over: its video and form go, its orders stay in sight (they outlive the call). */
  end() {
    this.media.close();
    this.root.dataset.status = "ended";
    this.title.textContent = `Ended call with ${this.customerId}`;
    this.root.querySelector(".call-layout").replaceChildren(this.orders);
  }
}

/** The order form: each field the customer's newest text until the merchant types in it. */
class OrderForm {
  constructor(call, view) {
    this.call = call;
    this.versions = {};
    this.inputs = {
      content: element("textarea", { name: "content", rows: "2", maxlength: "2000", required: true }),
      price: element("input", { name: "price", inputmode: "decimal", required: true, pattern: "[0-9]+([.][0-9]{1,3})?" }),
      when: element("input", { name: "when", maxlength: "200" }),
      address: element("input", { name: "address", maxlength: "500" }),
      note: element("input", { name: "note", maxlength: "500" }),
    };
    for (const input of Object.values(this.inputs)) {
      input.addEventListener("input", () => { input.dataset.edited = "true"; input.classList.remove("typed"); });
    }
    this.proposal = element("span", { class: "proposal muted", "aria-live": "polite" });
    this.submitted = element("p", { class: "muted", "aria-live": "polite" });
    this.root = element("form", { class: "order-form", "aria-label": `order for ${view.customer_id}` },
      element("h4", {}, "Order"),
      element("label", {}, "Content ", this.inputs.content),
      element("label", {}, "Price ", this.inputs.price, this.proposal),
      element("label", {}, "When ", this.inputs.when),
      element("label", {}, "Address ", this.inputs.address),
      element("label", {}, "Note ", this.inputs.note),
      this.submitted,
      element("button", { class: "primary", type: "submit" }, "Draft order"));
    this.root.addEventListener("submit", (event) => {
      event.preventDefault();
      this.draft().catch(call.desk.report);
    });
  }

  /** The customer's fields (`{name: {value, version}}`; a stale version changes nothing). */
  fill(fields, { submitted = false } = {}) {
    for (const [name, field] of Object.entries(fields || {})) {
      if (!field || !(name in FIELDS) || field.version <= (this.versions[name] || 0)) continue;
      this.versions[name] = field.version;
      if (name === "price_proposal") this.propose(field.value);
      else this.offer(this.inputs[FIELDS[name]], field.value);
    }
    if (submitted) this.submitted.textContent = "The customer sent these details.";
  }

  propose(text) {
    this.proposal.textContent = text ? `the customer proposes ${text}` : "";
    const number = text.replace(",", ".").match(/[0-9]+([.][0-9]+)?/);
    if (number) this.offer(this.inputs.price, number[0]);
  }

  offer(input, value) {
    if (input.dataset.edited) return; // the merchant's own text wins over what the customer types
    input.value = value;
    input.classList.add("typed");
  }

  async draft() {
    const currency = this.call.desk.currency;
    if (!currency) throw new Error("the shop's currency is not known yet");
    const digits = { JPY: 0, KRW: 0 }[currency] ?? 2;
    const amount = Math.round(Number(this.inputs.price.value.replace(",", ".")) * 10 ** digits);
    const body = { content: this.inputs.content.value, price: { amount, currency } };
    if (this.inputs.address.value.trim()) body.address = this.inputs.address.value;
    const when = this.inputs.when.value.trim();
    const at = when ? Date.parse(when) : NaN;
    if (!Number.isNaN(at)) body.time = new Date(at).toISOString();
    // A time as people say it ("tomorrow 10:00") is kept in the note, word for word.
    const note = [this.inputs.note.value.trim(), when && Number.isNaN(at) ? `when: ${when}` : ""].filter(Boolean);
    if (note.length) body.note = note.join(" · ");
    await this.call.draft(body);
  }
}
