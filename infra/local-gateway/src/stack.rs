//! What `infra/stack.py` wrote about the running local stack (`stack.json`).

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
pub struct StackInfo {
    pub aws_endpoint_url: String,
    pub region: String,
    pub stripe_api_base: String,
    /// template.yaml's function environment, resolved to the local resources: every
    /// function's variables together (the harness's view).
    pub env: HashMap<String, String>,
    /// Crate name -> that function's own environment (Globals and its own variables),
    /// what its Lambda sees: a function never gets another's variables.
    #[serde(default)]
    pub function_env: HashMap<String, HashMap<String, String>>,
    pub authorizer: AuthorizerInfo,
    /// Logical id -> physical id (table name, queue URL, pool id, ...).
    pub resources: HashMap<String, String>,
    /// Crate name -> the assumed credentials of that function's role (IAM is enforced).
    #[serde(default)]
    pub function_credentials: HashMap<String, RoleCredentials>,
    /// The Stripe keys the local stack put into its Secrets Manager (what the functions
    /// read at start), for the harness: signing test webhooks, calling localstripe.
    pub stripe: StripeKeys,
}

#[derive(Clone, Deserialize)]
pub struct StripeKeys {
    pub secret_key: String,
    pub webhook_secret: String,
}

impl std::fmt::Debug for StripeKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StripeKeys(redacted)")
    }
}

#[derive(Clone, Deserialize)]
pub struct RoleCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
}

impl std::fmt::Debug for RoleCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoleCredentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
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

    /// The harness's configuration: the function environment with the stand-ins' root
    /// credentials (set-up, seeding, checks, the event pump playing Lambda's pollers).
    pub fn config(&self) -> Result<aws::Config, aws::config::MissingVar> {
        aws::Config::from_lookup(|key| self.lookup(key, None, &self.env))
    }

    /// Sets a variable for the harness and every function (a harness override, e.g. the
    /// gateway's own address, or an endpoint routed through a fault-injecting proxy).
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.insert(key.into(), value.into());
        for env in self.function_env.values_mut() {
            env.insert(key.into(), value.into());
        }
    }

    /// The configuration function `crate_name` gets on Lambda: its own environment and its
    /// own role's credentials, so a permission its policies lack is denied here as on AWS.
    pub fn function_config(&self, crate_name: &str) -> Result<aws::Config, UnknownFunction> {
        let role = self
            .function_credentials
            .get(crate_name)
            .ok_or_else(|| UnknownFunction(crate_name.to_string()))?;
        let own = self.own_env(crate_name);
        aws::Config::from_lookup(|key| self.lookup(key, Some(role), own))
            .map_err(|e| UnknownFunction(format!("{crate_name}: {e}")))
    }

    fn own_env(&self, crate_name: &str) -> &HashMap<String, String> {
        self.function_env.get(crate_name).unwrap_or(&self.env)
    }

    /// The variables a function's process would see (for running its real binary).
    pub fn function_variables(&self, crate_name: &str) -> Vec<(String, String)> {
        let mut vars: Vec<(String, String)> = self
            .own_env(crate_name)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for key in ["AWS_ENDPOINT_URL", "AWS_REGION", "STRIPE_API_BASE"] {
            vars.extend(
                self.lookup(key, None, &self.env)
                    .map(|v| (key.to_string(), v)),
            );
        }
        if let Some(role) = self.function_credentials.get(crate_name) {
            for key in [
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
            ] {
                vars.extend(
                    self.lookup(key, Some(role), &self.env)
                        .map(|v| (key.to_string(), v)),
                );
            }
        }
        vars
    }

    /// A variable: the stand-ins' endpoints and the role's credentials, else from `env`.
    fn lookup(
        &self,
        key: &str,
        role: Option<&RoleCredentials>,
        env: &HashMap<String, String>,
    ) -> Option<String> {
        match key {
            "AWS_ENDPOINT_URL" => Some(self.aws_endpoint_url.clone()),
            "AWS_REGION" => Some(self.region.clone()),
            "STRIPE_API_BASE" => Some(self.stripe_api_base.clone()),
            "AWS_ACCESS_KEY_ID" => role.map(|r| r.access_key_id.clone()),
            "AWS_SECRET_ACCESS_KEY" => role.map(|r| r.secret_access_key.clone()),
            "AWS_SESSION_TOKEN" => role.map(|r| r.session_token.clone()),
            _ => env.get(key).cloned(),
        }
    }
}

/// A function stack.json holds no role for (a stack started before the function was
/// added to template.yaml: restart it).
#[derive(Debug, thiserror::Error)]
#[error("the local stack has no role for function {0}; restart it (make dev / make test)")]
pub struct UnknownFunction(pub String);

/// Every function's context, each signing with its own role.
pub struct FunctionContexts {
    by_crate: HashMap<String, aws::AppContext>,
}

impl FunctionContexts {
    pub async fn new(stack: &StackInfo) -> Result<Self, UnknownFunction> {
        let usage = crate::iam_usage::UsageLog::from_env();
        let mut by_crate = HashMap::new();
        for name in stack.function_credentials.keys() {
            let config = stack.function_config(name)?;
            let context = match &usage {
                Some(log) => {
                    let recorder = crate::iam_usage::UsageRecorder::new(name, log.clone());
                    aws::AppContext::observed(
                        config,
                        aws::context::SharedInterceptor::new(recorder),
                    )
                    .await
                }
                None => aws::AppContext::new(config).await,
            };
            by_crate.insert(name.clone(), context);
        }
        Ok(Self { by_crate })
    }

    /// The context of `crate_name`. Panics for a function the stack has no role for: the
    /// registry is generated from the same template the stack was provisioned from.
    pub fn of(&self, crate_name: &str) -> aws::AppContext {
        match self.by_crate.get(crate_name) {
            Some(c) => c.clone(),
            None => panic!("{}", UnknownFunction(crate_name.to_string())),
        }
    }
}
