//! `Notifier` on Amazon SES (email) and SNS (SMS, [`crate::sms`]). Addresses and numbers
//! are never logged.

use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use aws_smithy_types::error::display::DisplayErrorContext;

use app::ports::notifications::{ChannelError, Notifier, SmsSender};

use crate::sms::SnsSms;

#[derive(Clone)]
pub struct AwsNotifier {
    ses: aws_sdk_sesv2::Client,
    sms: SnsSms,
    from: String,
}

impl AwsNotifier {
    pub fn from_context(ctx: &crate::AppContext) -> Self {
        Self {
            ses: ctx.ses().clone(),
            sms: SnsSms::from_context(ctx),
            from: ctx.config().notify_from.clone(),
        }
    }
}

fn content(text: &str) -> Result<Content, ChannelError> {
    Content::builder()
        .data(text)
        .charset("UTF-8")
        .build()
        .map_err(|e| ChannelError(e.to_string()))
}

impl Notifier for AwsNotifier {
    async fn send_email(&self, to: &str, subject: &str, text: &str) -> Result<(), ChannelError> {
        let message = Message::builder()
            .subject(content(subject)?)
            .body(Body::builder().text(content(text)?).build())
            .build();
        self.ses
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(to).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(|e| ChannelError(DisplayErrorContext(&e).to_string()))?;
        Ok(())
    }
}

impl SmsSender for AwsNotifier {
    async fn send_sms(&self, phone: &str, text: &str) -> Result<(), ChannelError> {
        self.sms.send_sms(phone, text).await
    }
}
