//! canary-engine: the pure expansion engine of the CanaryDeployments CloudFormation macro.
//!
//! Template (`crate::json::Value`) and [`Context`] in; template, diagnostics and a plan out
//! ([`Expansion`]). No I/O, no async, no logging, no clocks: the Lambda and the CLI are thin shells
//! over [`expand`]. It never panics and never returns `Err`; every problem is a [`Diagnostic`] with a
//! template path.

pub mod cfn;
pub mod diag;
mod expand;
mod ids;
pub mod json;
pub mod limits;
pub mod rewire;
pub mod settings;

pub use diag::{Diagnostic, Path, Segment, Severity};
pub use expand::{
    expand, expand_for_macro, expand_note, expand_source, CodeLocation, Context, Expansion, FunctionPlan,
    MovedInvoker, Stats, NOT_VERSIONED,
};
