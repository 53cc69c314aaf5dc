//! Notifications worker (notifications queue): in-app, email (SES) and SMS (SNS) by the
//! member's preferences, once per event and channel. See `shared::usecase::notify`.

use shared::AppContext;
use shared::adapters::dynamo::DynamoStore;
use shared::adapters::notifier::AwsNotifier;
use shared::events_lambda::{BatchResponse, SqsEvent};
use shared::ports::notifications::{NotificationStore, Notifier};
use shared::ports::users::UserStore;
use shared::runtime::{Error, EventFunction};
use shared::usecase::notify::notify_batch;

pub struct NotificationsWorker<S, N> {
    store: S,
    notifier: N,
}

pub fn build(ctx: &AppContext) -> NotificationsWorker<DynamoStore, AwsNotifier> {
    NotificationsWorker {
        store: DynamoStore::from_context(ctx),
        notifier: AwsNotifier::from_context(ctx),
    }
}

impl<S: NotificationStore + UserStore, N: Notifier> EventFunction for NotificationsWorker<S, N> {
    type Input = SqsEvent;
    type Output = BatchResponse;

    async fn handle(&self, input: SqsEvent) -> Result<BatchResponse, Error> {
        Ok(notify_batch(&self.store, &self.notifier, input).await)
    }
}
