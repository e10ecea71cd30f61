// The customer app's shop (split orders, spec 03): goods of several suppliers in one cart, the edit
// form the API answers for it (a section per supplier; address fields only where physical goods
// ship), one order paid once on the provider's page, then "my purchases" (purchases.js).
import { Countdown, ServerClock, Terminal, element, money, params, showError, signInPage } from "../shared/ontime.js";
import { customerNav } from "./nav.js";
import { Purchases } from "./purchases.js";

customerNav();

const $ = (id) => document.getElementById(id);
const clock = new ServerClock();
// A link may name the suppliers to shop from (`?suppliers=a,b`, in that order); else the shop is the
// supplier directory (`GET /suppliers`: the active suppliers), a page at a time.
const SUPPLIERS_PER_PAGE = 10;
const ADDRESS_LABELS = {
  line1: "Address", line2: "Address line 2", city: "City", postcode: "Postcode", lat: "Latitude", lng: "Longitude",
};
const NUMERIC = new Set(["lat", "lng"]);
const report = (e) => showError($("error"), e);
const given = params();
const cart = new Map(); // `${supplier_id}/${product_id}` → {supplier_id, product_id, quantity}
let api;
let purchases;
let form; // the API's edit form of the cart
let paymentCountdown;
let suppliersToken = null; // the directory's next page, if any

signInPage("customer", ["sub"], async ({ config, token, api: signedIn }) => {
  api = signedIn;
  purchases = new Purchases($("records"), api, clock);
  $("shop").hidden = false;
  new Terminal(config, token, clock, $("state"))
    // Pushes are never replayed: every (re)connect reads the panels again.
    .on("connection.identified", () => purchases.load().catch(report))
    .on("record.created", (record) => purchases.show(record))
    .on("record.updated", (record) => purchases.show(record))
    .on("purchase.status_changed", pushed)
    .on("purchase.payment_failed", pushed)
    .start();
  const shelves = given.suppliers ? shelvesOf(given.suppliers.split(",")) : listSuppliers().catch(report);
  await Promise.all([shelves, given.purchase_id ? back(given.purchase_id) : null]);
});

function shelvesOf(supplierIds) {
  return Promise.all(supplierIds.map((id) => shelf(id).catch(report)));
}

// One page of the supplier directory, each supplier's shelf after those already shown.
async function listSuppliers(more = false) {
  $("more-suppliers").hidden = true;
  const query = more && suppliersToken ? `&next_token=${encodeURIComponent(suppliersToken)}` : "";
  const page = await api.get(`/suppliers?limit=${SUPPLIERS_PER_PAGE}${query}`);
  suppliersToken = page.next_token;
  $("more-suppliers").hidden = !suppliersToken;
  await shelvesOf(page.items.map((s) => s.supplier_id));
}

async function shelf(supplierId) {
  const box = element("div", { "data-supplier": supplierId });
  $("shelves").append(box); // in the link's order, whichever answers first
  const listed = await api.get(`/suppliers/${encodeURIComponent(supplierId)}/products?limit=100`);
  const rows = listed.items.map((p) => {
    const count = element("input", { type: "number", min: "0", max: "99", value: "0", "aria-label": `quantity of ${p.name}` });
    count.addEventListener("input", () => {
      cart.set(`${supplierId}/${p.product_id}`, { supplier_id: supplierId, product_id: p.product_id, quantity: Number(count.value) });
    });
    return element("li", { "data-product": p.product_id },
      element("span", {}, `${p.name} · ${money(p.price)} `, element("span", { class: "muted" }, p.in_stock ? p.category : "sold out")),
      count);
  });
  box.append(element("h3", {}, listed.supplier.name),
    element("ul", { class: "menu", "aria-label": `${listed.supplier.name} products` }, rows));
}

async function startCheckout() {
  const items = [...cart.values()].filter((item) => item.quantity > 0);
  if (!items.length) throw new Error("Choose at least one product first.");
  form = await api.post("/checkout/form", { items });
  clock.observe(form.server_time);
  $("sections").replaceChildren(...form.sections.map(sectionView));
  $("create").textContent = form.create.label;
  $("checkout").hidden = false;
  $("checkout").scrollIntoView();
}

