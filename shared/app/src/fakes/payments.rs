//! A model of Stripe for unit tests: intents, refunds and subscriptions, with Stripe's
//! idempotency (the same key answers the first response again, even after the object
//! changed) and injectable outages. localstripe, the integration stand-in, has no
//! idempotency at all; this is where that behaviour is exercised.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::ports::payments::*;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeIntent {
    pub amount: i64,
    pub currency: String,
    pub booking_id: String,
    /// `requires_payment_method`, `succeeded`, `canceled`.
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeRefund {
    pub id: String,
    pub intent: String,
    pub amount: i64,
    pub key: String,
    /// Our metadata: the booking it refunds (an occurrence of a series shares the intent).
    pub booking_id: String,
}

#[derive(Default)]
pub struct StripeState {
    pub intents: HashMap<String, FakeIntent>,
    pub refunds: Vec<FakeRefund>,
    /// Subscription id -> (user, status).
    pub subscriptions: HashMap<String, (String, String)>,
    /// Subscriptions set to cancel at their period's end.
    pub cancelling: std::collections::HashSet<String>,
    /// Idempotency key -> the first answer.
    replies: HashMap<String, Reply>,
    next_id: u64,
}

#[derive(Clone)]
enum Reply {
    Intent(Intent),
    Refund(Refund),
    Subscription(Subscription),
}

/// Clones share one Stripe.
#[derive(Clone, Default)]
pub struct FakeStripe {
    pub state: Arc<Mutex<StripeState>>,
    /// The next this many refund calls fail as if Stripe were unreachable.
    pub refund_outages: Arc<AtomicUsize>,
    /// The next this many refunds are made, but their answer is lost on the way back.
    pub lost_refund_replies: Arc<AtomicUsize>,
    /// The next this many intent cancellations fail as if Stripe were unreachable.
    pub cancel_outages: Arc<AtomicUsize>,
    pub calls: Arc<Mutex<Vec<String>>>,
}

impl FakeStripe {
    fn record(&self, call: &str) {
        self.calls.lock().unwrap().push(call.to_string());
    }

    /// The member pays the intent (as Stripe.js would); false if it cannot be paid.
    pub fn pay(&self, intent_id: &str) -> bool {
        let mut s = self.state.lock().unwrap();
        match s.intents.get_mut(intent_id) {
            Some(i) if i.status == "requires_payment_method" => {
                i.status = "succeeded".into();
                true
            }
            _ => false,
        }
    }

    pub fn intent(&self, id: &str) -> Option<FakeIntent> {
        self.state.lock().unwrap().intents.get(id).cloned()
    }

    /// Refunds of an intent at Stripe (id, amount, our key).
    pub fn refunds(&self, intent_id: &str) -> Vec<FakeRefund> {
        let s = self.state.lock().unwrap();
        s.refunds
            .iter()
            .filter(|r| r.intent == intent_id)
            .cloned()
            .collect()
    }

    pub fn refunded(&self, intent_id: &str) -> i64 {
        let s = self.state.lock().unwrap();
        s.refunds
            .iter()
            .filter(|r| r.intent == intent_id)
            .map(|r| r.amount)
            .sum()
    }

    pub fn live_subscriptions(&self, user_id: &str) -> usize {
        let s = self.state.lock().unwrap();
        s.subscriptions
            .values()
            .filter(|(u, status)| u == user_id && status != "canceled")
            .count()
    }

    fn id(s: &mut StripeState, prefix: &str) -> String {
        s.next_id += 1;
        format!("{prefix}_{}", s.next_id)
    }
}

fn subscription(id: &str, user: &str, status: &str) -> Subscription {
    Subscription {
        id: id.to_string(),
        status: status.to_string(),
        current_period_end: Some(jiff::Timestamp::now().as_second() + 30 * 86_400),
        cancel_at_period_end: false,
        client_secret: None,
        user_id: Some(user.to_string()),
        rental_id: None,
    }
}

impl Payments for FakeStripe {
    async fn create_intent(&self, req: &IntentRequest<'_>) -> Result<Intent, PaymentError> {
        self.record("create_intent");
        let mut s = self.state.lock().unwrap();
        if let Some(Reply::Intent(first)) = s.replies.get(req.idempotency_key) {
            return Ok(first.clone());
        }
        let id = Self::id(&mut s, "pi");
        s.intents.insert(
            id.clone(),
            FakeIntent {
                amount: req.amount,
                currency: req.currency.to_lowercase(),
                booking_id: req.booking_id.to_string(),
                status: "requires_payment_method".into(),
            },
        );
        let intent = Intent {
            client_secret: format!("{id}_secret"),
            id,
        };
        s.replies.insert(
            req.idempotency_key.to_string(),
            Reply::Intent(intent.clone()),
        );
        Ok(intent)
    }

    async fn set_intent_amount(&self, intent_id: &str, amount: i64) -> Result<(), PaymentError> {
        self.record("set_intent_amount");
        let mut s = self.state.lock().unwrap();
        match s.intents.get_mut(intent_id) {
            Some(i) if i.status == "requires_payment_method" && amount > 0 => {
                i.amount = amount;
                Ok(())
            }
            Some(_) => Err(PaymentError::Rejected(
                "payment_intent_unexpected_state".into(),
            )),
            None => Err(PaymentError::Rejected("resource_missing".into())),
        }
    }

