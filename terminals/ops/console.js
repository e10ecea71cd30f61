// The ops console: alerts as they come (revoked dispatches, refunds due, payment mismatches, …).
import { ServerClock, Terminal, chime, element, loadConfig, params, showError, signIn } from "../shared/ontime.js";

const $ = (id) => document.getElementById(id);
const clock = new ServerClock();

function subject(alert) {
  const about = alert.installation || alert.purchase || alert.group_order || alert.voucher || alert.video
    || alert.call_order || {};
  return about.installation_id || about.purchase_id || about.order_id || about.voucher_id || about.video_id || "";
}

async function start(sub) {
  const config = await loadConfig();
  const token = await signIn(config, { role: "ops", sub });
  $("sign-in").hidden = true;
  $("who").textContent = sub;
  new Terminal(config, token, clock, $("state"))
    .on("alert.raised", (alert, message) => {
      chime();
      $("alerts").prepend(element("article", { class: "card alerting", "data-kind": alert.kind, "data-about": subject(alert) },
        element("div", { class: "status" }, alert.kind.replaceAll("_", " ")),
        element("div", {}, subject(alert)),
        element("div", { class: "muted" }, new Date(clock.now()).toISOString(), " · ", message.id)));
    })
    .start();
}

$("sign-in").addEventListener("submit", (event) => {
  event.preventDefault();
  start(new FormData(event.target).get("sub")).catch((e) => showError($("error"), e));
});
const given = params();
if (given.sub) start(given.sub).catch((e) => showError($("error"), e));
