//! `Stripe-Signature` verification, as Stripe documents it: the header carries a
//! timestamp `t` and one or more `v1` HMAC-SHA256 signatures of `"{t}.{raw body}"` under
//! the endpoint's signing secret. A signature is accepted only if it matches (compared in
//! constant time) and `t` is within the tolerance of now, so a captured request cannot be
//! replayed later.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use thiserror::Error;

/// Stripe's own libraries default to five minutes.
pub const TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing")]
    Missing,
    #[error("the Stripe-Signature header is malformed")]
    Malformed,
    #[error("the signature timestamp is outside the tolerance")]
    Stale,
    #[error("no signature matches the payload")]
    Mismatch,
}

/// Checks `header` against `payload` (the raw request body, byte for byte) at `now`.
pub fn verify(
    header: Option<&str>,
    payload: &[u8],
    secret: &str,
    now_seconds: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp: Option<i64> = None;
    let mut signatures: Vec<Vec<u8>> = Vec::new();
    for part in header.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed)?;
        match key {
            "t" => timestamp = Some(value.parse().map_err(|_| SignatureError::Malformed)?),
            // Other schemes (v0 is Stripe's test scheme) are ignored, as Stripe advises.
            "v1" => signatures.push(hex::decode(value).map_err(|_| SignatureError::Malformed)?),
            _ => {}
        }
    }
    let t = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now_seconds - t).abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    let matches = signatures.iter().any(|sig| {
        // verify_slice compares in constant time.
        mac_for(secret, t, payload).verify_slice(sig).is_ok()
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

fn mac_for(secret: &str, t: i64, payload: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any size");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

/// A header as Stripe would send it: for tests and the local tools that replay events.
pub fn sign(payload: &[u8], secret: &str, t: i64) -> String {
    let sig = mac_for(secret, t, payload).finalize().into_bytes();
    format!("t={t},v1={}", hex::encode(sig))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
    const NOW: i64 = 1_790_000_000;

    #[test]
    fn accepts_a_fresh_valid_signature() {
        let header = sign(BODY, SECRET, NOW - 10);
        assert_eq!(verify(Some(&header), BODY, SECRET, NOW), Ok(()));
    }

    #[test]
    fn accepts_any_matching_v1_among_several() {
        // Stripe sends two v1 signatures while an endpoint secret is being rolled.
        let good = sign(BODY, SECRET, NOW);
        let v1 = good.split_once(",v1=").unwrap().1;
        let header = format!("t={NOW},v1={},v1={v1},v0=abc", "00".repeat(32));
        assert_eq!(verify(Some(&header), BODY, SECRET, NOW), Ok(()));
    }

    #[test]
    fn refuses_missing_malformed_stale_and_forged() {
        assert_eq!(
            verify(None, BODY, SECRET, NOW),
            Err(SignatureError::Missing)
        );
        for bad in ["", "garbage", "t=abc,v1=00", "t=1", "v1=00", "t=1,v1=zz"] {
            assert_eq!(
                verify(Some(bad), BODY, SECRET, NOW),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
        let old = sign(BODY, SECRET, NOW - TOLERANCE_SECONDS - 1);
        assert_eq!(
            verify(Some(&old), BODY, SECRET, NOW),
            Err(SignatureError::Stale)
        );
        let future = sign(BODY, SECRET, NOW + TOLERANCE_SECONDS + 1);
        assert_eq!(
            verify(Some(&future), BODY, SECRET, NOW),
            Err(SignatureError::Stale)
        );
        let other_secret = sign(BODY, "whsec_other", NOW);
        assert_eq!(
            verify(Some(&other_secret), BODY, SECRET, NOW),
            Err(SignatureError::Mismatch)
        );
        let header = sign(BODY, SECRET, NOW);
        let tampered = br#"{"id":"evt_1","type":"payment_intent.succeeded" }"#;
        assert_eq!(
            verify(Some(&header), tampered, SECRET, NOW),
            Err(SignatureError::Mismatch)
        );
        // The timestamp is signed too: moving it forward breaks the signature.
        let moved = header.replacen(&format!("t={NOW}"), &format!("t={}", NOW + 1), 1);
        assert_eq!(
            verify(Some(&moved), BODY, SECRET, NOW),
            Err(SignatureError::Mismatch)
        );
    }
}
