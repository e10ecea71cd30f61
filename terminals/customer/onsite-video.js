// The on-site video of a redeemed voucher: filmed here (camera → MediaRecorder) or picked from the
// phone, sent straight to storage with the presigned POST the API hands out, then processed by the
// platform (a push says published or rejected, with the reason); and a deal's published videos.
import { element } from "../shared/ontime.js";

const MAX_RECORDING_MS = 30_000; // the platform keeps the first 30 s: filming longer is wasted
const RECORDED_TYPES = ["video/webm;codecs=vp8,opus", "video/webm", "video/mp4"];
const SAID = {
  published: "Published on the deal's page: thank you!",
  rejected: "Not accepted", failed: "Processing failed: try again",
};

export class OnsiteVideo {
  constructor(api, voucherId, report) {
    this.api = api;
    this.voucherId = voucherId;
    this.report = report;
    this.videoId = null;
    this.offer = null;
    this.recording = null; // the recorded Blob, waiting to be sent
    this.status = element("p", { class: "video-status", "aria-live": "polite" }, "Film the service and share it with other buyers.");
    this.preview = element("video", { muted: true, playsinline: true, "aria-label": "camera preview" });
    this.preview.muted = true; // the attribute alone does not mute a scripted element
    this.preview.hidden = true;
    this.recordButton = element("button", { type: "button", onclick: () => this.toggleRecording().catch(report) }, "Record video");
    this.picker = element("input", { type: "file", accept: "video/*", capture: "environment" });
    this.picker.addEventListener("change", () => { this.recording = this.picker.files[0] || null; this.ready(); });
    this.sendButton = element("button", { class: "primary", type: "button", disabled: true, onclick: () => this.send().catch(report) },
      "Upload video");
    this.element = element("section", { class: "onsite-video", "aria-label": "on-site video" },
      element("h4", {}, "Your on-site video"), this.status, this.preview,
      element("div", {}, this.recordButton, this.sendButton),
      element("label", {}, "or choose a video ", this.picker));
    this.element.hidden = true;
  }

  /** The push after the shop redeemed the voucher: where to upload. */
  offered(offer) {
    this.offer = offer;
    this.videoId = offer.video_id;
    this.element.hidden = false;
  }

  /** After a reload: ask for the upload again (the API answers the waiting one, or 409 once published). */
  async resume() {
    if (this.offer) return;
    try {
      this.offered(await this.api.post(`/vouchers/${this.voucherId}/video-upload`));
    } catch (error) {
      if (error.status !== 409) throw error;
      this.element.hidden = false;
      this.setStatus("published", SAID.published);
      this.recordButton.disabled = true;
    }
  }

  async toggleRecording() {
    if (this.recorder) { this.recorder.stop(); return; }
    const camera = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true });
    this.preview.srcObject = camera;
    this.preview.hidden = false;
    await this.preview.play().catch(() => {});
    const mimeType = RECORDED_TYPES.find((type) => MediaRecorder.isTypeSupported(type));
    const recorder = new MediaRecorder(camera, mimeType ? { mimeType } : {});
    const chunks = [];
    recorder.addEventListener("dataavailable", (event) => {
      if (event.data.size) chunks.push(event.data);
      // One chunk a second (`start(1000)`): the count is the length filmed so far.
      if (this.recorder) this.setStatus("recording", `Recording… ${chunks.length} s (at most 30 s)`);
    });
    recorder.addEventListener("stop", () => {
      clearTimeout(this.cutOff);
      camera.getTracks().forEach((track) => track.stop());
      this.recorder = null;
      this.recording = new Blob(chunks, { type: recorder.mimeType });
      this.preview.srcObject = null;
      this.preview.src = URL.createObjectURL(this.recording);
      this.preview.controls = true;
      this.recordButton.textContent = "Record again";
      this.ready();
    });
    recorder.start(1000);
    this.recorder = recorder;
    this.cutOff = setTimeout(() => recorder.stop(), MAX_RECORDING_MS);
    this.recordButton.textContent = "Stop recording";
    this.setStatus("recording", "Recording… (at most 30 s)");
  }

  ready() {
    this.sendButton.disabled = !this.recording;
    if (this.recording) this.setStatus("recorded", `Ready to upload (${Math.ceil(this.recording.size / 1024)} KB)`);
  }

  async send() {
    if (!this.offer) this.offered(await this.api.post(`/vouchers/${this.voucherId}/video-upload`));
    const { url, fields } = this.offer.upload;
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    // The policy admits any `video/…` type: the field carries the file's own (codecs left out).
    form.append("Content-Type", (this.recording.type || "video/mp4").split(";")[0]);
    form.append("file", this.recording, "visit");
    this.sendButton.disabled = true;
    this.setStatus("uploading", "Uploading…");
    const sent = await fetch(url, { method: "POST", body: form });
    if (!sent.ok) {
      this.sendButton.disabled = false;
      throw new Error(`the upload was refused (HTTP ${sent.status}): ${(await sent.text()).slice(0, 200)}`);
    }
    this.setStatus("processing", "Uploaded: the video is being processed…");
  }

  /** The platform's verdict on the upload (a push). */
  settled(video) {
    if (video.video_id !== this.videoId) return;
    const detail = video.status === "rejected" ? `: ${video.detail || video.reason}` : "";
    this.setStatus(video.status, `${SAID[video.status] || video.status}${detail}`);
    this.offer = null; // a rejected or failed upload gets a fresh one on the next send
    this.recordButton.disabled = video.status === "published";
    this.sendButton.disabled = video.status === "published" || !this.recording;
  }

  setStatus(state, text) {
    this.element.dataset.state = state;
    this.status.textContent = text;
  }
}

/** A deal's published videos, newest first: the processed MP4 with its poster, the shop and the visit day. */
export function dealVideos(videos) {
  if (!videos.length) return element("p", { class: "muted" }, "No video yet.");
  return element("div", {}, videos.map((video) => element("figure", { class: "deal-video", "data-video": video.video_id },
    element("video", { src: video.video_url, poster: video.poster_url, controls: true, preload: "metadata", playsinline: true,
      "aria-label": `video at ${video.shop_name} on ${video.visit_date}` }),
    element("figcaption", { class: "muted" }, `${video.shop_name} · ${video.visit_date} · ${Math.round(video.duration_s)} s`))));
}
