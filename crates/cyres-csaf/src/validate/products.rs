//! Product and group ids: where they are defined and where they are used (tests 6.1.1 to 6.1.5).

use std::collections::{BTreeMap, BTreeSet};

use super::Report;
use crate::model::{Branch, Document, FullProductName, ProductTree};

/// Calls `f` with every `full_product_name_t` in the tree (branches, `full_product_names`,
/// relationships) and its JSON pointer.
pub(crate) fn for_each_full_product_name(
    tree: &ProductTree,
    f: &mut dyn FnMut(&str, &FullProductName),
) {
    fn walk(branches: &[Branch], path: &str, f: &mut dyn FnMut(&str, &FullProductName)) {
        for (i, b) in branches.iter().enumerate() {
            let p = format!("{path}/{i}");
            if let Some(fpn) = &b.product {
                f(&format!("{p}/product"), fpn);
            }
            if let Some(sub) = &b.branches {
                walk(sub, &format!("{p}/branches"), f);
            }
        }
    }
    if let Some(b) = &tree.branches {
        walk(b, "/product_tree/branches", f);
    }
    for (i, fpn) in tree.full_product_names.iter().flatten().enumerate() {
        f(&format!("/product_tree/full_product_names/{i}"), fpn);
    }
    for (i, rel) in tree.relationships.iter().flatten().enumerate() {
        f(
            &format!("/product_tree/relationships/{i}/full_product_name"),
            &rel.full_product_name,
        );
    }
}

/// The document's product and group definitions.
#[derive(Debug, Default)]
pub struct ProductIndex {
    /// Product id → the JSON pointers of its definitions.
    products: BTreeMap<String, Vec<String>>,
    /// Group id → (pointers of its definitions, member product ids).
    groups: BTreeMap<String, (Vec<String>, Vec<String>)>,
}

impl ProductIndex {
    /// Indexes the product tree of `doc`.
    pub fn new(doc: &Document) -> ProductIndex {
        let mut ix = ProductIndex::default();
        let Some(tree) = &doc.product_tree else {
            return ix;
        };
        for_each_full_product_name(tree, &mut |path, fpn| {
            ix.products
                .entry(fpn.product_id.clone())
                .or_default()
                .push(format!("{path}/product_id"));
        });
        for (i, g) in tree.product_groups.iter().flatten().enumerate() {
            let e = ix.groups.entry(g.group_id.clone()).or_default();
            e.0.push(format!("/product_tree/product_groups/{i}/group_id"));
            e.1.extend(g.product_ids.iter().cloned());
        }
        ix
    }

    /// Whether `id` is a defined product id.
    pub fn has_product(&self, id: &str) -> bool {
        self.products.contains_key(id)
    }

    /// The product ids named directly and through groups.
    pub fn expand<'a>(
        &'a self,
        products: Option<&'a [String]>,
        groups: Option<&'a [String]>,
    ) -> BTreeSet<&'a str> {
        let mut out: BTreeSet<&str> = products.into_iter().flatten().map(String::as_str).collect();
        for g in groups.into_iter().flatten() {
            if let Some((_, members)) = self.groups.get(g) {
                out.extend(members.iter().map(String::as_str));
            }
        }
        out
    }
}

