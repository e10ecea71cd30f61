// The supplier console (split orders, spec 03): paid orders pushed live; ship each parcel with a
// method, report its positions (the customer's panel shows distance and ETA), mark it delivered.
import { Cards, ServerClock, Terminal, chime, element, money, showError, signInPage } from "../shared/ontime.js";
import { Newest } from "../shared/fresh.js";

const $ = (id) => document.getElementById(id);
const clock = new ServerClock();
const cards = new Cards($("orders"));
const shown = new Newest(); // a ship's answer and its push both bring the shipped order: draw it once
const METHODS = ["courier", "same_day", "freight"];
let api;

signInPage("supplier", ["supplier_id", "sub"], ({ config, token, api: signedIn }) => {
  api = signedIn;
  new Terminal(config, token, clock, $("state"))
    .on("supplier_order.created", (order) => { chime(); $("alerts").textContent = `New order ${order.order_id}`; show(order); })
    .on("supplier_order.updated", show)
    .on("supplier_orders.listed", (listing) => listing.items.forEach(show))
    .start();
});

function show(order) {
  if (!shown.admit(order.order_id, order.updated_at)) return;
  const address = order.shipping_address;
  cards.put(order.order_id, element("article", { class: "card", "data-order": order.order_id, "data-status": order.status },
    element("div", {}, element("span", { class: "status" }, order.status.replaceAll("_", " ")), " ",
      element("strong", {}, money(order.total)), " ", element("span", { class: "muted" }, order.order_id)),
    address ? element("div", { class: "muted" }, `ship to ${address.line1}, ${address.city}`) : null,
    order.sub_orders.map((parcel) => parcelView(parcel))));
}

function parcelView(parcel) {
  const post = (path, body) => async () => {
    try {
      const answer = await api.post(`/parcels/${parcel.sub_order_id}/${path}`, body);
      if (answer.sub_orders) show(answer); // a position or a delivery answers the parcel: its push brings the order
    } catch (e) { showError($("error"), e); }
  };
  const tracking = parcel.tracking;
  const lines = parcel.lines.map((l) => `${l.quantity} × ${l.name}`).join(", ");
  let controls = null;
  if (parcel.kind === "physical" && parcel.status === "paid") {
    const method = element("select", { "aria-label": "shipping method" },
      METHODS.map((m) => element("option", { value: m }, m.replaceAll("_", " "))));
    controls = element("div", {}, method, element("button", { class: "primary", onclick: () => post("ship", { method: method.value })() }, "Ship"));
  } else if (parcel.kind === "physical" && parcel.status === "shipped") {
    const lat = element("input", { "aria-label": "latitude", size: "9", value: tracking?.position?.lat ?? "" });
    const lng = element("input", { "aria-label": "longitude", size: "9", value: tracking?.position?.lng ?? "" });
    controls = element("div", {}, lat, lng,
      element("button", { onclick: () => post("positions", { lat: Number(lat.value), lng: Number(lng.value) })() }, "Report position"),
      element("button", { onclick: post("delivered") }, "Delivered"));
  }
  return element("section", { class: "parcel", "data-parcel": parcel.sub_order_id, "data-status": parcel.status },
    element("div", {}, element("span", { class: "status" }, `${parcel.category} · ${parcel.status}`), " ", lines),
    tracking ? element("div", { class: "muted tracking" },
      `${tracking.method.replaceAll("_", " ")}`,
      tracking.distance_km !== null ? ` · ${tracking.distance_km.toFixed(1)} km away` : "",
      tracking.eta ? ` · ETA ${new Date(tracking.eta).toLocaleTimeString()}` : "") : null,
    controls);
}
