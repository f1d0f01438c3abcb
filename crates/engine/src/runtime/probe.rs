//! The kubelet prober's side of network probes (`pkg/probe/http`, `pkg/probe/tcp`): the request
//! it sends and the words of its verdicts. A runtime only carries bytes to and from the pod;
//! every runtime words its [`ProbeOutcome`]s with these functions, so a verdict reads the same
//! on the mock and on Docker.

use super::ProbeOutcome;

/// The prober's `User-Agent`: `kube-probe/<major>.<minor>` of the kubelet (v1.36, the API
/// version podplay models).
pub const USER_AGENT: &str = "kube-probe/1.36";

/// The URL of an httpGet probe, as Go's client prints it in errors.
pub fn http_url(scheme: &str, ip: &str, port: i32, path: &str) -> String {
    format!("{}://{ip}:{port}{path}", scheme.to_ascii_lowercase())
}

/// The GET an httpGet probe sends (`pkg/probe/http` `NewRequestForHTTPGetAction`).
pub fn http_request(ip: &str, port: i32, path: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: {ip}:{port}\r\nUser-Agent: {USER_AGENT}\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    )
}

/// The verdict on what came back (`DoHTTPProbe`): a status from 200 to 399 succeeds, another
/// fails with `HTTP probe failed with statuscode: N`, nothing at all is Go's `EOF`.
pub fn http_outcome(url: &str, response: &[u8]) -> ProbeOutcome {
    let text = String::from_utf8_lossy(response);
    let status = text
        .lines()
        .next()
        .filter(|l| l.starts_with("HTTP/"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse::<u16>().ok());
    match status {
        Some(code) if (200..400).contains(&code) => ProbeOutcome::Success,
        Some(code) => ProbeOutcome::Failure(format!("HTTP probe failed with statuscode: {code}")),
        None => ProbeOutcome::Failure(format!("Get {}: EOF", crate::go::quote(url))),
    }
}

/// An httpGet probe that could not connect: Go's `Get "URL": dial tcp ...: connection refused`.
pub fn http_refused(url: &str, ip: &str, port: i32) -> ProbeOutcome {
    ProbeOutcome::Failure(format!(
        "Get {}: {}",
        crate::go::quote(url),
        dial_refused(ip, port)
    ))
}

/// An httpGet probe that got no answer within its timeout.
pub fn http_timeout(url: &str) -> ProbeOutcome {
    ProbeOutcome::Failure(format!(
        "Get {}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
        crate::go::quote(url)
    ))
}

/// Nothing listens there: Go's dial error, the tcpSocket probe's output as it is.
pub fn dial_refused(ip: &str, port: i32) -> String {
    format!("dial tcp {ip}:{port}: connect: connection refused")
}

/// A tcpSocket probe that got no answer within its timeout.
pub fn dial_timeout(ip: &str, port: i32) -> String {
    format!("dial tcp {ip}:{port}: i/o timeout")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_from_200_to_399_succeed_and_others_fail_with_their_code() {
        let url = http_url("HTTP", "10.244.0.4", 80, "/healthz");
        assert_eq!(url, "http://10.244.0.4:80/healthz");
        assert_eq!(
            http_outcome(&url, b"HTTP/1.1 302 Found\r\n\r\n"),
            ProbeOutcome::Success
        );
        assert_eq!(
            http_outcome(&url, b"HTTP/1.1 500 Internal Server Error\r\n\r\n"),
            ProbeOutcome::Failure("HTTP probe failed with statuscode: 500".into())
        );
        assert_eq!(
            http_outcome(&url, b""),
            ProbeOutcome::Failure("Get \"http://10.244.0.4:80/healthz\": EOF".into())
        );
        assert_eq!(
            http_refused(&url, "10.244.0.4", 80),
            ProbeOutcome::Failure(
                "Get \"http://10.244.0.4:80/healthz\": dial tcp 10.244.0.4:80: connect: connection refused"
                    .into()
            )
        );
    }
}
