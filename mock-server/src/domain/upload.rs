//! The Resumable Upload API: a session (`POST /{app_id}/uploads`) takes a file in pieces, each
//! sent from the offset the session has reached, and the finished file's handle is what a
//! media header template names as its `example.header_handle`.
//!
//! A leaf: it uses only [`Refusal`].

use std::collections::HashMap;

use wa_contract::ErrorKind;

use super::Refusal;

/// The file types a session takes: Meta's "Upload a file" guide lists these five.
pub(crate) const FILE_TYPES: [&str; 5] = [
    "application/pdf",
    "image/jpeg",
    "image/jpg",
    "image/png",
    "video/mp4",
];

/// The largest file a session takes: the largest header file Meta takes, a 100 MB document
/// (read as MiB, as for uploads to a phone number; *invented*: the guide names no limit).
pub(crate) const MAX_FILE_LENGTH: usize = 100 * 1024 * 1024;

/// What a session is opened with, checked.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub(crate) struct SessionSpec {
    /// The file's name.
    pub(crate) file_name: String,
    /// Its size in bytes.
    pub(crate) file_length: usize,
    /// Its MIME type.
    pub(crate) file_type: String,
}

impl SessionSpec {
    /// The spec of `POST /{app_id}/uploads`'s query: every parameter present, the length from
    /// 1 to [`MAX_FILE_LENGTH`], the type one of [`FILE_TYPES`].
    pub(crate) fn parse(
        file_name: Option<&str>,
        file_length: Option<&str>,
        file_type: Option<&str>,
    ) -> Result<Self, Refusal> {
        let required = |name: &str| Refusal::invalid(format!("{name}: required"));
        let file_name = file_name
            .filter(|n| !n.is_empty())
            .ok_or_else(|| required("file_name"))?;
        let length = file_length.ok_or_else(|| required("file_length"))?;
        let file_length = length
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_FILE_LENGTH).contains(n))
            .ok_or_else(|| {
                Refusal::invalid(format!(
                    "file_length: expected a size in bytes from 1 to {MAX_FILE_LENGTH}, found '{length}'"
                ))
            })?;
        let file_type = file_type.ok_or_else(|| required("file_type"))?;
        if !FILE_TYPES.contains(&file_type) {
            return Err(Refusal::invalid(format!(
                "file_type: expected one of {}, found '{file_type}'",
                FILE_TYPES.join(", ")
            )));
        }
        Ok(Self {
            file_name: file_name.to_owned(),
            file_length,
            file_type: file_type.to_owned(),
        })
    }
}

/// An upload session (its id, `upload:…`, is its key in [`Uploads`]): what it was opened for,
/// the bytes it has so far, and once they are all there the handle it issued.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct UploadSession {
    /// What it was opened for.
    pub(crate) spec: SessionSpec,
    /// The bytes received, from the start, in standard base64; given up once the file is
    /// complete (a handle needs only what the file was).
    #[serde(
        serialize_with = "crate::persist::base64_bytes::serialize",
        deserialize_with = "crate::persist::base64_bytes::deserialize"
    )]
    #[schemars(with = "String", extend("contentEncoding" = "base64"))]
    received: Vec<u8>,
    /// How many bytes it has received.
    offset: usize,
    /// The handle of the complete file.
    pub(crate) handle: Option<String>,
}

/// What a piece of the file did to its session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Progress {
    /// The file is not complete yet: the offset to send the rest from.
    Partial(usize),
    /// The file is complete and needs its handle.
    Complete,
}

impl UploadSession {
    /// A session with nothing received yet.
    pub(crate) fn new(spec: SessionSpec) -> Self {
        Self {
            spec,
            received: Vec::new(),
            offset: 0,
            handle: None,
        }
    }

    /// How many bytes it has received: where the next piece starts.
    pub(crate) fn offset(&self) -> usize {
        self.offset
    }

    /// The bytes it holds.
    pub(crate) fn held_bytes(&self) -> usize {
        self.received.capacity()
    }

    /// Whether a session read from a snapshot is one [`append`](Self::append) could have left:
    /// an incomplete file's offset is the count of its bytes, within its length; a complete
    /// one's is its length, its bytes given up. The problem, named by its field.
    pub(crate) fn check(&self) -> Result<(), String> {
        let (offset, held, total) = (self.offset, self.received.len(), self.spec.file_length);
        if offset > total {
            return Err(format!(
                "offset: {offset} passes the file_length of {total}"
            ));
        }
        match self.handle {
            None if offset != held => {
                Err(format!("offset: {offset} is not the {held} bytes received"))
            }
            Some(_) if offset != total || held > 0 => Err(format!(
                "handle: a complete file has offset {total} and no bytes received, found \
                 offset {offset} and {held} bytes"
            )),
            _ => Ok(()),
        }
    }

