//! `cyres demo`: the platform on a fresh data directory seeded with a believable world (three
//! manufacturers, releases with real SBOMs, advisories including actively exploited ones), for
//! a first look in the browser, with two CSIRTs and ENISA on the same instance receiving one
//! maker's Article 14 reports. Prints the URL and the demo logins.

use anyhow::{Context, Result};
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Flags of `cyres demo`.
#[derive(Args, Debug)]
pub(crate) struct DemoArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Data directory (must be new or empty; default: a fresh temporary directory).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

/// Seeds a fresh store and serves it until Ctrl-C.
pub(crate) fn run(args: DemoArgs) -> Result<u8> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CYRES_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let dir = args
        .data_dir
        .unwrap_or_else(|| std::env::temp_dir().join(format!("cyres-demo-{}", std::process::id())));
    if dir.join("cyres.db").exists() {
        anyhow::bail!(
            "{} already holds a database; the demo needs a fresh data directory",
            dir.display()
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let mut config = cyres_server::Config::new(dir.clone());
        config.listen = args.listen;
        config.public_url = format!("http://{}", args.listen);
        config.sync_interval_secs = 0;
        config.csaf_pull_interval_secs = 0;
        config.sign_security_txt = true;
        // The demo's authorities live on this instance and its reports are delivered to them
        // over HTTP: its own address is a deliberate internal target (nothing else is).
        config.outbound_allow = vec![args.listen.ip().to_string()];
        let (app, _setup) = cyres_server::App::start(config, Arc::new(cyres_server::SystemClock))
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
        let login = cyres_server::seed_demo(&app)
            .await
            .map_err(|e| anyhow::anyhow!("seeding the demo: {}", e.message))?;
        let app = cyres_server::reporting_to_self(&app, &login.sender)
            .map_err(|e| anyhow::anyhow!("wiring the demo's reporting: {}", e.message))?;
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("binding {}", args.listen))?;
        println!(
            "cyres demo: http://{}/  (data in {})",
            args.listen,
            dir.display()
        );
        println!(
            "log in as {} with password {}  (the makers: {})",
            login.email,
            login.password,
            login.orgs.join(", ")
        );
        println!("the authorities, same password (reports from Keystone Vault reach them):");
        for a in &login.authorities {
            println!("  {:<24} {} ({})", a.email, a.org, a.role);
        }
        println!("public pages (security.txt at /.well-known/security.txt, OpenPGP-signed):");
        for p in &login.public_pages {
            println!(
                "  {:<20} http://{}{}  ·  http://{}{}",
                p.org, args.listen, p.product_page, args.listen, p.cvd_policy
            );
        }
        println!("CSAF providers (provider-metadata.json):");
        for p in &login.public_pages {
            println!("  {:<20} http://{}{}", p.org, args.listen, p.csaf_metadata);
        }
        println!("Ctrl-C stops it.");
        // The French CSIRT lists the makers' CSAF providers and pulls them over HTTP from this
        // instance: the requests wait in the listener's queue until `serve` below answers.
        let lister = app.clone();
        let pages = login.public_pages.clone();
        tokio::spawn(async move {
            match cyres_server::list_providers_to_self(&lister, &pages).await {
                Ok(l) => println!(
                    "{} lists {} CSAF providers: {} advisories verified and held, {} refused (Cases → CSAF providers)",
                    l.authority, l.providers, l.accepted, l.refused
                ),
                Err(e) => eprintln!("listing the demo's CSAF providers: {}", e.message),
            }
        });
        let (tx, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            let _ = tx.send(true);
        });
        cyres_server::serve(app, listener, rx).await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(0)
}
