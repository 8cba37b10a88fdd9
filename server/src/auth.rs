//! Who may use the server, checked before routing so that a missing or
//! wrong credential is reported before anything else. One shared staff key,
//! one named key per person, or a token a portal signed for its signed-in
//! staff; with none configured the API is open (loopback only, see
//! [`crate::run`]). Whoever is let in is recorded as [`Who`] for the
//! audit log.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use leads_core::ErrorType;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::error::AppError;
use crate::start_error::StartError;

/// How much clock difference a token's `exp` and `nbf` tolerate.
const TOKEN_LEEWAY_SECONDS: u64 = 30;

/// Who made a request, as the audit log names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who(pub String);

/// The configured ways to sign in; cheap to clone.
#[derive(Clone, Default)]
pub struct SignIn {
    shared_key: Option<Arc<str>>,
    named_keys: Arc<[NamedKey]>,
    token: Option<Arc<TokenCheck>>,
}

struct NamedKey {
    name: String,
    hash: [u8; 32],
}

struct TokenCheck {
    key: DecodingKey,
    validation: Validation,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
}

impl SignIn {
    /// The ways to sign in that `config` names, with their files read.
    pub fn from_config(config: &Config) -> Result<SignIn, StartError> {
        let named_keys = match &config.api_keys_file {
            Some(path) => parse_key_lines(&read(path, "--api-keys-file")?).map_err(|line| {
                StartError::KeyLine {
                    path: path.clone(),
                    line,
                }
            })?,
            None => Vec::new(),
        };
        let token = match (&config.jwt_public_key, &config.jwt_secret_file) {
            (Some(_), Some(_)) => return Err(StartError::TwoTokenChecks),
            (Some(path), None) => Some(public_key_check(&read(path, "--jwt-public-key")?)?),
            (None, Some(path)) => {
                let secret = read(path, "--jwt-secret-file")?;
                let secret = secret.trim();
                if secret.is_empty() {
                    return Err(StartError::EmptyJwtSecret { path: path.clone() });
                }
                Some(TokenCheck {
                    key: DecodingKey::from_secret(secret.as_bytes()),
                    validation: Validation::new(Algorithm::HS256),
                })
            }
            (None, None) => None,
        };
        let token = token.map(|mut check| {
            check.validation.leeway = TOKEN_LEEWAY_SECONDS;
            check.validation.validate_nbf = true;
            check.validation.set_required_spec_claims(&["exp", "sub"]);
            match &config.jwt_audience {
                Some(audience) => check.validation.set_audience(&[audience]),
                None => check.validation.validate_aud = false,
            }
            Arc::new(check)
        });
        Ok(SignIn {
            shared_key: config.api_key.as_deref().map(Arc::from),
            named_keys: named_keys.into(),
            token,
        })
    }

    /// True when a request must carry a credential.
    pub fn required(&self) -> bool {
        self.shared_key.is_some() || !self.named_keys.is_empty() || self.token.is_some()
    }

    /// Who `token` stands for, or why it was refused.
    fn identify(&self, token: &str) -> Result<Who, &'static str> {
        if let Some(shared) = &self.shared_key {
            if constant_time_eq(token.as_bytes(), shared.as_bytes()) {
                return Ok(Who("staff".to_owned()));
            }
        }
        let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        // Every entry is compared, so timing does not tell which matched.
        let named = self.named_keys.iter().fold(None, |found, key| {
            if constant_time_eq(&key.hash, &hash) {
                Some(key)
            } else {
                found
            }
        });
        if let Some(key) = named {
            return Ok(Who(key.name.clone()));
        }
        match &self.token {
            Some(check) if token.split('.').count() == 3 => {
                jsonwebtoken::decode::<Claims>(token, &check.key, &check.validation)
                    .map(|data| Who(data.claims.sub))
                    .map_err(|err| token_problem(err.kind()))
            }
            _ => Err("The API key was rejected. Check the key and try again."),
        }
    }
}

fn read(path: &std::path::Path, flag: &'static str) -> Result<String, StartError> {
    std::fs::read_to_string(path).map_err(|source| StartError::Unreadable {
        what: flag,
        path: path.to_owned(),
        source,
    })
}

