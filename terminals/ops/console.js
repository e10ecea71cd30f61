// The ops console: alerts as they come (revoked dispatches, refunds due, payment mismatches, …);
// the installation requests, live, with their history and a manual assignment; the refunds due;
// the payment mismatches, kept by the API (a reload lists them again) and added to as alerts come.
import { Cards, ServerClock, Terminal, chime, element, money, showError, signInPage } from "../shared/ontime.js";

const $ = (id) => document.getElementById(id);
const clock = new ServerClock();
const installations = new Cards($("installations"));
const mismatches = new Cards($("mismatches"));
let api;

function subject(alert) {
  const about = alert.installation || alert.purchase || alert.group_order || alert.voucher || alert.video
    || alert.call_order || {};
  return about.installation_id || about.purchase_id || about.order_id || about.voucher_id || about.video_id || "";
}

signInPage("ops", ["sub"], async ({ config, token, api: signedIn }) => {
  api = signedIn;
  new Terminal(config, token, clock, $("state"))
    .on("alert.raised", (alert, message) => {
      chime();
      $("alerts").prepend(element("article", { class: "card alerting", "data-kind": alert.kind, "data-about": subject(alert) },
        element("div", { class: "status" }, alert.kind.replaceAll("_", " ")),
        element("div", {}, subject(alert)),
        element("div", { class: "muted" }, new Date(clock.now()).toISOString(), " · ", message.id)));
      if (alert.installation) showInstallation(alert.installation);
      if (alert.kind === "payment_mismatch") mismatchAlerted(alert);
    })
    .on("installation.status_changed", showInstallation)
    .start();
  await Promise.all([loadInstallations(), loadRefunds(), loadMismatches()]);
});

async function loadInstallations() {
  const page = await api.get("/ops/installations");
  page.items.slice().reverse().forEach(showInstallation);
}

async function loadRefunds() {
  const page = await api.get("/ops/refunds");
  $("refunds").replaceChildren(...(page.items.length ? page.items.map((p) => element("article", { class: "card", "data-purchase": p.purchase_id },
    element("strong", {}, money(p.total)), " ", p.purchase_id, " ",
    element("span", { class: "muted" }, `${p.refund?.reason || "refund due"} · ${p.customer_id}`))) : [element("p", { class: "muted" }, "none")]));
}

const KEPT_RETRIES_MS = [300, 600, 1200, 2400, 4800];

const MISMATCH_PAGES_READ = 20;

// Every page, not the first: the list is a scan, in no order, so a new mismatch may be on any page
// (they are rare and alarmed; a newest-first index is the change once they are not).
async function loadMismatches() {
  const items = [];
  let token = null;
  for (let read = 0; read < MISMATCH_PAGES_READ; read += 1) {
    const query = token ? `&next_token=${encodeURIComponent(token)}` : "";
    const page = await api.get(`/ops/payment-mismatches?limit=100${query}`);
    items.push(...page.items);
    token = page.next_token;
    if (!token) break;
  }
  items.slice().reverse().forEach(showMismatch);
  $("mismatches-none").hidden = items.length > 0 || mismatches.known.size > 0;
  return items;
}

// The alert may come before the list has the mismatch: the order's package alerts, then the
// platform's callback keeps the record as it answers the provider, and the list is a scan that
// may not see a write at once. The alert's own row shows at once; the list is asked again, a few
// times, until it has the record that replaces that row.
function mismatchAlerted(alert) {
  const about = alert.purchase || alert.group_order || alert.call_order || {};
  const reference = subject(alert);
  if (!mismatches.card(reference)) {
    mismatches.put(reference, element("article", { class: "card alerting", "data-mismatch": reference },
      element("div", {}, element("span", { class: "status" }, "payment mismatch"), " ", reference),
      element("div", { class: "muted" }, about.total ? `expected ${money(about.total)} · ` : "",
        about.payment?.payment_id || "", " · just now")));
  }
  $("mismatches-none").hidden = true;
  // A read that failed (the API busy: a 503 or 429 under load) is one more attempt, not the end.
  const untilKept = async (attempt) => {
    let items = [];
    try {
      items = await loadMismatches();
    } catch (e) {
      showError($("error"), e);
    }
    if (!items.some((m) => m.reference === reference) && attempt < KEPT_RETRIES_MS.length) {
      setTimeout(() => untilKept(attempt + 1), KEPT_RETRIES_MS[attempt]);
    }
  };
  untilKept(0);
}

function showMismatch(m) {
  mismatches.put(m.reference, element("article", { class: "card", "data-mismatch": m.reference, "data-payment": m.payment_id },
    element("div", {}, element("span", { class: "status" }, "payment mismatch"), " ", m.reference),
    element("div", {}, "paid ", element("strong", {}, money(m.paid)),
      m.expected ? [" · expected ", element("strong", {}, money(m.expected))] : null),
    element("div", { class: "muted" }, `${m.payment_id} (${m.outcome}) · ${m.first_received_at}`,
      m.deliveries > 1 ? ` · told ${m.deliveries} times, last ${m.last_received_at}` : "")));
}

function showInstallation(item) {
  const installer = item.assignment?.installer?.installer_id;
  const target = element("input", { "aria-label": `installer for ${item.installation_id}`, size: "12" });
  const assign = async () => {
    try { showInstallation(await api.post(`/ops/installations/${item.installation_id}/assign`,
      { installer_id: target.value, attempt: item.attempt })); } catch (e) { showError($("error"), e); }
  };
  installations.put(item.installation_id, element("article", { class: "card", "data-installation": item.installation_id, "data-status": item.status },
    element("div", {}, element("span", { class: "status" }, item.status.replaceAll("_", " ")), " ",
      element("strong", {}, item.product), " ", element("span", { class: "muted" }, item.installation_id)),
    element("div", { class: "muted" }, `attempt ${item.attempt}`, installer ? ` · ${installer}` : " · unassigned",
      item.lapsed_installers.length ? ` · lapsed: ${item.lapsed_installers.join(", ")}` : "",
      item.flagged ? ` · flagged: ${item.flag_reason}` : ""),
    element("details", {}, element("summary", {}, "history"),
      element("ol", {}, item.history.map((h) => element("li", {}, `${h.at} ${h.kind} (attempt ${h.attempt}${h.installer_id ? `, ${h.installer_id}` : ""})`)))),
    ["completed", "cancelled"].includes(item.status) ? null
      : element("div", {}, target, element("button", { onclick: assign }, "Assign"))));
}
