//! AWS implementations of the ports.

pub mod aws_error;
pub mod cognito;
pub mod dynamo;
pub mod eventbridge;
pub mod live_push;
pub mod notifier;
pub mod stripe;
