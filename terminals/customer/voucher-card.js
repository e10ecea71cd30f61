// One voucher on the deals page: its redeem code and QR, the slots it can be booked into (several
// may be picked at once), its bookings, the shop's queue (fetched, then as each update is pushed)
// and, once the shop redeemed it, the on-site video.
import { element, money } from "../shared/ontime.js";
import { qrImage } from "../shared/qr.js";
import { OnsiteVideo } from "./onsite-video.js";

const VOUCHER_STATUS = { active: "Ready to use", used: "Used", expired: "Expired" };

export class VoucherCard {
  constructor(api, clock, voucher, report) {
    this.api = api;
    this.clock = clock;
    this.report = report;
    this.voucher = voucher;
    this.zone = undefined; // the shop's time zone, from its first slot list
    this.head = element("div");
    this.codeBox = element("div", { class: "redeem" });
    this.queueBox = element("div", { class: "queue", "aria-live": "polite", "aria-label": "queue at the shop" },
      "Queue: not known yet");
    this.bookingList = element("ul", { class: "bookings", "aria-label": "bookings" });
    this.slotBox = element("div", { class: "slot-picker" });
    this.video = new OnsiteVideo(api, voucher.voucher_id, report);
    this.element = element("article", { class: "card", "data-voucher": voucher.voucher_id },
      this.head, this.codeBox, this.queueBox, element("h4", {}, "Bookings"), this.bookingList, this.slotBox,
      this.video.element);
    this.draw();
  }

  /** The voucher with its bookings, the slots it can still take and the shop's queue, read again. */
  async refresh() {
    const id = this.voucher.voucher_id;
    this.voucher = await this.api.get(`/vouchers/${id}`);
    this.draw();
    if (this.voucher.status === "active") this.showSlots(await this.api.get(`/vouchers/${id}/slots`));
    else this.slotBox.replaceChildren();
    if (this.voucher.status === "used") await this.video.resume();
    if (this.voucher.status === "active") this.showQueue(await this.api.get(`/shops/${this.voucher.shop_id}/queue`), false);
  }

  draw() {
    const v = this.voucher;
    this.element.dataset.status = v.status;
    this.head.replaceChildren(
      element("div", { class: "status" }, VOUCHER_STATUS[v.status] || v.status),
      element("div", {}, element("strong", {}, v.title), " · ", money(v.price)),
      element("div", { class: "muted" }, `valid until ${this.when(v.expires_at, { dateStyle: "medium" })}`));
    this.codeBox.replaceChildren(...(v.status === "active" && v.code ? [
      element("div", {}, "Show this at the shop: ", element("span", { class: "code", "data-code": v.code }, v.code)),
      qrImage(v.qr_payload || v.code, `QR code of voucher code ${v.code}`),
    ] : []));
    this.queueBox.hidden = v.status !== "active"; // the queue matters until the visit
    this.bookingList.replaceChildren(...(v.bookings || []).map((b) => this.bookingItem(b)));
    if (!this.bookingList.children.length) this.bookingList.append(element("li", { class: "muted" }, "none yet"));
    this.video.element.hidden = v.status !== "used";
  }

  bookingItem(booking) {
    const cancel = async () => {
      try {
        await this.api.post(`/vouchers/${booking.voucher_id}/bookings/${booking.booking_id}/cancel`);
        await this.refresh();
      } catch (error) { this.report(error); }
    };
    return element("li", { "data-booking": booking.booking_id, "data-status": booking.status },
      `${this.span(booking.slot_start, booking.slot_end)} · ${booking.status}`,
      booking.next_update_at ? element("span", { class: "muted" }, ` · queue update at ${this.when(booking.next_update_at)}`) : null,
      booking.status === "booked"
        ? element("button", { type: "button", onclick: cancel, "aria-label": `cancel booking ${this.span(booking.slot_start, booking.slot_end)}` }, "Cancel")
        : null);
  }

  /** The slot list (pushed after payment or a missed slot, or fetched): a checkbox per slot. */
  showSlots(list) {
    this.zone = list.time_zone;
    if (this.voucher.status !== "active") return;
    const picks = list.slots.map((slot) => {
      const held = Boolean(slot.booking_id);
      const left = slot.places_left === null ? "" : ` (${slot.places_left} left)`;
      const box = element("input", { type: "checkbox", name: "slot_id", value: slot.slot_id, checked: held, disabled: held });
      return element("label", { "data-slot": slot.slot_id },
        box, `${slot.meal} ${this.span(slot.start, slot.end)}${held ? " · booked" : left}`);
    });
    const form = element("form", { class: "slots" },
      element("fieldset", { class: "slots" },
        element("legend", {}, list.reason === "no_show" ? "You missed your slot: pick another" : "Pick one slot or several"),
        picks.length ? picks : element("p", { class: "muted" }, "No slot left before the voucher expires.")),
      element("button", { class: "primary", type: "submit" }, "Book the picked slots"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const slotIds = new FormData(form).getAll("slot_id");
      this.book(slotIds).catch(this.report);
    });
    this.slotBox.replaceChildren(form);
  }

  async book(slotIds) {
    if (!slotIds.length) throw new Error("pick at least one slot");
    const made = await this.api.post(`/vouchers/${this.voucher.voucher_id}/bookings`, { slot_ids: slotIds });
    await this.refresh();
    if (made.refused.length) {
      throw new Error(`not booked: ${made.refused.map((r) => `${r.slot_id} (${r.reason})`).join(", ")}`);
    }
  }

  /** The shop's queue: `pushed` for an update ahead of a booked slot, otherwise as last fetched. */
  showQueue(queue, pushed) {
    this.clock.observe(queue.server_time);
    const box = this.queueBox;
    box.dataset.source = pushed ? "pushed" : "fetched";
    box.dataset.waiting = String(queue.people_waiting);
    const about = queue.people_waiting ? `, about ${queue.estimated_wait_min} min` : "";
    box.replaceChildren(
      element("strong", {}, `${queue.people_waiting} waiting${about}`),
      element("div", { class: "muted" }, pushed
        ? `update for your ${this.span(queue.booking.slot_start, queue.booking.slot_end)} slot, ${this.when(queue.moment)}`
        : `as reported ${queue.reported_at ? this.when(queue.reported_at) : "— nothing reported yet"}`));
  }

  when(at, style = { timeStyle: "medium", hourCycle: "h23" }) {
    return new Intl.DateTimeFormat(undefined, { ...style, timeZone: this.zone }).format(new Date(at));
  }

  span(start, end) {
    const day = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", timeZone: this.zone });
    const hour = (at) => {
      const shown = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZone: this.zone }).format(new Date(at));
      return shown.endsWith(":00") ? shown.slice(0, -3) : shown; // seconds only when a shop's slots have them
    };
    return `${day.format(new Date(start))} ${hour(start)}–${hour(end)}`;
  }
}