function sectionView(section) {
  const fields = section.needs_address
    ? section.address.fields.map((name) => {
      const value = section.address.value?.[name];
      return element("label", {}, ADDRESS_LABELS[name] || name, " ", element("input", {
        name, required: section.address.required.includes(name), value: value ?? "",
        type: NUMERIC.has(name) ? "number" : "text", step: NUMERIC.has(name) ? "any" : null,
      }));
    })
    : [element("p", { class: "muted" }, "Delivered online: no address needed.")];
  return element("fieldset", { class: "card", "data-supplier": section.supplier_id, "data-needs-address": String(section.needs_address) },
    element("legend", {}, section.supplier_name),
    section.items.map((item) => element("div", { class: "item", "data-product": item.product_id },
      element("div", {}, `${item.quantity} × ${item.name} · ${money(item.unit_price)}`,
        item.in_stock ? null : element("span", { class: "error" }, " not enough in stock")),
      item.attributes.map((a) => element("label", {}, `${a.name} `, element("select", { "data-attribute": a.name, required: true },
        element("option", { value: "" }, "choose…"), a.options.map((o) => element("option", { value: o, selected: o === a.value }, o))))))),
    section.needs_address ? element("div", { class: "address" }, element("div", { class: "muted" }, "Ship to"), fields) : fields);
}

function checkoutBody() {
  const sections = form.sections.map((section) => {
    const box = $("sections").querySelector(`fieldset[data-supplier="${CSS.escape(section.supplier_id)}"]`);
    const items = section.items.map((item) => {
      const row = box.querySelector(`[data-product="${CSS.escape(item.product_id)}"]`);
      const attributes = Object.fromEntries([...row.querySelectorAll("select[data-attribute]")]
        .filter((s) => s.value).map((s) => [s.dataset.attribute, s.value]));
      return { product_id: item.product_id, quantity: item.quantity, unit_price: item.unit_price, attributes };
    });
    if (!section.needs_address) return { supplier_id: section.supplier_id, items };
    const address = {};
    for (const input of box.querySelectorAll(".address input")) {
      if (input.value === "") continue;
      address[input.name] = NUMERIC.has(input.name) ? Number(input.value) : input.value;
    }
    return { supplier_id: section.supplier_id, items, address };
  });
  return { sections };
}

async function create() {
  const purchase = await api.post("/purchases", checkoutBody(), { idempotent: true });
  $("checkout").hidden = true;
  showPurchase(purchase);
}

/** Back from the provider's page: the callback has usually settled it; if not, ask the provider. */
async function back(purchaseId) {
  let purchase = await api.get(`/purchases/${encodeURIComponent(purchaseId)}`);
  if (purchase.status === "pending_payment") purchase = await api.post(`/purchases/${encodeURIComponent(purchaseId)}/reconcile`);
  showPurchase(purchase);
}

/** The purchase this page is paying moved (another purchase's panels arrive as records). */
function pushed(purchase) {
  if ($("payment").dataset.purchase === purchase.purchase_id) showPurchase(purchase);
}

function showPurchase(purchase) {
  clock.observe(purchase.server_time);
  paymentCountdown?.stop();
  const box = $("payment");
  box.dataset.purchase = purchase.purchase_id;
  box.dataset.status = purchase.status;
  const summary = element("div", {}, element("span", { class: "status" }, purchase.status.replaceAll("_", " ")), " ",
    element("strong", {}, money(purchase.total)), " ", element("span", { class: "muted" }, purchase.purchase_id));
  const suppliers = element("div", { class: "muted" }, purchase.groups.map((g) => `${g.supplier_name} ${money(g.total)}`).join(" · "));
  if (purchase.status === "pending_payment" && purchase.payment.pay_url) {
    const bar = element("div", { class: "progress", "aria-label": "payment window" }, element("div", { class: "fill" }));
    const left = element("span", { class: "left" });
    // The provider's page links back to this page as it is (its suppliers), naming this purchase.
    const back = new URL(location.href);
    back.searchParams.set("purchase_id", purchase.purchase_id);
    const payUrl = new URL(purchase.payment.pay_url);
    payUrl.searchParams.set("return_to", back.pathname + back.search);
    const pay = element("a", { class: "pay", href: payUrl.href }, `Pay ${money(purchase.total)}`);
    box.replaceChildren(summary, suppliers, bar, element("div", { class: "muted" }, "pay within ", left), pay);
    paymentCountdown = new Countdown(bar, left, clock, purchase.payment_deadline,
      Date.parse(purchase.payment_deadline) - Date.parse(purchase.created_at));
  } else {
    const outcome = purchase.status === "paid" ? "Paid: one panel per supplier below."
      : purchase.reason ? `reason: ${purchase.reason.replaceAll("_", " ")}` : "";
    box.replaceChildren(summary, suppliers, element("div", { class: "muted" }, outcome));
  }
  box.hidden = false;
}

$("more-suppliers").addEventListener("click", () => listSuppliers(true).catch(report));
$("start-checkout").addEventListener("click", () => { $("error").hidden = true; startCheckout().catch(report); });
$("checkout").addEventListener("submit", (event) => {
  event.preventDefault();
  $("error").hidden = true;
  create().catch(report);
});
