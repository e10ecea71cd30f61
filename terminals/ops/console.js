// The ops console: alerts as they come (revoked dispatches, refunds due, payment mismatches, …);
// the installation requests, live, with their history and a manual assignment; the refunds due.
import { Cards, ServerClock, Terminal, chime, element, money, showError, signInPage } from "../shared/ontime.js";

const $ = (id) => document.getElementById(id);
const clock = new ServerClock();
const installations = new Cards($("installations"));
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
    })
    .on("installation.status_changed", showInstallation)
    .start();
  await Promise.all([loadInstallations(), loadRefunds()]);
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
