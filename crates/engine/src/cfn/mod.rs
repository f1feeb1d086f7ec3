//! How CloudFormation spells things: the names ([`names`]) and the reference forms ([`refs`]).
//!
//! The only home of the intrinsic function names, the pseudo parameters, the resource types the
//! expansion reads or writes, the transform name and the setting keys, and the only reader of the
//! reference forms (`Ref`, both `Fn::GetAtt` forms, the placeholders of `Fn::Sub`, `AWS::NoValue`).
//! It depends on nothing in the crate but the `json` tree; every other module asks it. Rewriting
//! references stays in `rewire/matcher.rs`, which reads them through here.

pub mod names;
pub mod refs;

pub use self::names::*;
pub use self::refs::*;
