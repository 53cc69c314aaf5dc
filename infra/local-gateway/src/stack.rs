//! What `infra/stack.py` wrote about the running local stack (`stack.json`).

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
pub struct StackInfo {
    pub aws_endpoint_url: String,
    pub region: String,
    pub stripe_api_base: String,
    /// template.yaml's function environment, resolved to the local resources.
    pub env: HashMap<String, String>,
    pub authorizer: AuthorizerInfo,
    /// Logical id -> physical id (table name, queue URL, pool id, ...).
    pub resources: HashMap<String, String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct AuthorizerInfo {
    pub issuer: String,
    pub audience: Vec<String>,
    pub jwks_url: String,
}

impl StackInfo {
    pub fn load(path: &Path) -> std::io::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        serde_json::from_str(&text).map_err(std::io::Error::other)
    }

    /// The configuration a function would get from its Lambda environment.
    pub fn config(&self) -> Result<aws::Config, aws::config::MissingVar> {
        aws::Config::from_lookup(|key| match key {
            "AWS_ENDPOINT_URL" => Some(self.aws_endpoint_url.clone()),
            "AWS_REGION" => Some(self.region.clone()),
            "STRIPE_API_BASE" => Some(self.stripe_api_base.clone()),
            _ => self.env.get(key).cloned(),
        })
    }
}
