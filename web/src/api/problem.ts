// RFC 9457 problems as the API sends them, turned into what a form shows: a message for
// the whole form and one per field the problem names.
import type { components } from "./schema";

export type Problem = components["schemas"]["Problem"];

export interface Shown {
  message: string;
  fields: Record<string, string>;
}

export function isProblem(value: unknown): value is Problem {
  return (
    typeof value === "object" &&
    value !== null &&
    "type" in value &&
    "status" in value &&
    "detail" in value
  );
}

/** What to show for an error answer (or a network failure). */
export function show(error: unknown): Shown {
  if (!isProblem(error)) {
    return { message: "The service could not be reached. Try again.", fields: {} };
  }
  const fields: Record<string, string> = {};
  for (const e of error.errors ?? []) {
    // The first message per field is the one to fix first.
    fields[e.field] ??= e.message;
  }
  const message =
    Object.keys(fields).length > 0 ? "Please correct the highlighted fields." : error.detail || error.title;
  return { message, fields };
}
