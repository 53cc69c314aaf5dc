//! Key shapes of the single table (template.yaml `AppTable`). Every PK/SK string is built
//! here and nowhere else.
//!
//! | entity       | PK               | SK            | GSI1PK           | GSI1SK           |
//! |--------------|------------------|---------------|------------------|------------------|
//! | User         | `USER#<id>`      | `PROFILE`     |                  |                  |
//! | Space        | `SPACE#<id>`     | `PROFILE`     | `OWNER#<owner>`  | `SPACE#<id>`     |
//! | BookableItem | `SPACE#<space>`  | `ITEM#<id>`   |                  |                  |
//! | ItemIdentifier (uniqueness guard) | `SPACE#<space>` | `ITEMID#<lower(identifier)>` | | |
//! | MembershipPlan | `PLANS`        | `PLAN#<id>`   |                  |                  |
//!
//! | Booking      | `BOOKING#<id>`   | `BOOKING`     | `USERBOOKINGS#<user>` | `<start>#<id>` |
//! | Slot claim (block of the UTC lattice: 15-min cell, hour or day) | `SLOTS#<space>#w<week of block start>` | `<block start>#<item>[#H|#D]` |  |            |
//! | Upcoming-booking marker | `UPCOMING#<space>` | `<item>#<booking>` |      |                  |
//! | Idempotency  | `IDEMP#<user>#<key>` | `IDEMP`   |                  |                  |
//! | Outbox event | `EVENT#<id>`     | `EVENT`       |                  |                  |
//! | Payment      | `BOOKING#<id>`   | `PAYMENT`     |                  |                  |
//! |              | (GSI2: `INTENT#<payment intent>` / `BOOKING#<id>`: a refund made in Stripe's dashboard finds its booking) | | | |
//! | Membership   | `USER#<id>`      | `MEMBERSHIP`  |                  |                  |
//! | Subscribe lock | `USER#<id>`    | `SUBSCRIBING` |                  |                  |
//! | Notification | `USER#<id>`      | `NOTIF#<event id>` |             |                  |
//! | Day counters | `STATS#<space>`  | `D#<date>[#I#<item>]` |          |                  |
//! | Due action   | `DUE#<UTC hour>` | `<at>#<expire|remind|refund>#<booking>` | |                  |
//! | Counted-event marker | `COUNTED#<event id>` | `COUNTED` |          |                  |
//! | Delivery marker | `DELIVERY#<event id>#<channel>` | `DELIVERY` |     |                  |
//! | Search row   | `GEO#r<res>#<cell>` or `CITY#<city>` | `SPACE#<id>` |  |                  |
//! | Rating aggregate | `SPACE#<id>` | `RATING`      |                  |                  |
//! | Review       | `REVIEWS#<space>` | `R#<created>#<id>` |             |                  |
//! | Reviewed-booking guard | `REVIEWS#<space>` | `B#<booking>` |         |                  |
//! | Included-hours usage | `USER#<id>` | `USAGE#<YYYY-MM>` |            |                  |
//! | Quota counter | `USER#<id>` | `QUOTA#<S#space|P#plan>#<quota>#<week or day>` |  |                  |
//! | Stripe event seen | `STRIPEEVENT#<id>` | `STRIPEEVENT` |          |                  |
//! | Rental (open-ended, billed monthly) | `RENTAL#<id>` | `RENTAL` |    |                  |
//! | Invoice or credit note | `DOC#<issuer>.<INV|CN>.<n>` | `DOC` | `BUYERDOCS#<user>` | `<issued>#<id>` |
//! |              | (GSI2: `SPACEDOCS#<space>` / `<issued>#<id>`: a space's documents for its operator) | | | |
//! | Document sequence (last number issued) | `ISSUER#<issuer>` | `SEQ#<INV|CN>` | |                  |
//! | Document issued for a Stripe invoice (once) | `ISSUEDFOR#<Stripe invoice>` | `DOC` | |  |
//! | Promo code   | `PROMO#<CODE>`   | `PROMO`       | `PROMOOWNER#<creator>` | `<created>#<CODE>` |
//! |              | (GSI2: `PROMOS` / `<created>#<CODE>`: every code, for admins) | | | |
//! | A member's redemptions of a code | `USER#<id>` | `PROMOUSE#<CODE>` | |             |
//!
//! Items are also in GSI1 as `ITEM#<item>` -> `SPACE#<space>` (find an item's space).
//! GSI2 (`GSI2PK`/`GSI2SK`) lists a space's bookings by end time: `SPACEBOOKINGS#<space>`,
//! `<end>#<item>#<id>`. Instants in keys are fixed-width UTC seconds (`instant::sortable`).

