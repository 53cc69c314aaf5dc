// The web app end to end in Debian's chromium against the local stack (see harness.mjs).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";

import AxeBuilder from "@axe-core/playwright";

import { firstLoadJs } from "./first-load.mjs";
import { snap, startProduct } from "./harness.mjs";

let product;
const unique = () => Math.random().toString(36).slice(2, 10);
const CODE = "123456"; // what the local Cognito stand-in accepts as the mailed code

before(async () => {
  product = await startProduct();
});

after(async () => {
  if (product) await product.stop();
});

async function axe(page, name) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
    `${name}: serious or critical accessibility violations`,
  );
}

/** The code of the last verification SMS the stand-in accepted for `phone`. */
async function textedCode(phone) {
  for (let i = 0; i < 50; i++) {
    const url = `${product.stack.aws_endpoint_url}/_ministack/sns/sms-messages?phoneNumber=${encodeURIComponent(phone)}`;
    const all = await (await fetch(url)).json();
    const texts = (all.sms_messages?.[phone] ?? []).map((m) => m.Message ?? "");
    const match = texts.reverse().map((t) => t.match(/\b(\d{6})\b/)).find(Boolean);
    if (match) return match[1];
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no code texted to ${phone}`);
}

/** The id of the space the operator page manages (shown in its status line). */
async function spaceIdOnPage(page) {
  const text = await page.getByText(/^Managing /).innerText();
  return text.match(/\(([0-9a-f-]{36})\)/)[1];
}

async function signIn(page, email, password) {
  await page.goto(`${product.web}/signin`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

test("an operator makes a promo code, a member books with it, pays the lower price and opens the invoice PDF", async () => {
  // A seeded space outside Berlin (the other tests book Berlin's), and its operator.
  const elsewhere = product.seed.spaces.filter((s) => s.city !== "Berlin");
  const owners = await Promise.all(elsewhere.map(async (s) => (await (await fetch(`${product.api}/spaces/${s.id}`)).json()).owner_id));
  const operator = product.seed.operators.find((o) => owners.includes(o.id));
  assert.ok(operator, "a seeded operator owns a space outside Berlin");
  const space = elsewhere[owners.indexOf(operator.id)];
  const code = `E2E-${unique().slice(-6).toUpperCase()}`;
  const ctx = await product.context();
  const page = await ctx.newPage();
  await signIn(page, operator.email, product.seed.password);
  await page.goto(`${product.web}/operator`);
  await page.getByRole("button", { name: `Manage ${space.name}` }).click();
  const form = page.getByRole("form", { name: "New promo code" });
  // A percentage out of range: the API's message at the field.
  await form.getByLabel("Code (letters, digits, -)").fill(code);
  await form.getByLabel("Percent off").fill("0");
  await form.getByRole("button", { name: "Create promo code" }).click();
  await form.locator(".field-error").first().waitFor();
  assert.equal(await form.getByLabel("Percent off").getAttribute("aria-invalid"), "true");
  await form.getByLabel("Percent off").fill("25");
  await form.getByLabel("Redemptions in all (empty: no limit)").fill("5");
  await form.getByRole("button", { name: "Create promo code" }).click();
  await page.getByText(`Created ${code}.`).waitFor();
  await page.getByTestId(`redeemed-${code}`).filter({ hasText: "0 of 5" }).waitFor();
  await snap(page, "operator-promo-codes");
  await axe(page, "operator promo codes");

  const who = await newMember("Promo");
  const member = await product.context();
  const m = await member.newPage();
  await signIn(m, who.email, who.password);
  await m.goto(`${product.web}/spaces/${space.id}`);
  await showDay(m, 13, space.time_zone);
  await m.getByRole("button", { name: /^Room .* free$/ }).first().click();
  await m.getByLabel("Promo code (optional)").fill(code.toLowerCase());
  await m.getByRole("button", { name: "Book", exact: true }).click();
  await m.waitForURL(/\/bookings\/[^/]+$/);
  const breakdown = m.getByLabel("Price breakdown");
  await breakdown.getByText(`Promo code ${code}`).waitFor();
  await m.getByRole("button", { name: "Pay" }).click();
  await m.getByTestId("booking-status").filter({ hasText: "confirmed" }).waitFor({ timeout: 30_000 });
  const total = (await breakdown.locator("dd").last().innerText()).trim();

  // The account lists the invoice; its PDF opens through a short-lived link.
  await m.goto(`${product.web}/account`);
  const invoices = m.getByRole("region", { name: "Invoices and credit notes" });
  const pdfButton = invoices.getByRole("button", { name: /^PDF of INV-\d{6}$/ });
  await pdfButton.waitFor();
  assert.ok(await invoices.getByText(total).count() > 0, `the invoice shows ${total}`);
  await pdfButton.click();
  const link = invoices.getByRole("link", { name: /^Open INV-\d{6}\.pdf$/ });
  await link.waitFor();
  const pdf = await fetch(await link.getAttribute("href"));
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get("content-type"), "application/pdf");
  assert.equal(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString(), "%PDF-");
  await snap(m, "account-invoices");
  await axe(m, "account with invoices");
  await member.close();

  await page.reload();
  await page.getByRole("button", { name: `Manage ${space.name}` }).click();
  await page.getByTestId(`redeemed-${code}`).filter({ hasText: "1 of 5" }).waitFor();
  // The operator finds the invoice they issued, with the member as its buyer.
  const issued = page.getByRole("region", { name: "Invoices issued" });
  await issued.getByRole("row").filter({ hasText: "Promo" }).filter({ hasText: total }).first().waitFor();
  await page.getByRole("button", { name: `Switch ${code} off` }).click();
  await page.getByText(`${code} is off.`).waitFor();
  await ctx.close();
});

/** The first Monday-to-Friday local date at least `days` from now in `timeZone`
 * (YYYY-MM-DD): the seeded spaces open every weekday, not always at weekends. */
function dayAhead(days, timeZone) {
  for (let d = days; ; d++) {
    const when = new Date(Date.now() + d * 86_400_000);
    const weekday = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short" }).format(when);
    if (weekday !== "Sat" && weekday !== "Sun") {
      return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(when);
    }
  }
}

/** A new member, signed up and confirmed through the API (the sign-up page has its own test). */
async function newMember(name) {
  const email = `${name.toLowerCase()}-${unique()}@example.com`;
  const password = "Member-Passw0rd-1";
  for (const [path, body] of [
    ["/users/register", { name, email, password }],
    ["/users/confirm", { email, code: CODE }],
  ]) {
    const res = await fetch(`${product.api}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    assert.ok(res.ok, `${path}: ${res.status} ${await res.text()}`);
  }
  return { email, password };
}

