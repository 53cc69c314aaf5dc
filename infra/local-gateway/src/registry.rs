//! Crate name (template.yaml `CodeUri: functions/<crate>`) -> the handler its Lambda runs.
//! Adding an HTTP function means one line here; a test fails until it is added.

use std::collections::HashMap;

use shared::AppContext;
use shared::http::{BoxedHandler, boxed};

pub fn handlers(ctx: &AppContext) -> HashMap<&'static str, BoxedHandler> {
    HashMap::from([
        ("get-health", boxed(get_health::build(ctx))),
        ("register-user", boxed(register_user::build(ctx))),
        ("login-user", boxed(login_user::build(ctx))),
        ("get-me", boxed(get_me::build(ctx))),
        ("get-space", boxed(get_space::build(ctx))),
    ])
}
