//! Whatever a remote-control client sends, the frame reader answers with
//! a message or a close code, never a panic: 110 000 generated frames in
//! all (proptest), from random bytes to well-formed messages with one field
//! wrong.

use plateau::remote::protocol::{decode, encode, Encoding, Incoming, Outgoing};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Any JSON value, nested a little.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        "[a-zA-Z]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,16}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A message of a real op with its fields shuffled, dropped or retyped.
fn message() -> impl Strategy<Value = Value> {
    let field_names = prop::sample::select(vec![
        "rpcVersion",
        "authentication",
        "eventSubscriptions",
        "requestType",
        "requestId",
        "requestData",
        "haltOnFailure",
        "executionType",
        "requests",
    ]);
    (
        prop_oneof![Just(json!(1)), Just(json!(3)), Just(json!(6)), Just(json!(8)), value()],
        prop::collection::vec((field_names, value()), 0..6),
        any::<bool>(),
    )
        .prop_map(|(op, fields, with_d)| {
            let d: serde_json::Map<String, Value> =
                fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            if with_d {
                json!({ "op": op, "d": d })
            } else {
                json!({ "op": op })
            }
        })
}

/// Reading a frame ends in a message or a close code; what is read can
/// be answered.
fn read(encoding: Encoding, bytes: &[u8], binary: bool) {
    if let Ok(Incoming::Request(request)) = decode(encoding, bytes, binary) {
        let _ = encode(encoding, &Outgoing::Response { request, result: Ok(Value::Null) });
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40_000, ..ProptestConfig::default() })]
    #[test]
    fn random_bytes_never_panic_either_reader(bytes in prop::collection::vec(any::<u8>(), 0..200), binary in any::<bool>()) {
        read(Encoding::Json, &bytes, binary);
        read(Encoding::Msgpack, &bytes, binary);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 50_000, ..ProptestConfig::default() })]
    #[test]
    fn messages_with_wrong_fields_never_panic(message in message()) {
        let text = message.to_string();
        read(Encoding::Json, text.as_bytes(), false);
        let packed = rmp_serde::to_vec_named(&message).expect("msgpack");
        read(Encoding::Msgpack, &packed, true);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]
    #[test]
    fn damaged_requests_never_panic(value in value(), cut in any::<prop::sample::Index>()) {
        let text = json!({ "op": 6, "d": { "requestType": "SetInputVolume", "requestId": value } }).to_string();
        let end = cut.index(text.len() + 1);
        read(Encoding::Json, &text.as_bytes()[..end], false);
    }
}

#[test]
fn a_well_formed_request_reads_back() {
    let frame = br#"{"op":6,"d":{"requestType":"GetVersion","requestId":17,"requestData":{"a":1}}}"#;
    match decode(Encoding::Json, frame, false) {
        Ok(Incoming::Request(r)) => {
            assert_eq!(
                (r.kind.as_str(), r.id.clone(), r.data["a"].clone()),
                ("GetVersion", json!(17), json!(1))
            )
        }
        other => panic!("a request, not {other:?}"),
    }
}

#[test]
fn deeply_nested_frames_are_refused_without_exhausting_the_stack() {
    // Run on a thread with a small stack, as a server's worker would be.
    let reader = std::thread::Builder::new().stack_size(512 * 1024).spawn(|| {
        let json = "[".repeat(500_000);
        let packed = vec![0x91u8; 500_000];
        (
            decode(Encoding::Json, json.as_bytes(), false).is_err(),
            decode(Encoding::Msgpack, &packed, true).is_err(),
        )
    });
    let (json_refused, msgpack_refused) = reader.expect("thread").join().expect("no stack overflow");
    assert!(json_refused && msgpack_refused);
}
