//! Checks of ARNs written as strings: SNS topic ARNs, `Fn::Sub` wildcards, external Lambda function
//! names and ARNs, partitions and regions.

use crate::cfn;

/// Why a topic ARN with `*` or `?` is refused.
const TOPIC_WILDCARD: &str =
    "has a wildcard, and the generated role grants sns:Publish on exactly the topic named";

/// `arn:<partition>:<service>:<region>:<account>:<resource>` with every part but region present.
/// Why `s` does not name exactly one SNS topic by ARN (`None` when it does).
pub(super) fn topic_arn_problem(s: &str) -> Option<&'static str> {
    if s.contains(['*', '?']) {
        return Some(TOPIC_WILDCARD);
    }
    let parts: Vec<&str> = s.split(':').collect();
    let ["arn", partition, "sns", region, account, topic] = parts.as_slice() else {
        return Some("is not an SNS topic ARN");
    };
    let topic_name = topic.strip_suffix(".fifo").unwrap_or(topic);
    let well_formed = is_partition(partition)
        && is_region(region)
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && (1..=256).contains(&topic_name.len())
        && topic_name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (!well_formed).then_some("is not an SNS topic ARN")
}

/// Why the literal text of an `Fn::Sub` (outside its `${…}` placeholders) names more than one
/// resource. A `${!Literal}` escape is literal text, as is whatever follows a `${` no `}` closes.
pub(super) fn sub_wildcard_problem(text: &str) -> Option<&'static str> {
    let has_wildcard = |literal: &str| literal.contains(['*', '?']);
    let mut literal_start = 0;
    for placeholder in cfn::placeholders(text) {
        if has_wildcard(&text[literal_start..placeholder.start]) {
            return Some(TOPIC_WILDCARD);
        }
        literal_start = placeholder.end;
    }
    has_wildcard(&text[literal_start..]).then_some(TOPIC_WILDCARD)
}

/// Why `s` does not name exactly one Lambda function outside the template (`None` when it does):
/// a name, `name:qualifier`, `account:function:name[:qualifier]`, or a function ARN.
pub(super) fn external_function_problem(s: &str) -> Option<&'static str> {
    if s.contains(['*', '?']) {
        return Some("has a wildcard, and the generated role may invoke exactly the hook named");
    }
    let is_name = |n: &str| {
        (1..=64).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let is_qualifier = |q: &str| {
        q == "$LATEST"
            || ((1..=128).contains(&q.len())
                && q.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    };
    let is_account = |a: &str| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = s.split(':').collect();
    let ok = match parts.as_slice() {
        [name] => is_name(name),
        [name, qualifier] => is_name(name) && is_qualifier(qualifier),
        [account, "function", name] => is_account(account) && is_name(name),
        [account, "function", name, qualifier] => {
            is_account(account) && is_name(name) && is_qualifier(qualifier)
        }
        ["arn", partition, "lambda", region, account, "function", name] => {
            is_partition(partition) && is_region(region) && is_account(account) && is_name(name)
        }
        ["arn", partition, "lambda", region, account, "function", name, qualifier] => {
            is_partition(partition)
                && is_region(region)
                && is_account(account)
                && is_name(name)
                && is_qualifier(qualifier)
        }
        _ => false,
    };
    (!ok).then_some("is not the name or ARN of a Lambda function")
}

fn is_partition(p: &str) -> bool {
    p.starts_with("aws") && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
}

fn is_region(r: &str) -> bool {
    !r.is_empty() && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `${!Literal}` is no placeholder: CloudFormation writes it as `${Literal}`, so a wildcard in it
    /// is in the topic ARN.
    #[test]
    fn a_wildcard_in_an_escaped_placeholder_is_literal_text() {
        assert_eq!(
            sub_wildcard_problem("arn:${AWS::Partition}:sns:${AWS::Region}:123456789012:alerts"),
            None
        );
        assert_eq!(sub_wildcard_problem("arn:aws:sns:${AWS::Region}:123456789012:${Topic*}"), None);
        assert_eq!(
            sub_wildcard_problem("arn:aws:sns:${AWS::Region}:123456789012:alerts-*"),
            Some(TOPIC_WILDCARD)
        );
        assert_eq!(
            sub_wildcard_problem("arn:aws:sns:${AWS::Region}:123456789012:${!Topic*}"),
            Some(TOPIC_WILDCARD)
        );
        // A `${` that no `}` closes is text too.
        assert_eq!(
            sub_wildcard_problem("arn:aws:sns:${AWS::Region:123456789012:alerts-?"),
            Some(TOPIC_WILDCARD)
        );
    }
}
