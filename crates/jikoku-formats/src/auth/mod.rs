//! Authentication messages inside syslog (placeholder while the decoder is written).
use jikoku_core::Event;
use crate::MessageDecoder;

/// sshd, PAM, su, login, cron, account management.
pub struct AuthDecoder;

impl MessageDecoder for AuthDecoder {
    fn name(&self) -> &'static str { "auth" }
    fn decode(&self, _program: &str, _msg: &str, _event: &mut Event) -> bool { false }
}
