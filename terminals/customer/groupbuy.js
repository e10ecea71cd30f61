// The customer app's deals page (group-buy, spec 04): the deals on sale, a deal's page (buy, pay on
// the provider's page, the buyers' videos), then each voucher: its code and QR, the slot picker,
// its bookings, the shop's queue as it is pushed, and the on-site video once the shop redeemed it.
import { Cards, Countdown, ServerClock, Terminal, element, money, params, showError, signInPage } from "../shared/ontime.js";
import { customerNav } from "./nav.js";
import { dealVideos } from "./onsite-video.js";
import { VoucherCard } from "./voucher-card.js";

customerNav();

const $ = (id) => document.getElementById(id);
const report = (error) => showError($("error"), error);
const clock = new ServerClock();
const orders = new Cards($("orders"));
const vouchers = new Map(); // voucher id → VoucherCard
const ORDER_STATUS = { pending_payment: "Waiting for your payment", paid: "Paid", cancelled: "Cancelled" };
let api;
let openDeal = null;

signInPage("customer", ["sub"], async ({ config, token, api: signedIn }) => {
  api = signedIn;
  new Terminal(config, token, clock, $("state"))
    // Pushes are never replayed: every (re)connect reads the vouchers and queues again.
    .on("connection.identified", () => refresh().catch(report))
    .on("group_order.status_changed", showOrder)
    .on("group_order.payment_failed", showOrder)
    .on("voucher.issued", (voucher) => cardOf(voucher.voucher_id, voucher).then((card) => card.refresh()))
    .on("voucher.redeemed", (voucher) => withCard(voucher.voucher_id, (card) => card.refresh()))
    .on("voucher.expired", (voucher) => withCard(voucher.voucher_id, (card) => card.refresh()))
    .on("slots.offered", (list) => withCard(list.voucher_id, (card) => card.showSlots(list)))
    .on("booking.changed", (booking) => withCard(booking.voucher_id, (card) => card.refresh()))
    .on("queue.updated", (update) => withCard(update.booking.voucher_id, (card) => card.showQueue(update, true)))
    .on("video.requested", (offer) => withCard(offer.voucher_id, (card) => card.video.offered(offer)))
    .on("video.published", videoSettled)
    .on("video.rejected", videoSettled)
    .on("video.failed", videoSettled)
    .start();
  $("deals").hidden = false;
  await listDeals();
  const given = params();
  if (given.deal_id) await showDeal(given.deal_id);
});

async function refresh() {
  const mine = await api.get("/vouchers?limit=100");
  for (const voucher of mine.items.reverse()) await (await cardOf(voucher.voucher_id, voucher)).refresh();
}

function withCard(voucherId, act) {
  cardOf(voucherId).then(act).catch(report);
}

async function cardOf(voucherId, known = null) {
  let card = vouchers.get(voucherId);
  if (!card) {
    const voucher = known || await api.get(`/vouchers/${voucherId}`);
    card = new VoucherCard(api, clock, voucher, report);
    vouchers.set(voucherId, card);
    $("vouchers").prepend(card.element);
  }
  return card;
}

function videoSettled(video) {
  // A video's view names its deal, not its voucher: the card that asked for the upload knows it.
  const voucherId = findVoucherOfVideo(video.video_id);
  if (voucherId) withCard(voucherId, (card) => card.video.settled(video));
  if (video.status === "published" && openDeal === video.deal_id) showVideos(video.deal_id).catch(report);
}

function findVoucherOfVideo(videoId) {
  return [...vouchers.values()].find((card) => card.video.videoId === videoId)?.voucher.voucher_id;
}

async function listDeals() {
  const deals = await api.get("/deals?limit=50");
  $("deal-list").replaceChildren(...deals.items.map((deal) => element("li", { "data-deal": deal.deal_id },
    element("span", {}, element("strong", {}, deal.title), " · ", deal.shop.name, " · ", priceOf(deal)),
    element("button", { type: "button", onclick: () => showDeal(deal.deal_id).catch(report) }, `Open ${deal.title}`))));
}

function priceOf(deal) {
  return [money(deal.price), deal.original_price ? [" ", element("s", { class: "was" }, money(deal.original_price))] : null];
}

async function showDeal(dealId) {
  const deal = await api.get(`/deals/${dealId}`);
  openDeal = dealId;
  $("deal").dataset.deal = dealId;
  $("deal-title").textContent = deal.title;
  $("deal-about").replaceChildren(deal.shop.name, " · ", ...priceOf(deal).flat().filter(Boolean),
    deal.description ? ` · ${deal.description}` : "", ` · vouchers valid until ${new Date(deal.voucher_expires_at).toLocaleDateString()}`);
  const quantity = $("buy").elements.quantity;
  quantity.max = String(deal.max_per_order);
  $("buy").querySelector("button").disabled = !deal.on_sale;
  $("deals").hidden = true;
  $("deal").hidden = false;
  await showVideos(dealId);
}

async function showVideos(dealId) {
  const listed = await api.get(`/deals/${dealId}/videos?limit=20`);
  $("deal-videos").replaceChildren(dealVideos(listed.items));
}

async function buy(form) {
  const body = { deal_id: openDeal, quantity: Number(form.get("quantity")) };
  showOrder(await api.post("/group-buy/orders", body, { idempotent: true }));
}

function showOrder(order) {
  clock.observe(order.server_time);
  const waiting = order.status === "pending_payment";
  const bar = element("div", { class: "progress", "aria-label": "payment window" }, element("div", { class: "fill" }));
  const left = element("span", { class: "left" });
  const reconcile = async () => {
    try { showOrder(await api.post(`/group-buy/orders/${order.order_id}/reconcile`)); } catch (error) { report(error); }
  };
  const card = element("article", { class: "card", "data-group-order": order.order_id, "data-status": order.status },
    element("div", { class: "status" }, ORDER_STATUS[order.status] || order.status),
    element("div", {}, `${order.quantity} × ${order.title} · `, element("strong", {}, money(order.total))),
    waiting && order.payment.pay_url ? [
      // The provider's page in its own tab: this page stays connected and hears the payment's push.
      element("a", { href: order.payment.pay_url, target: "_blank", rel: "noopener", class: "pay" },
        `Pay ${money(order.total)} on the payment page`),
      bar, element("div", { class: "muted" }, "pay within ", left),
      element("button", { type: "button", onclick: reconcile }, "I have paid"),
    ] : null,
    order.voucher_ids.length ? element("div", { class: "muted" }, `${order.voucher_ids.length} voucher(s) below`) : null);
  const windowMs = Date.parse(order.payment_deadline) - Date.parse(order.created_at);
  orders.put(order.order_id, card, waiting ? new Countdown(bar, left, clock, order.payment_deadline, windowMs) : null);
}

$("back").addEventListener("click", () => {
  openDeal = null;
  $("deal").hidden = true;
  $("deals").hidden = false;
  listDeals().catch(report);
});
$("buy").addEventListener("submit", (event) => {
  event.preventDefault();
  $("error").hidden = true;
  buy(new FormData(event.target)).catch(report);
});
