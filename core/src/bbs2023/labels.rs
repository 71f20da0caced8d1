//! Blank node label maps:
//! [createShuffledIdLabelMapFunction](https://www.w3.org/TR/vc-di-bbs/#createshuffledidlabelmapfunction)
//! (issuer and holder) and
//! [createLabelMapFunction](https://www.w3.org/TR/vc-di-ecdsa/#createlabelmapfunction)
//! (verifier).

use crate::Bbs2023Error;
use std::collections::HashMap;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::proof_value::HmacKey;
use crate::Error;
use crate::keys::encode_base64url;

/// The shuffled label map: each canonical label `c14nN` is HMACed with the key, the digests
/// (as `u` + base64url) are sorted, and each input label gets `b` + the rank of its digest.
/// `canonical` maps input blank node labels to canonical labels.
pub(crate) fn shuffled_label_map(
    key: &HmacKey,
    canonical: &[(String, String)],
) -> Result<HashMap<String, String>, Error> {
    let mut digests: Vec<(String, &str)> = Vec::with_capacity(canonical.len());
    for (input, c14n) in canonical {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.expose())
            .map_err(|_| Error::Crypto("HMAC key rejected"))?;
        mac.update(c14n.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut encoded = String::with_capacity(44);
        encoded.push('u');
        encoded.push_str(&encode_base64url(&digest));
        digests.push((encoded, input.as_str()));
    }
    digests.sort_unstable();
    Ok(digests
        .into_iter()
        .enumerate()
        .map(|(rank, (_, input))| (input.to_owned(), format!("b{rank}")))
        .collect())
}

/// createLabelMapFunction: input label -> the label the derived proof's map gives its
/// canonical label. Every canonical label must be in the map.
pub(crate) fn mapped_labels(
    canonical: &[(String, String)],
    label_map: &HashMap<String, String>,
) -> Result<HashMap<String, String>, Error> {
    canonical
        .iter()
        .map(|(input, c14n)| match label_map.get(c14n) {
            Some(label) => Ok((input.clone(), label.clone())),
            None => Err(Error::Bbs2023(Bbs2023Error::LabelMap(
                "the label map has no entry for a blank node of the document",
            ))),
        })
        .collect()
}
