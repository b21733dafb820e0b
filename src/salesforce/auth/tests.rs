//! The JWT bearer assertion and the key's forms, checked with the test
//! key's public half (as Salesforce checks it with the app's certificate).
use super::*;
use ring::signature::{KeyPair, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};

fn pem(file: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/salesforce_api")
            .join(file),
    )
    .unwrap()
}

#[test]
fn the_assertion_is_an_rs256_jwt_salesforce_accepts() {
    let key = private_key(&pem("test-key.pem")).unwrap();
    let jwt = assertion(
        "3MVG9-id",
        "ci@example.com",
        "https://login.salesforce.com",
        &key,
        1_700_000_000,
    )
    .unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header, serde_json::json!({"alg": "RS256"}));
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(
        claims,
        serde_json::json!({"iss": "3MVG9-id", "sub": "ci@example.com", "aud": "https://login.salesforce.com", "exp": 1_700_000_180u64})
    );
    let public = UnparsedPublicKey::new(
        &RSA_PKCS1_2048_8192_SHA256,
        key.public_key().as_ref().to_vec(),
    );
    let signed = format!("{}.{}", parts[0], parts[1]);
    let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    public.verify(signed.as_bytes(), &sig).unwrap();
    assert!(public.verify(b"something else", &sig).is_err());
}

#[test]
fn the_key_is_read_as_pkcs8_pkcs1_or_a_file() {
    let pkcs8 = private_key(&pem("test-key.pem")).unwrap();
    let pkcs1 = private_key(&pem("test-key-pkcs1.pem")).unwrap();
    assert_eq!(pkcs8.public_key().as_ref(), pkcs1.public_key().as_ref());
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/salesforce_api/test-key.pem");
    let from_file = private_key(path.to_str().unwrap()).unwrap();
    assert_eq!(from_file.public_key().as_ref(), pkcs8.public_key().as_ref());
    // Errors never quote the key.
    let broken: String = pem("test-key.pem")
        .lines()
        .map(|l| {
            if l.starts_with("-----") {
                l.to_string()
            } else {
                l.replace('A', "!")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let e = crate::error::render(&private_key(&broken).err().unwrap());
    assert!(
        e.contains("holds no usable RSA private key (the PEM body is not base64)"),
        "{e}"
    );
    assert!(!e.contains("MII"), "{e}");
    let e = crate::error::render(&private_key("/no/such/key.pem").err().unwrap());
    assert!(e.contains("neither PEM text nor a readable file"), "{e}");
    let e = crate::error::render(
        &private_key("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")
            .err()
            .unwrap(),
    );
    assert!(e.contains("no `BEGIN PRIVATE KEY`"), "{e}");
}

#[test]
fn the_audience_is_the_login_server() {
    for (url, aud) in [
        (
            "https://login.salesforce.com",
            "https://login.salesforce.com",
        ),
        (
            "https://acme.my.salesforce.com/",
            "https://login.salesforce.com",
        ),
        ("https://test.salesforce.com", "https://test.salesforce.com"),
        (
            "https://acme--uat.sandbox.my.salesforce.com",
            "https://test.salesforce.com",
        ),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
    ] {
        assert_eq!(audience(url), aud, "{url}");
    }
}

#[test]
fn the_client_credentials_form_and_refusals() {
    let creds = Credentials::ClientCredentials {
        client_id: "id".into(),
        secret: "s3cret".into(),
    };
    let form = token_form(&creds, "x", 0).unwrap();
    assert_eq!(
        form,
        vec![
            ("grant_type", "client_credentials".to_string()),
            ("client_id", "id".to_string()),
            ("client_secret", "s3cret".to_string())
        ]
    );
    assert_eq!(format!("{creds:?}"), "client credentials");
    let e = crate::error::render(&refused(
        &creds,
        400,
        r#"{"error":"invalid_client","error_description":"invalid client credentials"}"#,
    ));
    assert!(e.contains("Salesforce refused the sign-in (client-credentials, 400): invalid_client invalid client credentials"), "{e}");
    assert!(!e.contains("s3cret"));
    let s = session(r#"{"access_token":"00D!x","instance_url":"https://acme.my.salesforce.com/","token_type":"Bearer"}"#).unwrap();
    assert_eq!(s.instance_url, "https://acme.my.salesforce.com");
    assert!(session(r#"{"token_type":"Bearer"}"#).is_err());
}
