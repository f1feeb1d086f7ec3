//! Rewiring (SPEC §5): every reference to a marked function in an invoking position moves to its alias.
//!
//! `table.rs` is the only list of invoking positions; `matcher.rs` alone knows the reference forms
//! (`Ref`, both `Fn::GetAtt` forms, `Fn::Sub`, `Fn::Join`, `Fn::If`).

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value};

use crate::diag::{Diagnostic, Path};

/// Where a marked function's invokers must point instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasTarget {
    /// Logical ID of the `AWS::Lambda::Alias` (generated or adopted).
    pub alias_logical_id: String,
    /// The alias `Name`, for positions that take a qualifier (`EventInvokeConfig.Qualifier`).
    pub alias_name: String,
}

/// One reference that moved to an alias.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rewired {
    /// The marked function whose invoker moved.
    pub function: String,
    /// The invoking resource.
    pub resource: String,
    /// The exact position of the reference.
    pub path: Path,
}

/// Rewires `template` in place. `targets` maps each marked function's logical ID to its alias;
/// `generated` holds the logical IDs the expansion added, which are never rewired.
pub fn rewire(
    template: &mut Map<String, Value>,
    targets: &BTreeMap<String, AliasTarget>,
    generated: &HashSet<String>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Rewired> {
    let _ = (template, targets, generated, diagnostics);
    Vec::new()
}
