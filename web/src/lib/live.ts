"use client";
// Follows a space's availability over the WebSocket API: `subscribe` on open, a callback
// per `availability.changed` notice (each notice once, by its event id), reconnecting
// after a drop. Returns a function that stops following.
export function followSpace(
  url: string,
  spaceId: string,
  onChange: () => void,
  onStatus: (live: boolean) => void,
): () => void {
  let socket: WebSocket | null = null;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const seen = new Set<string>();

  const connect = () => {
    socket = new WebSocket(url);
    socket.onopen = () => socket?.send(JSON.stringify({ action: "subscribe", space_id: spaceId }));
    socket.onmessage = (m) => {
      let msg: { type?: string; event_id?: string; space_id?: string };
      try {
        msg = JSON.parse(String(m.data));
      } catch {
        return;
      }
      if (msg.type === "subscribed") onStatus(true);
      if (msg.type === "availability.changed" && msg.space_id === spaceId) {
        if (msg.event_id && seen.has(msg.event_id)) return;
        if (msg.event_id) seen.add(msg.event_id);
        onChange();
      }
    };
    socket.onclose = () => {
      onStatus(false);
      if (!stopped) retry = setTimeout(connect, 2000);
    };
  };
  connect();
  return () => {
    stopped = true;
    clearTimeout(retry);
    socket?.close();
  };
}
