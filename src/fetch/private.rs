//! Which IP addresses are not on the public internet: what the SSRF guard refuses to reach.
//!
//! IPv4 (RFC 6890 and the cloud metadata services):
//!
//! | range | why |
//! |---|---|
//! | 0.0.0.0/8 | "this network", unspecified |
//! | 10/8, 172.16/12, 192.168/16 | private networks (RFC 1918) |
//! | 100.64/10 | shared address space (carrier NAT); holds 100.100.100.200, Alibaba Cloud's metadata service |
//! | 127/8 | loopback |
//! | 169.254/16 | link-local; holds 169.254.169.254, the metadata service of most clouds |
//! | 192.0.0/24 | IETF protocol assignments; holds 192.0.0.192, Oracle Cloud's metadata service |
//! | 192.0.2/24, 198.51.100/24, 203.0.113/24 | documentation (never routed) |
//! | 198.18/15 | benchmarking |
//! | 224/4 | multicast |
//! | 240/4 | reserved, and 255.255.255.255 broadcast |
//!
//! IPv6: loopback `::1`, unspecified `::`, unique local fc00::/7, link-local fe80::/10,
//! site-local fec0::/10, multicast ff00::/8, documentation 2001:db8::/32 and 3fff::/20,
//! discard-only 100::/64, benchmarking 2001:2::/48, local-use NAT64 64:ff9b:1::/48; and
//! every form that carries an IPv4 address is judged by that address: IPv4-mapped
//! `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d` (so `[::127.0.0.1]` is loopback), NAT64
//! 64:ff9b::/96 (`[64:ff9b::a9fe:a9fe]` is 169.254.169.254), 6to4 2002::/16 and Teredo
//! 2001::/32 (its server address and its client address).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is not public, or `None` for a public address.
pub(crate) fn private_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => v6_reason(v6),
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    match (a, b, c) {
        (0, _, _) => Some("unspecified"),
        (10, _, _) => Some("private network"),
        (100, 64..=127, _) => Some("shared address space (carrier NAT, cloud metadata)"),
        (127, _, _) => Some("loopback"),
        (169, 254, _) => Some("link-local"),
        (172, 16..=31, _) => Some("private network"),
        (192, 0, 0) => Some("IETF protocol assignments"),
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => Some("documentation"),
        (192, 168, _) => Some("private network"),
        (198, 18..=19, _) => Some("benchmarking"),
        (224..=239, _, _) => Some("multicast"),
        (240..=255, _, _) => Some("reserved or broadcast"),
        _ => None,
    }
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    let low_v4 = || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if ip.is_loopback() {
        return Some("loopback");
    }
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    // IPv4-mapped (::ffff:0:0/96) and IPv4-compatible (::/96).
    if s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0) {
        return v4_reason(low_v4()).or(if s[5] == 0 {
            Some("IPv4-compatible (deprecated)")
        } else {
            None
        });
    }
    // NAT64, well-known prefix 64:ff9b::/96.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return v4_reason(low_v4());
    }
    if s[..3] == [0x64, 0xff9b, 1] {
        return Some("local-use NAT64");
    }
    // 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD.
    if s[0] == 0x2002 {
        let v4 = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        return v4_reason(v4);
    }
    // Teredo: 2001:0:SERVER:FLAGS:PORT:CLIENT, the client's address inverted.
    if s[..2] == [0x2001, 0] {
        let server = Ipv4Addr::new((s[2] >> 8) as u8, s[2] as u8, (s[3] >> 8) as u8, s[3] as u8);
        let client = Ipv4Addr::from(!u32::from(low_v4()));
        return v4_reason(server).or_else(|| v4_reason(client));
    }
    match s[0] {
        0xfc00..=0xfdff => Some("unique local (private network)"),
        0xfe80..=0xfebf => Some("link-local"),
        0xfec0..=0xfeff => Some("site-local (deprecated)"),
        0xff00..=0xffff => Some("multicast"),
        0x2001 if s[1] == 0xdb8 => Some("documentation"),
        0x3fff if s[1] < 0x1000 => Some("documentation"),
        0x2001 if s[1] == 2 && s[2] == 0 => Some("benchmarking"),
        0x100 if s[1..4] == [0, 0, 0] => Some("discard-only"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(s: &str) -> Option<&'static str> {
        private_reason(s.parse().expect("address"))
    }

    #[test]
    fn private_and_special_addresses() {
        for private in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.100.100.200",
            "100.64.0.1",
            "100.127.255.255",
            "192.0.0.192",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "198.19.255.255",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "3fff::1",
            "100::1",
            "2001:2::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "::7f00:1",
            "::10.0.0.1",
            "::8.8.8.8",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::7f00:1",
            "64:ff9b:1::8.8.8.8",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
            "2001:0:7f00:1::1",
        ] {
            assert!(reason(private).is_some(), "{private}");
        }
    }

    #[test]
    fn public_addresses() {
        for public in [
            "218.95.179.142",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "8.8.8.8",
            "223.255.255.255",
            "198.20.0.1",
            "192.0.1.1",
            "2400:3200::1",
            "240e::1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
            "2001:4860::8888",
        ] {
            assert_eq!(reason(public), None, "{public}");
        }
    }
}
