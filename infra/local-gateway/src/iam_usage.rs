//! Which IAM actions each function really used: an SDK interceptor on every function's
//! clients appends `{"function", "action", "resource"}` lines (each distinct one once per
//! process) to a file under `COWORK_IAM_USAGE_DIR`. `infra/iam_report.py` compares them
//! with template.yaml's policies after `make test` and lists the permissions no test used.
//!
//! Enforcement itself is the stand-in's (a denied call fails the test); this only finds
//! grants that nothing exercises, which are either dead or untested.

use std::collections::HashSet;
use std::fmt;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde_json::{Value, json};

/// The variable naming the directory the usage files go to (unset: nothing is recorded).
pub const USAGE_DIR_VAR: &str = "COWORK_IAM_USAGE_DIR";

/// One process's usage file.
pub struct UsageLog {
    seen: Mutex<(HashSet<String>, std::fs::File)>,
}

impl UsageLog {
    /// The log under `$COWORK_IAM_USAGE_DIR`, if that is set and writable.
    pub fn from_env() -> Option<Arc<Self>> {
        let dir = std::env::var_os(USAGE_DIR_VAR)?;
        Self::create(Path::new(&dir)).ok().map(Arc::new)
    }

    fn create(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(format!(
                "{}-{}.jsonl",
                std::process::id(),
                uuid::Uuid::new_v4()
            )))?;
        Ok(Self {
            seen: Mutex::new((HashSet::new(), file)),
        })
    }

    fn record(&self, function: &str, action: &str, resource: &str) {
        let line =
            json!({"function": function, "action": action, "resource": resource}).to_string();
        let Ok(mut guard) = self.seen.lock() else {
            return;
        };
        let (seen, file) = &mut *guard;
        if seen.insert(line.clone()) {
            let _ = writeln!(file, "{line}");
        }
    }
}

/// The interceptor on one function's clients.
pub struct UsageRecorder {
    function: String,
    log: Arc<UsageLog>,
}

impl UsageRecorder {
    pub fn new(function: &str, log: Arc<UsageLog>) -> Self {
        Self {
            function: function.to_string(),
            log,
        }
    }
}

impl fmt::Debug for UsageRecorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UsageRecorder({})", self.function)
    }
}

impl Intercept for UsageRecorder {
    fn name(&self) -> &'static str {
        "UsageRecorder"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(meta) = cfg.load::<Metadata>() else {
            return Ok(());
        };
        let body: Value = context
            .request()
            .body()
            .bytes()
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or(Value::Null);
        for (action, resource) in actions(meta.service(), meta.name(), &body) {
            self.log.record(&self.function, &action, resource);
        }
        Ok(())
    }
}

/// The IAM actions (and the kind of resource: a table or its index) one call needs.
/// A transaction needs each of its actions' own permission (DESIGN.md).
fn actions(service: &str, operation: &str, body: &Value) -> Vec<(String, &'static str)> {
    let prefix = match service {
        "DynamoDB" => "dynamodb",
        "Cognito Identity Provider" => "cognito-idp",
        "EventBridge" => "events",
        "SESv2" => "ses",
        "SNS" => "sns",
        "SQS" => "sqs",
        "Secrets Manager" => "secretsmanager",
        "ApiGatewayManagementApi" => return vec![("execute-api:ManageConnections".into(), "*")],
        // HeadObject is authorized as GetObject; telling a missing key (404) from a
        // forbidden one (403) takes ListBucket as well.
        "S3" => {
            return match operation {
                "HeadObject" => vec![("s3:GetObject".into(), "*"), ("s3:ListBucket".into(), "*")],
                other => vec![(format!("s3:{other}"), "*")],
            };
        }
        other => return vec![(format!("{other}:{operation}"), "*")],
    };
    if prefix != "dynamodb" {
        return vec![(format!("{prefix}:{operation}"), "*")];
    }
    let item_action = |kind: &str| match kind {
        "Put" | "PutRequest" => Some("dynamodb:PutItem"),
        "Update" => Some("dynamodb:UpdateItem"),
        "Delete" | "DeleteRequest" => Some("dynamodb:DeleteItem"),
        "ConditionCheck" => Some("dynamodb:ConditionCheckItem"),
        "Get" => Some("dynamodb:GetItem"),
        _ => None,
    };
    let mut out = Vec::new();
    match operation {
        "TransactWriteItems" | "TransactGetItems" => {
            for item in body["TransactItems"].as_array().into_iter().flatten() {
                for kind in item.as_object().into_iter().flat_map(|o| o.keys()) {
                    if let Some(a) = item_action(kind) {
                        out.push((a.to_string(), "table"));
                    }
                }
            }
        }
        "BatchWriteItem" => {
            for requests in body["RequestItems"]
                .as_object()
                .into_iter()
                .flat_map(|o| o.values())
            {
                for request in requests.as_array().into_iter().flatten() {
                    for kind in request.as_object().into_iter().flat_map(|o| o.keys()) {
                        if let Some(a) = item_action(kind) {
                            out.push((a.to_string(), "table"));
                        }
                    }
                }
            }
        }
        "BatchGetItem" => out.push(("dynamodb:BatchGetItem".into(), "table")),
        _ => {
            let resource = if body.get("IndexName").is_some() {
                "index"
            } else {
                "table"
            };
            out.push((format!("dynamodb:{operation}"), resource));
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transaction_needs_each_of_its_actions() {
        let body = json!({"TransactItems": [
            {"Put": {"TableName": "t"}},
            {"Update": {"TableName": "t"}},
            {"ConditionCheck": {"TableName": "t"}},
            {"Put": {"TableName": "t"}}
        ]});
        assert_eq!(
            actions("DynamoDB", "TransactWriteItems", &body),
            vec![
                ("dynamodb:ConditionCheckItem".to_string(), "table"),
                ("dynamodb:PutItem".to_string(), "table"),
                ("dynamodb:UpdateItem".to_string(), "table"),
            ]
        );
    }

    #[test]
    fn a_query_on_an_index_is_told_apart() {
        let on_index = json!({"TableName": "t", "IndexName": "GSI1"});
        assert_eq!(
            actions("DynamoDB", "Query", &on_index),
            vec![("dynamodb:Query".to_string(), "index")]
        );
        assert_eq!(
            actions("SESv2", "SendEmail", &Value::Null),
            vec![("ses:SendEmail".to_string(), "*")]
        );
    }
}
