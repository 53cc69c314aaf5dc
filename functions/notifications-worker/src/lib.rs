//! Notifications worker (notifications queue): in-app, email (SES) and SMS (SNS) by the
//! member's preferences, once per event and channel. See `notify`.

mod documents;
mod notify;

use crate::notify::{Store, notify_batch};
use app::ports::invoices::DocumentFiles;
use app::ports::notifications::Notifier;
use aws::AppContext;
use aws::documents::S3Documents;
use aws::dynamo::DynamoStore;
use aws::notifier::AwsNotifier;
use edge::events::{BatchResponse, SqsEvent};
use edge::runtime::{Error, EventFunction};

pub struct NotificationsWorker<S, N, F> {
    store: S,
    notifier: N,
    files: F,
}

pub fn build(ctx: &AppContext) -> NotificationsWorker<DynamoStore, AwsNotifier, S3Documents> {
    NotificationsWorker {
        store: DynamoStore::from_context(ctx),
        notifier: AwsNotifier::from_context(ctx),
        files: S3Documents::from_context(ctx),
    }
}

impl<S: Store, N: Notifier, F: DocumentFiles> EventFunction for NotificationsWorker<S, N, F> {
    type Input = SqsEvent;
    type Output = BatchResponse;

    async fn handle(&self, input: SqsEvent) -> Result<BatchResponse, Error> {
        Ok(notify_batch(&self.store, &self.notifier, &self.files, input).await)
    }
}
