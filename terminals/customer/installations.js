// The customer app's installations (spec 02): each request with its status as it is pushed and,
// once an installer confirmed, who comes (name, phone, photo) and the service code to give them
// when the job is done.
import { Cards, ServerClock, Terminal, element, showError, signInPage } from "../shared/ontime.js";
import { customerNav } from "./nav.js";

customerNav();

const $ = (id) => document.getElementById(id);
const clock = new ServerClock();
const cards = new Cards($("installations"));
const STATUS = {
  pending: "Looking for an installer", dispatched: "Sent to an installer", reminded: "Sent to an installer",
  confirmed: "Installer confirmed", in_progress: "Being installed", completed: "Installed", cancelled: "Cancelled",
};
let api;

signInPage("customer", ["sub"], ({ config, token, api: signedIn }) => {
  api = signedIn;
  // Pushes are never replayed: the list is fetched again on every (re)connect.
  new Terminal(config, token, clock, $("state"))
    .on("connection.identified", () => load().catch((e) => showError($("error"), e)))
    .on("installation.status_changed", show)
    .start();
});

async function load() {
  const page = await api.get("/installations");
  clock.observe(page.server_time);
  page.items.slice().reverse().forEach(show);
  $("none").hidden = cards.known.size > 0;
}

function show(item) {
  $("none").hidden = true;
  const installer = item.installer;
  cards.put(item.installation_id, element("article", { class: "card", "data-installation": item.installation_id, "data-status": item.status },
    element("div", { class: "status" }, STATUS[item.status] || item.status.replaceAll("_", " ")),
    element("div", {}, element("strong", {}, item.product), " ", element("span", { class: "muted" }, item.installation_id)),
    element("div", { class: "muted" }, `${item.address.line1}, ${item.address.city}`,
      item.preferred_time ? ` · preferred ${new Date(item.preferred_time).toLocaleString()}` : ""),
    installer ? element("div", { class: "installer" },
      installer.photo_url ? element("img", { src: installer.photo_url, alt: `photo of ${installer.name}`, width: "48", height: "48" }) : null,
      element("div", {}, "Your installer: ", element("strong", {}, installer.name), " · ",
        element("a", { href: `tel:${installer.phone.replaceAll(" ", "")}` }, installer.phone))) : null,
    item.service_code ? element("div", {}, "Service code ",
      element("strong", { class: "service-code" }, item.service_code),
      element("div", { class: "muted" }, "Give it to the installer once the job is done.")) : null));
}
