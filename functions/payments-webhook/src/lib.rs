//! `POST /payments/webhook`: Stripe's asynchronous payment news.
//!
//! No JWT here (Stripe calls it): the `Stripe-Signature` header is the authentication.
//! A missing, forged or stale signature gets 400 and changes nothing. Each event is
//! processed once (its id is remembered in the same transaction as its effect); events
//! we do not know, or about bookings we do not have, are acknowledged with 200 so Stripe
//! does not retry them for days. A transient failure (store or Stripe unavailable) is a
//! 5xx, so Stripe retries later.

use app::AppError;
use app::ports::bookings::BookingStore;
use app::ports::memberships::MembershipStore;
use app::ports::payments::{Payments, Subscription, SubscriptionObject};
use app::ports::rentals::RentalStore;
use app::ports::series::SeriesStore;
use app::ports::spaces::SpaceStore;
use app::usecase::create_booking::BookingDesk;
use app::usecase::membership_invoices::{PlatformSeller, membership_invoice_paid};
use app::usecase::memberships::sync_subscription;
use app::usecase::payments;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::stripe::StripePayments;
use aws::stripe::event::{EventKind, StripeEvent};
use aws::stripe::signature::{self, SignatureError};
use aws::telemetry::{context, emf};
use domain::invoice::Party;
use domain::lifecycle::Outcome;
use edge::http::{Body, HttpFunction, Request, Response, json};
use http::StatusCode;
use jiff::Timestamp;
use serde::Serialize;

pub struct PaymentsWebhook<S, P> {
    /// The booking desk: a rental's paid invoice holds its next month like a booking.
    desk: BookingDesk<S, P>,
    secret: String,
    /// Who sells memberships on their invoices.
    seller: PlatformSeller,
}

fn platform_seller(config: &aws::config::Config) -> PlatformSeller {
    PlatformSeller {
        party: Party {
            name: config.platform_name.clone(),
            address: None,
            vat_id: config.platform_vat_id.clone(),
        },
        country: config.platform_country.clone(),
    }
}

pub fn build(ctx: &AppContext) -> PaymentsWebhook<DynamoStore, StripePayments> {
    let secret = ctx.config().stripe_webhook_secret.clone().expect(
        "the Stripe secret (STRIPE_SECRET_NAME) must hold webhook_secret for the webhook function",
    );
    PaymentsWebhook {
        desk: aws::desk::booking_desk(ctx),
        secret,
        seller: platform_seller(ctx.config()),
    }
}

impl<S: SpaceStore + BookingStore + MembershipStore, P: Payments> PaymentsWebhook<S, P> {
    pub fn new(store: S, payments: P, secret: String, seller: PlatformSeller) -> Self {
        Self {
            desk: BookingDesk::new(store, payments),
            secret,
            seller,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct Ack<'a> {
    received: bool,
    event_id: &'a str,
    outcome: String,
}

fn bad_signature(e: SignatureError) -> AppError {
    AppError::field("Stripe-Signature", "signature", e.to_string())
}

impl<S: Stores, P: Payments> HttpFunction for PaymentsWebhook<S, P> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let payload: &[u8] = req.body().as_ref();
        let header = req
            .headers()
            .get("stripe-signature")
            .and_then(|v| v.to_str().ok());
        let now = Timestamp::now();
        signature::verify(header, payload, &self.secret, now.as_second()).map_err(|e| {
            emf::count(emf::names::WEBHOOK_SIGNATURE_FAILURES);
            bad_signature(e)
        })?;
        let event = StripeEvent::parse(payload).map_err(|e| {
            tracing::error!(error = %e, "signed Stripe event we cannot read");
            AppError::field(
                "body",
                "format",
                "not a Stripe event this endpoint can read",
            )
        })?;
        // A payment's or refund's news continues its booking's flow (our metadata names it).
        let booking = match &event.kind {
            EventKind::PaymentSucceeded(pi) | EventKind::PaymentFailed(pi) => {
                pi.metadata.get("booking_id")
            }
            EventKind::Refund(refund) => refund.metadata.get("booking_id"),
            _ => None,
        };
        if let Some(id) = booking {
            context::adopt(id);
        }
        self.apply(&event, now).await
    }
}

