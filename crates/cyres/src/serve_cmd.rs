//! `cyres serve`: the platform. Reads flags and an optional TOML configuration file, sets up
//! structured logs, starts the server and shuts it down gracefully on Ctrl-C or SIGTERM
//! (in-flight requests finish; queued work stays in the store for the next start).

use anyhow::{Context, Result, bail};
use clap::Args;
use cyres_server::{App, Config, SmtpSettings, SystemClock};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Flags of `cyres serve`.
#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    /// Data directory (the SQLite database lives here when no --database-url is given).
    #[arg(long, default_value = "cyres-data", env = "CYRES_DATA_DIR")]
    data_dir: PathBuf,
    /// PostgreSQL URL (postgres://user@host:port/db) instead of SQLite.
    #[arg(long, env = "CYRES_DATABASE_URL")]
    database_url: Option<String>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "CYRES_LISTEN")]
    listen: SocketAddr,
    /// Base URL users reach the server at (https:// turns on Secure cookies).
    #[arg(long, env = "CYRES_PUBLIC_URL")]
    public_url: Option<String>,
    /// Largest accepted upload, e.g. 512MiB, 20MB, 1048576.
    #[arg(long, default_value = "512MiB")]
    max_upload: String,
    /// A TUF repository made with `cyres repo`: served under /updates/, its online metadata
    /// renewed automatically.
    #[arg(long)]
    update_repo: Option<PathBuf>,
    /// TOML file with advisory sources, sync interval and SMTP settings.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The key file that encrypts stored webhook secrets (created, mode 0600, on first
    /// start; back it up with the database). Default: <data-dir>/secret.key.
    #[arg(long, env = "CYRES_SECRET_KEY_FILE")]
    secret_key_file: Option<PathBuf>,
    /// Log format: text or json.
    #[arg(long, default_value = "text")]
    log_format: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    sync_interval_secs: Option<u64>,
    #[serde(default)]
    csaf_pull_interval_secs: Option<u64>,
    #[serde(default, rename = "source")]
    sources: Vec<FileSource>,
    #[serde(default)]
    smtp: Option<FileSmtp>,
    #[serde(default)]
    reporting: Option<FileReporting>,
    #[serde(default)]
    reminder_lead_hours: Option<Vec<u32>>,
    #[serde(default)]
    outbox_retry_secs: Option<u64>,
    /// How long a replica's claim on background work lasts (see `Config::worker_lease_secs`).
    #[serde(default)]
    worker_lease_secs: Option<u64>,
    /// ENISA's systemic-risk assessment: threshold, weights, saturations, scales.
    #[serde(default)]
    systemic: Option<cyres_report::SystemicConfig>,
    /// Whether accounts may create manufacturer, steward, operator and subscriber organisations
    /// themselves (default true). Authority organisations are never self-service.
    #[serde(default)]
    allow_self_service_orgs: Option<bool>,
    /// Largest request body on ordinary routes (default 1MiB); SBOM upload and advisory
    /// import use --max-upload.
    #[serde(default)]
    max_body: Option<String>,
    /// Deliberate internal targets for outbound requests: CIDRs and host names.
    #[serde(default)]
    outbound_allow: Vec<String>,
    /// The public face: host name → organisation id for `security.txt` (see
    /// `Config::public_hosts`).
    #[serde(default)]
    public_hosts: std::collections::BTreeMap<String, i64>,
    /// The organisation answering unmapped hosts (default: the first manufacturer).
    #[serde(default)]
    default_public_org: Option<i64>,
    /// How far ahead `security.txt` expires, days (1 to 365, default 180).
    #[serde(default)]
    security_txt_days: Option<i64>,
    /// Clear-sign `security.txt` with the organisation's OpenPGP key (RFC 9116 §2.3).
    #[serde(default)]
    sign_security_txt: bool,
}

/// Where Article 14 reports go; the token comes from `CYRES_REPORTING_TOKEN`, never the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileReporting {
    url: String,
    /// The organisation (slug) the authority's token speaks for; others' reports are kept for
    /// the portal. Absent: every organisation of the instance.
    #[serde(default)]
    organisation: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSource {
    id: String,
    kind: String,
    url: String,
    #[serde(default)]
    ecosystem: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSmtp {
    host: String,
    #[serde(default = "default_smtp_port")]
    port: u16,
    from: String,
}

fn default_smtp_port() -> u16 {
    25
}

/// Parses sizes like `512MiB`, `20MB`, `1048576`.
pub(crate) fn parse_size(s: &str) -> Result<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num
        .parse()
        .with_context(|| format!("{s:?} is not a size"))?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "kib" | "k" => 1 << 10,
        "mb" => 1_000_000,
        "mib" | "m" => 1 << 20,
        "gb" => 1_000_000_000,
        "gib" | "g" => 1 << 30,
        other => bail!("unknown size unit {other:?} (use B, KiB, MiB, GiB, KB, MB, GB)"),
    };
    n.checked_mul(mult).context("size overflows")
}

