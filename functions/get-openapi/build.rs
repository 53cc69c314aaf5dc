//! Derives the OpenAPI collection from template.yaml (the one list of functions): every
//! HttpApi function's `route()` annotation goes into the document. A route function this
//! crate does not depend on (or the reverse) stops the build with a message saying which.

use std::collections::BTreeSet;
use std::fmt::Write as _;

fn main() {
    let dir = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let template_path = dir.join("../../template.yaml");
    println!("cargo:rerun-if-changed={}", template_path.display());
    println!("cargo:rerun-if-changed=Cargo.toml");
    let template = sam_template::Template::load(&template_path).expect("template.yaml");
    let (http, _) = sam_template::function_crates(&template);
    let own = std::env::var("CARGO_PKG_NAME").unwrap();
    let routes: BTreeSet<String> = http.into_iter().filter(|c| *c != own).collect();
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let listed = sam_template::path_dependencies(&manifest, "../");
    let listed: BTreeSet<String> = listed.into_iter().filter(|n| n != "sam-template").collect();
    if listed != routes {
        panic!(
            "Cargo.toml and template.yaml disagree on the HTTP functions: missing {:?}, extra {:?} \
             (`make new-function` adds both)",
            routes.difference(&listed).collect::<Vec<_>>(),
            listed.difference(&routes).collect::<Vec<_>>()
        );
    }
    let mut paths = String::new();
    for name in &routes {
        write!(paths, "{}::route, ", name.replace('-', "_")).unwrap();
    }
    let mut ids = String::new();
    for r in &template.routes {
        write!(ids, "({:?}, {:?}, {:?}), ", r.method, r.path, r.crate_name).unwrap();
    }
    let code = format!(
        r#"#[derive(OpenApi)]
#[openapi(
    info(
        title = "Coworking booking API",
        version = "1.0.0",
        description = "Spaces, availability, bookings, payments, memberships, reviews, notifications, reports. Errors are application/problem+json (RFC 9457). Times are RFC 3339 UTC instants; money is integer minor units plus currency. Live availability is a WebSocket API (see README)."
    ),
    paths({paths}route),
    components(schemas(edge::http::Problem, app::error::FieldError)),
    modifiers(&BearerAuth, &OperationIds)
)]
pub struct ApiDoc;

/// (method, path, operationId): each operation is named after its function crate.
const OPERATION_IDS: &[(&str, &str, &str)] = &[{ids}];
"#
    );
    let dest = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("api_doc.rs");
    std::fs::write(dest, code).unwrap();
}