impl<S: Stores, P: Payments> PaymentsWebhook<S, P> {
    async fn apply(&self, event: &StripeEvent, now: Timestamp) -> Result<Response<Body>, AppError> {
        let outcome = match &event.kind {
            EventKind::PaymentSucceeded(pi) => {
                payments::payment_succeeded(
                    &self.desk.store,
                    &self.desk.payments,
                    &event.id,
                    pi,
                    now,
                )
                .await?
            }
            EventKind::PaymentFailed(pi) => {
                payments::payment_failed(&self.desk.store, &self.desk.payments, &event.id, pi, now)
                    .await?
            }
            EventKind::Refund(refund) => {
                payments::refund_updated(
                    &self.desk.store,
                    &self.desk.payments,
                    &event.id,
                    refund,
                    now,
                )
                .await?
            }
            EventKind::Subscription(sub) if sub.metadata.contains_key("rental_id") => {
                let state = subscription_state(sub);
                self.desk
                    .rent_subscription_changed(&event.id, &state, now)
                    .await?
            }
            EventKind::Subscription(sub) => {
                let state = subscription_state(sub);
                sync_subscription(
                    &self.desk.store,
                    &self.desk.payments,
                    &event.id,
                    event.created,
                    &state,
                    now,
                )
                .await?
            }
            // An invoice says little about the subscription: ask Stripe for its state now.
            EventKind::InvoicePaid(invoice) | EventKind::InvoicePaymentFailed(invoice) => {
                match &invoice.subscription {
                    Some(id) => {
                        let state = self.desk.payments.get_subscription(id).await?;
                        if state.rental_id.is_some() {
                            if let EventKind::InvoicePaid(invoice) = &event.kind {
                                self.desk
                                    .rent_invoice_paid(&event.id, invoice, &state, now)
                                    .await?
                            } else {
                                // Stripe retries the renewal; the month stays held
                                // until it gives up (`customer.subscription.*`).
                                Outcome::Ignored("rent renewal failed; Stripe retries")
                            }
                        } else {
                            let synced = sync_subscription(
                                &self.desk.store,
                                &self.desk.payments,
                                &event.id,
                                event.created,
                                &state,
                                now,
                            )
                            .await?;
                            match (&event.kind, state.user_id.as_deref()) {
                                // The platform's invoice for the charge (once per Stripe
                                // invoice, whichever of its events comes first).
                                (EventKind::InvoicePaid(invoice), Some(user)) => {
                                    let invoiced = membership_invoice_paid(
                                        &self.desk.store,
                                        &self.seller,
                                        &format!("{}#invoice", event.id),
                                        invoice,
                                        user,
                                        now,
                                    )
                                    .await?;
                                    if invoiced == Outcome::Recorded {
                                        invoiced
                                    } else {
                                        synced
                                    }
                                }
                                _ => synced,
                            }
                        }
                    }
                    None => Outcome::Ignored("invoice without a subscription"),
                }
            }
            EventKind::Other => Outcome::Ignored("event type not handled"),
        };
        // Ids and the outcome only: no amounts, no customer data.
        tracing::info!(event_id = %event.id, event_type = %event.event_type, outcome = ?outcome, "stripe event");
        json(
            StatusCode::OK,
            &Ack {
                received: true,
                event_id: &event.id,
                outcome: format!("{outcome:?}"),
            },
        )
    }
}

/// Stripe's subscription object in our terms.
fn subscription_state(sub: &SubscriptionObject) -> Subscription {
    Subscription {
        id: sub.id.clone(),
        status: sub.status.clone(),
        current_period_end: sub.current_period_end,
        cancel_at_period_end: sub.cancel_at_period_end,
        client_secret: None,
        user_id: sub.metadata.get("user_id").cloned(),
        rental_id: sub.metadata.get("rental_id").cloned(),
    }
}

/// What the webhook reads and writes.
pub trait Stores: SpaceStore + BookingStore + MembershipStore + SeriesStore + RentalStore {}
impl<T: SpaceStore + BookingStore + MembershipStore + SeriesStore + RentalStore> Stores for T {}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/payments/webhook",
    tag = "payments",
    request_body(content = serde_json::Value, content_type = "application/json"),
    params(
        ("Stripe-Signature" = String, Header),
    ),
    responses(
        (status = 200, description = "processed, duplicate or ignored", body = Ack<'static>),
        edge::openapi::Problems,
    ),
)]
pub fn route() {}