/** Shows `days` ahead (a weekday) in the space page's availability grid. Waits for the grid to
 * be live first: the page is rendered on the server, and a day typed before React hydrates it
 * is lost (the grid would show today, which may be a closed Saturday). */
async function showDay(page, days, timeZone = "Europe/Berlin") {
  await page.getByTestId("live-status").filter({ hasText: /^Live:/ }).waitFor();
  const date = dayAhead(days, timeZone);
  await page.getByLabel(/^Day/).fill(date);
  assert.equal(await page.getByLabel(/^Day/).inputValue(), date);
  // The day is in the address: a reload or a shared link shows it.
  assert.equal(new URL(page.url()).searchParams.get("day"), date);
}

/** Picks the first free start of a room on the chosen day and books it; returns the cell's label. */
async function bookFirstFreeRoom(page, days) {
  await showDay(page, days);
  const free = page.getByRole("button", { name: /^Room .* free$/ }).first();
  await free.waitFor();
  const label = await free.getAttribute("aria-label");
  await free.click();
  await page.getByRole("button", { name: "Book", exact: true }).click();
  await page.waitForURL(/\/bookings\/[^/]+$/);
  return label;
}

test("bad input shows the API's own field message", async () => {
  const ctx = await product.context();
  const page = await ctx.newPage();
  await page.goto(`${product.web}/signup`);
  await page.getByLabel("Name").fill("Weak Password");
  await page.getByLabel("Email").fill(`weak-${unique()}@example.com`);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  // The message is the API's (problem+json `errors[]` for `password`), shown at the field.
  const res = await fetch(`${product.api}/users/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "x", email: `weak-${unique()}@example.com`, password: "short" }),
  });
  const problem = await res.json();
  const expected = problem.errors.find((e) => e.field === "password").message;
  await page.locator(".field-error", { hasText: expected }).waitFor();
  assert.equal(await page.getByLabel("Password").getAttribute("aria-invalid"), "true");
  await snap(page, "signup-bad-input");
  await axe(page, "sign up");
  await ctx.close();
});

test("a new member signs up, finds a room in Berlin, pays, sees it confirmed, cancels and sees the refund", async () => {
  const ctx = await product.context();
  const page = await ctx.newPage();
  const email = `member-${unique()}@example.com`;
  const password = "Member-Passw0rd-1";

  await page.goto(`${product.web}/signup`);
  await snap(page, "signup");
  await page.getByLabel("Name").fill("New Member");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/confirm/);
  await snap(page, "confirm");
  await axe(page, "confirm");
  await page.getByLabel("Code").fill(CODE);
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.waitForURL(/\/signin/);
  await page.getByLabel("Password").fill(password);
  await snap(page, "signin");
  await axe(page, "sign in");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();

  await page.goto(product.web);
  await page.getByLabel("Near").selectOption("Berlin");
  await page.getByRole("button", { name: "Search" }).click();
  const first = page.getByRole("list", { name: "Spaces found" }).getByRole("link").first();
  await first.waitFor();
  // The map loads after the list, without tiles, and still shows every result as a marker.
  await page.getByText("Map tiles are unavailable").waitFor();
  await page.locator("path.leaflet-interactive").first().waitFor();
  assert.equal(
    await page.locator("path.leaflet-interactive").count(),
    await page.getByRole("list", { name: "Spaces found" }).getByRole("listitem").count(),
  );
  await snap(page, "search");
  await axe(page, "search");
  await first.click();
  await page.waitForURL(/\/spaces\//);
  await page.getByTestId("live-status").filter({ hasText: /^Live:/ }).waitFor();
  await showDay(page, 3);
  await page.locator("table.grid").waitFor();
  await snap(page, "space");
  await axe(page, "space");

  // Three days ahead: outside every refund window's edge, so the refund is the full price.
  await bookFirstFreeRoom(page, 3);
  await page.getByRole("timer").waitFor();
  const breakdown = page.getByLabel("Price breakdown");
  await breakdown.getByText("Total", { exact: true }).waitFor();
  await snap(page, "booking-held");
  await axe(page, "booking");
  const total = (await breakdown.locator("dd").last().innerText()).trim();

  await page.getByRole("button", { name: "Pay" }).click();
  await page.getByTestId("booking-status").filter({ hasText: "confirmed" }).waitFor({ timeout: 30_000 });
  await snap(page, "booking-confirmed");

  await page.getByRole("button", { name: "Cancel this booking…" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByText(`refunds ${total} (100 %`).waitFor();
  await snap(page, "cancel-preview");
  await dialog.getByRole("button", { name: "Yes, cancel it" }).click();
  await page.getByTestId("booking-status").filter({ hasText: "cancelled" }).waitFor();
  await page.getByTestId("refunded").filter({ hasText: `Refunded ${total}` }).waitFor();
  await snap(page, "booking-refunded");

  await page.goto(`${product.web}/bookings`);
  await page.getByRole("heading", { name: "My bookings" }).waitFor();
  await page.getByText(/cancelled/).first().waitFor();
  await snap(page, "my-bookings");
  await axe(page, "my bookings");
  await page.goto(`${product.web}/account`);
  await page.getByRole("heading", { name: "Notifications" }).waitFor();
  // A phone number is proved with the code texted to it (read from the SMS stand-in).
  const phone = `+49151${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
  await page.getByLabel("Phone (for SMS reminders)").fill(phone);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByRole("button", { name: "Text me a code" }).click();
  await page.getByLabel("Code from the SMS").waitFor();
  const code = await textedCode(phone);
  await page.getByLabel("Code from the SMS").fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByText("Your phone number is verified.").waitFor();
  await page.getByText("Verified.", { exact: true }).waitFor();
  // A private calendar link, read as a calendar app would (no sign-in), then stopped.
  await page.getByRole("button", { name: "Make a calendar link" }).click();
  const feedUrl = await page.getByLabel("Your calendar link (shown once)").inputValue();
  assert.match(feedUrl, /^http:\/\/127\.0\.0\.1:\d+\/calendar\/[0-9a-f]{64}\.ics$/);
  const feed = await fetch(feedUrl);
  assert.equal(feed.status, 200);
  assert.match(await feed.text(), /^BEGIN:VCALENDAR\r\n/);
  await snap(page, "account");
  await axe(page, "account");
  await page.getByRole("button", { name: "Stop my calendar link" }).click();
  await page.getByText("Your calendar link no longer works.").waitFor();
  assert.equal((await fetch(feedUrl)).status, 404);
  await page.goto(`${product.web}/plans`);
  await page.getByRole("heading", { name: "Membership plans" }).waitFor();
  await page.locator(".card").first().waitFor();
  await snap(page, "plans");
  await axe(page, "plans");
  // Subscribing with the test card (a PaymentMethod made on the Stripe stand-in, only its
  // id sent to the API); the account then shows the membership.
  const plan = page.getByRole("button", { name: /^Subscribe to .* with the test card$/ }).first();
  const planName = (await plan.innerText()).replace(/^Subscribe to /, "").replace(/ with the test card$/, "");
  await plan.click();
  await page.getByText(`You are subscribed to ${planName}.`).waitFor();
  await page.goto(`${product.web}/account`);
  await page.getByText(/^Status: active/).waitFor();
  await ctx.close();
});

test("an operator creates a space with an item and a member finds it through search", async () => {
  const ctx = await product.context();
  const page = await ctx.newPage();
  const operator = product.seed.operators[0].email;
  await signIn(page, operator, product.seed.password);
  await page.goto(`${product.web}/operator`);
  const name = `E2E Loft ${unique()}`;
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Description").fill("Bright loft made by the browser test.");
  await page.getByLabel("Street and number").fill("1 Test Street");
  await page.getByLabel("Postal code").fill("10115");
  await page.getByLabel("City").fill("Berlin");
  await page.getByLabel("Country (ISO code, e.g. DE)").fill("DE");
  await page.getByLabel("Latitude").fill("52.5205");
  await page.getByLabel("Longitude").fill("13.4049");
  await axe(page, "operator");
  await page.getByRole("button", { name: "Create space" }).click();
  await page.getByText(`Managing ${name}`).waitFor();
  await page.getByLabel("Identifier (e.g. Room A)").fill("Room E2E");
  await page.getByRole("button", { name: "Add item" }).click();
  await page.getByText("Added Room E2E.").waitFor();
  // Its rules: closed on Sundays, a peak surcharge; a bad interval is refused at its field.
  await page.getByLabel("Monday").fill("25:00-26:00");
  await page.getByRole("button", { name: "Save rules" }).click();
  await page.locator(".field-error").first().waitFor();
  await snap(page, "operator-bad-hours");
  await page.getByLabel("Monday").fill("08:00-20:00");
  await page.getByLabel("Sunday").fill("");
  await page.getByRole("button", { name: "Add a pricing rule" }).click();
  // Check-in required: released 10 minutes in, half refunded.
  await page.getByLabel(/Members must check in/).check();
  await page.getByLabel("Grace period (minutes after the start)").fill("10");
  await page.getByLabel("Refunded for a no-show (%)").fill("50");
  await page.getByRole("button", { name: "Save rules" }).click();
  await page.getByText("Saved. Bookings already made").waitFor();
  const saved = await (await fetch(`${product.api}/spaces/${await spaceIdOnPage(page)}`)).json();
  assert.deepEqual(saved.opening_hours.sunday, []);
  assert.equal(saved.pricing_rules[0].multiplier_percent, 120);
  assert.deepEqual(saved.check_in, { window_minutes: 30, grace_minutes: 10, no_show_refund_percent: 50 });
  await page.getByRole("button", { name: "Show" }).click();
  await page.getByRole("img", { name: "Utilization per day" }).waitFor();
  await snap(page, "operator");

  // Back to the operator's spaces: the new one is listed; a seeded one shows the same
  // bookings the API gives its operator.
  await page.getByRole("button", { name: "back to my spaces" }).click();
  await page.getByRole("button", { name: `Manage ${name}` }).waitFor();
  const cards = page.getByRole("button", { name: /^Manage / });
  const count = await cards.count();
  assert.ok(count >= 2, `${count} spaces listed`);
  const seeded = (await cards.nth(0).getAttribute("aria-label")) === `Manage ${name}` ? cards.nth(1) : cards.nth(0);
  await seeded.click();
  const spaceId = await spaceIdOnPage(page);
  const login = await (
    await fetch(`${product.api}/users/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: operator, password: product.seed.password }),
    })
  ).json();
  const listed = await (
    await fetch(`${product.api}/spaces/${spaceId}/bookings?when=upcoming&limit=20`, {
      headers: { authorization: `Bearer ${login.access_token}` },
    })
  ).json();
  const section = page.getByRole("region", { name: "Bookings" });
  if (listed.items.length === 0) {
    await section.getByText("No upcoming bookings.").waitFor();
  } else {
    await section.locator("tbody tr").first().waitFor();
    assert.equal(await section.locator("tbody tr").count(), listed.items.length);
  }
  await snap(page, "operator-space");
  await axe(page, "operator space");
  await ctx.close();

  const member = await product.context();
  const p = await member.newPage();
  await p.goto(product.web);
  await p.getByLabel("Words").fill(name);
  await p.getByRole("button", { name: "Search" }).click();
  await p.getByRole("link", { name }).click();
  await p.getByRole("heading", { name }).waitFor();
  await p.getByText("Room E2E").first().waitFor();
  await member.close();
});

test("a second browser sees a booking in the first within 2 s", async () => {
  const watcher = await product.context();
  const booker = await product.context();
  const w = await watcher.newPage();
  const b = await booker.newPage();
  const space = product.seed.spaces.find((s) => s.city === "Berlin") ?? product.seed.spaces[0];
  const spaceId = space.id ?? space;
  await signIn(b, product.seed.member.email, product.seed.password);
  for (const page of [w, b]) {
    await page.goto(`${product.web}/spaces/${spaceId}`);
    await showDay(page, 5);
  }
  const label = await bookFirstFreeRoom(b, 5);
  const taken = label.replace(/: free$/, ": taken");
  const started = Date.now();
  await w.locator(`[aria-label="${taken}"]`).waitFor({ timeout: 2000 });
  console.log(`live update seen after ${Date.now() - started} ms`);
  await snap(w, "live-watcher");
  await watcher.close();
  await booker.close();
});

test("a member books a day pass for a desk and the booking shows it as a day pass", async () => {
  const ctx = await product.context();
  const page = await ctx.newPage();
  const space = product.seed.spaces.find((s) => s.city === "Berlin") ?? product.seed.spaces[0];
  await signIn(page, product.seed.member.email, product.seed.password);
  await page.goto(`${product.web}/spaces/${space.id}`);
  // Far enough ahead that no other test's booking is on that day.
  await showDay(page, 9, space.time_zone);
  await page.reload();
  await page.getByTestId("live-status").filter({ hasText: /^Live:/ }).waitFor();
  assert.equal(await page.getByLabel(/^Day/).inputValue(), dayAhead(9, space.time_zone));
  const form = page.getByRole("form", { name: /^Whole days from / });
  await form.getByLabel("Item", { exact: true }).selectOption({ label: "Desk 2" });
  await form.getByLabel("Unit", { exact: true }).selectOption("day");
  await form.getByLabel("Quantity", { exact: true }).selectOption("1");
  const price = (await form.getByTestId("stay-price").innerText()).trim();
  await snap(page, "stay-form");
  await axe(page, "space with the stay form");
  await form.getByRole("button", { name: "Book day pass" }).click();
  await page.waitForURL(/\/bookings\/[^/]+$/);
  await page.getByRole("heading", { name: "Booking of Desk 2" }).waitFor();
  await page.getByTestId("booking-stay").filter({ hasText: /^Day pass$/ }).waitFor();
  // The API priced it as the form said: the day rate once.
  const subtotal = page.getByLabel("Price breakdown").locator("dt", { hasText: "Subtotal" }).locator("xpath=following-sibling::dd[1]");
  assert.equal((await subtotal.innerText()).trim(), price);
  await snap(page, "day-pass");
  await ctx.close();
});

test("a member rents an office open-ended, sees the first month paid and the next held, and ends the rental", async () => {
  const space = product.seed.spaces.find((s) => s.city === "Berlin") ?? product.seed.spaces[0];
  // A new member (no holds from other tests); a start day from the 1st to the 28th, within 31 days.
  const renter = await newMember("Renter");
  const ctx = await product.context();
  const page = await ctx.newPage();
  await signIn(page, renter.email, renter.password);
  await page.goto(`${product.web}/spaces/${space.id}`);
  let ahead = 6;
  while (Number(dayAhead(ahead, space.time_zone).slice(8)) > 28) ahead++;
  const start = dayAhead(ahead, space.time_zone);
  await showDay(page, ahead, space.time_zone);
  const form = page.getByRole("form", { name: /^Whole days from / });
  await form.getByLabel("Item", { exact: true }).selectOption({ label: "Office 1" });
  await form.getByLabel("Unit", { exact: true }).selectOption("month");
  const rent = form.getByRole("region", { name: "Or rent it open-ended" });
  await rent.getByText(`a month from ${start}`).waitFor();
  await snap(page, "rent-open-ended");
  await axe(page, "space with the open-ended rent offer");
  await rent.getByRole("button", { name: "Rent Office 1 open-ended with the test card" }).click();
  await page.waitForURL(/\/rentals\/[^/]+$/);

  // The first invoice's news confirms month 1 and holds month 2.
  await page.getByRole("heading", { name: "Rental of Office 1" }).waitFor();
  await page.getByTestId("rental-status").filter({ hasText: /^active$/ }).waitFor({ timeout: 20_000 });
  const statuses = page.getByTestId("rental-month-status");
  await statuses.nth(1).waitFor();
  assert.deepEqual(await statuses.allInnerTexts(), ["confirmed", "held for the next payment"]);
  await snap(page, "rental-active");
  await axe(page, "rental");

  // A month's booking names its rental and offers no cancel of its own.
  await page.getByTestId("rental-month").first().getByRole("link").click();
  await page.waitForURL(/\/bookings\/[^/]+$/);
  await page.getByTestId("booking-status").filter({ hasText: "confirmed" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Cancel this booking…" }).count(), 0);
  await page.getByTestId("booking-rental").getByRole("link", { name: "month 1 of the rental" }).click();
  await page.waitForURL(/\/rentals\/[^/]+$/);

  // Ending: asked first, then the held month is released and the paid one kept.
  await page.getByRole("button", { name: "End the rental…" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByText("Nothing more will be charged.").waitFor();
  await dialog.getByRole("button", { name: "Yes, end it" }).click();
  await page.getByTestId("rental-status").filter({ hasText: /^ended$/ }).waitFor();
  await page.getByRole("status").filter({ hasText: /^Ended:/ }).waitFor();
  assert.deepEqual(await statuses.allInnerTexts(), ["confirmed", "cancelled"]);
  assert.equal(await page.getByRole("button", { name: "End the rental…" }).count(), 0);
  await snap(page, "rental-ended");
  await ctx.close();
});

test("a member books a weekly series of a room, sees its occurrences and total, and cancels the unpaid series whole", async () => {
  const ctx = await product.context();
  const page = await ctx.newPage();
  const space = product.seed.spaces.find((s) => s.city === "Berlin") ?? product.seed.spaces[0];
  await signIn(page, product.seed.member.email, product.seed.password);
  await page.goto(`${product.web}/spaces/${space.id}`);
  // Far enough ahead that no other test books that day, or the same weekday after it.
  await showDay(page, 13, space.time_zone);
  const free = page.getByRole("button", { name: /^Room .* free$/ }).first();
  await free.waitFor();
  const room = (await free.getAttribute("aria-label")).replace(/ at .*$/, "");
  await free.click();
  await page.getByLabel("Repeat", { exact: true }).selectOption("weekly");
  // The first date's weekday is always in the rule.
  await page.getByRole("group", { name: "On these days" }).getByRole("checkbox", { checked: true, disabled: true }).waitFor();
  await page.getByLabel("After a number of times").check();
  await page.getByLabel("How many times").fill("3");
  await page.getByLabel("Book none").check();
  await snap(page, "series-form");
  await axe(page, "space with a repeated booking");
  await page.getByRole("button", { name: "Book series" }).click();
  await page.waitForURL(/\/series\/[^/]+$/);

  await page.getByRole("heading", { name: `Series of ${room}` }).waitFor();
  const statuses = page.getByTestId("occurrence-status");
  await statuses.filter({ hasText: /^pending$/ }).nth(2).waitFor();
  assert.equal(await statuses.count(), 3);
  await page.getByTestId("series-summary").filter({ hasText: /^3 booked$/ }).waitFor();
  const total = (await page.getByTestId("series-total").innerText()).trim();
  assert.match(total, /\d/);
  // One payment for all three: the same total.
  await page.getByRole("heading", { name: `Pay ${total} for 3 occurrences` }).waitFor();
  await snap(page, "series-held");
  await axe(page, "series");

  // Unpaid: only the whole series is cancelled, releasing every hold.
  await page.getByRole("button", { name: "Cancel the rest of the series…" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByText("releases all 3 held occurrences").waitFor();
  await dialog.getByRole("button", { name: "Yes, cancel them" }).click();
  await statuses.filter({ hasText: /^cancelled$/ }).nth(2).waitFor();
  assert.equal(await statuses.filter({ hasText: /^cancelled$/ }).count(), 3);
  await page.getByRole("status").filter({ hasText: /^Cancelled:/ }).waitFor();
  await snap(page, "series-cancelled");

  // Each occurrence's booking says which series it is part of.
  await page.getByTestId("occurrence").first().getByRole("link").click();
  await page.waitForURL(/\/bookings\/[^/]+$/);
  await page.getByTestId("booking-status").filter({ hasText: "cancelled" }).waitFor();
  await page.getByTestId("booking-series").getByRole("link", { name: "occurrence 1 of the series" }).click();
  await page.waitForURL(/\/series\/[^/]+$/);
  await page.getByTestId("series-summary").waitFor();
  await ctx.close();
});

test("an operator limits bookings per day and a member's second booking that day is refused with the reason", async () => {
  // A seeded Berlin space of the first operator other than the one the other tests book.
  const operator = product.seed.operators[0];
  const berlin = product.seed.spaces.filter((s) => s.city === "Berlin").slice(1);
  const owners = await Promise.all(berlin.map(async (s) => (await (await fetch(`${product.api}/spaces/${s.id}`)).json()).owner_id));
  const space = berlin[owners.indexOf(operator.id)];
  assert.ok(space, "the first operator owns a second Berlin space");
  const ctx = await product.context();
  const page = await ctx.newPage();
  await signIn(page, operator.email, product.seed.password);
  await page.goto(`${product.web}/operator`);
  await page.getByRole("button", { name: `Manage ${space.name}` }).click();
  const perDay = page.getByLabel("Bookings per day");
  const save = () => Promise.all([page.waitForResponse((r) => r.request().method() === "PATCH"), page.getByRole("button", { name: "Save rules" }).click()]);
  // Out of range: the API's message at the field.
  await perDay.fill("101");
  await save();
  await page.locator(".field-error", { hasText: "between 1 and 100" }).waitFor();
  assert.equal(await perDay.getAttribute("aria-invalid"), "true");
  await perDay.fill("1");
  await save();
  await page.getByText("Saved. Bookings already made").waitFor();
  await snap(page, "operator-member-limits");
  await axe(page, "space editor with member limits");
  const spaceUrl = `${product.api}/spaces/${space.id}`;
  assert.deepEqual((await (await fetch(spaceUrl)).json()).quotas, { bookings_per_day: 1 });

  // The member books a room on a day no other test uses; a second room or a day pass that
  // day is refused, with the API's reason shown.
  const perDayRefusal = /allows each member 1 bookings? per day/i;
  const member = await product.context();
  const m = await member.newPage();
  await signIn(m, product.seed.member.email, product.seed.password);
  await m.goto(`${product.web}/spaces/${space.id}`);
  await bookFirstFreeRoom(m, 11);
  await m.goto(`${product.web}/spaces/${space.id}`);
  await showDay(m, 11, space.time_zone);
  await m.getByRole("button", { name: /^Room .* free$/ }).first().click();
  await m.getByRole("button", { name: "Book", exact: true }).click();
  await m.getByRole("alert").filter({ hasText: perDayRefusal }).waitFor();
  const stay = m.getByRole("form", { name: /^Whole days from / });
  await stay.getByRole("button", { name: "Book day pass" }).click();
  await stay.getByRole("alert").filter({ hasText: perDayRefusal }).waitFor();
  await snap(m, "quota-refused");
  await member.close();

  // An empty limit is none: the space is as seeded again.
  await perDay.fill("");
  await save();
  assert.equal((await (await fetch(spaceUrl)).json()).quotas, undefined);
  await ctx.close();
});

test("a member joins the waitlist for a room another member booked, sees it waiting in My waitlist, and leaves it", async () => {
  const space = product.seed.spaces.find((s) => s.city === "Berlin") ?? product.seed.spaces[0];
  // Two new members: neither has holds or waits from other tests.
  const [booker, waiter] = [await newMember("Booker"), await newMember("Waiter")];
  const bookerCtx = await product.context();
  const b = await bookerCtx.newPage();
  await signIn(b, booker.email, booker.password);
  await b.goto(`${product.web}/spaces/${space.id}`);
  // A day no other test uses.
  const label = await bookFirstFreeRoom(b, 16);
  await bookerCtx.close();
  const room = label.replace(/ at .*$/, "");

  const ctx = await product.context();
  const page = await ctx.newPage();
  await signIn(page, waiter.email, waiter.password);
  await page.goto(`${product.web}/spaces/${space.id}`);
  await showDay(page, 16, space.time_zone);
  // The booked time is taken: picking it offers the waitlist instead of booking.
  await page.getByRole("button", { name: label.replace(/: free$/, ": taken") }).click();
  const offer = page.getByTestId("waitlist-offer");
  await offer.getByText("This time is taken").waitFor();
  assert.equal(await page.getByRole("button", { name: "Book", exact: true }).count(), 0);
  await snap(page, "waitlist-offer");
  await axe(page, "space with a taken time picked");
  await offer.getByRole("button", { name: "Join the waitlist for this time" }).click();
  const joined = page.getByRole("status").filter({ hasText: `You are in line for ${room}` });
  await joined.waitFor();
  await snap(page, "waitlist-joined");
  await joined.getByRole("link", { name: "your waitlist" }).click();
  await page.waitForURL(/\/bookings(#waitlist)?$/);

  const section = page.getByRole("region", { name: "My waitlist" });
  const entry = section.getByTestId("waitlist-entry").filter({ hasText: room });
  await entry.getByTestId("waitlist-status").filter({ hasText: /^waiting$/ }).waitFor();
  assert.equal(await section.getByTestId("waitlist-entry").count(), 1);
  await snap(page, "my-waitlist");
  await axe(page, "my waitlist");
  await entry.getByRole("button", { name: new RegExp(`^Leave the waitlist for ${room}, `) }).click();
  await entry.getByTestId("waitlist-status").filter({ hasText: /^closed$/ }).waitFor();
  await section.getByRole("status").filter({ hasText: `You left the waitlist for ${room}` }).waitFor();
  assert.equal(await entry.getByRole("button", { name: /^Leave/ }).count(), 0);
  await snap(page, "waitlist-left");
  await ctx.close();
});

test("an admin sees plans, roles and the audit log, and an expiring session is refreshed", async () => {
  const ctx = await product.context();
  const page = await ctx.newPage();
  await signIn(page, product.seed.admin.email, product.seed.password);
  await page.goto(`${product.web}/admin`);
  await page.getByRole("heading", { name: "Audit log" }).waitFor();
  await page.locator("table tbody tr").first().waitFor();
  await snap(page, "admin");
  await axe(page, "admin");
  // A new plan whose members may start two bookings a day (empty limits are none).
  const planName = `E2E Plan ${unique()}`;
  await page.getByLabel("Plan name").fill(planName);
  await page.getByLabel("Description").fill("Made by the browser test.");
  await page.getByLabel("Monthly price").fill("10");
  await page.getByLabel("Bookings per day").fill("2");
  await page.getByRole("button", { name: "Create plan" }).click();
  await page.getByText(`Created ${planName}.`).waitFor();
  const planQuotas = async () =>
    (await (await fetch(`${product.api}/membership-plans`)).json()).items.find((p) => p.name === planName).benefits.quotas;
  assert.deepEqual(await planQuotas(), { bookings_per_day: 2 });
  // Edited: the form starts from the plan; the limits are replaced as a whole.
  await page.getByRole("button", { name: `Edit ${planName}` }).click();
  assert.equal(await page.getByLabel("Bookings per day").inputValue(), "2");
  await page.getByLabel("Bookings per day").fill("");
  await page.getByLabel("Hours per week").fill("5");
  await page.getByRole("button", { name: "Save plan" }).click();
  await page.getByText(`Saved ${planName}.`).waitFor();
  assert.deepEqual(await planQuotas(), { hours_per_week: 5 });

  // The access token is about to run out: the next call first trades the refresh token
  // for a new one, and the page works on.
  const before = await page.evaluate(() => {
    const s = JSON.parse(localStorage.getItem("cowork.session"));
    s.refreshAt = 0;
    localStorage.setItem("cowork.session", JSON.stringify(s));
    return s.accessToken;
  });
  await page.goto(`${product.web}/account`);
  await page.getByRole("heading", { name: "Profile" }).waitFor();
  const after = await page.evaluate(() => JSON.parse(localStorage.getItem("cowork.session")));
  assert.notEqual(after.accessToken, before);
  assert.ok(after.refreshAt > Date.now());

  // Signing out forgets the session.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("navigation").getByRole("link", { name: "Sign in" }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem("cowork.session")), null);
  await ctx.close();
});

test("a member downloads their data, then erases the account and can no longer sign in", async () => {
  const ctx = await product.context({ acceptDownloads: true });
  const page = await ctx.newPage();
  const email = `erase-${unique()}@example.com`;
  const password = "Erase-Passw0rd-1";
  await page.goto(`${product.web}/signup`);
  await page.getByLabel("Name").fill("Soon Gone");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByLabel("Code").fill(CODE);
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.waitForURL(/\/signin/);
  await signIn(page, email, password);
  await page.goto(`${product.web}/account`);
  // Billing details: a bad VAT id is named at its field; a good one is kept, normalised,
  // and goes out with the data.
  const billing = page.getByRole("form", { name: "Billing details" });
  await billing.getByLabel("Company").fill("Soon Gone GmbH");
  await billing.getByLabel("VAT id").fill("12");
  await billing.getByRole("button", { name: "Save billing details" }).click();
  await billing.locator(".field-error", { hasText: "VAT id" }).waitFor();
  assert.equal(await billing.getByLabel("VAT id").getAttribute("aria-invalid"), "true");
  await axe(page, "account with a refused VAT id");
  await billing.getByLabel("VAT id").fill("fr 12 345678901");
  await billing.getByRole("button", { name: "Save billing details" }).click();
  await billing.getByRole("status").filter({ hasText: /^Saved: your next invoices/ }).waitFor();
  assert.equal(await billing.getByLabel("VAT id").inputValue(), "FR12345678901");
  await snap(page, "billing-details");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download my data" }).click(),
  ]);
  const exported = JSON.parse(await readFile(await download.path(), "utf8"));
  assert.equal(exported.profile.email, email);
  assert.deepEqual(exported.profile.billing, { company: "Soon Gone GmbH", vat_id: "FR12345678901" });
  await page.getByRole("button", { name: "Erase my account…" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Erase it" }).click();
  await page.getByRole("navigation").getByRole("link", { name: "Sign in" }).waitFor();
  const res = await fetch(`${product.api}/users/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(res.status, 401);
  await ctx.close();
});

test("search and a space page work on a phone-sized screen", async () => {
  const ctx = await product.context({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  await page.goto(product.web);
  await page.getByRole("button", { name: "Search" }).click();
  const first = page.getByRole("list", { name: "Spaces found" }).getByRole("link").first();
  await first.waitFor();
  // Nothing wider than the screen: no sideways scrolling of the page.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
  await snap(page, "phone-search");
  await axe(page, "phone search");
  await first.click();
  await page.waitForURL(/\/spaces\//);
  await showDay(page, 3);
  await page.locator("table.grid").waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
  await snap(page, "phone-space");
  await ctx.close();
});

test("a space page recommends similar spaces nearby, each leading to another space", async () => {
  const ctx = await product.context();
  const page = await ctx.newPage();
  const space = product.seed.spaces.find((s) => s.city === "Berlin") ?? product.seed.spaces[0];
  await page.goto(`${product.web}/spaces/${space.id}`);
  const similar = page.getByRole("region", { name: "Similar spaces nearby" });
  const links = similar.getByRole("link");
  await links.first().waitFor();
  const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  assert.ok(hrefs.length >= 1 && hrefs.length <= 4, `${hrefs}`);
  assert.ok(!hrefs.includes(`/spaces/${space.id}`), "a space is never recommended on its own page");
  await axe(page, "space with similar spaces");
  const name = await links.first().textContent();
  await links.first().click();
  await page.waitForURL(new RegExp(hrefs[0]));
  assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), name);
  await ctx.close();
});

test("every page is served with the baseline browser protections", async () => {
  for (const path of ["/", "/signin", `/spaces/${product.seed.spaces[0].id}`]) {
    const res = await fetch(`${product.web}${path}`);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/, path);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
    assert.equal(res.headers.get("referrer-policy"), "strict-origin-when-cross-origin", path);
  }
});

test("the search page's first load ships at most 250 kB of compressed JavaScript", async () => {
  const { scripts, gzipBytes } = await firstLoadJs(product.web, "/");
  console.log(`search page first load: ${scripts} scripts, ${(gzipBytes / 1024).toFixed(1)} kB gzip`);
  assert.ok(gzipBytes > 0, "the page names its scripts");
  assert.ok(gzipBytes <= 250 * 1024, `${gzipBytes} bytes`);
});
