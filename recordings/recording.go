package recordings

import "time"

// Format names the audio encoding of a recording file, as Asterisk's format modules
// name them. The file extension decides it: upper-case "WAV" is wav49 (GSM 06.10 in
// RIFF), lower-case "wav" is 16-bit PCM.
type Format string

const (
	FormatWAV     Format = "wav"     // RIFF, PCM 16-bit, 8 kHz
	FormatWAV16   Format = "wav16"   // RIFF, PCM 16-bit, 16 kHz
	FormatWAV49   Format = "wav49"   // RIFF, GSM 06.10 in Microsoft packing (65-byte blocks)
	FormatGSM     Format = "gsm"     // raw GSM 06.10 frames, 33 bytes per 20 ms
	FormatULaw    Format = "ulaw"    // raw G.711 µ-law
	FormatALaw    Format = "alaw"    // raw G.711 A-law
	FormatSLN     Format = "sln"     // raw signed linear 16-bit, 8 kHz
	FormatSLN16   Format = "sln16"   // raw signed linear 16-bit, 16 kHz
	FormatG722    Format = "g722"    // raw G.722, 16 kHz audio at 64 kbit/s
	FormatG729    Format = "g729"    // raw G.729, 10 bytes per 10 ms
	FormatOpus    Format = "opus"    // Opus in Ogg: what Totalrec compresses a recording to after the call
	FormatMP3     Format = "mp3"     // MPEG layer III, written by LAME with its Info tag
	FormatUnknown Format = "unknown" // an extension Totalrec does not know
)

// Compressed reports whether f is one of the forms a recording is compressed to
// after the call, which browsers play as they are.
func (f Format) Compressed() bool { return f == FormatOpus || f == FormatMP3 }

// State says what Totalrec knows of a recording's file.
type State string

const (
	StateOK      State = "ok"      // the file is there and its audio was probed
	StateEmpty   State = "empty"   // header only (≤ 44 bytes) or no audio: an unanswered leg
	StateWriting State = "writing" // MixMonitor has not closed it yet: header sizes unpatched
	StateCorrupt State = "corrupt" // the header is not what its extension promises
	StateMissing State = "missing" // catalogued before, gone from disk now
	StateDeleted State = "deleted" // deleted by Totalrec (retention); DeletedAt/DeletedReason say when and why
)

// CDRStatus says how far enrichment from the CDR table has got.
type CDRStatus string

const (
	CDRPending  CDRStatus = "pending"  // not looked up yet, or the row was not written yet
	CDRLinked   CDRStatus = "linked"   // CDR fields copied
	CDRGaveUp   CDRStatus = "gave_up"  // the retry window passed without a row
	CDRDisabled CDRStatus = "disabled" // no CDR database configured
)

// Direction is the call's direction as a person searching thinks of it.
type Direction string

const (
	DirIn       Direction = "in"
	DirOut      Direction = "out"
	DirInternal Direction = "internal"
	DirUnknown  Direction = ""
)

// Name is what a recording's file name says about its call. Every field may be empty:
// a name Totalrec cannot read still yields Type "other".
type Name struct {
	Type     string    // out, in, internal, external, exten, q, rg, force, generic, parked, ondemand, conf, page, meetme, auto, other
	Dest     string    // dialled number, DID, extension, queue, group or room
	From     string    // caller: extension or caller ID number
	Time     time.Time // call start in the PBX's local time; zero when the name has none
	UniqueID string    // Asterisk channel uniqueid, e.g. "1788970278.1657"
	Ext      string    // the file extension as written, without the dot
}

// Direction derives the call direction from the name's type.
func (n Name) Direction() Direction {
	switch n.Type {
	case "in", "external":
		return DirIn
	case "out":
		return DirOut
	case "internal", "exten":
		return DirInternal
	}
	return DirUnknown
}

// CDR holds the fields Totalrec copies from the call's CDR row.
type CDR struct {
	CallDate      time.Time
	Src           string
	Dst           string
	CNum          string
	CNam          string
	DID           string
	Channel       string
	DstChannel    string
	LastApp       string
	Disposition   string // ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION
	Duration      int    // seconds, whole call
	Billsec       int    // seconds, answered part
	UniqueID      string
	LinkedID      string
	AccountCode   string
	UserField     string
	RecordingFile string
}

// Recording is one recording file as catalogued.
type Recording struct {
	ID       int64
	Node     string // the PBX that wrote it; "" on a single-box install
	Storage  string // where the file lives: "local" (spool) today
	Path     string // relative to the spool root, slash-separated; never absolute, never "..".
	Size     int64
	ModTime  time.Time
	Format   Format
	Duration time.Duration
	State    State

	Name      Name
	Direction Direction
	CallTime  time.Time // from the name, the CDR, or the file's mtime, in that order of trust
	LinkedID  string

	CDRStatus   CDRStatus
	CDRAttempts int
	CDR         CDR

	Held          bool
	DeletedAt     time.Time
	DeletedReason string
}

// Caller is who called, as people read it: the CDR's src once linked, the number in
// the file name before that.
func (r Recording) Caller() string {
	if r.CDR.Src != "" {
		return r.CDR.Src
	}
	return r.Name.From
}

// Callee is who was called: the CDR's dst (never FreePBX's "h" hangup row) once
// linked, the file name's destination before that.
func (r Recording) Callee() string {
	if r.CDR.Dst != "" && r.CDR.Dst != "h" {
		return r.CDR.Dst
	}
	return r.Name.Dest
}

// Empty reports whether the recording holds no audio worth listing.
func (r Recording) Empty() bool { return r.State == StateEmpty }