/// Every place a product id is used, with its JSON pointer.
fn product_refs(doc: &Document) -> Vec<(String, &str)> {
    fn push<'a>(out: &mut Vec<(String, &'a str)>, path: String, ids: &'a [String]) {
        for (i, id) in ids.iter().enumerate() {
            out.push((format!("{path}/{i}"), id.as_str()));
        }
    }
    let mut out = Vec::new();
    if let Some(tree) = &doc.product_tree {
        for (i, g) in tree.product_groups.iter().flatten().enumerate() {
            push(
                &mut out,
                format!("/product_tree/product_groups/{i}/product_ids"),
                &g.product_ids,
            );
        }
        for (i, rel) in tree.relationships.iter().flatten().enumerate() {
            let p = format!("/product_tree/relationships/{i}");
            out.push((
                format!("{p}/product_reference"),
                rel.product_reference.as_str(),
            ));
            out.push((
                format!("{p}/relates_to_product_reference"),
                rel.relates_to_product_reference.as_str(),
            ));
        }
    }
    for (vi, v) in doc.vulnerabilities.iter().flatten().enumerate() {
        let p = format!("/vulnerabilities/{vi}");
        if let Some(ps) = &v.product_status {
            for name in super::STATUS_NAMES {
                push(
                    &mut out,
                    format!("{p}/product_status/{name}"),
                    super::status_list(ps, name),
                );
            }
        }
        for (i, x) in v.remediations.iter().flatten().enumerate() {
            push(
                &mut out,
                format!("{p}/remediations/{i}/product_ids"),
                x.product_ids.as_deref().unwrap_or(&[]),
            );
        }
        for (i, x) in v.scores.iter().flatten().enumerate() {
            push(&mut out, format!("{p}/scores/{i}/products"), &x.products);
        }
        for (i, x) in v.threats.iter().flatten().enumerate() {
            push(
                &mut out,
                format!("{p}/threats/{i}/product_ids"),
                x.product_ids.as_deref().unwrap_or(&[]),
            );
        }
        for (i, x) in v.flags.iter().flatten().enumerate() {
            push(
                &mut out,
                format!("{p}/flags/{i}/product_ids"),
                x.product_ids.as_deref().unwrap_or(&[]),
            );
        }
    }
    out
}

/// Every place a group id is used.
fn group_references(doc: &Document) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    for (vi, v) in doc.vulnerabilities.iter().flatten().enumerate() {
        let p = format!("/vulnerabilities/{vi}");
        let lists = v
            .remediations
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, x)| (format!("{p}/remediations/{i}/group_ids"), &x.group_ids))
            .chain(
                v.threats
                    .iter()
                    .flatten()
                    .enumerate()
                    .map(|(i, x)| (format!("{p}/threats/{i}/group_ids"), &x.group_ids)),
            )
            .chain(
                v.flags
                    .iter()
                    .flatten()
                    .enumerate()
                    .map(|(i, x)| (format!("{p}/flags/{i}/group_ids"), &x.group_ids)),
            );
        for (path, ids) in lists {
            for (i, id) in ids.iter().flatten().enumerate() {
                out.push((format!("{path}/{i}"), id.as_str()));
            }
        }
    }
    out
}

/// 6.1.1 Missing Definition of Product ID, 6.1.2 Multiple Definition of Product ID, 6.1.3
/// Circular Definition of Product ID, 6.1.4 Missing Definition of Product Group ID, 6.1.5
/// Multiple Definition of Product Group ID.
pub(crate) fn definitions(doc: &Document, ix: &ProductIndex, r: &mut Report) {
    for (path, id) in product_refs(doc) {
        if !ix.has_product(id) {
            r.fail(
                "6.1.1",
                path,
                format!("product id {id} is not defined in the product tree"),
            );
        }
    }
    for (id, defs) in &ix.products {
        for path in defs.iter().skip(1) {
            r.fail(
                "6.1.2",
                path.clone(),
                format!("product id {id} is defined again (first at {})", defs[0]),
            );
        }
    }
    if let Some(tree) = &doc.product_tree {
        for (i, rel) in tree.relationships.iter().flatten().enumerate() {
            let id = &rel.full_product_name.product_id;
            if *id == rel.product_reference || *id == rel.relates_to_product_reference {
                r.fail(
                    "6.1.3",
                    format!("/product_tree/relationships/{i}/full_product_name/product_id"),
                    format!("product id {id} is defined in terms of itself"),
                );
            }
        }
    }
    for (path, id) in group_references(doc) {
        if !ix.groups.contains_key(id) {
            r.fail(
                "6.1.4",
                path,
                format!("product group id {id} is not defined in the product tree"),
            );
        }
    }
    for (id, (defs, _)) in &ix.groups {
        for path in defs.iter().skip(1) {
            r.fail(
                "6.1.5",
                path.clone(),
                format!(
                    "product group id {id} is defined again (first at {})",
                    defs[0]
                ),
            );
        }
    }
}
