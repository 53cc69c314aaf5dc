//! Crate name (template.yaml `CodeUri: functions/<crate>`) -> the handler its Lambda runs.
//! Adding an HTTP function means one line here; a test fails until it is added.

use std::collections::HashMap;

use shared::AppContext;
use shared::http::{BoxedHandler, boxed};
use shared::runtime::{BoxedEventFunction, boxed_event};

pub fn handlers(ctx: &AppContext) -> HashMap<&'static str, BoxedHandler> {
    HashMap::from([
        ("get-health", boxed(get_health::build(ctx))),
        ("register-user", boxed(register_user::build(ctx))),
        ("login-user", boxed(login_user::build(ctx))),
        ("get-me", boxed(get_me::build(ctx))),
        ("update-me", boxed(update_me::build(ctx))),
        ("grant-role", boxed(grant_role::build(ctx))),
        ("revoke-role", boxed(revoke_role::build(ctx))),
        ("create-space", boxed(create_space::build(ctx))),
        ("get-space", boxed(get_space::build(ctx))),
        ("update-space", boxed(update_space::build(ctx))),
        ("delete-space", boxed(delete_space::build(ctx))),
        ("create-item", boxed(create_item::build(ctx))),
        ("get-item", boxed(get_item::build(ctx))),
        ("update-item", boxed(update_item::build(ctx))),
        ("delete-item", boxed(delete_item::build(ctx))),
        ("create-plan", boxed(create_plan::build(ctx))),
        ("list-plans", boxed(list_plans::build(ctx))),
        ("get-plan", boxed(get_plan::build(ctx))),
        ("update-plan", boxed(update_plan::build(ctx))),
        ("delete-plan", boxed(delete_plan::build(ctx))),
        ("create-booking", boxed(create_booking::build(ctx))),
        ("get-booking", boxed(get_booking::build(ctx))),
        ("cancel-booking", boxed(cancel_booking::build(ctx))),
        ("payments-webhook", boxed(payments_webhook::build(ctx))),
        ("get-space-report", boxed(get_space_report::build(ctx))),
        ("list-notifications", boxed(list_notifications::build(ctx))),
        (
            "mark-notification-read",
            boxed(mark_notification_read::build(ctx)),
        ),
        ("search-spaces", boxed(search_spaces::build(ctx))),
        ("post-review", boxed(post_review::build(ctx))),
        ("list-reviews", boxed(list_reviews::build(ctx))),
        (
            "subscribe-membership",
            boxed(subscribe_membership::build(ctx)),
        ),
        ("get-membership", boxed(get_membership::build(ctx))),
        ("cancel-membership", boxed(cancel_membership::build(ctx))),
        ("list-user-bookings", boxed(list_user_bookings::build(ctx))),
        ("get-availability", boxed(get_availability::build(ctx))),
        ("list-audit", boxed(list_audit::build(ctx))),
        ("get-openapi", boxed(get_openapi::build(ctx))),
        ("export-me", boxed(export_me::build(ctx))),
        ("erase-me", boxed(erase_me::build(ctx))),
    ])
}

/// Crate name -> the handler of each event-driven function (stream, queue, schedule,
/// WebSocket route), called by the event pump or the `/live` socket the way Lambda's event source mappings call it on AWS.
pub fn event_handlers(ctx: &AppContext) -> HashMap<&'static str, BoxedEventFunction> {
    HashMap::from([
        ("outbox-relay", boxed_event(outbox_relay::build(ctx))),
        (
            "booking-scheduler",
            boxed_event(booking_scheduler::build(ctx)),
        ),
        (
            "notifications-worker",
            boxed_event(notifications_worker::build(ctx)),
        ),
        (
            "analytics-worker",
            boxed_event(analytics_worker::build(ctx)),
        ),
        ("realtime-worker", boxed_event(realtime_worker::build(ctx))),
        // The WebSocket API's routes (called by the gateway's /live socket).
        ("live-connect", boxed_event(live_connect::build(ctx))),
        ("live-disconnect", boxed_event(live_disconnect::build(ctx))),
        (
            "live-subscriptions",
            boxed_event(live_subscriptions::build(ctx)),
        ),
    ])
}
