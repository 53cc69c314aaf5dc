//! Notifications worker (notifications queue): in-app, email (SES) and SMS (SNS) by the
//! member's preferences, once per event and channel. See `notify`.

mod notify;

use crate::notify::notify_batch;
use app::ports::notifications::{NotificationStore, Notifier};
use app::ports::phone::PhoneStore;
use app::ports::spaces::SpaceStore;
use app::ports::users::UserStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::notifier::AwsNotifier;
use edge::events::{BatchResponse, SqsEvent};
use edge::runtime::{Error, EventFunction};

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

impl<S: NotificationStore + UserStore + PhoneStore + SpaceStore, N: Notifier> EventFunction
    for NotificationsWorker<S, N>
{
    type Input = SqsEvent;
    type Output = BatchResponse;

    async fn handle(&self, input: SqsEvent) -> Result<BatchResponse, Error> {
        Ok(notify_batch(&self.store, &self.notifier, input).await)
    }
}
