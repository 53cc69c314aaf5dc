//! What every log line and metric says about where it came from, and the metrics themselves.
//!
//! - [`context`]: the invocation a line belongs to (function, request id, correlation id,
//!   X-Ray trace id), carried by the task, so adapters and the log formatter read it
//!   without it being threaded through every call.
//! - [`emf`]: CloudWatch Embedded Metric Format lines. A metric is one JSON log line that
//!   CloudWatch Logs turns into a metric: no API call in the request path.
//!
//! The correlation id follows a booking: it is the booking's id from the request that
//! creates it, through the outbox event (stamped by the store adapter), EventBridge (in
//! the detail) and every consumer, to the Stripe webhook (which finds it in the
//! PaymentIntent's or refund's `booking_id` metadata) and the cancellation. Requests
//! that are not about one booking are correlated by their request id.

pub mod context;
pub mod emf;
