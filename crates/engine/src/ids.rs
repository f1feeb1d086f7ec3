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

const DEPLOYMENT_CONFIG: &str = "CanaryDeploymentsConfig";

pub fn deployment_config(shape_name: &str) -> String {
    format!("{DEPLOYMENT_CONFIG}{shape_name}")
}

/// The hook's status permission for one function's deployment group. One per hook and function (not
/// one per hook): the function's alias waits for it, and a policy shared with another function would
/// make the alias wait for that function's deployment group too, which can close a cycle.
pub fn hook_policy(hook: &str, function: &str) -> String {
    format!("{hook}CanaryHookPolicy{function}")
}

/// The alias's permission beside a user's `AWS::Lambda::Permission` that stays on the function, because
/// an invoker it serves keeps invoking the function (docs/rewiring.md, permissions). One per permission
/// and function, named after both as [`hook_policy`] is.
pub fn alias_permission(permission: &str, function: &str) -> String {
    format!("{permission}{ALIAS_PERMISSION}{function}")
}

const ALIAS_PERMISSION: &str = "CanaryAliasPermission";

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

/// The built-in smoke test hook of one function (`SmokeTest`), and its role, its CodeDeploy grants and
/// its log group: one set per function, since each may invoke and report on that function alone.
pub fn smoke_test(function: &str) -> String {
    format!("{function}SmokeTest")
}

pub fn smoke_test_role(function: &str) -> String {
    format!("{function}SmokeTestRole")
}

pub fn smoke_test_policy(function: &str) -> String {
    format!("{function}SmokeTestPolicy")
}

pub fn smoke_test_logs(function: &str) -> String {
    format!("{function}SmokeTestLogs")
}

pub fn rollback_alarm(function: &str, metric: &str) -> String {
    format!("{function}Canary{metric}Alarm")
}

pub fn version(function: &str, hash10: &str) -> String {
    format!("{function}Version{hash10}")
}

/// Whether `logical_id` is a version published per content: as [`version`] names it (and as SAM's
/// `AutoPublishAlias` names its own), `<Fn>Version<10 hex>`; or as the Serverless Framework names the
/// version of its function `<Name>LambdaFunction`, `<Name>LambdaVersion<hash>`, where the hash is a
/// SHA-256 of the code and every property but `Tags` and `ReservedConcurrentExecutions`, in base64
/// without its `+`, `/` and `=` (`getLambdaVersionLogicalId` of the Framework's naming); or as AWS
/// CDK names a function's `currentVersion`: the function `<Path><8 hex>` has the version
/// `<Path>CurrentVersion<8 hex><32 hex>`, the last an MD5 of the versioned properties
/// (`calculateFunctionHash` of aws-cdk-lib's `aws-lambda`).
pub fn is_published_version(function: &str, logical_id: &str) -> bool {
    let ours = logical_id
        .strip_prefix(function)
        .and_then(|rest| rest.strip_prefix("Version"))
        .is_some_and(|hash| hash.len() == 10 && hash.bytes().all(|b| b.is_ascii_hexdigit()));
    // 43 base64 digits carry 256 bits; each `+` or `/` dropped shortens the hash by one.
    let framework = function
        .strip_suffix("LambdaFunction")
        .and_then(|name| logical_id.strip_prefix(name))
        .and_then(|rest| rest.strip_prefix("LambdaVersion"))
        .is_some_and(|hash| {
            (32..=43).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_alphanumeric())
        });
    let cdk = function
        .len()
        .checked_sub(8)
        .and_then(|end| function.get(..end).zip(function.get(end..)))
        .filter(|(_, path_hash)| path_hash.bytes().all(|b| b.is_ascii_hexdigit()))
        .and_then(|(path, _)| logical_id.strip_prefix(path))
        .and_then(|rest| rest.strip_prefix("CurrentVersion"))
        .is_some_and(|hash| hash.len() == 40 && hash.bytes().all(|b| b.is_ascii_hexdigit()));
    ours || framework || cdk
}

