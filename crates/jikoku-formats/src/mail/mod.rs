//! Mail logs inside syslog: Postfix (`mail.postfix`), Sendmail (`mail.sendmail`) and Dovecot
//! (`mail.dovecot`) message decoders, and per-message flows ([`flow`]).
//!
//! The syslog layer handles the header; these decoders read the MSG given the program
//! (tag without pid). Field mapping and known gaps: docs/formats/mail.md.

pub mod common;
pub mod dovecot;
pub mod flow;
pub mod postfix;
pub mod sendmail;

pub use dovecot::DovecotDecoder;
pub use postfix::PostfixDecoder;
pub use sendmail::SendmailDecoder;
