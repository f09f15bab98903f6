//! Sealing webhook secrets. A signing secret or an `Authorization` header must be sent again at
//! every delivery, so it cannot be hashed like a token: it is encrypted with AES-256-GCM under the
//! broker's webhook key (from a setting, or a file created with mode 0600 in the data directory)
//! and opened only to deliver.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

/// What sealed text starts with: the format, so another one can follow.
const PREFIX: &str = "v1:";
/// Binds sealed values to their use: a value sealed for something else does not open here.
const AAD: &[u8] = b"vow webhook secret";
/// The key's length in bytes.
const KEY_LEN: usize = 32;

/// The broker's webhook key. Its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct WebhookKey(Arc<LessSafeKey>);

impl fmt::Debug for WebhookKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookKey(redacted)")
    }
}

/// Why a key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key text is not base64 of 32 bytes.
    #[error("the webhook key must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)")]
    Malformed,
    /// The key file could not be read or created.
    #[error("failed to read or create the webhook key file {path}")]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Why a sealed value did not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a stored webhook secret does not open with this broker's webhook key (was the key changed?)"
)]
pub struct SecretError;

impl WebhookKey {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<WebhookKey, KeyError> {
        if bytes.len() != KEY_LEN {
            return Err(KeyError::Malformed);
        }
        let key = UnboundKey::new(&AES_256_GCM, bytes).map_err(|_| KeyError::Malformed)?;
        Ok(WebhookKey(Arc::new(LessSafeKey::new(key))))
    }

    /// A key from base64 text, as in `VOW_WEBHOOK_KEY`.
    pub fn from_base64(text: &str) -> Result<WebhookKey, KeyError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| KeyError::Malformed)?;
        WebhookKey::from_bytes(&bytes)
    }

    /// A new random key, kept only in memory (for tests and brokers that store no secrets).
    pub fn generate() -> WebhookKey {
        WebhookKey::from_bytes(&random_key()).expect("32 bytes make a key")
    }

    /// The key in `path`, created (base64, mode 0600) with a new random key if the file is
    /// missing.
    pub fn load_or_create(path: &Path) -> Result<WebhookKey, KeyError> {
        let file_error = |source| KeyError::File {
            path: path.to_owned(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => return WebhookKey::from_base64(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(file_error(e)),
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(file_error)?;
        }
        let key = random_key();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(path) {
            Ok(mut file) => {
                file.write_all(STANDARD.encode(key).as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(file_error)?;
                WebhookKey::from_bytes(&key)
            }
            // Another broker on the same data directory created it first: use that one.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                WebhookKey::from_base64(&std::fs::read_to_string(path).map_err(file_error)?)
            }
            Err(e) => Err(file_error(e)),
        }
    }

    /// `plain`, encrypted with a fresh nonce: `v1:` and base64 of nonce, ciphertext and tag.
    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .expect("the OS random source works");
        let mut data = plain.as_bytes().to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(AAD),
                &mut data,
            )
            .expect("AES-GCM seals any length the broker stores");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        format!("{PREFIX}{}", STANDARD.encode(out))
    }

    /// The plain text of a value [`WebhookKey::seal`] made with this key.
    pub fn open(&self, sealed: &str) -> Result<String, SecretError> {
        let bytes = sealed
            .strip_prefix(PREFIX)
            .and_then(|b| STANDARD.decode(b).ok())
            .ok_or(SecretError)?;
        if bytes.len() < NONCE_LEN {
            return Err(SecretError);
        }
        let (nonce, data) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SecretError)?;
        let mut data = data.to_vec();
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(AAD), &mut data)
            .map_err(|_| SecretError)?;
        String::from_utf8(plain.to_vec()).map_err(|_| SecretError)
    }
}

fn random_key() -> [u8; KEY_LEN] {
    let mut key = [0u8; KEY_LEN];
    SystemRandom::new()
        .fill(&mut key)
        .expect("the OS random source works");
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_with_the_same_key_only() {
        let key = WebhookKey::generate();
        let sealed = key.seal("Bearer s3cret");
        assert!(!sealed.contains("s3cret"));
        assert_ne!(sealed, key.seal("Bearer s3cret"), "a fresh nonce each time");
        assert_eq!(key.open(&sealed).as_deref(), Ok("Bearer s3cret"));
        assert_eq!(WebhookKey::generate().open(&sealed), Err(SecretError));
        assert_eq!(key.open("v1:AAAA"), Err(SecretError));
        assert_eq!(key.open("Bearer s3cret"), Err(SecretError));
    }

    #[test]
    fn the_key_file_is_created_once_private_and_read_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("data/webhook.key");
        let first = WebhookKey::load_or_create(&path).expect("created");
        let sealed = first.seal("x");
        let second = WebhookKey::load_or_create(&path).expect("read");
        assert_eq!(second.open(&sealed).as_deref(), Ok("x"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(format!("{second:?}").contains("redacted"));
    }

    #[test]
    fn a_malformed_key_is_refused() {
        assert!(matches!(
            WebhookKey::from_base64("c2hvcnQ="),
            Err(KeyError::Malformed)
        ));
        assert!(matches!(
            WebhookKey::from_base64("not base64!"),
            Err(KeyError::Malformed)
        ));
    }
}