/// Whether `id` may name a resource the expansion adds, which the template may reference (an alias's
/// documented `<Fn>Alias<Name>`, for an IAM grant on it): the shared resources, a hook's policy
/// ([`hook_policy`]: a resource's ID, then a marked function's), or a marked function's ID followed by
/// what its own resources' IDs continue with. Each occurrence of a marker in `id` is one lookup.
pub fn may_be_generated(
    id: &str,
    is_resource: impl Fn(&str) -> bool,
    is_marked: impl Fn(&str) -> bool,
) -> bool {
    // What the function's own IDs continue with: `alias`, `deployment_group`, `version`, `Canary`
    // for `grant_policy` and `rollback_alarm`, and `SmokeTest` for the smoke test's resources.
    const MARKERS: &[&str] = &["Version", "Alias", "DeploymentGroup", "Canary", "SmokeTest"];
    const HOOK_POLICY: &str = "CanaryHookPolicy";
    if id == APPLICATION || id == SERVICE_ROLE || id.starts_with(DEPLOYMENT_CONFIG) {
        return true;
    }
    let after_resource = |marker: &str| {
        id.match_indices(marker).any(|(at, _)| is_resource(&id[..at]) && is_marked(&id[at + marker.len()..]))
    };
    let hook_policy = after_resource(HOOK_POLICY) || after_resource(ALIAS_PERMISSION);
    hook_policy || MARKERS.iter().any(|marker| id.match_indices(marker).any(|(at, _)| is_marked(&id[..at])))
}

/// `<Deployment><8 hex>`: an API Gateway deployment renewed because rewiring changed the integrations
/// it snapshots (docs/rewiring.md); the hash is over the rewritten integrations, so the same template always
/// gives the same ID and a changed alias gives a new one.
pub fn renewed_deployment(deployment: &str, rewritten_integrations: &[u8]) -> String {
    format!("{deployment}{}", short_hash(rewritten_integrations, 8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_of_marked_functions_and_their_hooks_may_be_referenced() {
        let resources = ["Fn", "Hook", "Other"];
        let may_be = |id: &str| may_be_generated(id, |r| resources.contains(&r), |f| f == "Fn");
        for id in [
            hook_policy("Hook", "Fn"),
            hook_policy("Fn", "Fn"),
            alias_permission("Hook", "Fn"),
            alias("Fn", "live"),
            deployment_group("Fn"),
            grant_policy("Fn"),
            rollback_alarm("Fn", "Errors"),
            smoke_test("Fn"),
            smoke_test_role("Fn"),
            smoke_test_policy("Fn"),
            smoke_test_logs("Fn"),
            version("Fn", "0123456789"),
            deployment_config("Canary10Percent5Minutes"),
            APPLICATION.to_owned(),
            SERVICE_ROLE.to_owned(),
        ] {
            assert!(may_be(&id), "{id}");
        }
        for id in [
            hook_policy("Missing", "Fn"),
            hook_policy("Hook", "Other"),
            alias_permission("Missing", "Fn"),
            deployment_group("Other"),
            "HookCanaryHookPolicy".to_owned(),
        ] {
            assert!(!may_be(&id), "{id}");
        }
    }

    #[test]
    fn versions_named_per_content_are_ours_sams_and_the_serverless_frameworks() {
        // Written by `serverless package` (3.40.0) for a function `hello`.
        let framework = "HelloLambdaVersion7YPmgPeEeWJWsAH6TN1qrENskt8SG2LpZ9eAKw1zOg";
        assert!(is_published_version("HelloLambdaFunction", framework));
        assert!(is_published_version("Fn", &version("Fn", "0123456789")));
        // Written by aws-cdk-lib 2.178.0 for `fn.currentVersion` of a function `Versioned`.
        let cdk = "VersionedCurrentVersion2076FA6A143d35d32a55b695ad987b298193fd61";
        assert!(is_published_version("Versioned173D5D8A", cdk));
        assert!(!is_published_version("Other173D5D8A", cdk));
        assert!(!is_published_version("Versioned", cdk));
        assert!(!is_published_version("Versioned173D5D8A", "VersionedCurrentVersion2076FA6A"));
        for (function, id) in [
            ("Hello", framework),
            ("OtherLambdaFunction", framework),
            ("HelloLambdaFunction", "HelloLambdaVersion1"),
            ("HelloLambdaFunction", "HelloLambdaVersion7YPmgPeEeWJWsAH6TN1qrENskt8SG2LpZ9eAKw1zOgXX"),
            ("HelloLambdaFunction", "HelloLambdaVersion7YPmgPeEeWJWsAH6TN1qrENskt8SG2Lp+9eAKw1zOg"),
            ("Fn", "FnVersion"),
            ("Fn", "FnVersionFirst"),
        ] {
            assert!(!is_published_version(function, id), "{function} {id}");
        }
    }
}
