//! libyaml's event parser behind a safe interface.
//!
//! libyaml is the parser under PyYAML, cfn-lint and `aws cloudformation package`; reading the
//! template's syntax with it means the CLI accepts and refuses the same text they do. `libyaml-rs` is
//! libyaml translated to Rust, so its interface is libyaml's C one; this module is the only place
//! that touches it, and it hands out owned events.

use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::os::raw::c_char;

use libyaml_rs as sys;

/// A position in the text: 1-based line, 0-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub line: usize,
    pub col: usize,
}

impl Mark {
    fn from_sys(mark: sys::yaml_mark_t) -> Mark {
        Mark { line: mark.line as usize + 1, col: mark.column as usize }
    }
}

/// How a scalar was written. Only a plain scalar can be anything but a string, so the reader tells
/// that one apart from every other style (quoted, literal, folded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    NotPlain,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias(String),
    Scalar { value: String, style: ScalarStyle, anchor: Option<String>, tag: Option<String> },
    SequenceStart { anchor: Option<String>, tag: Option<String> },
    SequenceEnd,
    MappingStart { anchor: Option<String>, tag: Option<String> },
    MappingEnd,
}

/// libyaml's own account of a syntax error: what it found, where, and (when it has one) what it was
/// reading at the time.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub problem: String,
    pub mark: Mark,
    pub context: Option<(String, Mark)>,
}

pub struct Parser<'a> {
    /// Boxed so that its address stays fixed: libyaml keeps pointers into it between calls.
    raw: Box<MaybeUninit<sys::yaml_parser_t>>,
    /// The text libyaml reads from; borrowed for as long as the parser lives.
    _text: &'a str,
    /// Set once libyaml reported an error or the stream ended; it must not be called again then.
    finished: bool,
}

impl<'a> Parser<'a> {
    pub fn new(text: &'a str) -> Parser<'a> {
        let mut raw = Box::new(MaybeUninit::<sys::yaml_parser_t>::uninit());
        // SAFETY: `yaml_parser_initialize` fills the whole struct (it zeroes it first) and only
        // fails when an allocation fails, which aborts in Rust. The input pointer and length describe
        // `text`, which outlives the parser by the lifetime `'a`.
        unsafe {
            let parser = raw.as_mut_ptr();
            if sys::yaml_parser_initialize(parser).fail {
                std::process::abort();
            }
            sys::yaml_parser_set_input_string(parser, text.as_ptr(), text.len() as _);
            sys::yaml_parser_set_encoding(parser, sys::YAML_UTF8_ENCODING);
        }
        Parser { raw, _text: text, finished: false }
    }

    /// The next event and where it starts. After an error or the end of the stream, every call
    /// answers `StreamEnd`.
    pub fn next(&mut self) -> Result<(Event, Mark), SyntaxError> {
        if self.finished {
            return Ok((Event::StreamEnd, Mark { line: 1, col: 0 }));
        }
        let parser = self.raw.as_mut_ptr();
        let mut event = MaybeUninit::<sys::yaml_event_t>::uninit();
        // SAFETY: the parser was initialised in `new` and has reported neither an error nor the end
        // of the stream, so libyaml may be asked for another event. On success the event is fully
        // written; its strings are NUL-terminated (values come with their length, as they may hold
        // NUL) and valid UTF-8, since libyaml checks its input is. They are copied out before
        // `yaml_event_delete` frees them.
        unsafe {
            if sys::yaml_parser_parse(parser, event.as_mut_ptr()).fail {
                self.finished = true;
                let state = &*parser;
                let context = (!state.context.is_null())
                    .then(|| (c_text(state.context), Mark::from_sys(state.context_mark)));
                return Err(SyntaxError {
                    problem: c_text(state.problem),
                    mark: Mark::from_sys(state.problem_mark),
                    context,
                });
            }
            let event = event.as_mut_ptr();
            let sys_event = &*event;
            let mark = Mark::from_sys(sys_event.start_mark);
            let owned = match sys_event.type_ {
                sys::YAML_STREAM_START_EVENT => Event::StreamStart,
                sys::YAML_STREAM_END_EVENT => {
                    self.finished = true;
                    Event::StreamEnd
                }
                sys::YAML_DOCUMENT_START_EVENT => Event::DocumentStart,
                sys::YAML_DOCUMENT_END_EVENT => Event::DocumentEnd,
                sys::YAML_ALIAS_EVENT => Event::Alias(c_text(sys_event.data.alias.anchor.cast())),
                sys::YAML_SCALAR_EVENT => {
                    let scalar = &sys_event.data.scalar;
                    let bytes = std::slice::from_raw_parts(scalar.value, scalar.length as usize);
                    Event::Scalar {
                        value: String::from_utf8_lossy(bytes).into_owned(),
                        style: match scalar.style {
                            sys::YAML_PLAIN_SCALAR_STYLE => ScalarStyle::Plain,
                            _ => ScalarStyle::NotPlain,
                        },
                        anchor: c_opt(scalar.anchor.cast()),
                        tag: c_opt(scalar.tag.cast()),
                    }
                }
                sys::YAML_SEQUENCE_START_EVENT => Event::SequenceStart {
                    anchor: c_opt(sys_event.data.sequence_start.anchor.cast()),
                    tag: c_opt(sys_event.data.sequence_start.tag.cast()),
                },
                sys::YAML_SEQUENCE_END_EVENT => Event::SequenceEnd,
                sys::YAML_MAPPING_START_EVENT => Event::MappingStart {
                    anchor: c_opt(sys_event.data.mapping_start.anchor.cast()),
                    tag: c_opt(sys_event.data.mapping_start.tag.cast()),
                },
                sys::YAML_MAPPING_END_EVENT => Event::MappingEnd,
                // libyaml gives no other events once parsing succeeded; treat anything else as the end.
                _ => {
                    self.finished = true;
                    Event::StreamEnd
                }
            };
            sys::yaml_event_delete(event);
            Ok((owned, mark))
        }
    }
}

impl Drop for Parser<'_> {
    fn drop(&mut self) {
        // SAFETY: initialised in `new`; deleted exactly once, here.
        unsafe { sys::yaml_parser_delete(self.raw.as_mut_ptr()) }
    }
}

/// A NUL-terminated string from libyaml, or an empty one for a null pointer.
///
/// # Safety
/// `ptr` is null or points to a NUL-terminated string that stays valid during the call.
unsafe fn c_text(ptr: *const c_char) -> String {
    if ptr.is_null() {
        return String::new();
    }
    // SAFETY: non-null, and the caller promises a NUL-terminated string valid for the call.
    unsafe { CStr::from_ptr(ptr) }.to_string_lossy().into_owned()
}

/// # Safety
/// As for [`c_text`].
unsafe fn c_opt(ptr: *const c_char) -> Option<String> {
    // SAFETY: the caller's promise is `c_text`'s.
    (!ptr.is_null()).then(|| unsafe { c_text(ptr) })
}
