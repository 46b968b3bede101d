#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| jikoku_fuzz::human_time(data));