fn public_key_check(pem: &str) -> Result<TokenCheck, StartError> {
    if let Ok(key) = DecodingKey::from_rsa_pem(pem.as_bytes()) {
        return Ok(TokenCheck {
            key,
            validation: Validation::new(Algorithm::RS256),
        });
    }
    DecodingKey::from_ec_pem(pem.as_bytes())
        .map(|key| TokenCheck {
            key,
            validation: Validation::new(Algorithm::ES256),
        })
        .map_err(|_| StartError::NotAPublicKey)
}

/// A person-readable reason a token was refused.
fn token_problem(kind: &jsonwebtoken::errors::ErrorKind) -> &'static str {
    use jsonwebtoken::errors::ErrorKind;
    match kind {
        ErrorKind::ExpiredSignature => "The sign-in token has expired. Sign in again.",
        ErrorKind::ImmatureSignature => {
            "The sign-in token is not valid yet. Check the portal's clock, then sign in again."
        }
        ErrorKind::InvalidAudience => "The sign-in token was issued for another service.",
        _ => "The sign-in token was rejected. Sign in again.",
    }
}

/// The `--api-keys-file` line that lets `name` sign in with `key`.
///
/// ```
/// let line = leads_server::auth::key_line("dana", "k3y");
/// assert!(line.starts_with("dana sha256:"));
/// ```
pub fn key_line(name: &str, key: &str) -> String {
    format!(
        "{name} sha256:{}",
        hex::encode(Sha256::digest(key.as_bytes()))
    )
}

/// The keys in an `--api-keys-file`, or the number of the first line that
/// is not one.
fn parse_key_lines(text: &str) -> Result<Vec<NamedKey>, usize> {
    let mut keys = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed = line
            .split_once(char::is_whitespace)
            .and_then(|(name, hash)| {
                let hex = hash.trim().strip_prefix("sha256:")?;
                let bytes: [u8; 32] = hex::decode(hex).ok()?.try_into().ok()?;
                Some(NamedKey {
                    name: name.to_owned(),
                    hash: bytes,
                })
            });
        match parsed {
            Some(key) => keys.push(key),
            None => return Err(number + 1),
        }
    }
    Ok(keys)
}

/// Lets a request through when no sign-in is configured or it carries a
/// credential one of them accepts, recording who it is.
pub async fn require_sign_in(
    State(sign_in): State<SignIn>,
    mut request: Request,
    next: Next,
) -> Response {
    if !sign_in.required() {
        request.extensions_mut().insert(Who("anonymous".to_owned()));
        return next.run(request).await;
    }
    let sent = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(bearer_token)
        .map(str::to_owned);
    let message = match sent.as_deref().map(|token| sign_in.identify(token)) {
        Some(Ok(who)) => {
            request.extensions_mut().insert(who);
            return next.run(request).await;
        }
        Some(Err(problem)) => problem,
        None => "This API needs a key: send Authorization: Bearer <key>.",
    };
    AppError::new(ErrorType::Unauthorized, message).into_response()
}

/// The token of an `Authorization: Bearer <token>` value; the scheme word is
/// matched case-insensitively.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Compares without stopping at the first difference, so response timing
/// does not reveal how much of a guessed key was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bEaReR   abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
    }

    #[test]
    fn keys_compare_exactly() {
        assert!(constant_time_eq(b"k1", b"k1"));
        assert!(!constant_time_eq(b"k1", b"k2"));
        assert!(!constant_time_eq(b"k1", b"k12"));
    }

    #[test]
    fn key_lines_round_trip_and_bad_lines_say_how_to_fix_them() {
        let text = format!(
            "# staff\n{}\n\n{}\n",
            key_line("dana", "a"),
            key_line("eli", "b")
        );
        let keys = parse_key_lines(&text).unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[1].name, "eli");
        let line = parse_key_lines("dana plaintext-key").err().unwrap();
        let path = "staff.keys".into();
        let err = StartError::KeyLine { path, line }.to_string();
        assert!(err.contains("line 1") && err.contains("hash-key"), "{err}");
    }
}
