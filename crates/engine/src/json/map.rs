//! [`Map`]: a JSON object's members in order.

use std::fmt;
use std::hash::Hasher;

use hashbrown::HashTable;

use super::{Str, Value};

/// Objects with more members than this get a hash index; smaller ones are searched in order, which
/// for a handful of short keys is cheaper than hashing one.
const SCANNED: usize = 16;

/// A JSON object: members in the order they were read or inserted, as CloudFormation users wrote them.
///
/// The operations and their order semantics are serde_json's with `preserve_order`: `insert` of an
/// existing key replaces its value in place, `remove` is `swap_remove`.
#[derive(Clone, Default)]
pub struct Map {
    entries: Vec<(Str, Value)>,
    /// Each key's hash and position in `entries`, kept once the map outgrows [`SCANNED`]. The hash
    /// is stored so that growing the table never hashes a key again.
    index: Option<Box<HashTable<(u64, usize)>>>,
}

/// FxHash over the key's bytes, eight at a time. Keys come from one template that its own author
/// wrote, so there is no one to flood the index with collisions; a fixed function keeps every map
/// free of per-map hasher state.
fn hash(key: &str) -> u64 {
    let mut hasher = KeyHasher(key.len() as u64);
    hasher.write(key.as_bytes());
    hasher.finish()
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

fn step(h: u64, word: u64) -> u64 {
    (h.rotate_left(5) ^ word).wrapping_mul(SEED)
}

/// [`Map`]'s key hash as a [`Hasher`], for the engine's own sets and maps of logical IDs and type
/// names (std's SipHash guards against flooding by strangers, which a template cannot do to itself).
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

/// Builds [`KeyHasher`]s: `HashMap<K, V, KeyHashing>`.
pub type KeyHashing = std::hash::BuildHasherDefault<KeyHasher>;

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        let mut h = self.0;
        for chunk in &mut chunks {
            h = step(h, u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
        }
        let mut tail = [0u8; 8];
        tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.0 = step(h, u64::from_le_bytes(tail));
    }

    fn write_u8(&mut self, byte: u8) {
        self.0 = step(self.0, u64::from(byte));
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = step(self.0, n as u64);
    }

    fn finish(&self) -> u64 {
        // hashbrown takes its control bits from the top of the hash: spread the low bits up.
        self.0 ^ (self.0 >> 29)
    }
}

impl Map {
    pub fn new() -> Map {
        Map::default()
    }

    pub fn with_capacity(capacity: usize) -> Map {
        let index = (capacity > SCANNED).then(|| Box::new(HashTable::with_capacity(capacity)));
        Map { entries: Vec::with_capacity(capacity), index }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.find(key).ok()
    }

    /// Where `key` is, or (when not there) its hash if the map is indexed, for the insertion.
    fn find(&self, key: &str) -> Result<usize, Option<u64>> {
        match &self.index {
            None => self.entries.iter().position(|(k, _)| k == key).ok_or(None),
            Some(index) => {
                let h = hash(key);
                index.find(h, |&(_, i)| self.entries[i].0 == key).map(|&(_, i)| i).ok_or(Some(h))
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).map(|i| &self.entries[i].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.position(key).map(|i| &mut self.entries[i].1)
    }

    /// The member `key` with its stored key.
    pub fn get_key_value(&self, key: &str) -> Option<(&Str, &Value)> {
        self.position(key).map(|i| (&self.entries[i].0, &self.entries[i].1))
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets `key` to `value`: in place when the key is there (returning the old value), at the end
    /// otherwise.
    pub fn insert(&mut self, key: impl Into<Str>, value: Value) -> Option<Value> {
        let key = key.into();
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(hashed) => {
                self.push_new(key, value, hashed);
                None
            }
        }
    }

    /// Appends a member whose key is known not to be there (`hashed`: its hash, when indexed).
    fn push_new(&mut self, key: Str, value: Value, hashed: Option<u64>) -> usize {
        let i = self.entries.len();
        // Most objects of a template hold one to three members (`{Ref: …}`, `{Fn::GetAtt: …}`); a
        // `Vec`'s first growth makes room for four, so each of them held room for up to three more.
        // Growing one at a time up to four, then doubling, made an expansion's tree a sixth smaller.
        if i == self.entries.capacity() && i < 4 {
            self.entries.reserve_exact(1);
        }
        self.entries.push((key, value));
        match (&mut self.index, hashed) {
            (Some(index), Some(h)) => {
                index.insert_unique(h, (h, i), |&(h, _)| h);
            }
            _ if self.entries.len() > SCANNED => self.rebuild_index(),
            _ => {}
        }
        i
    }

    fn rebuild_index(&mut self) {
        if self.entries.len() <= SCANNED {
            self.index = None;
            return;
        }
        let mut index = HashTable::with_capacity(self.entries.len().max(self.entries.capacity()));
        for (i, (key, _)) in self.entries.iter().enumerate() {
            let h = hash(key);
            index.insert_unique(h, (h, i), |&(h, _)| h);
        }
        self.index = Some(Box::new(index));
    }

    /// Removes `key` by moving the last member into its place, as serde_json's `remove` does.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.swap_remove(key)
    }

    pub fn swap_remove(&mut self, key: &str) -> Option<Value> {
        let i = self.position(key)?;
        let last = self.entries.len() - 1;
        if let Some(index) = &mut self.index {
            if let Ok(slot) = index.find_entry(hash(key), |&(_, j)| j == i) {
                slot.remove();
            }
            if i != last {
                let moved = hash(&self.entries[last].0);
                if let Some(slot) = index.find_mut(moved, |&(_, j)| j == last) {
                    slot.1 = i;
                }
            }
        }
        let (_, value) = self.entries.swap_remove(i);
        Some(value)
    }

    /// Removes `key` and closes the gap, keeping the order of the rest.
    pub fn shift_remove(&mut self, key: &str) -> Option<Value> {
        let i = self.position(key)?;
        let (_, value) = self.entries.remove(i);
        if self.index.is_some() {
            self.rebuild_index();
        }
        Some(value)
    }

    /// Gives member `old` the key `new`, in its place. Does nothing and answers false when `old` is
    /// missing or `new` is taken.
    pub fn rename_key(&mut self, old: &str, new: impl Into<Str>) -> bool {
        let new = new.into();
        let Ok(i) = self.find(old) else { return false };
        let Err(hashed) = self.find(&new) else { return false };
        if let Some(index) = &mut self.index {
            if let Ok(slot) = index.find_entry(hash(old), |&(_, j)| j == i) {
                slot.remove();
            }
            if let Some(h) = hashed {
                index.insert_unique(h, (h, i), |&(h, _)| h);
            }
        }
        self.entries[i].0 = new;
        true
    }

    /// The entry for `key`, to fill in when missing.
    pub fn entry(&mut self, key: impl Into<Str>) -> Entry<'_> {
        let key = key.into();
        let position = self.find(&key);
        Entry { map: self, key, position }
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&Str, &mut Value) -> bool) {
        let before = self.entries.len();
        self.entries.retain_mut(|(k, v)| keep(k, v));
        if self.entries.len() != before && self.index.is_some() {
            self.rebuild_index();
        }
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries.iter())
    }

    pub fn iter_mut(&mut self) -> IterMut<'_> {
        IterMut(self.entries.iter_mut())
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Str> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut Value> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }
}

