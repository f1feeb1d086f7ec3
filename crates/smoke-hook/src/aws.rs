//! The four AWS calls the hook makes, signed with SigV4 (`aws-sigv4`) and sent with hyper over
//! rustls: CodeDeploy's `GetDeployment`, `GetApplicationRevision` and
//! `PutLifecycleEventHookExecutionStatus` (JSON 1.1 protocol), and Lambda's `Invoke` (REST-JSON).
//!
//! Endpoints are the services' regional ones, or `AWS_ENDPOINT_URL_CODEDEPLOY`,
//! `AWS_ENDPOINT_URL_LAMBDA` or `AWS_ENDPOINT_URL` when set, as the AWS SDKs read them (the tests
//! point them at a local endpoint). Credentials are the execution role's, from the environment
//! Lambda sets. Throttling and server errors are retried a few times with a growing delay; the
//! caller bounds the whole by its own deadline.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};

/// How many times a throttled or failed call is sent in all.
const ATTEMPTS: u32 = 5;
/// The first retry's delay; each next one doubles it (0.2, 0.4, 0.8, 1.6 s).
const FIRST_DELAY: Duration = Duration::from_millis(200);

/// What a call could not do, said for the log.
#[derive(Debug)]
pub struct CallError(pub String);

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where and as whom the calls go.
pub struct Aws {
    region: String,
    identity: Identity,
    codedeploy: String,
    lambda: String,
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
}

/// Lambda's answer to one invocation.
pub struct Invocation {
    /// `X-Amz-Function-Error`: the function threw, or its runtime failed (`Unhandled`).
    pub function_error: Option<String>,
    pub payload: Vec<u8>,
}

