// Live batch events from the realtime service (realtime/server.py, core/events.py).
//
// Protocol: connect with the API's session cookie (sent with the handshake: withCredentials;
// the page holds no token); emit `join` {batch_id} and get an ack
// {ok, seq, status, counts} (or {ok:false, code, detail}). Events are named by their type
// and carry {type, batch_id, image_id, seq, at, counts, data}. The socket is also in its
// owner's room, so events of other batches arrive too and are ignored here.
//
// Ordering: events may arrive before the join ack; those above the ack's `seq` are kept,
// the rest dropped. A repeated or older seq is dropped; a jump (gap) or any (re)join asks
// the page to re-read the batch from the REST API (`onResync`).
import { io, type Socket } from "socket.io-client";

import { runtimeConfig } from "./config";

export const EVENT_TYPES = [
  "IMAGE_UPLOADED",
  "BATCH_PROCESSING_STARTED",
  "IMAGE_PROCESSED",
  "PROCESSING_ERROR",
  "BATCH_COMPLETED",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type Counts = { total: number; processed: number; failed: number };

export type RealtimeEvent = {
  type: EventType;
  batch_id: string;
  image_id: string | null;
  seq: number;
  at: string;
  counts: Counts;
  data: Record<string, unknown>;
};

type JoinAck = { ok: true; seq: number; status: string; counts: Counts } | { ok: false; code: string; detail: string };

export type ConnectionState = "connecting" | "live" | "reconnecting" | "unavailable";

export type FeedHandlers = {
  /** In order, each seq once (a gap is reported after the event that revealed it). */
  onEvent: (event: RealtimeEvent) => void;
  /** Re-read batch and images from REST: after every (re)join and after a gap. */
  onResync: () => void;
  onState: (state: ConnectionState, detail?: string) => void;
  onSeq: (seq: number) => void;
  onUnauthorized: () => void;
};

const AUTH_CODES = new Set(["not_authenticated", "invalid_token", "token_expired", "token_revoked"]);
const RETRY_MS = 3000;

export class BatchFeed {
  private socket: Socket | null = null;
  private lastSeq: number | null = null; // null until the join ack arrives
  private early: RealtimeEvent[] = [];
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly batchId: string,
    private readonly handlers: FeedHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    const socket = io(runtimeConfig().realtimeUrl, {
      // The HttpOnly session cookie authenticates the handshake (the realtime service reads it
      // like the API does); every reconnection sends the current one.
      withCredentials: true,
      // WebSocket first (no sticky sessions needed behind a load balancer), polling if it is blocked.
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    this.socket = socket;
    this.handlers.onState("connecting");
    socket.on("connect", () => this.join());
    socket.on("disconnect", (reason) => {
      this.lastSeq = null;
      this.early = [];
      if (this.stopped) return;
      this.handlers.onState("reconnecting");
      // The server closed the connection: socket.io does not reconnect by itself then.
      if (reason === "io server disconnect") this.retry(() => socket.connect());
    });
    socket.on("connect_error", (error: Error & { data?: { code?: string; detail?: string } }) => {
      const code = error.data?.code;
      if (code && AUTH_CODES.has(code)) {
        this.handlers.onUnauthorized();
        return;
      }
      this.handlers.onState("reconnecting", error.data?.detail);
      // A refusal by the server (e.g. service_unavailable) stops automatic reconnection.
      if (!socket.active) this.retry(() => socket.connect());
    });
    for (const type of EVENT_TYPES) socket.on(type, (event: RealtimeEvent) => this.receive(event));
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }

  private retry(action: () => void): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) action();
    }, RETRY_MS);
  }

  private join(): void {
    const socket = this.socket;
    if (!socket) return;
    this.lastSeq = null;
    this.early = [];
    socket.timeout(10_000).emit("join", { batch_id: this.batchId }, (error: Error | null, ack?: JoinAck) => {
      if (this.stopped || socket !== this.socket) return;
      if (error || !ack) {
        this.handlers.onState("reconnecting", "The realtime service did not answer; trying again.");
        this.retry(() => this.join());
        return;
      }
      if (!ack.ok) {
        if (ack.code === "service_unavailable") {
          this.handlers.onState("reconnecting", ack.detail);
          this.retry(() => this.join());
        } else {
          this.handlers.onState("unavailable", ack.detail);
        }
        return;
      }
      this.lastSeq = ack.seq;
      this.handlers.onSeq(ack.seq);
      this.handlers.onState("live");
      // The page's data may predate the ack: read it again, then apply what came early.
      this.handlers.onResync();
      const early = this.early.sort((a, b) => a.seq - b.seq);
      this.early = [];
      for (const event of early) this.accept(event);
    });
  }

  private receive(event: RealtimeEvent): void {
    if (!event || event.batch_id !== this.batchId) return;
    if (this.lastSeq === null) {
      this.early.push(event);
      return;
    }
    this.accept(event);
  }

  private accept(event: RealtimeEvent): void {
    if (this.lastSeq === null || event.seq <= this.lastSeq) return; // already reflected
    const gap = event.seq > this.lastSeq + 1;
    this.lastSeq = event.seq;
    this.handlers.onEvent(event);
    this.handlers.onSeq(event.seq);
    if (gap) this.handlers.onResync();
  }
}