    async fn cancel_intent(&self, intent_id: &str) -> Result<(), PaymentError> {
        self.record("cancel_intent");
        if self
            .cancel_outages
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(PaymentError::Unavailable("injected outage".into()));
        }
        let mut s = self.state.lock().unwrap();
        match s.intents.get_mut(intent_id) {
            Some(i) if i.status == "succeeded" => Err(PaymentError::Rejected(
                "payment_intent_unexpected_state".into(),
            )),
            Some(i) => {
                i.status = "canceled".into();
                Ok(())
            }
            None => Err(PaymentError::Rejected("resource_missing".into())),
        }
    }

    async fn refund(&self, req: &RefundRequest<'_>) -> Result<Refund, PaymentError> {
        self.record("refund");
        if self
            .refund_outages
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(PaymentError::Unavailable("injected outage".into()));
        }
        let mut s = self.state.lock().unwrap();
        if let Some(Reply::Refund(first)) = s.replies.get(req.idempotency_key) {
            return Ok(first.clone());
        }
        let Some(intent) = s.intents.get(req.payment_intent_id).cloned() else {
            return Err(PaymentError::Rejected("resource_missing".into()));
        };
        let already: i64 = s
            .refunds
            .iter()
            .filter(|r| r.intent == req.payment_intent_id)
            .map(|r| r.amount)
            .sum();
        if intent.status != "succeeded" || req.amount <= 0 || already + req.amount > intent.amount {
            return Err(PaymentError::Rejected("charge_already_refunded".into()));
        }
        let id = Self::id(&mut s, "re");
        s.refunds.push(FakeRefund {
            id: id.clone(),
            booking_id: req.booking_id.to_string(),
            intent: req.payment_intent_id.to_string(),
            amount: req.amount,
            key: req.idempotency_key.to_string(),
        });
        let refund = Refund {
            id,
            amount: req.amount,
            status: "succeeded".into(),
        };
        s.replies.insert(
            req.idempotency_key.to_string(),
            Reply::Refund(refund.clone()),
        );
        if self
            .lost_refund_replies
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(PaymentError::Unavailable("the answer was lost".into()));
        }
        Ok(refund)
    }

    async fn create_customer(
        &self,
        user_id: &str,
        _payment_method_id: &str,
        _idempotency_key: &str,
    ) -> Result<String, PaymentError> {
        self.record("create_customer");
        Ok(format!("cus_{user_id}"))
    }

    async fn set_default_payment_method(
        &self,
        _customer_id: &str,
        _payment_method_id: &str,
    ) -> Result<(), PaymentError> {
        Ok(())
    }

    async fn get_subscription(&self, subscription_id: &str) -> Result<Subscription, PaymentError> {
        let s = self.state.lock().unwrap();
        let (user, status) = s
            .subscriptions
            .get(subscription_id)
            .ok_or_else(|| PaymentError::Rejected("404 resource_missing".into()))?;
        let mut sub = subscription(subscription_id, user, status);
        sub.cancel_at_period_end = s.cancelling.contains(subscription_id);
        Ok(sub)
    }

    async fn ensure_plan_price(&self, plan: &PlanPrice<'_>) -> Result<String, PaymentError> {
        Ok(plan.key.to_string())
    }

    async fn create_subscription(
        &self,
        req: &SubscriptionRequest<'_>,
    ) -> Result<Subscription, PaymentError> {
        self.record("create_subscription");
        let mut s = self.state.lock().unwrap();
        if let Some(Reply::Subscription(first)) = s.replies.get(req.idempotency_key) {
            return Ok(first.clone());
        }
        let id = Self::id(&mut s, "sub");
        s.subscriptions
            .insert(id.clone(), (req.user_id.to_string(), "active".into()));
        let sub = subscription(&id, req.user_id, "active");
        s.replies.insert(
            req.idempotency_key.to_string(),
            Reply::Subscription(sub.clone()),
        );
        Ok(sub)
    }

    async fn cancel_subscription_at_period_end(
        &self,
        subscription_id: &str,
    ) -> Result<Subscription, PaymentError> {
        let mut s = self.state.lock().unwrap();
        let (user, status) = s
            .subscriptions
            .get(subscription_id)
            .cloned()
            .ok_or_else(|| PaymentError::Rejected("resource_missing".into()))?;
        s.cancelling.insert(subscription_id.to_string());
        let mut sub = subscription(subscription_id, &user, &status);
        sub.cancel_at_period_end = true;
        Ok(sub)
    }

    async fn cancel_subscription(&self, subscription_id: &str) -> Result<(), PaymentError> {
        self.record("cancel_subscription");
        let mut s = self.state.lock().unwrap();
        match s.subscriptions.get_mut(subscription_id) {
            Some((_, status)) => {
                *status = "canceled".into();
                Ok(())
            }
            None => Err(PaymentError::Rejected("resource_missing".into())),
        }
    }

    async fn forget_user_on(&self, _object: ProviderObject<'_>) -> Result<(), PaymentError> {
        self.record("forget_user_on");
        Ok(())
    }

    async fn delete_customer(&self, _customer_id: &str) -> Result<(), PaymentError> {
        self.record("delete_customer");
        Ok(())
    }
}