fn load_config(args: &ServeArgs) -> Result<Config> {
    let mut config = Config::new(args.data_dir.clone());
    config.database_url = args.database_url.clone();
    config.listen = args.listen;
    config.max_upload_bytes = parse_size(&args.max_upload)?;
    config.public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.listen));
    config.secure_cookies = config.public_url.starts_with("https://");
    config.update_repo = args.update_repo.clone();
    config.secret_key_file = args.secret_key_file.clone();
    if let Some(path) = &args.config {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let file: FileConfig =
            toml::from_str(&text).with_context(|| format!("{}", path.display()))?;
        if let Some(i) = file.sync_interval_secs {
            config.sync_interval_secs = i;
        }
        if let Some(i) = file.csaf_pull_interval_secs {
            config.csaf_pull_interval_secs = i;
        }
        for s in file.sources {
            let kind = match (s.kind.as_str(), s.ecosystem) {
                ("osv", Some(ecosystem)) => cyres_feeds::SourceKind::Osv { ecosystem },
                ("osv", None) => bail!(
                    "{}: source {:?}: kind osv needs an ecosystem",
                    path.display(),
                    s.id
                ),
                ("kev", _) => cyres_feeds::SourceKind::Kev,
                ("euvd", _) => cyres_feeds::SourceKind::Euvd,
                // The key stays out of the file (and of every log): the environment holds it.
                ("nvd", _) => cyres_feeds::SourceKind::Nvd {
                    api_key: std::env::var("CYRES_NVD_API_KEY")
                        .ok()
                        .and_then(|k| cyres_feeds::nvd::NvdApiKey::new(&k)),
                },
                (other, _) => bail!(
                    "{}: source {:?}: unknown kind {other:?} (osv, kev, euvd, nvd)",
                    path.display(),
                    s.id
                ),
            };
            config.sources.push(cyres_feeds::SourceConfig {
                id: s.id,
                kind,
                url: s.url,
            });
        }
        config.smtp = file.smtp.map(|s| SmtpSettings {
            host: s.host,
            port: s.port,
            from: s.from,
        });
        if let Some(r) = file.reporting {
            let token = std::env::var("CYRES_REPORTING_TOKEN")
                .ok()
                .filter(|t| !t.is_empty())
                .with_context(|| {
                    format!(
                        "{}: [reporting] needs the authority's API token in CYRES_REPORTING_TOKEN",
                        path.display()
                    )
                })?;
            config.reporting = Some(cyres_server::ReportingEndpoint {
                url: r.url,
                token,
                organisation: r.organisation,
            });
        }
        if let Some(secs) = file.outbox_retry_secs {
            config.outbox_retry_base_secs = secs;
        }
        if let Some(secs) = file.worker_lease_secs {
            if secs == 0 {
                bail!("{}: worker_lease_secs must be at least 1", path.display());
            }
            config.worker_lease_secs = secs;
        }
        if let Some(systemic) = file.systemic {
            if let Err(problems) = systemic.check() {
                bail!("{}: [systemic] {}", path.display(), problems.join("; "));
            }
            config.systemic = systemic;
        }
        if let Some(allow) = file.allow_self_service_orgs {
            config.allow_self_service_orgs = allow;
        }
        if let Some(b) = &file.max_body {
            config.max_body_bytes =
                parse_size(b).with_context(|| format!("{}: max_body", path.display()))?;
        }
        if let Err(e) = cyres_feeds::outbound::OutboundPolicy::new(&file.outbound_allow) {
            bail!("{}: {e}", path.display());
        }
        config.outbound_allow = file.outbound_allow;
        if let Some(days) = file.security_txt_days {
            if !(1..=365).contains(&days) {
                bail!(
                    "{}: security_txt_days must be 1 to 365 (RFC 9116 advises under a year)",
                    path.display()
                );
            }
            config.security_txt_days = days;
        }
        config.public_hosts = file.public_hosts;
        config.default_public_org = file.default_public_org;
        config.sign_security_txt = file.sign_security_txt;
        if let Some(leads) = file.reminder_lead_hours {
            config.reminder_leads = leads.into_iter().map(|h| i64::from(h) * 3600).collect();
        }
    }
    Ok(config)
}

