//! `SmsSender` on Amazon SNS (direct publish to a phone number). Numbers are never logged.

use aws_smithy_types::error::display::DisplayErrorContext;

use app::ports::notifications::{ChannelError, SmsSender};

#[derive(Clone)]
pub struct SnsSms {
    sns: aws_sdk_sns::Client,
}

impl SnsSms {
    pub fn from_context(ctx: &crate::AppContext) -> Self {
        Self {
            sns: ctx.sns().clone(),
        }
    }
}

impl SmsSender for SnsSms {
    async fn send_sms(&self, phone: &str, text: &str) -> Result<(), ChannelError> {
        self.sns
            .publish()
            .phone_number(phone)
            .message(text)
            .send()
            .await
            .map_err(|e| ChannelError(DisplayErrorContext(&e).to_string()))?;
        Ok(())
    }
}
