//! `cyres catalogue`, `cyres classify`, `cyres deadlines`: thin wrappers over `cyres-cra`.

use clap::Args;

/// Arguments of `cyres catalogue`.
#[derive(Debug, Args)]
pub struct CatalogueArgs {}

/// Arguments of `cyres classify`.
#[derive(Debug, Args)]
pub struct ClassifyArgs {}

/// Arguments of `cyres deadlines`.
#[derive(Debug, Args)]
pub struct DeadlinesArgs {}

pub fn catalogue(_a: CatalogueArgs) -> anyhow::Result<u8> {
    anyhow::bail!("not implemented yet")
}

pub fn classify(_a: ClassifyArgs) -> anyhow::Result<u8> {
    anyhow::bail!("not implemented yet")
}

pub fn deadlines(_a: DeadlinesArgs) -> anyhow::Result<u8> {
    anyhow::bail!("not implemented yet")
}
