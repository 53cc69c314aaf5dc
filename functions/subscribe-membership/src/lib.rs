//! `POST /memberships` {plan_id, payment_method_id}: subscribes the caller to a plan.
//!
//! Stripe side first (customer with the member's payment method, the plan's monthly
//! price, the subscription), each with an idempotency key derived from the member and the
//! request, then our record, conditional on the version we read: two racing subscribe
//! calls cannot both win, and the loser cancels the subscription it created (as does a
//! failed save), so a member never holds two live subscriptions at Stripe. One membership
//! per member at a time (409 otherwise).

use app::AppError;
use app::ports::memberships::{MembershipStore, SaveMembershipError};
use app::ports::payments::{
    Payments, PlanPrice, SubscriptionFor, SubscriptionRequest, idempotency_key,
};
use app::ports::plans::PlanStore;
use app::usecase::memberships::membership_event;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::stripe::StripePayments;
use domain::membership::{Membership, MembershipStatus};
use domain::plan::PlanStatus;
use edge::api::memberships::{MembershipView, SubscribeRequest};
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json, parse_json};
use http::StatusCode;
use jiff::Timestamp;

pub struct SubscribeMembership<S, P> {
    store: S,
    payments: P,
}

pub fn build(ctx: &AppContext) -> SubscribeMembership<DynamoStore, StripePayments> {
    SubscribeMembership {
        store: DynamoStore::from_context(ctx),
        payments: StripePayments::from_context(ctx),
    }
}

impl<S: PlanStore + MembershipStore, P: Payments> HttpFunction for SubscribeMembership<S, P> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let input: SubscribeRequest = parse_json(&req)?;
        input.validate()?;
        let plan = self
            .store
            .get_plan(&input.plan_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no plan {}", input.plan_id)))?;
        if plan.status != PlanStatus::Active {
            return Err(AppError::conflict("this plan no longer takes new members"));
        }
        // One subscription request per member at a time reaches Stripe (a first invoice is
        // charged when the subscription is created: a racing duplicate would charge twice).
        let now = Timestamp::now();
        if !self
            .store
            .reserve_subscribing(&caller.user_id, now, now + SUBSCRIBE_LOCK)
            .await?
        {
            return Err(AppError::conflict(
                "a subscription request of yours is in progress",
            ));
        }
        let result = self.subscribe(&caller.user_id, &plan, &input).await;
        if let Err(e) = self.store.release_subscribing(&caller.user_id).await {
            tracing::warn!(error = %e, "subscribe lock not released (it expires by itself)");
        }
        result
    }
}

/// Longer than every Stripe call of one request together (each times out after 8 s).
const SUBSCRIBE_LOCK: jiff::SignedDuration = jiff::SignedDuration::from_mins(2);

impl<S: PlanStore + MembershipStore, P: Payments> SubscribeMembership<S, P> {
    async fn subscribe(
        &self,
        user: &str,
        plan: &domain::plan::MembershipPlan,
        input: &SubscribeRequest,
    ) -> Result<Response<Body>, AppError> {
        let previous = self.store.member_state(user).await?.membership;
        if let Some(current) = previous.as_ref().filter(|m| m.status.is_current()) {
            return Err(AppError::Conflict {
                detail: "you already have a membership; cancel it first".into(),
                conflict: Some(serde_json::json!({
                    "plan_id": current.plan_id,
                    "status": current.status,
                })),
            });
        }
        let pm = input.payment_method_id.as_str();
        let customer = match previous.as_ref() {
            Some(old) => {
                self.payments
                    .set_default_payment_method(&old.stripe_customer_id, pm)
                    .await?;
                old.stripe_customer_id.clone()
            }
            None => {
                let key = idempotency_key("customer", user, pm);
                self.payments.create_customer(user, pm, &key).await?
            }
        };
        let price_key = format!("plan-{}-v{}", plan.id, plan.version);
        let price_id = self
            .payments
            .ensure_plan_price(&PlanPrice {
                key: &price_key,
                name: &plan.name,
                amount: plan.monthly_price.amount,
                currency: &plan.monthly_price.currency,
            })
            .await?;
        let version = previous.as_ref().map_or(1, |m| m.version + 1);
        let key = idempotency_key("subscription", user, &format!("{version}|{price_id}|{pm}"));
        let sub = self
            .payments
            .create_subscription(&SubscriptionRequest {
                customer_id: &customer,
                price_id: &price_id,
                user_id: user,
                purpose: SubscriptionFor::Plan(&plan.id),
                idempotency_key: &key,
            })
            .await?;
        let now = Timestamp::now();
        let membership = Membership {
            user_id: user.to_string(),
            plan_id: plan.id.clone(),
            plan_name: plan.name.clone(),
            benefits: plan.benefits.clone(),
            stripe_customer_id: customer,
            stripe_subscription_id: sub.id.clone(),
            monthly_price: Some(plan.monthly_price.clone()),
            status: MembershipStatus::from_stripe(&sub.status),
            current_period_end: sub
                .current_period_end
                .and_then(|s| Timestamp::from_second(s).ok()),
            cancel_at_period_end: sub.cancel_at_period_end,
            stripe_event_at: now.as_second(),
            version,
            created_at: previous.as_ref().map_or(now, |m| m.created_at),
            updated_at: now,
        };
        let saved = self
            .store
            .save_membership(&membership, &membership_event(&membership, now), None, now)
            .await;
        if let Err(e) = saved {
            // Nothing of ours points to this subscription unless the stored membership
            // does (a concurrent request with the same key got the same one from Stripe):
            // otherwise it must not stay live and charge the member a second time.
            match self.store.member_state(user).await {
                Ok(state)
                    if state
                        .membership
                        .as_ref()
                        .is_none_or(|m| m.stripe_subscription_id != sub.id) =>
                {
                    if let Err(cancel) = self.payments.cancel_subscription(&sub.id).await {
                        tracing::error!(subscription = %sub.id, error = %cancel, "could not cancel an unsaved subscription");
                    }
                }
                Ok(_) => {}
                // Unknown whether it was saved: left alone (its news is synced if it was).
                Err(read) => {
                    tracing::error!(subscription = %sub.id, error = %read, "subscription possibly unsaved");
                }
            }
            return Err(match e {
                SaveMembershipError::Changed | SaveMembershipError::Duplicate => {
                    tracing::warn!(subscription = %sub.id, "membership changed while subscribing");
                    AppError::conflict("another subscription request for you finished first")
                }
                SaveMembershipError::Store(e) => e.into(),
            });
        }
        tracing::info!(plan_id = %plan.id, status = ?membership.status, "membership created");
        json(
            StatusCode::CREATED,
            &MembershipView {
                membership: &membership,
                client_secret: sub
                    .client_secret
                    .as_deref()
                    .filter(|_| membership.status == MembershipStatus::Incomplete),
            },
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/memberships",
    tag = "memberships",
    request_body(content = edge::api::memberships::SubscribeRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "subscribed", body = edge::api::memberships::MembershipView<'static>),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
