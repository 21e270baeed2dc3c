//! The model's keys of one kind (accounts, roles) and their index, for the role graph's
//! references; and IAM names as keys that ignore ASCII case.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use crate::diag::closest;

/// The model's keys of one kind and their index, looked up once or more per role. A hash
/// map: a `BTreeMap` of a thousand keys that share a long prefix (`target-00042`) made
/// about ten comparisons a lookup, and this made `validate` 0.97× the time.
pub(super) struct Keys<'m, I>(HashMap<&'m str, I, RandomState>);

impl<'m, I: Copy> Keys<'m, I> {
    pub fn with_capacity(capacity: usize) -> Self {
        Keys(HashMap::with_capacity_and_hasher(
            capacity,
            RandomState::default(),
        ))
    }

    pub fn insert(&mut self, key: &'m str, index: I) {
        self.0.insert(key, index);
    }

    pub fn get(&self, key: &str) -> Option<I> {
        self.0.get(key).copied()
    }

    /// The key closest to `word`, for "did you mean": the keys in order, so that the
    /// answer does not depend on the map's.
    pub fn closest(&self, word: &str) -> Option<&'m str> {
        let mut keys: Vec<&'m str> = self.0.keys().copied().collect();
        keys.sort_unstable();
        closest(word, keys)
    }
}

/// A name compared, ordered and hashed ignoring ASCII case, as IAM compares names,
/// without the lowercased copy per name that a `String` key would take.
#[derive(Clone, Copy)]
pub(super) struct Folded<'a>(pub &'a str);

impl Folded<'_> {
    fn bytes(self) -> impl Iterator<Item = u8> {
        self.0.bytes().map(|byte| byte.to_ascii_lowercase())
    }
}

impl PartialEq for Folded<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for Folded<'_> {}

impl Ord for Folded<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.bytes().cmp(other.bytes())
    }
}

impl PartialOrd for Folded<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::hash::Hash for Folded<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_usize(self.0.len());
        self.bytes().for_each(|byte| state.write_u8(byte));
    }
}
