#![no_main]
//! The device agent's configuration file (`crates/cyres-agent/src/config.rs`, a binary crate,
//! so the module is included by path). Documents with a `device_token_file` key are skipped: that
//! key makes the parser read a file, and the fuzzer must not read the machine's files.

#[allow(dead_code)]
#[path = "../../crates/cyres-agent/src/config.rs"]
mod config;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(table) = toml::from_str::<toml::Table>(text)
        && table.contains_key("device_token_file")
    {
        return;
    }
    match config::Config::parse(text, std::path::Path::new("/etc/cyres-agent")) {
        Ok(c) => {
            assert!(c.check_interval_secs > 0);
            assert!(c.trusted_root.is_absolute() && c.state_dir.is_absolute());
        }
        Err(e) => {
            let _ = format!("{e:#}");
        }
    }
});
