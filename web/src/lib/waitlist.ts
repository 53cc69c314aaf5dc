// Waitlists: a member waits for an item's taken time (`POST /waitlist`); when it frees, the
// first in line gets it held as a pending booking (`offer_booking_id`) and a notification,
// and pays it on the booking page like any booking.
import { isProblem, show } from "@/api/problem";
import type { components } from "@/api/schema";

export type WaitlistEntry = components["schemas"]["WaitlistEntry"];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** Whether an error answer is the 409 of time already taken (by a booking, a hold or a
 * changeover buffer): the time one can wait for. Other 409s (a quota, too many holds) are
 * not helped by waiting. */
export function isTimeTaken(error: unknown): boolean {
  return isProblem(error) && error.status === 409 && isObject(error.conflict) && "slot_start" in error.conflict;
}

/** The 409 of `POST /waitlist` for time that is free now (book it instead). */
export function isTimeFree(error: unknown): boolean {
  return isProblem(error) && error.status === 409 && isObject(error.conflict) && error.conflict.free === true;
}

/** The one message to show for a refused request that has no fields of its own on screen. */
export function problemMessage(error: unknown): string {
  const shown = show(error);
  return Object.values(shown.fields).join(" ") || shown.message;
}