/// A place in a [`Map`] for one key, from [`Map::entry`].
pub struct Entry<'a> {
    map: &'a mut Map,
    key: Str,
    position: Result<usize, Option<u64>>,
}

impl<'a> Entry<'a> {
    pub fn or_insert(self, value: Value) -> &'a mut Value {
        self.or_insert_with(|| value)
    }

    pub fn or_insert_with(self, value: impl FnOnce() -> Value) -> &'a mut Value {
        let i = match self.position {
            Ok(i) => i,
            Err(hashed) => self.map.push_new(self.key, value(), hashed),
        };
        &mut self.map.entries[i].1
    }

    pub fn or_default(self) -> &'a mut Value {
        self.or_insert_with(Value::default)
    }
}

pub struct Iter<'a>(std::slice::Iter<'a, (Str, Value)>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a Str, &'a Value);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl ExactSizeIterator for Iter<'_> {}

pub struct IterMut<'a>(std::slice::IterMut<'a, (Str, Value)>);

impl<'a> Iterator for IterMut<'a> {
    type Item = (&'a Str, &'a mut Value);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&*k, v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for IterMut<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (&*k, v))
    }
}

impl ExactSizeIterator for IterMut<'_> {}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a Str, &'a Value);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Map {
    type Item = (&'a Str, &'a mut Value);
    type IntoIter = IterMut<'a>;
    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}

impl IntoIterator for Map {
    type Item = (Str, Value);
    type IntoIter = std::vec::IntoIter<(Str, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<K: Into<Str>> FromIterator<(K, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Map {
        let mut map = Map::new();
        map.extend(iter);
        map
    }
}

impl<K: Into<Str>> Extend<(K, Value)> for Map {
    fn extend<I: IntoIterator<Item = (K, Value)>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        self.entries.reserve_exact(iter.size_hint().0);
        for (key, value) in iter {
            self.insert(key, value);
        }
    }
}

/// Equal when both have the same members, in any order (as serde_json's `Map`).
impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl Eq for Map {}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl std::ops::Index<&str> for Map {
    type Output = Value;
    #[allow(
        clippy::panic,
        reason = "serde_json's `Map` indexing contract: a missing member is the caller's bug; the engine uses `get`"
    )]
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or_else(|| panic!("no member {key:?} in the object"))
    }
}

impl std::ops::IndexMut<&str> for Map {
    #[allow(
        clippy::panic,
        reason = "serde_json's `Map` indexing contract: a missing member is the caller's bug; the engine uses `get_mut`"
    )]
    fn index_mut(&mut self, key: &str) -> &mut Value {
        self.get_mut(key).unwrap_or_else(|| panic!("no member {key:?} in the object"))
    }
}

impl serde::Serialize for Map {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in self {
            map.serialize_entry(key.as_str(), value)?;
        }
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for Map {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Map, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Object(map) => Ok(map),
            other => {
                Err(serde::de::Error::custom(format!("expected an object, found {}", super::kind(&other))))
            }
        }
    }
}