pub const PROFILE: &str = "PROFILE";

pub fn user(id: &str) -> String {
    format!("USER#{id}")
}

/// A space's profile and its items share one partition: one Query reads both.
pub fn space(id: &str) -> String {
    format!("SPACE#{id}")
}

pub fn item(id: &str) -> String {
    format!("ITEM#{id}")
}

/// GSI1: an operator's spaces.
pub fn owner(id: &str) -> String {
    format!("OWNER#{id}")
}

/// Uniqueness guard of an item identifier within its space (case-insensitive).
pub fn item_identifier(identifier: &str) -> String {
    format!("ITEMID#{}", identifier.trim().to_lowercase())
}

/// All plans share one small partition: listing them is one query.
pub const PLANS: &str = "PLANS";

pub fn plan(id: &str) -> String {
    format!("PLAN#{id}")
}

/// GSI2: a space's bookings by end time (is anything still to come?).
pub fn space_bookings(space_id: &str) -> String {
    format!("SPACEBOOKINGS#{space_id}")
}

pub const BOOKING: &str = "BOOKING";

pub fn booking(id: &str) -> String {
    format!("BOOKING#{id}")
}

/// GSI1: a user's bookings by start time.
pub fn user_bookings(user_id: &str) -> String {
    format!("USERBOOKINGS#{user_id}")
}

/// GSI1 entry of an item, to find its space from its id alone.
pub fn item_lookup(item_id: &str) -> String {
    format!("ITEM#{item_id}")
}

const WEEK_SECONDS: i64 = 7 * 86_400;

/// Slot claims of a space live in one partition per week (UTC, from the Unix epoch), so
/// any availability range reads a handful of partitions, and the sort key orders them by
/// time across items.
pub fn slot_partition(space_id: &str, start: jiff::Timestamp) -> String {
    format!(
        "SLOTS#{space_id}#w{}",
        start.as_second().div_euclid(WEEK_SECONDS)
    )
}

/// The slot partitions covering `[from, to)`.
pub fn slot_partitions(space_id: &str, from: jiff::Timestamp, to: jiff::Timestamp) -> Vec<String> {
    let first = from.as_second().div_euclid(WEEK_SECONDS);
    let last = (to.as_second() - 1).div_euclid(WEEK_SECONDS);
    (first..=last)
        .map(|w| format!("SLOTS#{space_id}#w{w}"))
        .collect()
}

/// A space's live bookings, one row each, read consistently before an item or the space is
/// deleted (the GSI2 listing is only eventually consistent).
pub fn upcoming(space_id: &str) -> String {
    format!("UPCOMING#{space_id}")
}

pub fn upcoming_entry(item_id: &str, booking_id: &str) -> String {
    format!("{item_id}#{booking_id}")
}

/// GSI2 of a payment record: its booking from the PaymentIntent id.
pub fn intent(payment_intent_id: &str) -> String {
    format!("INTENT#{payment_intent_id}")
}

/// One block of an item's lattice (`domain::claims`). A cell keeps the shape it had
/// before hours and days were added, so claims stored then are still found.
pub fn slot(block: domain::claims::Block, item_id: &str) -> String {
    use domain::claims::Level;
    let start = domain::instant::sortable(block.start);
    match block.level {
        Level::Cell => format!("{start}#{item_id}"),
        Level::Hour => format!("{start}#{item_id}#H"),
        Level::Day => format!("{start}#{item_id}#D"),
    }
}

/// A booking request's idempotency record, in its member's partition (`USER#<id>`), so
/// erasing the member erases it.
pub fn idempotency(key: &str) -> String {
    format!("IDEMP#{key}")
}

