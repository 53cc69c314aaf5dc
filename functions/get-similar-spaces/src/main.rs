//! Lambda entry point: the composition root only. The handler is in lib.rs.

#[tokio::main]
async fn main() -> Result<(), edge::runtime::Error> {
    edge::runtime::serve_http(env!("CARGO_PKG_NAME"), get_similar_spaces::build).await
}
