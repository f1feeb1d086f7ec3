//! Logical IDs of generated resources (docs/generated-resources.md) and the content hashes some of them carry.

use sha2::{Digest, Sha256};

pub const APPLICATION: &str = "CanaryDeploymentsApplication";
pub const SERVICE_ROLE: &str = "CanaryDeploymentsServiceRole";

/// The first `n` hex digits of SHA-256 over `bytes`.
pub fn short_hash(bytes: &[u8], n: usize) -> String {
    hex_prefix(&Sha256::digest(bytes), n)
}

/// The first `n` hex digits of a digest.
pub fn hex_prefix(digest: &[u8], n: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(n);
    for b in digest {
        hex.push(char::from(HEX[usize::from(b >> 4)]));
        hex.push(char::from(HEX[usize::from(b & 15)]));
        if hex.len() >= n {
            break;
        }
    }
    hex.truncate(n);
    hex
}

/// `<Fn>Alias<Name>`, with `-` written `D` and `_` written `U` as SAM does, so a stack moving from
/// SAM's `AutoPublishAlias` keeps its alias resource.
pub fn alias(function: &str, alias_name: &str) -> String {
    format!("{function}Alias{}", alias_name.replace('-', "D").replace('_', "U"))
}

pub fn deployment_group(function: &str) -> String {
    format!("{function}DeploymentGroup")
}

pub fn deployment_config(shape_name: &str) -> String {
    format!("CanaryDeploymentsConfig{shape_name}")
}

/// The hook's status permission for one function's deployment group. One per hook and function (not
/// one per hook): the function's alias waits for it, and a policy shared with another function would
/// make the alias wait for that function's deployment group too, which can close a cycle.
pub fn hook_policy(hook: &str, function: &str) -> String {
    format!("{hook}CanaryHookPolicy{function}")
}

/// The generated CodeDeploy role's grants for one function's hooks and trigger topics.
pub fn grant_policy(function: &str) -> String {
    format!("{function}CanaryDeploymentPolicy")
}

/// `CanaryDeploymentsCondition`, then `CanaryDeploymentsCondition2`, …: the `Fn::Or` of the conditions
/// of the functions that share a generated resource.
pub fn shared_condition(n: usize) -> String {
    if n == 1 {
        "CanaryDeploymentsCondition".to_owned()
    } else {
        format!("CanaryDeploymentsCondition{n}")
    }
}

pub fn rollback_alarm(function: &str, metric: &str) -> String {
    format!("{function}Canary{metric}Alarm")
}

pub fn version(function: &str, hash10: &str) -> String {
    format!("{function}Version{hash10}")
}

/// Whether `logical_id` is a version published per content, as [`version`] names it (and as SAM's
/// `AutoPublishAlias` names its own): `<Fn>Version<10 hex>`.
pub fn is_published_version(function: &str, logical_id: &str) -> bool {
    logical_id
        .strip_prefix(function)
        .and_then(|rest| rest.strip_prefix("Version"))
        .is_some_and(|hash| hash.len() == 10 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `<Deployment><8 hex>`: an API Gateway deployment renewed because rewiring changed the integrations
/// it snapshots (docs/rewiring.md); the hash is over the rewritten integrations, so the same template always
/// gives the same ID and a changed alias gives a new one.
pub fn renewed_deployment(deployment: &str, rewritten_integrations: &[u8]) -> String {
    format!("{deployment}{}", short_hash(rewritten_integrations, 8))
}