fn init_logs(format: &str) -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CYRES_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        "json" => builder.json().init(),
        "text" => builder.init(),
        other => bail!("--log-format: {other:?} is not text or json"),
    }
    Ok(())
}

/// Runs the server until Ctrl-C or SIGTERM.
pub(crate) fn serve(args: ServeArgs) -> Result<u8> {
    init_logs(&args.log_format)?;
    let config = load_config(&args)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listen = config.listen;
        let backend = if config.database_url.is_some() {
            "postgres"
        } else {
            "sqlite"
        };
        let data_dir = config.data_dir.clone();
        let (app, link) = App::start(config, Arc::new(SystemClock))
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("binding {listen}"))?;
        let addr = listener.local_addr()?;
        tracing::info!(%addr, backend, data_dir = %data_dir.display(), "cyres serve listening");
        println!(
            "cyres serve: http://{addr} ({backend}, data in {})",
            data_dir.display()
        );
        if let Some(link) = link {
            println!(
                "No administrator yet. Open this one-time link to create one:\n  {}",
                link.0
            );
        }
        let (tx, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("shutting down: finishing in-flight requests");
            let _ = tx.send(true);
        });
        cyres_server::serve(app, listener, rx).await?;
        tracing::info!("stopped");
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(0)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{ServeArgs, load_config, parse_size};
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn config_from(toml: &str) -> anyhow::Result<cyres_server::Config> {
        let dir = std::env::temp_dir().join(format!("cyres-serve-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{:x}.toml", toml.len()));
        std::fs::write(&path, toml).unwrap();
        let cli = Cli::try_parse_from(["serve", "--config", path.to_str().unwrap()]).unwrap();
        let out = load_config(&cli.serve);
        let _ = std::fs::remove_file(&path);
        out
    }

    #[test]
    fn systemic_assessment_is_configurable() {
        let c =
            config_from("[systemic]\nthreshold = 45\n[systemic.weights]\nusers = 30\n").unwrap();
        assert_eq!(c.systemic.threshold, 45.0);
        assert_eq!(c.systemic.weights.users, 30.0);
        assert_eq!(
            c.systemic.weights.member_states, 20.0,
            "unset keys keep defaults"
        );
        let e = config_from("[systemic]\nthreshold = 250\n").unwrap_err();
        assert!(
            format!("{e:#}").contains("threshold: 250 is not within 0–100"),
            "{e:#}"
        );
        let e = config_from("[systemic]\ntreshold = 50\n").unwrap_err();
        assert!(format!("{e:#}").contains("treshold"), "{e:#}");
    }

    #[test]
    fn public_face_keys_are_read_and_checked() {
        let c = config_from(
            "default_public_org = 3\nsecurity_txt_days = 90\nsign_security_txt = true\n[public_hosts]\n\"acme.example\" = 2\n",
        )
        .unwrap();
        assert!(c.sign_security_txt);
        assert!(!config_from("").unwrap().sign_security_txt);
        assert_eq!(c.public_hosts.get("acme.example"), Some(&2));
        assert_eq!((c.default_public_org, c.security_txt_days), (Some(3), 90));
        let e = config_from("security_txt_days = 400\n").unwrap_err();
        assert!(e.to_string().contains("security_txt_days"), "{e}");
        assert_eq!(config_from("").unwrap().security_txt_days, 180);
    }

    #[test]
    fn outbound_allowlist_is_read_and_checked() {
        let c = config_from("outbound_allow = [\"10.1.2.0/24\", \"hooks.internal\"]\n").unwrap();
        assert_eq!(c.outbound_allow, ["10.1.2.0/24", "hooks.internal"]);
        let e = config_from("outbound_allow = [\"10.1.2.0/40\"]\n").unwrap_err();
        assert!(format!("{e:#}").contains("10.1.2.0/40"), "{e:#}");
        assert!(config_from("").unwrap().outbound_allow.is_empty());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512MiB").unwrap(), 512 << 20);
        assert_eq!(parse_size("20MB").unwrap(), 20_000_000);
        assert_eq!(parse_size("1048576").unwrap(), 1 << 20);
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("").is_err());
    }
}
