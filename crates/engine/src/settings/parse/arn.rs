//! Checks of ARNs written as strings: SNS topic ARNs, `Fn::Sub` wildcards, external Lambda function
//! names and ARNs, partitions and regions.

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

/// Why the literal text of an `Fn::Sub` (outside its `${…}` placeholders) names more than one resource.
pub(super) fn sub_wildcard_problem(text: &str) -> Option<&'static str> {
    let mut literal = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        literal.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => rest = &rest[start + end + 1..],
            None => {
                rest = "";
            }
        }
    }
    literal.push_str(rest);
    literal.contains(['*', '?']).then_some(TOPIC_WILDCARD)
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
