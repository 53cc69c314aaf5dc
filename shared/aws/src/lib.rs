//! The adapters: the app's ports on AWS (DynamoDB, Cognito, EventBridge, SES and SNS, API
//! Gateway's WebSocket management API) and on Stripe, plus the configuration and clients a
//! function's composition root builds them from. Each service is a feature, so a function
//! links only the SDKs it uses (`cargo tree -p <function>` shows which). Adapters
//! translate; they never decide.

pub mod config;
pub mod context;
pub mod metrics;
pub mod telemetry;

#[cfg(any(
    feature = "dynamodb",
    feature = "cognito",
    feature = "eventbridge",
    feature = "notify",
    feature = "sms",
    feature = "live"
))]
pub mod aws_error;
#[cfg(feature = "cognito")]
pub mod cognito;
#[cfg(all(feature = "dynamodb", feature = "stripe"))]
pub mod desk;
#[cfg(feature = "documents")]
pub mod documents;
#[cfg(feature = "dynamodb")]
pub mod dynamo;
#[cfg(feature = "eventbridge")]
pub mod eventbridge;
#[cfg(feature = "live")]
pub mod live_push;
#[cfg(feature = "notify")]
pub mod notifier;
#[cfg(feature = "sms")]
pub mod sms;
#[cfg(feature = "stripe")]
pub mod stripe;

pub use config::Config;
pub use context::AppContext;
