// The customer app (phone-width; timed orders, spec 01): the merchants, a merchant's menu, placing
// an order, a stopwatch of the answer window on the server's clock, and the outcome as it is pushed.
import { Cards, Countdown, ServerClock, Terminal, element, money, params, showError, signInPage } from "../shared/ontime.js";
import { customerNav } from "./nav.js";

customerNav();

const $ = (id) => document.getElementById(id);
const clock = new ServerClock();
const cards = new Cards($("orders"));
const OUTCOME = {
  new: "Waiting for the merchant", connected: "The merchant has seen it", accepted: "Accepted",
  rejected: "Rejected", returned: "Returned: please change it", dispatched: "On its way", completed: "Delivered",
  not_connected: "Not connected: the merchant never received it", unanswered: "Unanswered: the merchant did not reply",
  cancelled: "Cancelled",
};
let api;
let merchantId;
const quantities = new Map();

let merchantsToken = null;

const given = params();
signInPage("customer", ["sub"], async ({ config, token, api: signedIn }) => {
  api = signedIn;
  $("shop").hidden = false;
  new Terminal(config, token, clock, $("state")).on("order.status_changed", show).start();
  // A link naming its merchant (`?merchant_id=`) opens that menu; the list is there all the same.
  await Promise.all([listMerchants(), given.merchant_id ? openMenu(given.merchant_id) : null]);
});

async function listMerchants(more = false) {
  const query = more && merchantsToken ? `&next_token=${encodeURIComponent(merchantsToken)}` : "";
  const page = await api.get(`/merchants?limit=20${query}`);
  merchantsToken = page.next_token;
  const rows = page.items.map((m) => element("li", { "data-merchant": m.merchant_id },
    element("button", { type: "button", onclick: () => openMenu(m.merchant_id).catch(report) }, m.name),
    m.paused ? element("span", { class: "muted" }, " paused") : null));
  if (more) $("merchants").append(...rows);
  else $("merchants").replaceChildren(...rows);
  $("more-merchants").hidden = !merchantsToken;
}

async function openMenu(id) {
  merchantId = id;
  const [merchant, products] = await Promise.all([api.get(`/merchants/${id}`), api.get(`/merchants/${id}/products`)]);
  $("merchant-name").textContent = merchant.name;
  quantities.clear();
  $("menu").replaceChildren(...products.items.filter((p) => p.on_sale !== false).map((p) => {
    const count = element("input", { type: "number", min: "0", max: "99", value: "0", "aria-label": `quantity of ${p.name}` });
    count.addEventListener("change", () => quantities.set(p.product_id, { quantity: Number(count.value), price: p.price }));
    return element("li", { "data-product": p.product_id }, element("span", {}, `${p.name} · ${money(p.price)}`), count);
  }));
  $("place").hidden = false;
}

async function place(form) {
  const items = [...quantities].filter(([, q]) => q.quantity > 0)
    .map(([product_id, q]) => ({ product_id, quantity: q.quantity, unit_price: q.price }));
  const body = { merchant_id: merchantId, items, delivery_address: { line1: form.get("line1"), city: form.get("city") } };
  if (form.get("note")) body.note = form.get("note");
  show(await api.post("/orders", body, { idempotent: true }));
}

function show(order) {
  clock.observe(order.server_time);
  const waiting = order.window_open;
  const bar = element("div", { class: "progress", "aria-label": "answer window" }, element("div", { class: "fill" }));
  const left = element("span", { class: "left" });
  const card = element("article", { class: "card", "data-order": order.order_id, "data-status": order.status },
    element("div", { class: "status" }, OUTCOME[order.status] || order.status),
    element("div", {}, element("strong", {}, money(order.total)), " ", element("span", { class: "muted" }, order.order_id)),
    waiting ? [bar, element("div", { class: "muted" }, "stopwatch: ", left)] : null,
    order.reason ? element("div", { class: "muted" }, `reason: ${order.reason}`) : null);
  cards.put(order.order_id, card,
    waiting ? new Countdown(bar, left, clock, order.answer_deadline, order.answer_window_s * 1000) : null);
}

const report = (e) => showError($("error"), e);
$("more-merchants").addEventListener("click", () => listMerchants(true).catch(report));
$("place").addEventListener("submit", (event) => {
  event.preventDefault();
  $("error").hidden = true;
  place(new FormData(event.target)).catch(report);
});
