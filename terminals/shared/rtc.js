// One side of a video call (spec 05): the camera, an RTCPeerConnection with the ICE settings the
// server handed out, and the signalling through the terminal's socket (`call.signal` out,
// `call.signalled` in). The server never reads SDP; it only relays what the two terminals send.

/** The camera and microphone, or the camera alone when there is no microphone. */
async function localMedia() {
  try {
    return await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
  } catch (error) {
    if (error.name === "NotFoundError") return navigator.mediaDevices.getUserMedia({ video: true });
    throw error;
  }
}

const IDENTIFIED_WAIT_MS = 5000;

/**
 * The terminal's connection id, which a call names to bind this terminal to it: the socket says
 * `online` a moment before the answer to its `hello` names it.
 */
export async function connectionIdOf(terminal) {
  const until = Date.now() + IDENTIFIED_WAIT_MS;
  while (!terminal.connectionId) {
    if (Date.now() > until) throw new Error("this terminal is not connected: try again in a moment");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return terminal.connectionId;
}

const ICE_REFRESH_LEAD_MS = 60_000; // fetch new TURN credentials this long before the old ones expire

export class CallMedia {
  /**
   * `terminal` sends the signals; `iceServers` as the call view gives them (`RTCIceServer`s);
   * `onError(error)` for what cannot be recovered here (the screen shows it).
   */
  constructor({ terminal, callId, iceServers, localVideo, remoteVideo, onError }) {
    this.terminal = terminal;
    this.callId = callId;
    this.iceServers = iceServers || [];
    this.localVideo = localVideo;
    this.remoteVideo = remoteVideo;
    this.onError = onError || (() => {});
    this.stream = null;
    this.pc = null;
    this.pendingCandidates = [];
    // Signals are handled one after the other: an offer must be applied before its candidates,
    // and the camera must be open before an answer can carry its tracks.
    this.queue = Promise.resolve();
    this.closed = false;
  }

  /** Opens the camera and a fresh connection (again after a drop: new ICE and DTLS). */
  start() { return this.enqueue(() => this.fresh()); }

  /**
   * An offer to the other terminal. After a rejoin both sides start over from fresh connections
   * (`fresh` here, `expectFreshOffer` there): whatever survived the drop, new ICE and DTLS on
   * both ends always fit each other.
   */
  offer({ fresh = false } = {}) {
    return this.enqueue(async () => {
      if (fresh || !this.pc) await this.fresh();
      await this.pc.setLocalDescription(await this.pc.createOffer());
      this.signal({ type: "offer", sdp: this.pc.localDescription.sdp });
    });
  }

  /** The other terminal rejoined (`call.rejoined`): its next offer comes from a fresh connection. */
  expectFreshOffer() { return this.enqueue(() => this.fresh()); }

  /** What the other terminal sent (`call.signalled`'s payload). */
  accept(payload) { return this.enqueue(() => this.apply(payload)); }

  /**
   * Keeps the TURN credentials fresh in a long call: before `expiresAt` (the call view's
   * `ice_expires_at`) `fetchView()` gets the call again and its new servers take over; the side
   * that offers (`restart`) restarts ICE with them. Nothing to do on a stage with no TURN.
   */
  keepIceFresh(clock, expiresAt, fetchView, { restart }) {
    clearTimeout(this.iceTimer);
    if (!expiresAt || this.closed) return;
    const left = Date.parse(expiresAt) - clock.now();
    this.iceTimer = setTimeout(async () => {
      try {
        const view = await fetchView();
        await this.refreshIce(view.ice_servers, { restart });
        this.keepIceFresh(clock, view.ice_expires_at, fetchView, { restart });
      } catch (error) { this.onError(error); }
    }, Math.max(0, Math.min(left - ICE_REFRESH_LEAD_MS, left / 2)));
  }

  refreshIce(iceServers, { restart }) {
    return this.enqueue(async () => {
      this.iceServers = iceServers || [];
      if (!this.pc) return;
      this.pc.setConfiguration({ iceServers: this.iceServers });
      if (!restart) return;
      await this.pc.setLocalDescription(await this.pc.createOffer({ iceRestart: true }));
      this.signal({ type: "offer", sdp: this.pc.localDescription.sdp });
    });
  }

  close() {
    clearTimeout(this.iceTimer);
    this.closed = true;
    this.pc?.close();
    this.stream?.getTracks().forEach((track) => track.stop());
    this.pc = null;
    this.stream = null;
  }

  enqueue(step) {
    this.queue = this.queue.then(() => (this.closed ? undefined : step())).catch((error) => this.onError(error));
    return this.queue;
  }

  async fresh() {
    if (!this.stream) {
      this.stream = await localMedia();
      this.localVideo.srcObject = this.stream;
      this.localVideo.play().catch(() => {});
    }
    this.pc?.close();
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    this.pc = pc;
    this.pendingCandidates = [];
    this.stream.getTracks().forEach((track) => pc.addTrack(track, this.stream));
    pc.addEventListener("icecandidate", ({ candidate }) => {
      if (pc !== this.pc) return;
      // null: gathering is over; the other side hears it as the empty candidate.
      this.signal(candidate ? { type: "candidate", ...candidate.toJSON() } : { type: "candidate", candidate: "" });
    });
    pc.addEventListener("track", ({ streams, track }) => {
      if (pc !== this.pc) return;
      this.remoteVideo.srcObject = streams[0] || new MediaStream([track]);
      this.remoteVideo.play().catch(() => {});
    });
  }

  async apply(payload) {
    if (payload.type === "offer") {
      if (!this.pc) await this.fresh();
      await this.pc.setRemoteDescription(payload);
      await this.drainCandidates();
      await this.pc.setLocalDescription(await this.pc.createAnswer());
      this.signal({ type: "answer", sdp: this.pc.localDescription.sdp });
    } else if (payload.type === "answer") {
      if (!this.pc || this.pc.signalingState !== "have-local-offer") return; // a stale answer
      await this.pc.setRemoteDescription(payload);
      await this.drainCandidates();
    } else if (payload.type === "candidate") {
      if (!payload.candidate) return; // the end of the other side's candidates
      if (!this.pc || !this.pc.remoteDescription) this.pendingCandidates.push(payload);
      else await this.addCandidate(payload);
    }
  }

  async drainCandidates() {
    const waiting = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const candidate of waiting) await this.addCandidate(candidate);
  }

  async addCandidate({ candidate, sdpMid, sdpMLineIndex, usernameFragment }) {
    // A candidate of an earlier ICE generation (before a restart) is refused: nothing to do.
    await this.pc.addIceCandidate({ candidate, sdpMid, sdpMLineIndex, usernameFragment }).catch(() => {});
  }

  signal(payload) {
    this.terminal.send({ action: "call.signal", call_id: this.callId, payload });
  }
}
