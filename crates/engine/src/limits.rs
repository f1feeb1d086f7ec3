//! CloudFormation's and Lambda's limits that the macro enforces or warns about (docs/lambda.md).

/// Lambda's synchronous payload limit: a macro event larger than this never reaches a real macro,
/// so the shells refuse it before parsing.
pub const MAX_INPUT_BYTES: usize = 6 * 1024 * 1024;

/// How deep the template may nest. CloudFormation templates rarely pass 30 levels (OpenAPI bodies are
/// the deepest); serde_json refuses 128 while parsing, and this bound keeps the engine's recursion
/// (and its stack) small whatever `Value` it is handed.
pub const MAX_DEPTH: usize = 100;

/// How deep settings may nest `Fn::If` in `Alarms` and in the traffic hooks. CloudFormation sets no
/// such limit; a hand-written choice is one or two levels deep, and this bound, far above that,
/// keeps the recursion small and the `Fn::If`s each alarm is wrapped in (one per level) few.
pub const MAX_IF_NESTING: usize = 8;

/// CloudFormation's limit on a processed template (bytes of JSON).
pub const MAX_PROCESSED_TEMPLATE_BYTES: usize = 1024 * 1024;

/// CloudFormation's limit on resources in one stack.
pub const MAX_RESOURCES: usize = 500;

/// CodeDeploy's limit on alarms in one deployment group.
pub const MAX_ALARMS: usize = 10;

/// The longest logical ID CloudFormation accepts (CloudFormation User Guide, "Resources" section:
/// a logical ID is alphanumeric and at most 255 characters); cfn-lint E3001.
pub const MAX_LOGICAL_ID: usize = 255;

/// IAM's limit on an inline policy's name (`PolicyName` of `AWS::IAM::Policy`); cfn-lint E3033.
pub const MAX_POLICY_NAME: usize = 128;

/// The longest Lambda function name (Lambda API Reference, `CreateFunction`, `FunctionName`: a name
/// alone is 1 to 64 characters).
pub const MAX_FUNCTION_NAME_LEN: usize = 64;

/// The longest function reference Lambda takes in `FunctionName` (Lambda API Reference, `Invoke`:
/// a name, a partial ARN or a full ARN with its qualifier, 1 to 140 characters).
pub const MAX_FUNCTION_ARN_LEN: usize = 140;

/// The most resources the CLI expands to: a hundred times CloudFormation's limit. The CLI shows an
/// expansion over CloudFormation's limits, with a warning, so that its author sees what passed them;
/// one far beyond them is refused before it is built, which keeps the CLI within its memory and time
/// bounds (docs/limits.md) on any input.
pub const MAX_CLI_RESOURCES: usize = 100 * MAX_RESOURCES;

/// The most bytes of settings values the CLI lets the marked functions copy into an expansion,
/// counting template defaults once per function that inherits them: sixteen times the processed
/// template limit, for the same reason as [`MAX_CLI_RESOURCES`]. The macro's own bound is
/// [`MAX_PROCESSED_TEMPLATE_BYTES`], since every such byte ends up in the template it returns.
pub const MAX_CLI_SETTINGS_BYTES: usize = 16 * MAX_PROCESSED_TEMPLATE_BYTES;

/// Lambda's limit on a function's environment variables, all of them together (Lambda Developer
/// Guide, "Lambda quotas": 4 KB). The smoke test cases travel in one, counted as the API carries
/// the variables: a JSON object of strings.
pub const MAX_ENVIRONMENT_BYTES: usize = 4096;

/// The most memory one parameter's compiled `AllowedPattern` may take (bytes). A pattern written to
/// constrain a parameter compiles to a few kilobytes; one past this is warned about and not checked,
/// so a template cannot make the check's work grow without bound (matching is linear in the value).
pub const MAX_PATTERN_BYTES: usize = 1024 * 1024;
