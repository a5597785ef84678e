//! The authority side of `cyres demo`: two CSIRTs and ENISA on the same instance, each with its
//! own login, and Keystone Vault's reports delivered to them through the real outbox and intake
//! (the instance reports to itself), so a newcomer can walk one report from the manufacturer to
//! the coordinator CSIRT, on to the other member state's CSIRT and ENISA, and back (an
//! intermediate-report request reaching the manufacturer's case).
//!
//! Authority organisations exist only through the operator (`service::admin::provision_org`),
//! as on a real instance: the seeder is the operator here.

use super::{DAY, Story};
use crate::service::{ErrorKind, Operator, Principal, ServiceError, admin};
use crate::{App, ReportingEndpoint};
use cyres_store::{Actor, NewOrg, Org, OrgKind, Role};

/// One authority login printed by `cyres demo`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoAuthority {
    /// The organisation's name.
    pub org: String,
    /// What it is, for the terminal ("coordinator CSIRT (FR)").
    pub role: String,
    /// The login (the password is the demo password).
    pub email: String,
}

/// The manufacturer whose reports reach the demo authorities: Keystone Vault, established in
/// France, so the French CSIRT coordinates (Art. 14(7): the CSIRT of the member state of the
/// main establishment) and the Belgian CSIRT is a member state the product is made available
/// in (its product lists FR, BE and LU).
pub(super) const REPORTING_MAKER: &str = "Keystone Vault";

/// (name, kind, member state, login, what it is).
const AUTHORITIES: [(&str, OrgKind, Option<&str>, &str, &str); 3] = [
    (
        "Demo CSIRT France",
        OrgKind::Csirt,
        Some("FR"),
        "csirt-fr@cyres.example",
        "coordinator CSIRT (FR)",
    ),
    (
        "Demo CSIRT Belgium",
        OrgKind::Csirt,
        Some("BE"),
        "csirt-be@cyres.example",
        "CSIRT of a member state where the product is sold (BE)",
    ),
    (
        "ENISA (demo)",
        OrgKind::Enisa,
        None,
        "enisa@cyres.example",
        "ENISA",
    ),
];

/// The sender's credential at the demo authorities (the reporting maker's API token).
#[derive(Clone, PartialEq, Eq)]
pub struct DemoSender {
    /// The reporting organisation's slug.
    pub organisation: String,
    token: String,
}

impl std::fmt::Debug for DemoSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoSender")
            .field("organisation", &self.organisation)
            .field("token", &"***")
            .finish()
    }
}

/// Provisions the authorities 30 days ago with one administrator account each (password hash
/// `hash`), and an editor API token of `maker` (administered by `maker_admin`) to send its
/// reports with.
pub(super) async fn seed(
    story: &Story,
    maker: &Org,
    maker_admin: &Principal,
    hash: &str,
) -> Result<(Vec<DemoAuthority>, DemoSender), ServiceError> {
    let op = Operator::system();
    let app = story.ago(30 * DAY);
    let mut logins = Vec::new();
    for (name, kind, state, email, role) in AUTHORITIES {
        let org = admin::provision_org(
            app,
            &op,
            &NewOrg {
                name: name.into(),
                kind,
                member_state: state.map(Into::into),
                size: None,
            },
        )
        .await?;
        let account =
            admin::create_account(app, &op, email, &format!("{name} analyst"), hash).await?;
        admin::grant_membership(app, &op, account.id, org.id, Role::Admin).await?;
        logins.push(DemoAuthority {
            org: name.into(),
            role: role.into(),
            email: email.into(),
        });
    }
    // What the authority would issue to a registered sender: an editor token of the maker's
    // organisation (on a real authority instance the maker's organisation lives there), the
    // organisation's credential rather than a person's.
    let admin = Principal {
        account_id: None,
        ..maker_admin.clone()
    };
    let (_, token) = admin::create_token(
        story.now(),
        &admin,
        "Article 14 reports to the demo authorities",
        Role::Editor,
    )
    .await?;
    Ok((
        logins,
        DemoSender {
            organisation: maker.slug.clone(),
            token,
        },
    ))
}

/// `app` delivering `sender`'s reports to the authorities on the same instance (its public
/// URL), which must be allowed by the outbound policy (`cyres demo` allows its own address).
pub fn reporting_to_self(app: &App, sender: &DemoSender) -> Result<App, ServiceError> {
    app.with_reporting(ReportingEndpoint {
        url: app.config.public_url.clone(),
        token: sender.token.clone(),
        organisation: Some(sender.organisation.clone()),
    })
    .map_err(|e| ServiceError::new(ErrorKind::Invalid, "reporting", e.message))
}

/// What the coordinator CSIRT's lister holds after [`list_providers_to_self`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoListing {
    /// The listing authority.
    pub authority: String,
    /// Providers listed.
    pub providers: usize,
    /// Documents accepted from them (hash, signature, mandatory tests, file name, TLP checked).
    pub accepted: i64,
    /// Documents refused.
    pub refused: i64,
}

/// The French CSIRT lists every demo maker's CSAF provider on this same instance and pulls it
/// (issue 18, point 6), as an authority instance would list manufacturers' providers. Call it
/// once the instance is listening: the pulls are real HTTP requests to its own address.
pub async fn list_providers_to_self(
    app: &App,
    pages: &[super::DemoPublicPage],
) -> Result<DemoListing, ServiceError> {
    let (name, ..) = AUTHORITIES[0];
    let csirt = app
        .store
        .orgs()
        .await?
        .into_iter()
        .find(|o| o.name == name && o.is_authority())
        .ok_or_else(|| ServiceError::not_found("the demo CSIRT"))?;
    let who = Principal {
        org_id: csirt.id,
        role: Role::Admin,
        actor: Actor::system(),
        account_id: None,
    };
    let base = app.config.public_url.trim_end_matches('/');
    let mut out = DemoListing {
        authority: name.into(),
        providers: 0,
        accepted: 0,
        refused: 0,
    };
    for p in pages {
        let s = crate::service::csaf_lister::add(app, &who, &format!("{base}{}", p.csaf_metadata))
            .await?;
        out.providers += 1;
        out.accepted += s.accepted;
        out.refused += s.refused;
    }
    Ok(out)
}
