"use client";
import { useState } from "react";

import { useApi } from "@/api/client";
import { show, type Shown } from "@/api/problem";
import { FormMessage } from "@/components/Field";
import { useConfig } from "@/lib/config";

/** The member's private calendar feed: made here, shown once (only its hash is kept on
 * the server), replaced or stopped at will. */
export function CalendarFeed() {
  const api = useApi();
  const { apiUrl } = useConfig();
  const [url, setUrl] = useState<string | null>(null);
  const [problem, setProblem] = useState<Shown | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function make() {
    const { data, error } = await api.POST("/users/me/calendar-feed");
    if (error || !data) return setProblem(show(error));
    setProblem(null);
    // The API's base may carry a path prefix: keep it.
    setUrl(`${apiUrl.replace(/\/+$/, "")}${data.path}`);
    setNotice("A new link: any earlier one no longer works.");
  }

  async function stop() {
    const { error } = await api.DELETE("/users/me/calendar-feed");
    if (error) return setProblem(show(error));
    setProblem(null);
    setUrl(null);
    setNotice("Your calendar link no longer works.");
  }

  return (
    <section aria-labelledby="calendar">
      <h2 id="calendar">Calendar</h2>
      <p className="muted">
        Subscribe to your bookings from Google Calendar (&ldquo;From URL&rdquo;), Outlook (&ldquo;Subscribe from
        web&rdquo;) or Apple Calendar. Anyone with the link sees your bookings: keep it private.
      </p>
      <FormMessage error={problem?.message} notice={notice} />
      {url && (
        <p>
          <label htmlFor="calendar-url">Your calendar link (shown once)</label>
          <input id="calendar-url" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
        </p>
      )}
      <p className="row">
        <button type="button" className="secondary" onClick={make}>
          {url ? "Replace the link" : "Make a calendar link"}
        </button>
        <button type="button" className="secondary" onClick={stop}>
          Stop my calendar link
        </button>
      </p>
    </section>
  );
}