    /// Takes `chunk`, sent from `file_offset` (the request's `file_offset` header), which must
    /// be where the session is: after a cut, a client asks the session's offset and resumes
    /// from there. A complete file answers its handle again for a repeat of its last piece.
    pub(crate) fn append(
        &mut self,
        file_offset: Option<&str>,
        chunk: &[u8],
    ) -> Result<Progress, Refusal> {
        let sent = file_offset.ok_or_else(|| {
            Refusal::invalid("file_offset: required (a header: the byte the data starts at)")
        })?;
        let offset = sent.trim().parse::<usize>().map_err(|_| {
            Refusal::invalid(format!(
                "file_offset: expected a byte offset, found '{}'",
                sent.escape_debug()
            ))
        })?;
        let total = self.spec.file_length;
        if self.handle.is_some() && chunk.is_empty() {
            return Ok(Progress::Complete);
        }
        if offset != self.offset {
            return Err(Refusal::new(ErrorKind::UploadOffsetMismatch).with(
                "details",
                format!(
                    "file_offset: the session has {} of {total} bytes, so the data must start at {}; found {offset}",
                    self.offset, self.offset
                ),
            ));
        }
        if self.offset + chunk.len() > total {
            return Err(Refusal::invalid(format!(
                "file: {} bytes from offset {offset} pass the file_length of {total}",
                chunk.len()
            )));
        }
        self.received.extend_from_slice(chunk);
        self.offset += chunk.len();
        if self.offset < total {
            return Ok(Progress::Partial(self.offset));
        }
        self.received = Vec::new();
        Ok(Progress::Complete)
    }
}

/// A sandbox's upload sessions and the handles they issued. A snapshot keeps both: templates
/// can still be made with the handles, and a session under way resumes from its offset.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct Uploads {
    /// Each session by its id; absent from snapshots made before sessions were kept.
    #[serde(
        default,
        serialize_with = "crate::persist::sorted_map::serialize",
        deserialize_with = "crate::persist::sorted_map::deserialize"
    )]
    sessions: HashMap<String, UploadSession>,
    /// Each issued handle, with the type of its file.
    #[serde(
        serialize_with = "crate::persist::sorted_map::serialize",
        deserialize_with = "crate::persist::sorted_map::deserialize"
    )]
    handles: HashMap<String, String>,
}

impl Uploads {
    /// Opens `session` as `id`.
    pub(crate) fn open(&mut self, id: String, session: UploadSession) {
        self.sessions.insert(id, session);
    }

    /// Every session with its id.
    pub(crate) fn sessions(&self) -> impl Iterator<Item = (&str, &UploadSession)> {
        self.sessions.iter().map(|(id, s)| (id.as_str(), s))
    }

    /// The session `id`.
    pub(crate) fn session(&self, id: &str) -> Option<&UploadSession> {
        self.sessions.get(id)
    }

    /// The session `id`, to change.
    pub(crate) fn session_mut(&mut self, id: &str) -> Option<&mut UploadSession> {
        self.sessions.get_mut(id)
    }

    /// Records `handle` as issued for the complete file of session `id`.
    pub(crate) fn issue(&mut self, id: &str, handle: String) {
        if let Some(session) = self.sessions.get_mut(id) {
            self.handles
                .insert(handle.clone(), session.spec.file_type.clone());
            session.handle = Some(handle);
        }
    }

    /// The file type of an issued handle.
    pub(crate) fn handle_type(&self, handle: &str) -> Option<&str> {
        self.handles.get(handle).map(String::as_str)
    }

    /// The bytes sessions hold while their files are incomplete.
    pub(crate) fn bytes(&self) -> usize {
        self.sessions.values().map(UploadSession::held_bytes).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(length: usize) -> UploadSession {
        let spec = SessionSpec::parse(Some("a.png"), Some(&length.to_string()), Some("image/png"));
        UploadSession::new(spec.unwrap())
    }

    #[test]
    fn specs_name_the_bad_parameter() {
        let details = |r: Refusal| r.vars[0].1.clone();
        let no_name = SessionSpec::parse(None, Some("1"), Some("image/png")).unwrap_err();
        assert_eq!(details(no_name), "file_name: required");
        let zero = SessionSpec::parse(Some("a"), Some("0"), Some("image/png")).unwrap_err();
        assert!(details(zero).starts_with("file_length: expected a size"));
        let gif = SessionSpec::parse(Some("a"), Some("1"), Some("image/gif")).unwrap_err();
        assert!(details(gif).starts_with("file_type: expected one of application/pdf"));
    }

    #[test]
    fn pieces_must_start_at_the_sessions_offset() {
        let mut s = session(10);
        assert_eq!(s.append(Some("0"), b"abcd"), Ok(Progress::Partial(4)));
        let behind = s.append(Some("0"), b"abcd").unwrap_err();
        assert_eq!(behind.kind, ErrorKind::UploadOffsetMismatch);
        assert_eq!(s.offset(), 4);
        let past = s.append(Some("4"), b"0123456").unwrap_err();
        assert_eq!(past.kind, ErrorKind::InvalidParameter);
        assert_eq!(s.append(Some("4"), b"efghij"), Ok(Progress::Complete));
        assert_eq!(s.held_bytes(), 0);
        assert!(s.append(None, b"").is_err());
    }

    #[test]
    fn a_restored_sessions_offset_is_where_its_bytes_end() {
        let mut s = session(10);
        s.append(Some("0"), b"abcd").unwrap();
        assert_eq!(s.check(), Ok(()));
        let mut past = s.clone();
        past.offset = 6;
        assert_eq!(
            past.check(),
            Err("offset: 6 is not the 4 bytes received".to_owned())
        );
        past.offset = 11;
        assert_eq!(
            past.check(),
            Err("offset: 11 passes the file_length of 10".to_owned())
        );
        s.append(Some("4"), b"efghij").unwrap();
        s.handle = Some("4::h".to_owned());
        assert_eq!(s.check(), Ok(()));
        s.offset = 9;
        assert!(s.check().unwrap_err().starts_with("handle: "));
    }
}
