package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// The MySQL DSN grammar, as go-sql-driver/mysql reads it:
//
//	[user[:password]@][protocol[(address)]]/dbname[?param=value&…]
//
// The driver splits at the last '/', then at the last '@' before it, then at the first
// ':' before that, so a password may hold any character; the functions below split the
// same way.

var (
	urlScheme   = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*)://`)
	mysqlTarget = regexp.MustCompile(`^([a-z0-9]+(\(.*\))?)?$`)
)

// splitCredentials returns the index of the '@' ending a MySQL DSN's credentials, -1
// for none.
func splitCredentials(dsn string) int {
	end := strings.LastIndexByte(dsn, '/')
	if end < 0 {
		end = len(dsn)
	}
	return strings.LastIndexByte(dsn[:end], '@')
}

// RedactDSN replaces the password in a DSN (MySQL or URL form) with "****".
func RedactDSN(dsn string) string {
	if strings.HasPrefix(dsn, "sqlite:") {
		return dsn
	}
	if urlScheme.MatchString(dsn) {
		u, err := url.Parse(dsn)
		if err == nil {
			if _, has := u.User.Password(); !has {
				return dsn
			}
			// url.UserPassword would escape the asterisks.
			user := url.User(u.User.Username()).String()
			u.User = nil
			return u.Scheme + "://" + user + ":****@" + strings.TrimPrefix(u.String(), u.Scheme+"://")
		}
		// Unparsable: fall through and hide whatever precedes the last '@'.
	}
	at := splitCredentials(dsn)
	if at < 0 {
		return dsn
	}
	user, _, has := strings.Cut(dsn[:at], ":")
	if !has {
		return dsn
	}
	return user + ":****" + dsn[at:]
}

// setDSNPassword puts password into a MySQL DSN that names a user.
func setDSNPassword(dsn, password string) (string, error) {
	if strings.HasPrefix(dsn, "sqlite:") || urlScheme.MatchString(dsn) {
		return "", errors.New("only a MySQL DSN takes a password")
	}
	at := splitCredentials(dsn)
	if at <= 0 {
		return "", errors.New("the DSN names no user")
	}
	user, _, _ := strings.Cut(dsn[:at], ":")
	return user + ":" + password + dsn[at:], nil
}

// checkDSN says what is wrong with a DSN, without repeating it (it may hold a password).
func checkDSN(dsn string) error {
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		if path == "" {
			return errors.New("sqlite: DSN without a path")
		}
		return nil
	}
	if m := urlScheme.FindStringSubmatch(dsn); m != nil {
		return fmt.Errorf("unknown DSN scheme %q: want sqlite:PATH or a MySQL DSN such as user:pass@tcp(host:3306)/dbname", m[1])
	}
	slash := strings.LastIndexByte(dsn, '/')
	if slash < 0 {
		return errors.New("not sqlite:PATH and not a MySQL DSN [user[:password]@][protocol[(address)]]/dbname")
	}
	dbname, _, _ := strings.Cut(dsn[slash+1:], "?")
	if dbname == "" {
		return errors.New("MySQL DSN names no database")
	}
	target := dsn[:slash]
	if at := splitCredentials(dsn); at >= 0 {
		target = dsn[at+1 : slash]
	}
	if !mysqlTarget.MatchString(target) {
		return errors.New("MySQL DSN address is not protocol(address), e.g. tcp(127.0.0.1:3306) or unix(/var/lib/mysql/mysql.sock)")
	}
	return nil
}
