//! In-memory fakes of the ports for unit tests (feature `fakes`). Integration tests never
//! use these: they run against the real stand-ins.

pub mod bookings;
pub mod invoices;
pub mod payments;
pub mod promos;

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::ports::identity::{Identity, IdentityError, NewAccount, Tokens};
use crate::ports::store::StoreError;
use crate::ports::users::UserStore;
use domain::role::Role;
use domain::user::{ProfilePatch, User};

/// A fake account: (sub, password, roles).
pub type FakeAccount = (String, String, Vec<Role>);

#[derive(Default)]
pub struct FakeIdentity {
    /// email -> account
    pub accounts: Mutex<HashMap<String, FakeAccount>>,
    /// Emails whose owner entered the code.
    pub confirmed: Mutex<HashSet<String>>,
    pub calls: Mutex<Vec<String>>,
}

/// The code the fake "sends" (the local Cognito stand-in uses the same one).
pub const FAKE_CONFIRMATION_CODE: &str = "123456";

impl FakeIdentity {
    fn record(&self, call: &str) {
        self.calls.lock().unwrap().push(call.to_string());
    }

    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }

    fn tokens(sub: &str) -> Tokens {
        Tokens {
            access_token: format!("access-{sub}"),
            id_token: format!("id-{sub}"),
            refresh_token: Some(format!("refresh-{sub}")),
            expires_in: 3600,
            token_type: "Bearer".into(),
        }
    }
}

impl Identity for FakeIdentity {
    async fn register(&self, account: &NewAccount<'_>) -> Result<String, IdentityError> {
        self.record("register");
        if account.password.len() < 12 {
            return Err(IdentityError::WeakPassword(
                "Password not long enough".into(),
            ));
        }
        let mut accounts = self.accounts.lock().unwrap();
        if accounts.contains_key(account.email) {
            return Err(IdentityError::EmailTaken);
        }
        let sub = format!("sub-{}", uuid::Uuid::new_v4().simple());
        accounts.insert(
            account.email.into(),
            (sub.clone(), account.password.into(), vec![Role::Member]),
        );
        Ok(sub)
    }

    async fn unconfirmed_account(&self, email: &str) -> Result<Option<String>, IdentityError> {
        self.record("unconfirmed_account");
        let confirmed = self.confirmed.lock().unwrap().contains(email);
        Ok(self
            .accounts
            .lock()
            .unwrap()
            .get(email)
            .filter(|_| !confirmed)
            .map(|(sub, _, _)| sub.clone()))
    }

    async fn confirm_email(&self, email: &str, code: &str) -> Result<(), IdentityError> {
        self.record("confirm_email");
        if code != FAKE_CONFIRMATION_CODE || !self.accounts.lock().unwrap().contains_key(email) {
            return Err(IdentityError::InvalidCode);
        }
        self.confirmed.lock().unwrap().insert(email.to_string());
        Ok(())
    }

    async fn resend_confirmation(&self, _email: &str) -> Result<(), IdentityError> {
        self.record("resend_confirmation");
        Ok(())
    }

    async fn delete_account(&self, email: &str) -> Result<(), IdentityError> {
        self.record("delete_account");
        self.accounts.lock().unwrap().remove(email);
        self.confirmed.lock().unwrap().remove(email);
        Ok(())
    }

    async fn sign_in(&self, email: &str, password: &str) -> Result<Tokens, IdentityError> {
        self.record("sign_in");
        match self.accounts.lock().unwrap().get(email) {
            Some(_) if !self.confirmed.lock().unwrap().contains(email) => {
                Err(IdentityError::Unconfirmed)
            }
            Some((sub, pw, _)) if pw == password => Ok(Self::tokens(sub)),
            _ => Err(IdentityError::InvalidCredentials),
        }
    }

    async fn refresh(&self, refresh_token: &str) -> Result<Tokens, IdentityError> {
        self.record("refresh");
        refresh_token
            .strip_prefix("refresh-")
            .map(Self::tokens)
            .ok_or(IdentityError::InvalidCredentials)
    }

    async fn remove_role(&self, email: &str, role: Role) -> Result<(), IdentityError> {
        self.record("remove_role");
        if let Some((_, _, roles)) = self.accounts.lock().unwrap().get_mut(email) {
            roles.retain(|r| *r != role);
        }
        Ok(())
    }

    async fn sign_out_everywhere(&self, _user: &str) -> Result<(), IdentityError> {
        self.record("sign_out_everywhere");
        Ok(())
    }

    async fn roles(&self, email: &str) -> Result<Vec<Role>, IdentityError> {
        match self.accounts.lock().unwrap().get(email) {
            Some((_, _, roles)) => Ok(roles.clone()),
            None => Err(IdentityError::InvalidCredentials),
        }
    }

    async fn add_role(&self, email: &str, role: Role) -> Result<(), IdentityError> {
        self.record("add_role");
        match self.accounts.lock().unwrap().get_mut(email) {
            Some((_, _, roles)) => {
                roles.push(role);
                Ok(())
            }
            None => Err(IdentityError::InvalidCredentials),
        }
    }
}

#[derive(Default)]
pub struct MemoryStore {
    pub users: Mutex<HashMap<String, User>>,
    /// When set, every write fails as if the table were throttling.
    pub fail_writes: AtomicBool,
}

impl MemoryStore {
    pub fn failing_writes() -> Self {
        let s = Self::default();
        s.fail_writes.store(true, Ordering::SeqCst);
        s
    }

    fn check_writes(&self) -> Result<(), StoreError> {
        if self.fail_writes.load(Ordering::SeqCst) {
            Err(StoreError::Unavailable("injected failure".into()))
        } else {
            Ok(())
        }
    }
}

impl UserStore for MemoryStore {
    async fn delete_unconfirmed_user(&self, id: &str) -> Result<(), StoreError> {
        self.check_writes()?;
        self.users.lock().unwrap().remove(id);
        Ok(())
    }

    async fn create_user(
        &self,
        user: &User,
        _probation_until: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        self.check_writes()?;
        let mut users = self.users.lock().unwrap();
        if users.contains_key(&user.id) {
            return Err(StoreError::AlreadyExists);
        }
        users.insert(user.id.clone(), user.clone());
        Ok(())
    }

    async fn update_profile(
        &self,
        id: &str,
        patch: &ProfilePatch,
        now: jiff::Timestamp,
    ) -> Result<User, StoreError> {
        self.check_writes()?;
        let mut users = self.users.lock().unwrap();
        let user = users
            .get_mut(id)
            .ok_or_else(|| StoreError::NotFound("no profile exists for this account".into()))?;
        if let Some(name) = &patch.name {
            user.name = name.clone();
        }
        if let Some(phone) = &patch.phone
            && *phone != user.phone
        {
            user.phone = phone.clone();
            user.phone_verified = false;
        }
        if let Some(prefs) = patch.notifications {
            user.notifications = prefs;
        }
        if let Some(billing) = &patch.billing {
            user.billing = billing.clone();
        }
        user.updated_at = now;
        Ok(user.clone())
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>, StoreError> {
        Ok(self.users.lock().unwrap().get(id).cloned())
    }
}
