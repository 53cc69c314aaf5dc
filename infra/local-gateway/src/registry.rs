//! Crate name (template.yaml `CodeUri: functions/<crate>`) -> the handler its Lambda runs.
//! Generated from template.yaml by `build.rs`: adding a function to the template (and to
//! this crate's dependencies, which the build checks) is all it takes.

use std::collections::HashMap;

use aws::AppContext;
use edge::http::{BoxedHandler, boxed};
use edge::runtime::{BoxedEventFunction, boxed_event};

include!(concat!(env!("OUT_DIR"), "/registry.rs"));
