//! Every parser and every syslog message decoder, in one explicit list, and sniffing.
//!
//! To add a format: write its module, then add one line to [`parsers`] (or [`decoders`]).
//! No global registration: this file is the list.

use std::sync::Arc;

use crate::{Head, MessageDecoder, Parser};

/// Every syslog message decoder, tried in this order on each record.
pub fn decoders() -> Vec<Box<dyn MessageDecoder>> {
    vec![
        Box::new(crate::auth::AuthDecoder),
        Box::new(crate::sudo::syslog::SudoDecoder),
        Box::new(crate::http::decoder::HttpDecoder),
        // decoders: add new message decoders above this line
    ]
}

/// Every source parser.
pub fn parsers() -> Vec<Arc<dyn Parser>> {
    let decoders: Arc<[Box<dyn MessageDecoder>]> = decoders().into();
    vec![
        Arc::new(crate::syslog::SyslogParser::new(decoders.clone())),
        Arc::new(crate::sudo::logfile::SudoLogfileParser),
        Arc::new(crate::sudo::json::SudoJsonParser),
        Arc::new(crate::sudo::iolog::SudoIologParser),
        Arc::new(crate::http::HttpParser::apache()),
        Arc::new(crate::http::HttpParser::nginx()),
        Arc::new(crate::http::HttpParser::custom()),
        Arc::new(crate::acct::AcctParser),
        Arc::new(crate::lastcomm::LastcommParser),
        Arc::new(crate::utmp::WtmpParser),
        // parsers: add new source parsers above this line
    ]
}

/// The parser named `name` (registry name or alias), if any.
pub fn find(name: &str) -> Option<Arc<dyn Parser>> {
    let all = parsers();
    if let Some(p) = all.iter().find(|p| p.name() == name) {
        return Some(p.clone());
    }
    all.into_iter().find(|p| p.aliases().contains(&name))
}

/// Names accepted by `--format` (besides `auto`).
pub fn names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = vec![];
    for p in parsers() {
        v.push(p.name());
        v.extend(p.aliases().iter().copied());
    }
    v.sort_unstable();
    v.dedup();
    v
}

/// The parser most confident that it reads `head`; `None` when none claims it.
/// Ties go to the earlier parser in [`parsers`].
pub fn sniff(head: &Head<'_>) -> Option<Arc<dyn Parser>> {
    let mut best: Option<(u8, Arc<dyn Parser>)> = None;
    for p in parsers() {
        let c = p.sniff(head);
        if c > 0 && best.as_ref().is_none_or(|(b, _)| c > *b) {
            best = Some((c, p));
        }
    }
    best.map(|(_, p)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let all = parsers();
        let mut names: Vec<_> = all.iter().map(|p| p.name()).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "duplicate parser names");
        let mut d: Vec<_> = decoders().iter().map(|d| d.name()).collect();
        let n = d.len();
        d.sort_unstable();
        d.dedup();
        assert_eq!(d.len(), n, "duplicate decoder names");
    }
}