/// GSI1: the outbox events about a user (erasure deletes them).
pub fn user_events(user_id: &str) -> String {
    format!("USEREVENTS#{user_id}")
}

/// GSI1 (as actor) and GSI2 (as target): the audit entries about a user (erasure
/// pseudonymises them).
pub fn user_audit(user_id: &str) -> String {
    format!("USERAUDIT#{user_id}")
}

pub fn event(id: &str) -> String {
    format!("EVENT#{id}")
}

/// Search rows: a space under each of its H3 cells (one per search resolution)...
pub fn geo(resolution: u8, cell: &str) -> String {
    format!("GEO#r{resolution}#{cell}")
}

/// ...and under its city name (case-insensitive; a country filter tells namesakes apart).
pub fn city(city: &str) -> String {
    format!("CITY#{}", city.trim().to_lowercase())
}

/// A space's reviews, newest first by sort key (`R#<created>#<id>`), beside one guard per
/// reviewed booking (`B#<booking>`).
pub fn reviews(space_id: &str) -> String {
    format!("REVIEWS#{space_id}")
}

pub fn review(created: &str, id: &str) -> String {
    format!("R#{created}#{id}")
}

pub fn reviewed_booking(booking_id: &str) -> String {
    format!("B#{booking_id}")
}

/// GSI1: the reviews a user wrote.
pub fn user_reviews(user_id: &str) -> String {
    format!("USERREVIEWS#{user_id}")
}

/// A space's rating aggregate, in the space partition.
pub const RATING: &str = "RATING";

/// A member's in-app notification (newest first: event ids are time-ordered UUID v7).
pub fn notification(event_id: &str) -> String {
    format!("NOTIF#{event_id}")
}

/// "Event `id` was sent on `channel`" (email, sms): makes each send happen once.
pub fn delivery(event_id: &str, channel: &str) -> String {
    format!("DELIVERY#{event_id}#{channel}")
}

/// A space's per-day counters: `D#<date>` (space) and `D#<date>#I#<item>` (item).
pub fn stats(space_id: &str) -> String {
    format!("STATS#{space_id}")
}

/// "Analytics applied event `id`" (consumer deduplication).
pub fn counted(event_id: &str) -> String {
    format!("COUNTED#{event_id}")
}

/// Timed actions due in an hour (UTC): `DUE#<YYYY-MM-DDTHH>` / `<at>#<kind>#<booking>`.
pub fn due_bucket(at: jiff::Timestamp) -> String {
    format!("DUE#{}", at.strftime("%Y-%m-%dT%H"))
}

pub fn due(at: jiff::Timestamp, kind: &str, booking_id: &str) -> String {
    format!("{}#{kind}#{booking_id}", domain::instant::sortable(at))
}

/// How many unpaid holds a member has (`active`), beside the profile (`USER#<id>`).
pub const HOLDS: &str = "HOLDS";

/// A member's subscribe lock, beside the profile (`USER#<id>`): one request at a time.
pub const SUBSCRIBING: &str = "SUBSCRIBING";

/// A member's subscription, beside the profile (`USER#<id>`).
pub const MEMBERSHIP: &str = "MEMBERSHIP";

/// Included minutes a member used in a month (`YYYY-MM`), beside the profile.
pub fn usage(month: &str) -> String {
    format!("USAGE#{month}")
}

/// A member's quota counter (`domain::quota::QuotaUse::counter`), in their partition.
pub fn quota(counter: &str) -> String {
    format!("QUOTA#{counter}")
}

/// A booking's payment record, in the booking's partition.
pub const PAYMENT: &str = "PAYMENT";

/// A processed Stripe event (webhook deduplication).
pub fn stripe_event(id: &str) -> String {
    format!("STRIPEEVENT#{id}")
}

/// A live (WebSocket) connection: `LIVECONN#<id>` / `CONN`, with the set of spaces it follows.
pub fn live_connection(connection_id: &str) -> String {
    format!("LIVECONN#{connection_id}")
}

pub const CONN: &str = "CONN";

/// The followers of a space: `LIVE#<space>` / `C#<connection>`.
pub fn live_space(space_id: &str) -> String {
    format!("LIVE#{space_id}")
}

