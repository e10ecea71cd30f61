// The installer app (spec 02): a dispatch with its confirmation countdown, the reminder that rings
// (with the deduction it will cost), the revoked screen; confirm, start, and complete with the
// customer's service code and photos of the installed product, uploaded straight to S3.
import { Cards, Countdown, ServerClock, Terminal, chime, element, money, showError, signInPage } from "../shared/ontime.js";
import { uploadPresigned } from "../shared/uploads.js";

const $ = (id) => document.getElementById(id);
const clock = new ServerClock();
const cards = new Cards($("jobs"));
const rings = new Map(); // installation id → interval of the ringing chime
let api;

signInPage("installer", ["sub"], ({ config, token, api: signedIn }) => {
  api = signedIn;
  new Terminal(config, token, clock, $("state"))
    .on("dispatch.created", show)
    .on("dispatch.reminded", (dispatch) => { show(dispatch); ring(dispatch); })
    .on("dispatch.revoked", revoked)
    .on("dispatches.listed", (listing) => listing.items.forEach((d) => (d.status === "revoked" ? revoked(d) : show(d))))
    .start();
});

function ring(dispatch) {
  stopRinging(dispatch.installation_id);
  chime();
  rings.set(dispatch.installation_id, setInterval(chime, 2000));
  const notice = dispatch.deduction ? ` ${money(dispatch.deduction)} will be deducted.` : "";
  $("ringing").replaceChildren(element("p", { class: "card alerting", role: "alert", "data-ringing": dispatch.installation_id },
    `Confirm now or the job is given to someone else.${notice}`));
}

function stopRinging(id) {
  clearInterval(rings.get(id));
  rings.delete(id);
  const banner = $("ringing").querySelector(`[data-ringing="${id}"]`);
  if (banner) banner.remove();
}

function revoked(data) {
  stopRinging(data.installation_id);
  cards.put(data.installation_id, element("article", { class: "card", "data-job": data.installation_id, "data-status": "revoked" },
    element("div", { class: "status" }, "Revoked"),
    element("div", {}, "This job is no longer yours", data.reason ? ` (${data.reason.replaceAll("_", " ")})` : "", ".")));
}

function show(dispatch) {
  const id = dispatch.installation_id;
  if (!dispatch.ring) stopRinging(id);
  const waiting = dispatch.awaiting_confirmation && dispatch.confirm_deadline;
  const bar = element("div", { class: "progress", "aria-label": "time to confirm" }, element("div", { class: "fill" }));
  const left = element("span");
  const card = element("article", { class: "card", "data-job": id, "data-status": dispatch.status },
    element("div", { class: "status" }, dispatch.status.replaceAll("_", " ")),
    element("div", {}, element("strong", {}, dispatch.product), " ", element("span", { class: "muted" }, id)),
    element("div", { class: "muted" }, `${dispatch.address.line1}, ${dispatch.address.city}`),
    dispatch.photos?.length ? element("div", { class: "muted" },
      `${dispatch.photos.length} photo${dispatch.photos.length > 1 ? "s" : ""} sent`) : null,
    waiting ? [bar, element("div", { class: "muted" }, "confirm within ", left)] : null,
    actions(dispatch));
  const total = waiting ? Date.parse(dispatch.confirm_deadline) - Date.parse(dispatch.dispatched_at) : 0;
  cards.put(id, card, waiting ? new Countdown(bar, left, clock, dispatch.confirm_deadline, total) : null);
}

function actions(dispatch) {
  const act = (action, extra = {}) => async () => {
    try { show(await api.post(`/installer/dispatches/${dispatch.installation_id}/actions`, { action, ...extra })); }
    catch (error) { showError($("error"), error); }
  };
  if (dispatch.awaiting_confirmation) {
    return element("button", { class: "primary", onclick: act("confirm") }, "Confirm");
  }
  if (dispatch.status === "confirmed") return element("button", { class: "primary", onclick: act("start") }, "Start");
  if (dispatch.status === "in_progress") return completion(dispatch);
  return null;
}

// The form of a started job: the code the customer reads out, and the photos taken (or picked)
// on the phone. Each photo is uploaded before the completion names it: the server checks that
// every named photo arrived.
function completion(dispatch) {
  const id = dispatch.installation_id;
  const code = element("input", { "aria-label": "service code", inputmode: "numeric", autocomplete: "off" });
  const photos = element("input", { type: "file", accept: "image/*", capture: "environment", multiple: true,
    "aria-label": "photos of the installed product" });
  const progress = element("span", { class: "muted", role: "status", "aria-live": "polite" });
  const complete = element("button", { class: "primary" }, "Complete");
  photos.addEventListener("change", () => {
    $("error").hidden = true;
    progress.textContent = [...photos.files].map((f) => f.name).join(", ");
  });
  complete.addEventListener("click", async () => {
    $("error").hidden = true;
    const files = [...photos.files];
    if (!files.length) {
      showError($("error"), new Error("Take or pick at least one photo of the installed product."));
      return;
    }
    complete.disabled = true;
    try {
      const ids = [];
      for (const [n, file] of files.entries()) {
        progress.textContent = `uploading photo ${n + 1} of ${files.length}…`;
        const slot = await api.post(`/installer/dispatches/${id}/photos`,
          { content_type: file.type, size_bytes: file.size }, { idempotent: true });
        await uploadPresigned(slot.upload, file);
        ids.push(slot.photo_id);
      }
      progress.textContent = "completing…";
      show(await api.post(`/installer/dispatches/${id}/actions`,
        { action: "complete", service_code: code.value, photos: ids }));
    } catch (error) {
      progress.textContent = "";
      complete.disabled = false;
      showError($("error"), error);
    }
  });
  return element("div", {}, element("label", {}, "Service code ", code),
    element("label", {}, "Photos ", photos), complete, progress);
}
