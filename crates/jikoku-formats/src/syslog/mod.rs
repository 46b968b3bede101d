//! Syslog text files (placeholder while the parser is written).
use std::sync::Arc;
use crate::{Head, MessageDecoder, ParseOptions, Parser, Sink};

/// Syslog files: RFC 3164 as files hold it, rsyslog RFC 3339, RFC 5424.
pub struct SyslogParser {
    #[allow(dead_code)]
    decoders: Arc<[Box<dyn MessageDecoder>]>,
}

impl SyslogParser {
    /// A parser that runs `decoders` on every record.
    pub fn new(decoders: Arc<[Box<dyn MessageDecoder>]>) -> Self {
        SyslogParser { decoders }
    }
}

impl Parser for SyslogParser {
    fn name(&self) -> &'static str { "syslog" }
    fn description(&self) -> &'static str { "syslog text files" }
    fn sniff(&self, _head: &Head<'_>) -> u8 { 1 }
    fn parse(&self, _input: &mut dyn std::io::BufRead, _opts: &ParseOptions, _sink: &mut Sink<'_>) -> std::io::Result<()> { Ok(()) }
}