pub fn follower(connection_id: &str) -> String {
    format!("C#{connection_id}")
}

/// A month of the audit log: `AUDIT#<YYYY-MM>` / `<at>#<id>`.
pub fn audit(month: &str) -> String {
    format!("AUDIT#{month}")
}

pub fn audit_entry(at: jiff::Timestamp, id: &str) -> String {
    format!("{}#{id}", domain::instant::sortable(at))
}

/// The pending phone verification code of a user (`USER#<id>` partition).
pub const PHONE_CODE: &str = "PHONECODE";

/// The SMS a user was sent on a UTC day (`YYYY-MM-DD`), beside the profile.
pub fn sms_day(day: &str) -> String {
    format!("SMS#{day}")
}

/// A member's calendar feed (`USER#<id>` partition, erased with it); found by its key
/// through GSI1 (`CALFEED#<sha256 of the URL's token>`).
pub const CALENDAR_FEED: &str = "CALFEED";

pub fn calendar_feed(key: &str) -> String {
    format!("CALFEED#{key}")
}

/// The scheduler's watermark: when its last finished run started.
pub const SCHEDULER: &str = "SCHEDULER";
pub const SCHEDULER_LAST_RUN: &str = "LASTRUN";

/// A recurring series (`domain::series::Series`): its own partition, one item.
pub fn series(id: &str) -> String {
    format!("SERIES#{id}")
}

pub const SERIES: &str = "SERIES";

/// An open-ended rental (`domain::rental::Rental`): its own partition, one item.
pub fn rental(id: &str) -> String {
    format!("RENTAL#{id}")
}

pub const RENTAL: &str = "RENTAL";

/// An item's waitlist: its entries sorted by when they joined.
pub fn waitlist(item_id: &str) -> String {
    format!("WAITLIST#{item_id}")
}

/// A waitlist entry's place in its line (and in its member's GSI1 list).
pub fn waitlist_entry(joined_at: jiff::Timestamp, id: &str) -> String {
    format!("{}#{id}", domain::instant::sortable(joined_at))
}

/// GSI1 of a member's waitlist entries.
pub fn waiter(user_id: &str) -> String {
    format!("WAITER#{user_id}")
}

/// An invoice or credit note, by `Document::id`.
pub fn document(id: &str) -> String {
    format!("DOC#{id}")
}

pub const DOCUMENT: &str = "DOC";

/// GSI1 of a member's invoices and credit notes.
pub fn buyer_documents(user_id: &str) -> String {
    format!("BUYERDOCS#{user_id}")
}

/// GSI2 of a space's invoices and credit notes.
pub fn space_documents(space_id: &str) -> String {
    format!("SPACEDOCS#{space_id}")
}

/// A document's place in its lists: newest last in key order.
pub fn document_entry(issued_at: jiff::Timestamp, id: &str) -> String {
    format!("{}#{id}", domain::instant::sortable(issued_at))
}

/// An issuer's sequences of documents (one item per kind).
pub fn issuer(issuer: &str) -> String {
    format!("ISSUER#{issuer}")
}

pub fn sequence(kind: domain::invoice::DocumentKind) -> String {
    format!("SEQ#{}", kind.prefix())
}

/// A promo code (its normalised code is its key).
pub fn promo(code: &str) -> String {
    format!("PROMO#{code}")
}

pub const PROMO: &str = "PROMO";

/// GSI1 of the codes one admin or operator created.
pub fn promo_owner(user_id: &str) -> String {
    format!("PROMOOWNER#{user_id}")
}

/// GSI2 of every code.
pub const ALL_PROMOS: &str = "PROMOS";

pub fn promo_entry(created_at: jiff::Timestamp, code: &str) -> String {
    format!("{}#{code}", domain::instant::sortable(created_at))
}

/// A member's count of bookings that redeemed `code`.
pub fn promo_use(code: &str) -> String {
    format!("PROMOUSE#{code}")
}

/// Marks the Stripe invoice a document was issued for (a membership's charge): once.
pub fn issued_for(stripe_invoice: &str) -> String {
    format!("ISSUEDFOR#{stripe_invoice}")
}
