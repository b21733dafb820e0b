//! A walk over a Thrift compact-protocol struct (the Parquet footer) that
//! builds nothing and checks that every length and element count fits in
//! the bytes that remain. polars' footer decoder reserves memory for the
//! counts a file claims before reading them: a damaged footer claiming
//! billions of schema elements would abort the process, which no error
//! handling can catch, so it is refused here first.

/// Whether `b` is one well-formed compact-protocol struct whose counts fit
/// in it (`Err` says where it is not).
#[cfg(test)]
pub fn check_struct(b: &[u8]) -> Result<(), String> {
    let mut w = Walker { b, i: 0 };
    w.structure(0)
}

/// [`check_struct`] for a Parquet `FileMetaData`, which also checks the
/// schema (field 2, a list of `SchemaElement`): no element claims more
/// children (its field 5) than the schema has elements — polars reserves
/// room for the children a file claims.
pub fn check_file_metadata(b: &[u8]) -> Result<(), String> {
    let mut w = Walker { b, i: 0 };
    let mut last = 0i64;
    loop {
        let h = w.byte()?;
        if h == 0 {
            return Ok(());
        }
        let id = w.field_id(h, &mut last)?;
        let ty = h & 0x0f;
        // A known field must have its type: a decoder that trusts the
        // field id would read, say, an i64's bytes as a list's length.
        let expected: Option<&[u8]> = match id {
            1 => Some(&[5]),
            2 | 4 | 5 | 7 => Some(&[9]),
            3 => Some(&[6]),
            6 | 9 => Some(&[8]),
            8 => Some(&[12]),
            _ => None,
        };
        if expected.is_some_and(|t| !t.contains(&ty)) {
            return Err(w.fail(&format!("field {id} of type {ty}")));
        }
        if id == 2 && ty == 9 {
            w.schema()?;
        } else {
            w.value(ty, 0, false)?;
        }
    }
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

    /// The field id of a field header `h` (a delta from `last`, or a full
    /// zigzag i16 after it).
    fn field_id(&mut self, h: u8, last: &mut i64) -> Result<i64, String> {
        let id = match h >> 4 {
            0 => {
                let z = self.varint()?;
                ((z >> 1) as i64) ^ -((z & 1) as i64)
            }
            d => *last + i64::from(d),
        };
        *last = id;
        Ok(id)
    }

    /// The schema: a list of structs, each with `num_children` (field 5,
    /// i32) at most the number of elements.
    fn schema(&mut self) -> Result<(), String> {
        let h = self.byte()?;
        let mut n = u64::from(h >> 4);
        if n == 15 {
            n = self.varint()?;
        }
        if n > self.remaining() || h & 0x0f != 12 {
            return Err(self.fail(&format!("a schema of {n} elements")));
        }
        for _ in 0..n {
            let mut last = 0i64;
            loop {
                let f = self.byte()?;
                if f == 0 {
                    break;
                }
                let id = self.field_id(f, &mut last)?;
                if id == 5 && f & 0x0f == 5 {
                    let z = self.varint()?;
                    let children = ((z >> 1) as i64) ^ -((z & 1) as i64);
                    if !(0..=n as i64).contains(&children) {
                        return Err(self.fail(&format!(
                            "a schema element with {children} children in a schema of {n}"
                        )));
                    }
                } else {
                    self.value(f & 0x0f, 1, false)?;
                }
            }
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

    #[test]
    fn schema_elements_may_not_claim_more_children_than_the_schema_has() {
        // FileMetaData field 2: a list of 2 structs; the first has field 5
        // (i32) = 1 child (zigzag 2), the second 1000 children (zigzag 2000).
        let ok = [0x29, 0x2c, 0x55, 0x02, 0x00, 0x00, 0x00];
        assert_eq!(check_file_metadata(&ok), Ok(()));
        let bad = [0x29, 0x2c, 0x55, 0xd0, 0x0f, 0x00, 0x00, 0x00];
        let e = check_file_metadata(&bad).unwrap_err();
        assert!(
            e.contains("a schema element with 1000 children in a schema of 2"),
            "{e}"
        );
    }
}
