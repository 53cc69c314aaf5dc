//! Promo codes in memory, with the redemption conditions of the DynamoDB adapter: a take
//! counts only while the code is as read, on and below its limits, and below the
//! member's limit.

use std::collections::HashMap;

use crate::ports::promos::PromoStore;
use crate::ports::store::StoreError;
use domain::audit::AuditEntry;
use domain::lifecycle::PromoUse;
use domain::promo::PromoCode;

use super::bookings::MemoryBookings;

#[derive(Default)]
pub struct Promos {
    pub codes: HashMap<String, PromoCode>,
    /// (user, code) -> redemptions.
    pub used: HashMap<(String, String), i64>,
}

/// Why a take would not count.
pub enum Refused {
    /// The code changed or was switched off since it was read.
    Changed,
    UsedUp {
        member: bool,
    },
}

impl Promos {
    pub fn check(&self, user_id: &str, p: &PromoUse) -> Result<(), Refused> {
        let code = self.codes.get(&p.code);
        if let Some(version) = p.version {
            let code = code.ok_or(Refused::Changed)?;
            if code.version != version || code.disabled {
                return Err(Refused::Changed);
            }
        }
        if p.delta <= 0 {
            return Ok(());
        }
        let redeemed = code.map_or(0, |c| c.redeemed);
        if p.max_redemptions.is_some_and(|max| redeemed >= max) {
            return Err(Refused::UsedUp { member: false });
        }
        let used = self
            .used
            .get(&(user_id.to_string(), p.code.clone()))
            .copied()
            .unwrap_or(0);
        if p.per_member_limit
            .is_some_and(|limit| used >= i64::from(limit))
        {
            return Err(Refused::UsedUp { member: true });
        }
        Ok(())
    }

    pub fn count(&mut self, user_id: &str, p: &PromoUse) {
        if let Some(code) = self.codes.get_mut(&p.code) {
            code.redeemed = (i64::from(code.redeemed) + p.delta).max(0) as u32;
        }
        *self
            .used
            .entry((user_id.to_string(), p.code.clone()))
            .or_insert(0) += p.delta;
    }
}

impl PromoStore for MemoryBookings {
    async fn create_promo(&self, code: &PromoCode, audit: &AuditEntry) -> Result<bool, StoreError> {
        let mut w = self.world.lock().unwrap();
        if w.promos.codes.contains_key(&code.code) {
            return Ok(false);
        }
        w.promos.codes.insert(code.code.clone(), code.clone());
        w.audit.push(audit.clone());
        Ok(true)
    }

    async fn promo_for(
        &self,
        code: &str,
        user_id: &str,
    ) -> Result<Option<(PromoCode, u32)>, StoreError> {
        let w = self.world.lock().unwrap();
        let used = w
            .promos
            .used
            .get(&(user_id.to_string(), code.to_string()))
            .copied()
            .unwrap_or(0);
        Ok(w.promos
            .codes
            .get(code)
            .map(|c| (c.clone(), used.max(0) as u32)))
    }

    async fn save_promo(&self, edited: &PromoCode, audit: &AuditEntry) -> Result<bool, StoreError> {
        let mut w = self.world.lock().unwrap();
        let Some(stored) = w.promos.codes.get_mut(&edited.code) else {
            return Ok(false);
        };
        if stored.version + 1 != edited.version
            || edited
                .max_redemptions
                .is_some_and(|max| stored.redeemed > max)
        {
            return Ok(false);
        }
        // The terms only: the count is the store's.
        let redeemed = stored.redeemed;
        *stored = edited.clone();
        stored.redeemed = redeemed;
        w.audit.push(audit.clone());
        Ok(true)
    }

    async fn list_promos(&self, created_by: Option<&str>) -> Result<Vec<PromoCode>, StoreError> {
        let w = self.world.lock().unwrap();
        let mut codes: Vec<PromoCode> = w
            .promos
            .codes
            .values()
            .filter(|c| created_by.is_none_or(|id| c.created_by == id))
            .cloned()
            .collect();
        codes.sort_by_key(|c| std::cmp::Reverse(c.created_at));
        Ok(codes)
    }
}
