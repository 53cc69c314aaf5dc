//! Derives the handler registry from template.yaml (the one list of functions): every HTTP
//! function's `build`, boxed, by crate name, and every event function's. A function in the
//! template that this crate does not depend on (or the reverse) stops the build with a
//! message saying which.

use std::fmt::Write as _;

fn main() {
    let dir = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let template_path = dir.join("../../template.yaml");
    println!("cargo:rerun-if-changed={}", template_path.display());
    println!("cargo:rerun-if-changed=Cargo.toml");
    let template = sam_template::Template::load(&template_path).expect("template.yaml");
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    if let Err(e) = sam_template::check_function_dependencies(&manifest, &template) {
        panic!("{e}");
    }
    let (http, events) = sam_template::function_crates(&template);
    let mut out = String::new();
    let module = |name: &str| name.replace('-', "_");
    writeln!(
        out,
        "/// Crate name -> the handler its Lambda runs (every HttpApi function)."
    )
    .unwrap();
    writeln!(
        out,
        "/// `context_of(crate)` is the function's context (its own role's credentials)."
    )
    .unwrap();
    writeln!(out, "pub fn handlers(context_of: &dyn Fn(&str) -> AppContext) -> HashMap<&'static str, BoxedHandler> {{\n    HashMap::from([").unwrap();
    for name in &http {
        writeln!(
            out,
            "        ({name:?}, boxed({name:?}, {}::build(&context_of({name:?})))),",
            module(name)
        )
        .unwrap();
    }
    writeln!(out, "    ])\n}}\n").unwrap();
    writeln!(out, "/// Crate name -> the handler of each event-driven function (stream, queue, schedule,\n/// WebSocket route), called by the event pump or the `/live` socket.").unwrap();
    writeln!(out, "pub fn event_handlers(context_of: &dyn Fn(&str) -> AppContext) -> HashMap<&'static str, BoxedEventFunction> {{\n    HashMap::from([").unwrap();
    for name in &events {
        writeln!(
            out,
            "        ({name:?}, boxed_event({name:?}, {}::build(&context_of({name:?})))),",
            module(name)
        )
        .unwrap();
    }
    writeln!(out, "    ])\n}}").unwrap();
    let dest = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("registry.rs");
    std::fs::write(dest, out).unwrap();
}
