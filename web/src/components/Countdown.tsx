"use client";
// How long an unpaid hold still holds its time, by the second.
import { useEffect, useState } from "react";

export function Countdown({ until }: { until: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const left = Math.max(0, Math.floor((Date.parse(until) - now) / 1000));
  return (
    <p role="timer" aria-live="off">
      Held for you for{" "}
      <strong>
        {Math.floor(left / 60)}:{String(left % 60).padStart(2, "0")}
      </strong>{" "}
      more: pay before it runs out.
    </p>
  );
}
