// The customer app's pages, one per workflow, in one bar at the top of each (the tab keeps the
// sign-in: `signInPage` remembers it for the session).
const PAGES = [
  ["index.html", "Order food"], ["checkout.html", "Shop"], ["groupbuy.html", "Deals"],
  ["call.html", "Call a shop"], ["installations.html", "Installations"],
];

export function customerNav() {
  const here = location.pathname.split("/").pop() || "index.html";
  const nav = document.createElement("nav");
  nav.className = "pages";
  nav.setAttribute("aria-label", "customer app");
  for (const [href, label] of PAGES) {
    const link = document.createElement("a");
    link.href = href;
    link.textContent = label;
    if (href === here) link.setAttribute("aria-current", "page");
    nav.append(link);
  }
  document.querySelector("header").after(nav);
}
