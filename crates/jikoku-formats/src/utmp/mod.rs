//! stub
use crate::{Head, ParseOptions, Parser, Sink};
/// stub
pub struct WtmpParser;
impl Parser for WtmpParser {
    fn name(&self) -> &'static str {
        "utmp"
    }
    fn description(&self) -> &'static str {
        ""
    }
    fn sniff(&self, _head: &Head<'_>) -> u8 {
        0
    }
    fn parse(
        &self,
        _input: &mut dyn std::io::BufRead,
        _opts: &ParseOptions,
        _sink: &mut Sink<'_>,
    ) -> std::io::Result<()> {
        Ok(())
    }
}
