// "My purchases" (spec 03): one panel per paid record (one per supplier), each parcel with its
// tracking — method, distance from the shipping address and ETA, redrawn as the supplier or its
// carrier reports positions — or, for virtual goods, the code and link they were delivered as.
import { element, money } from "../shared/ontime.js";
import { Newest } from "../shared/fresh.js";

const STATUS = {
  paid: "paid, being prepared", shipped: "on its way", delivered: "delivered", fulfilled: "delivered online",
  cancelled: "cancelled",
};

export class Purchases {
  constructor(container, api, clock) {
    this.container = container;
    this.api = api;
    this.clock = clock;
    this.panels = new Map();
    this.shown = new Newest(); // the page's read and a push may bring the same state, in either order
  }

  async load() {
    const page = await this.api.get("/purchase-records?limit=20");
    for (const record of [...page.items].reverse()) this.show(record); // newest first: each new one goes on top
  }

  show(record) {
    if (!this.shown.admit(record.record_id, record.updated_at)) return;
    this.clock.observe(record.server_time);
    const panel = panelView(record);
    const old = this.panels.get(record.record_id);
    if (old) old.replaceWith(panel); // a panel keeps its place as its parcels move
    else this.container.prepend(panel);
    this.panels.set(record.record_id, panel);
  }
}

function panelView(record) {
  const address = record.shipping_address;
  return element("article", { class: "card", "data-record": record.record_id, "data-status": record.status },
    element("div", {}, element("strong", {}, record.supplier.name), " ",
      element("span", { class: "status" }, record.status.replaceAll("_", " ")), " ", money(record.total)),
    element("div", { class: "muted" }, record.purchase_id, address ? ` · to ${address.line1}, ${address.city}` : ""),
    record.sub_orders.map(parcelView));
}

function parcelView(parcel) {
  const lines = parcel.lines.map((l) => {
    const chosen = Object.values(l.attributes || {}).join(", ");
    return `${l.quantity} × ${l.name}${chosen ? ` (${chosen})` : ""}`;
  }).join("; ");
  return element("section", { class: "parcel", "data-parcel": parcel.sub_order_id, "data-status": parcel.status },
    element("div", {}, element("span", { class: "status" }, `${parcel.category.replaceAll("_", " ")} · ${STATUS[parcel.status] || parcel.status}`)),
    element("div", {}, lines),
    parcel.tracking ? element("div", { class: "tracking", "aria-live": "polite" }, trackingText(parcel.tracking)) : null,
    parcel.fulfilment ? element("div", { class: "fulfilment" }, "code ", element("code", {}, parcel.fulfilment.code), " ",
      element("a", { href: parcel.fulfilment.link }, "open")) : null);
}

function trackingText(tracking) {
  const parts = [tracking.method.replaceAll("_", " ")];
  if (tracking.distance_km !== null) parts.push(`${tracking.distance_km.toFixed(1)} km away`);
  if (tracking.eta) parts.push(`ETA ${new Date(tracking.eta).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`);
  if (!tracking.position) parts.push("no position yet");
  return parts.join(" · ");
}
