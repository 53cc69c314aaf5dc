//! `seed [--stack FILE] [--out FILE]`: demo data for `make dev` (see `local_gateway::seed`).

#[tokio::main]
async fn main() {
    local_gateway::seed::run().await
}
