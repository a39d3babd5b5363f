package recordings

import "time"

// The people and credentials that reach recordings through the web interface and the
// API. The catalogue stores them (package catalog: users.go, sessions.go, tokens.go,
// shares.go); package web signs them in and checks them.

// User sources.
const (
	SourceLocal   = "local"   // created with `totalrec user add` or on the users page
	SourceFreePBX = "freepbx" // a FreePBX administrator signed in through the module
)

// User is a person who may sign in.
type User struct {
	ID           int64
	Name         string
	Role         Role
	Scope        Scope
	Source       string
	PasswordHash string // argon2id, in the auth package's encoding; "" cannot sign in with a password
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Session is a signed-in browser. The cookie holds a random ID; the table holds
// its SHA-256 only, so that a copy of the database opens no session.
type Session struct {
	IDHash    string // hex SHA-256 of the cookie's ID
	UserID    int64
	CSRF      string // the token every state-changing request of this session carries
	Addr      string // the address it signed in from
	CreatedAt time.Time
	SeenAt    time.Time
}

// APIToken is a credential for the JSON API, for a CRM or a script. The token
// itself is shown once when made; the table holds its SHA-256.
type APIToken struct {
	ID        int64
	Name      string
	Hash      string // hex SHA-256 of the token
	Scope     Scope
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time // zero: never
	LastUsed  time.Time // zero: never used
}

// Share is a link to one recording that plays without signing in until it
// expires or is revoked. The link carries the share's ID and an HMAC; only the
// ID and the state are stored.
type Share struct {
	ID          int64
	RecordingID int64
	CreatedBy   string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	RevokedAt   time.Time // zero: not revoked
}
