//! Calendar feeds: a member makes (or replaces) a private iCalendar URL of their bookings,
//! revokes it, and calendar apps read it without signing in (the URL is the secret).

use std::collections::HashMap;

use jiff::Timestamp;

use crate::AppError;
use crate::ports::bookings::{BookingQuery, BookingStore, BookingsOf, When};
use crate::ports::calendar::{CalendarFeeds, FeedRecord};
use crate::ports::spaces::SpaceStore;
use domain::booking::BookingStatus;
use domain::calendar::{self, CalendarEntry};

/// How many upcoming bookings a feed lists (pages of the member's list).
pub const FEED_LIMIT: usize = 200;
const PAGE: usize = 50;

/// A new feed for the member: the token to put in the URL (shown once; only its hash is
/// kept) and what was stored. The previous feed, if any, stops working.
pub async fn new_feed<S: CalendarFeeds>(
    store: &S,
    user_id: &str,
    now: Timestamp,
) -> Result<(String, FeedRecord), AppError> {
    let token = calendar::new_feed_token();
    let record = FeedRecord {
        key: calendar::feed_key(&token),
        created_at: now,
    };
    store.set_feed(user_id, &record).await?;
    Ok((token, record))
}

/// The feed's document, or None when no member has this token (never made, replaced,
/// revoked, or the member erased).
pub async fn feed_document<S: CalendarFeeds + BookingStore + SpaceStore>(
    store: &S,
    token: &str,
    now: Timestamp,
) -> Result<Option<String>, AppError> {
    if !calendar::is_feed_token(token) {
        return Ok(None);
    }
    let Some(user_id) = store.feed_owner(&calendar::feed_key(token)).await? else {
        return Ok(None);
    };
    let mut bookings = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store
            .list_bookings(&BookingQuery {
                of: BookingsOf::User(&user_id),
                when: When::Upcoming,
                status: None,
                cursor: cursor.as_deref(),
                limit: PAGE,
                now,
            })
            .await?;
        bookings.extend(page.items);
        cursor = page.next_cursor;
        if cursor.is_none() || bookings.len() >= FEED_LIMIT {
            break;
        }
    }
    // Held (while the hold lasts) and confirmed. A cancelled booking is left out: a
    // subscribed calendar drops an event that is no longer in the feed, whereas some
    // ignore STATUS:CANCELLED and would keep showing it.
    bookings.retain(|b| match b.status {
        BookingStatus::Pending => b.hold_expires_at.is_some_and(|t| t > now),
        BookingStatus::Confirmed => true,
        _ => false,
    });
    bookings.truncate(FEED_LIMIT);
    let mut places: HashMap<String, (String, Option<String>)> = HashMap::new();
    let mut entries: Vec<CalendarEntry> = Vec::with_capacity(bookings.len());
    for b in &bookings {
        if !places.contains_key(&b.space_id) {
            let place = match store.get_space(&b.space_id).await? {
                Some((space, _)) => (space.name, Some(space.address.one_line())),
                None => ("a coworking space".to_string(), None),
            };
            places.insert(b.space_id.clone(), place);
        }
        let (name, address) = &places[&b.space_id];
        entries.push(calendar::entry_for(b, name, address.clone()));
    }
    Ok(Some(calendar::document(
        "Coworking bookings",
        &entries,
        now,
    )))
}
