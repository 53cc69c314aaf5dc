//! Space and item definitions, cached per Lambda container for a short time.
//!
//! The cache is a speed-up, never a source of truth: every booking transaction checks the
//! space and item `version` it was planned against, so a stale entry makes the write fail
//! (then the caller reloads and plans again) instead of booking against old rules.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::ports::bookings::BookingStore;
use crate::ports::spaces::SpaceStore;
use crate::ports::store::StoreError;
use domain::space::{BookableItem, Space, SpaceStatus};

pub const TTL: Duration = Duration::from_secs(30);

pub struct SpaceEntry {
    pub space: Space,
    pub items: Vec<BookableItem>,
}

impl SpaceEntry {
    /// A bookable item of the space (one being deleted takes no bookings).
    pub fn item(&self, id: &str) -> Option<&BookableItem> {
        self.items
            .iter()
            .find(|i| i.id == id && i.retired_at.is_none())
    }
}

pub struct Catalog {
    spaces: Mutex<HashMap<String, (Instant, Arc<SpaceEntry>)>>,
    /// item id -> space id; an item never moves, so this never goes stale.
    item_space: Mutex<HashMap<String, String>>,
}

impl Default for Catalog {
    fn default() -> Self {
        Self::new()
    }
}

impl Catalog {
    pub fn new() -> Self {
        Self {
            spaces: Mutex::new(HashMap::new()),
            item_space: Mutex::new(HashMap::new()),
        }
    }

    /// The active space and its items; `fresh` skips the cache.
    pub async fn space<S: SpaceStore>(
        &self,
        store: &S,
        id: &str,
        fresh: bool,
    ) -> Result<Option<Arc<SpaceEntry>>, StoreError> {
        if !fresh
            && let Some((at, entry)) = self.spaces.lock().unwrap().get(id)
            && at.elapsed() < TTL
        {
            return Ok(Some(Arc::clone(entry)));
        }
        let Some((space, items)) = store.get_space(id).await? else {
            self.spaces.lock().unwrap().remove(id);
            return Ok(None);
        };
        if space.status != SpaceStatus::Active {
            self.spaces.lock().unwrap().remove(id);
            return Ok(None);
        }
        let entry = Arc::new(SpaceEntry { space, items });
        self.spaces
            .lock()
            .unwrap()
            .insert(id.to_string(), (Instant::now(), Arc::clone(&entry)));
        Ok(Some(entry))
    }

    /// The item's space entry (which holds the item), found from the item id alone.
    pub async fn for_item<S: SpaceStore + BookingStore>(
        &self,
        store: &S,
        item_id: &str,
        fresh: bool,
    ) -> Result<Option<Arc<SpaceEntry>>, StoreError> {
        // Ids are UUIDs: a longer one names nothing (and must not reach an index key,
        // which DynamoDB caps at 2048 bytes).
        if item_id.len() > 128 {
            return Ok(None);
        }
        let known = self.item_space.lock().unwrap().get(item_id).cloned();
        let space_id = match known {
            Some(id) => id,
            None => match store.find_item_space(item_id).await? {
                Some(id) => {
                    self.item_space
                        .lock()
                        .unwrap()
                        .insert(item_id.to_string(), id.clone());
                    id
                }
                None => return Ok(None),
            },
        };
        let mut entry = self.space(store, &space_id, fresh).await?;
        if !fresh && entry.as_ref().is_some_and(|e| e.item(item_id).is_none()) {
            // Added after the entry was cached.
            entry = self.space(store, &space_id, true).await?;
        }
        Ok(entry.filter(|e| e.item(item_id).is_some()))
    }
}
