//! stub
use crate::{Head, ParseOptions, Parser, Sink};
/// stub
pub struct LastcommParser;
impl Parser for LastcommParser {
    fn name(&self) -> &'static str {
        "lastcomm"
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
