//! A walk over a Thrift compact-protocol struct (the Parquet footer) that
//! builds nothing and checks that every length and element count fits in
//! the bytes that remain. polars' footer decoder reserves memory for the
//! counts a file claims before reading them: a damaged footer claiming
//! billions of schema elements would abort the process, which no error
//! handling can catch, so it is refused here first.

/// Whether `b` is one well-formed compact-protocol struct whose counts fit
/// in it (`Err` says where it is not).
pub fn check_struct(b: &[u8]) -> Result<(), String> {
    let mut w = Walker { b, i: 0 };
    w.structure(0)
}

struct Walker<'a> {
    b: &'a [u8],
    i: usize,
}

const MAX_DEPTH: u32 = 64;

impl Walker<'_> {
    fn remaining(&self) -> u64 {
        (self.b.len() - self.i) as u64
    }

    fn fail(&self, what: &str) -> String {
        format!("its footer is damaged ({what} at byte {})", self.i)
    }

    fn byte(&mut self) -> Result<u8, String> {
        let v = *self
            .b
            .get(self.i)
            .ok_or_else(|| self.fail("it ends early"))?;
        self.i += 1;
        Ok(v)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v: u64 = 0;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            if shift < 64 {
                v |= u64::from(b & 0x7f) << shift;
            }
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.fail("a number too long"))
    }

    fn skip(&mut self, n: u64) -> Result<(), String> {
        if n > self.remaining() {
            return Err(self.fail(&format!("a length of {n} bytes")));
        }
        self.i += n as usize;
        Ok(())
    }

    /// One value of compact type `ty`; `in_collection`: a bool is a byte
    /// (in a field header it is part of the type).
    fn value(&mut self, ty: u8, depth: u32, in_collection: bool) -> Result<(), String> {
        match ty {
            1 | 2 if in_collection => self.skip(1),
            1 | 2 => Ok(()),
            3 => self.skip(1),
            4..=6 => self.varint().map(|_| ()),
            7 => self.skip(8),
            8 => {
                let n = self.varint()?;
                self.skip(n)
            }
            9 | 10 => self.list(depth),
            11 => self.map(depth),
            12 => self.structure(depth + 1),
            _ => Err(self.fail(&format!("unknown type {ty}"))),
        }
    }

    fn list(&mut self, depth: u32) -> Result<(), String> {
        let h = self.byte()?;
        let mut n = u64::from(h >> 4);
        if n == 15 {
            n = self.varint()?;
        }
        // Every element takes at least one byte.
        if n > self.remaining() {
            return Err(self.fail(&format!("a list of {n} elements")));
        }
        for _ in 0..n {
            self.value(h & 0x0f, depth, true)?;
        }
        Ok(())
    }

    fn map(&mut self, depth: u32) -> Result<(), String> {
        let n = self.varint()?;
        if n == 0 {
            return Ok(());
        }
        let types = self.byte()?;
        if n.saturating_mul(2) > self.remaining() {
            return Err(self.fail(&format!("a map of {n} entries")));
        }
        for _ in 0..n {
            self.value(types >> 4, depth, true)?;
            self.value(types & 0x0f, depth, true)?;
        }
        Ok(())
    }

    fn structure(&mut self, depth: u32) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(self.fail("structs nested too deep"));
        }
        loop {
            let h = self.byte()?;
            if h == 0 {
                return Ok(());
            }
            if h >> 4 == 0 {
                // A full field id (zigzag i16) follows.
                self.varint()?;
            }
            self.value(h & 0x0f, depth, false)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_structs_pass() {
        // field 1: i32 5; field 2: list of 2 i32 (1, 2); field 3: binary "ab"; stop
        let b = [
            0x15, 0x0a, 0x19, 0x25, 0x02, 0x04, 0x18, 0x02, b'a', b'b', 0x00,
        ];
        assert_eq!(check_struct(&b), Ok(()));
    }

    #[test]
    fn counts_beyond_the_bytes_are_refused() {
        // field 1: list of i32 with 2^31 elements claimed.
        let b = [0x19, 0xf5, 0x80, 0x80, 0x80, 0x80, 0x08, 0x00];
        let e = check_struct(&b).unwrap_err();
        assert!(e.contains("a list of 2147483648 elements"), "{e}");
        // field 1: binary of 1000 bytes in a 4-byte struct.
        assert!(check_struct(&[0x18, 0xe8, 0x07, 0x00]).is_err());
        // nesting without end
        assert!(check_struct(&[0x1c; 200]).is_err());
        assert!(check_struct(&[]).is_err());
    }
}
