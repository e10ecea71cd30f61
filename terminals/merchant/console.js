// The merchant console (timed orders, spec 01): new orders ring and count down their answer
// window; fetch, accept, reject, return, dispatch; after a reconnect the pending list.
import { Cards, Countdown, ServerClock, Terminal, chime, element, money, showError, signInPage } from "../shared/ontime.js";
import { mountCalls } from "./calls.js";
import { mountGroupBuy } from "./groupbuy.js";

const $ = (id) => document.getElementById(id);
const clock = new ServerClock();
const cards = new Cards($("orders"));
let api;

const REJECT_REASONS = ["busy", "out_of_stock", "closing", "other"];
const FINAL = new Set(["rejected", "returned", "dispatched", "completed", "not_connected", "unanswered", "cancelled"]);

signInPage("merchant", ["merchant_id", "sub"], ({ config, token, api: signedIn, claims }) => {
  api = signedIn;
  const terminal = new Terminal(config, token, clock, $("state"))
    .on("order.created", (order) => { show(order); alert(order); })
    .on("order.status_changed", show)
    .on("orders.listed", (listing) => listing.items.forEach(show));
  // Each workflow's part of the console registers its pushes before the socket opens.
  const context = { config, token, api, clock, terminal, merchantId: claims.merchant_id };
  mountGroupBuy(context);
  mountCalls(context);
  terminal.start();
});

function alert(order) {
  chime();
  $("alerts").textContent = `New order ${order.order_id}: ${money(order.total)}`;
  cards.card(order.order_id)?.classList.add("alerting");
}

function show(order) {
  const bar = element("div", { class: "progress", "aria-label": "answer window" }, element("div", { class: "fill" }));
  const left = element("span", { class: "left" });
  const open = order.window_open && !FINAL.has(order.status);
  const card = element("article", { class: "card", "data-order": order.order_id, "data-status": order.status },
    element("div", {},
      element("span", { class: "status" }, order.status.replaceAll("_", " ")), " ",
      element("strong", {}, money(order.total)), " ",
      element("span", { class: "muted" }, order.order_id)),
    element("ul", {}, order.items.map((i) => element("li", {}, `${i.quantity} × ${i.name || i.product_id}`))),
    element("div", { class: "muted" }, `${order.delivery_address.line1}, ${order.delivery_address.city}`),
    open ? [bar, element("div", { class: "muted" }, "answer within ", left)] : null,
    actions(order));
  cards.put(order.order_id, card,
    open ? new Countdown(bar, left, clock, order.answer_deadline, order.answer_window_s * 1000) : null);
}

function actions(order) {
  const act = (action, body = {}) => async () => {
    try {
      show(await api.post(`/merchant/orders/${order.order_id}/actions`, { action, ...body }));
    } catch (error) { showError($("error"), error); }
  };
  const fetchOrder = async () => {
    try { show(await api.get(`/merchant/orders/${order.order_id}`)); } catch (error) { showError($("error"), error); }
  };
  const reason = element("select", { "aria-label": "reject reason" },
    REJECT_REASONS.map((r) => element("option", { value: r }, r.replaceAll("_", " "))));
  switch (order.status) {
    case "new":
      return element("div", {}, element("button", { class: "primary", onclick: fetchOrder }, "Fetch"));
    case "connected":
      return element("div", {},
        element("button", { class: "primary", onclick: act("accept") }, "Accept"),
        reason, element("button", { onclick: () => act("reject", { reason: reason.value })() }, "Reject"),
        element("button", { onclick: () => act("return", { reason: "please change the address" })() }, "Return"));
    case "accepted":
      return element("div", {}, element("button", { class: "primary", onclick: act("dispatch") }, "Dispatch"));
    case "dispatched":
      return element("div", {}, element("button", { onclick: act("complete") }, "Complete"));
    default:
      return null;
  }
}
