// The merchant console's group-buy part (spec 04): redeem a voucher by its code (typed, or a
// scanner's QR payload `ontime:voucher:<code>`), and report how many people wait in the shop.
import { element, showError } from "../shared/ontime.js";

const QR_PREFIX = "ontime:voucher:";

export function mountGroupBuy({ api, clock, merchantId }) {
  const section = document.getElementById("group-buy");
  const report = (error) => showError(document.getElementById("error"), error);
  const code = element("input", { name: "code", inputmode: "numeric", autocomplete: "off", required: true });
  const redeemed = element("ul", { class: "redeemed", "aria-live": "polite", "aria-label": "redeemed vouchers" });
  const redeemForm = element("form", { class: "card", "aria-label": "redeem a voucher" },
    element("h3", {}, "Redeem a voucher"),
    element("label", {}, "Voucher code ", code),
    element("button", { class: "primary", type: "submit" }, "Redeem"), redeemed);
  const waiting = element("input", { name: "waiting", type: "number", min: "0", max: "10000", value: "0", required: true });
  const queueNow = element("p", { class: "queue-now", "aria-live": "polite" });
  const queueForm = element("form", { class: "card", "aria-label": "report the queue" },
    element("h3", {}, "Queue"), queueNow,
    element("label", {}, "People waiting ", waiting),
    element("button", { class: "primary", type: "submit" }, "Report queue"));
  section.replaceChildren(element("h2", { id: "group-buy-title" }, "Group-buy"), redeemForm, queueForm);
  section.hidden = false;

  const showQueue = (queue) => {
    clock.observe(queue.server_time);
    queueNow.dataset.waiting = String(queue.people_waiting);
    const at = queue.reported_at ? new Date(queue.reported_at).toLocaleTimeString() : "never";
    queueNow.textContent = `${queue.people_waiting} waiting, about ${queue.estimated_wait_min} min (reported ${at})`;
  };

  redeemForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const typed = code.value.trim();
    try {
      const voucher = await api.post("/merchant/vouchers/redeem",
        { code: typed.startsWith(QR_PREFIX) ? typed.slice(QR_PREFIX.length) : typed });
      redeemed.prepend(element("li", { "data-voucher": voucher.voucher_id, "data-status": voucher.status },
        `${voucher.title}: ${voucher.status} at ${new Date(voucher.used_at).toLocaleTimeString()} (${voucher.voucher_id})`));
      code.value = "";
    } catch (error) { report(error); }
  });
  queueForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      showQueue(await api.call("PUT", "/merchant/queue", { waiting: Number(waiting.value) }));
    } catch (error) { report(error); }
  });
  api.get(`/shops/${merchantId}/queue`).then(showQueue).catch(report);
}
