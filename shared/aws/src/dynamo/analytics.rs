use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};
use jiff::Timestamp;

use super::writes::{built, n, s, ttl_after};
use super::{DynamoStore, Item, TxnFailure, keys, query_all, txn_failure};
use app::ports::analytics::{AnalyticsStore, DayCounters};
use app::ports::store::StoreError;
use domain::analytics::{Change, Counters};

/// Revenue is kept per currency, one attribute each (`revenue_EUR`).
const REVENUE_PREFIX: &str = "revenue_";

fn add(table: &str, pk: &str, sk: String, c: &Counters) -> Result<TransactWriteItem, StoreError> {
    let mut expression =
        "ADD booked_minutes :m, bookings :b, cancellations :c, no_shows :x, day_passes :d, long_stays :l"
            .to_string();
    let mut update = Update::builder()
        .table_name(table)
        .key("PK", s(pk))
        .key("SK", s(sk))
        .expression_attribute_values(":m", n(c.booked_minutes))
        .expression_attribute_values(":b", n(c.bookings))
        .expression_attribute_values(":c", n(c.cancellations))
        .expression_attribute_values(":x", n(c.no_shows))
        .expression_attribute_values(":d", n(c.day_passes))
        .expression_attribute_values(":l", n(c.long_stays));
    for (i, (currency, amount)) in c.revenue.iter().enumerate() {
        // Currency codes are validated ISO 4217 codes; names and values are placeholders.
        expression.push_str(&format!(", #r{i} :r{i}"));
        update = update
            .expression_attribute_names(format!("#r{i}"), format!("{REVENUE_PREFIX}{currency}"))
            .expression_attribute_values(format!(":r{i}"), n(amount));
    }
    let update = update.update_expression(expression);
    Ok(TransactWriteItem::builder()
        .update(built(update.build())?)
        .build())
}

fn counters(item: &Item) -> Counters {
    let num = |k: &str| {
        item.get(k)
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Counters {
        booked_minutes: num("booked_minutes"),
        revenue: item
            .iter()
            .filter_map(|(k, v)| {
                let currency = k.strip_prefix(REVENUE_PREFIX)?;
                Some((currency.to_string(), v.as_n().ok()?.parse().ok()?))
            })
            .collect(),
        bookings: num("bookings"),
        cancellations: num("cancellations"),
        no_shows: num("no_shows"),
        day_passes: num("day_passes"),
        long_stays: num("long_stays"),
    }
}

impl AnalyticsStore for DynamoStore {
    async fn apply_counters(
        &self,
        space_id: &str,
        event_id: &str,
        changes: &[Change],
    ) -> Result<bool, StoreError> {
        let table = &self.table;
        let now = Timestamp::now();
        let mut marker = Item::new();
        marker.insert("PK".into(), s(keys::counted(event_id)));
        marker.insert("SK".into(), s("COUNTED"));
        marker.insert("ttl".into(), ttl_after(now, 30));
        let mut actions = vec![
            TransactWriteItem::builder()
                .put(built(
                    Put::builder()
                        .table_name(table)
                        .set_item(Some(marker))
                        .condition_expression("attribute_not_exists(PK)")
                        .build(),
                )?)
                .build(),
        ];
        let pk = keys::stats(space_id);
        for c in changes {
            actions.push(add(table, &pk, format!("D#{}", c.date), &c.add)?);
            actions.push(add(
                table,
                &pk,
                format!("D#{}#I#{}", c.date, c.item_id),
                &c.add,
            )?);
        }
        match self.transact("apply_counters", actions).await {
            Ok(()) => Ok(true),
            Err(e) => match txn_failure(e) {
                TxnFailure::Condition(0) => Ok(false),
                TxnFailure::Condition(_) => Err(StoreError::Other("counter update refused".into())),
                TxnFailure::Other(e) => Err(e),
            },
        }
    }

    async fn day_counters(
        &self,
        space_id: &str,
        from: &str,
        to: &str,
    ) -> Result<BTreeMap<String, DayCounters>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND SK BETWEEN :lo AND :hi")
            .expression_attribute_values(":pk", s(keys::stats(space_id)))
            .expression_attribute_values(":lo", s(format!("D#{from}")))
            .expression_attribute_values(":hi", s(format!("D#{to}#~")));
        let mut out: BTreeMap<String, DayCounters> = BTreeMap::new();
        for item in query_all("day_counters", query).await? {
            let Some(sk) = item.get("SK").and_then(|v| v.as_s().ok()) else {
                continue;
            };
            let rest = sk.trim_start_matches("D#");
            match rest.split_once("#I#") {
                Some((date, item_id)) => {
                    out.entry(date.to_string())
                        .or_default()
                        .items
                        .insert(item_id.to_string(), counters(&item));
                }
                None => out.entry(rest.to_string()).or_default().total = counters(&item),
            }
        }
        Ok(out)
    }
}