impl Aws {
    /// From the environment Lambda gives a function: `AWS_REGION` and the role's credentials.
    pub fn from_env() -> Result<Aws, CallError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let need = |name: &str| var(name).ok_or_else(|| CallError(format!("{name} is not set")));
        let region = need("AWS_REGION")?;
        let credentials = Credentials::new(
            need("AWS_ACCESS_KEY_ID")?,
            need("AWS_SECRET_ACCESS_KEY")?,
            var("AWS_SESSION_TOKEN"),
            None,
            "environment",
        );
        let endpoint = |service: &str, id: &str| {
            var(&format!("AWS_ENDPOINT_URL_{id}"))
                .or_else(|| var("AWS_ENDPOINT_URL"))
                .unwrap_or_else(|| format!("https://{service}.{region}.{}", dns_suffix(&region)))
                .trim_end_matches('/')
                .to_owned()
        };
        let codedeploy = endpoint("codedeploy", "CODEDEPLOY");
        let lambda = endpoint("lambda", "LAMBDA");
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new()).build(https);
        Ok(Aws { region, identity: credentials.into(), codedeploy, lambda, client })
    }

    /// CodeDeploy's `GetDeployment`: the deployment's `deploymentInfo`.
    pub async fn get_deployment(&self, deployment_id: &str) -> Result<Value, CallError> {
        let out = self.codedeploy("GetDeployment", json!({"deploymentId": deployment_id})).await?;
        out.get("deploymentInfo")
            .cloned()
            .ok_or_else(|| CallError("GetDeployment returned no deploymentInfo".into()))
    }

    /// CodeDeploy's `GetApplicationRevision`: the revision with its content.
    pub async fn get_application_revision(
        &self,
        application: &str,
        revision: &Value,
    ) -> Result<Value, CallError> {
        let input = json!({"applicationName": application, "revision": revision});
        let out = self.codedeploy("GetApplicationRevision", input).await?;
        out.get("revision")
            .cloned()
            .ok_or_else(|| CallError("GetApplicationRevision returned no revision".into()))
    }

    /// CodeDeploy's `PutLifecycleEventHookExecutionStatus`.
    pub async fn put_status(
        &self,
        deployment_id: &str,
        execution_id: &str,
        status: &str,
    ) -> Result<(), CallError> {
        let input = json!({
            "deploymentId": deployment_id,
            "lifecycleEventHookExecutionId": execution_id,
            "status": status,
        });
        self.codedeploy("PutLifecycleEventHookExecutionStatus", input).await.map(drop)
    }

    /// Lambda's synchronous `Invoke` of `function` at `qualifier` with `payload`.
    pub async fn invoke(
        &self,
        function: &str,
        qualifier: &str,
        payload: Vec<u8>,
    ) -> Result<Invocation, CallError> {
        let uri = format!(
            "{}/2015-03-31/functions/{}/invocations?Qualifier={}",
            self.lambda,
            encode(function),
            encode(qualifier)
        );
        let headers = [("content-type", "application/json"), ("x-amz-invocation-type", "RequestResponse")];
        let response = self.send("lambda", &uri, &headers, payload).await?;
        let function_error = response.header("x-amz-function-error");
        Ok(Invocation { function_error, payload: response.body })
    }

    async fn codedeploy(&self, operation: &str, input: Value) -> Result<Value, CallError> {
        let uri = format!("{}/", self.codedeploy);
        let target = format!("CodeDeploy_20141006.{operation}");
        let headers = [("content-type", "application/x-amz-json-1.1"), ("x-amz-target", target.as_str())];
        let response = self.send("codedeploy", &uri, &headers, input.to_string().into_bytes()).await?;
        serde_json::from_slice(&response.body)
            .map_err(|e| CallError(format!("{operation} answered with something other than JSON: {e}")))
    }

    /// Sends a signed POST, retrying throttling (429, or 400 `ThrottlingException`) and server errors (5xx); any other status
    /// other than 200 is an error naming the service's error type.
    async fn send(
        &self,
        service: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<Response, CallError> {
        let mut delay = FIRST_DELAY;
        let mut attempt = 1;
        loop {
            let response = self.send_once(service, uri, headers, &body).await;
            let retry = match &response {
                // JSON-protocol services answer throttling with 400 and a `ThrottlingException` type.
                Ok(r) => {
                    r.status == 429
                        || r.status >= 500
                        || (r.status == 400 && r.error_type().contains("Throttling"))
                }
                // A connection that failed may succeed on the next try.
                Err(_) => true,
            };
            if !retry || attempt == ATTEMPTS {
                let response = response?;
                if response.status == 200 {
                    return Ok(response);
                }
                return Err(CallError(format!(
                    "{service} answered {} {} after {attempt} attempt{}",
                    response.status,
                    response.error_type(),
                    if attempt == 1 { "" } else { "s" }
                )));
            }
            tracing::info!(service, attempt, "retrying a throttled or failed call");
            tokio::time::sleep(delay).await;
            delay *= 2;
            attempt += 1;
        }
    }

    async fn send_once(
        &self,
        service: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Response, CallError> {
        let mut request = http::Request::post(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut request = request
            .body(Full::new(Bytes::copy_from_slice(body)))
            .map_err(|e| CallError(format!("the request to {service} could not be built: {e}")))?;
        let settings = SigningSettings::default();
        let params = v4::SigningParams::builder()
            .identity(&self.identity)
            .region(&self.region)
            .name(service)
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .map_err(|e| CallError(format!("signing parameters: {e}")))?
            .into();
        let signable = SignableRequest::new("POST", uri, headers.iter().copied(), SignableBody::Bytes(body))
            .map_err(|e| CallError(format!("the request to {service} could not be signed: {e}")))?;
        let (instructions, _signature) = sign(signable, &params)
            .map_err(|e| CallError(format!("the request to {service} could not be signed: {e}")))?
            .into_parts();
        instructions.apply_to_request_http1x(&mut request);
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| CallError(format!("{service} could not be reached: {e}")))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| CallError(format!("{service}'s answer could not be read: {e}")))?
            .to_bytes()
            .to_vec();
        Ok(Response { status, headers, body })
    }
}

struct Response {
    status: u16,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    /// The service's error type: Lambda's `X-Amzn-ErrorType` header, else the JSON body's `__type`
    /// (JSON 1.1) or `Type`, with its message.
    fn error_type(&self) -> String {
        let body: Value = serde_json::from_slice(&self.body).unwrap_or(Value::Null);
        let kind = self
            .header("x-amzn-errortype")
            .or_else(|| body.get("__type").and_then(Value::as_str).map(str::to_owned))
            .or_else(|| body.get("Type").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default();
        let message =
            ["message", "Message"].iter().find_map(|k| body.get(*k).and_then(Value::as_str)).unwrap_or("");
        format!("{kind} {message}").trim().to_owned()
    }
}

/// The partition's DNS suffix for a Region's endpoints.
fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    }
}

/// Percent-encodes a path segment or query value (RFC 3986 unreserved characters stay).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_qualifiers_are_encoded() {
        assert_eq!(encode("my-fn_1"), "my-fn_1");
        assert_eq!(
            encode("arn:aws:lambda:eu-west-1:123456789012:function:f"),
            "arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Af"
        );
        assert_eq!(encode("$LATEST"), "%24LATEST");
    }

    #[test]
    fn china_regions_have_their_own_suffix() {
        assert_eq!(dns_suffix("cn-north-1"), "amazonaws.com.cn");
        assert_eq!(dns_suffix("eu-west-1"), "amazonaws.com");
    }
}
