//! A one-shot SMTP server on loopback for the e-mail tests.

/// What the test SMTP server received.
#[derive(Debug, Default, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

/// A minimal SMTP server on loopback (EHLO, MAIL, RCPT, DATA, QUIT) for one
/// message; returns its port and a handle that yields what it received.
pub fn smtp_server() -> (u16, std::thread::JoinHandle<Received>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut w = stream.try_clone().unwrap();
        let mut r = BufReader::new(stream);
        let mut got = Received::default();
        w.write_all(b"220 test ESMTP\r\n").unwrap();
        let mut line = String::new();
        loop {
            line.clear();
            if r.read_line(&mut line).unwrap() == 0 {
                break;
            }
            let cmd = line.trim_end().to_string();
            let upper = cmd.to_uppercase();
            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                w.write_all(b"250-test\r\n250 8BITMIME\r\n").unwrap();
            } else if upper.starts_with("MAIL FROM:") {
                got.from = cmd[10..]
                    .trim()
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap()
                    .to_string();
                w.write_all(b"250 OK\r\n").unwrap();
            } else if upper.starts_with("RCPT TO:") {
                got.to.push(
                    cmd[8..]
                        .trim()
                        .trim_start_matches('<')
                        .split('>')
                        .next()
                        .unwrap()
                        .to_string(),
                );
                w.write_all(b"250 OK\r\n").unwrap();
            } else if upper == "DATA" {
                w.write_all(b"354 go ahead\r\n").unwrap();
                let mut data = Vec::new();
                loop {
                    let mut l = Vec::new();
                    r.read_until(b'\n', &mut l).unwrap();
                    if l == b".\r\n" || l.is_empty() {
                        break;
                    }
                    // undo dot-stuffing
                    let l = if l.starts_with(b"..") {
                        l[1..].to_vec()
                    } else {
                        l
                    };
                    data.extend_from_slice(&l);
                }
                got.data = data;
                w.write_all(b"250 queued\r\n").unwrap();
            } else if upper == "QUIT" {
                w.write_all(b"221 bye\r\n").unwrap();
                break;
            } else {
                w.write_all(b"250 OK\r\n").unwrap();
            }
        }
        got
    });
    (port, handle)
}
