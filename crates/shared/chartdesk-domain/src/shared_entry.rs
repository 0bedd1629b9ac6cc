//! A manifest entry shared between copies of a record. A long record's older entries sit in
//! immutable parts the server keeps in memory; were each read to copy them, every find, list
//! and stamp of a 10,000-document record would copy 10,000 entries (issue 25 item 4). Cloning
//! a `SharedEntry` counts a reference; changing one copies that entry alone, first.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::DocumentEntry;

#[derive(Debug, Clone)]
pub struct SharedEntry(Arc<DocumentEntry>);

impl SharedEntry {
    /// The entry itself, copied only when another holder shares it.
    pub fn into_entry(self) -> DocumentEntry {
        Arc::unwrap_or_clone(self.0)
    }

    /// Whether both hold the very same entry (not merely an equal one).
    pub fn same(&self, other: &SharedEntry) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Deref for SharedEntry {
    type Target = DocumentEntry;
    fn deref(&self) -> &DocumentEntry {
        &self.0
    }
}

impl DerefMut for SharedEntry {
    /// Copy on write: the other holders keep the entry as it was.
    fn deref_mut(&mut self) -> &mut DocumentEntry {
        Arc::make_mut(&mut self.0)
    }
}

impl From<DocumentEntry> for SharedEntry {
    fn from(entry: DocumentEntry) -> Self {
        Self(Arc::new(entry))
    }
}

impl PartialEq for SharedEntry {
    fn eq(&self, other: &Self) -> bool {
        self.same(other) || *self.0 == *other.0
    }
}

impl PartialEq<DocumentEntry> for SharedEntry {
    fn eq(&self, other: &DocumentEntry) -> bool {
        *self.0 == *other
    }
}

impl Serialize for SharedEntry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SharedEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        DocumentEntry::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::tests_support::entry;

    #[test]
    fn a_change_to_one_copy_leaves_the_other_as_it_was() {
        let original = entry();
        let first = SharedEntry::from(original.clone());
        let mut second = first.clone();
        assert!(second.same(&first), "a clone shares the entry");
        second.file_name = "changed.pdf".into();
        assert!(!second.same(&first));
        assert_ne!(first.file_name, second.file_name);
        assert_eq!(first.into_entry(), original);
    }

    #[test]
    fn it_is_stored_exactly_as_the_entry_it_holds() {
        let original = entry();
        let json = serde_json::to_string(&original).unwrap();
        let shared = SharedEntry::from(original.clone());
        assert_eq!(serde_json::to_string(&shared).unwrap(), json);
        let back: SharedEntry = serde_json::from_str(&json).unwrap();
        assert_eq!(back, original);
    }
}
