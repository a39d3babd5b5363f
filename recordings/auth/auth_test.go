package auth

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var cheap = Params{Memory: 64, Time: 1, Threads: 1}

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %q", h)
	}
	if err := VerifyPassword("correct horse battery", h); err != nil {
		t.Errorf("right password: %v", err)
	}
	if err := VerifyPassword("correct horse batterY", h); !errors.Is(err, ErrMismatch) {
		t.Errorf("wrong password: %v", err)
	}
	h2, _ := HashPassword("correct horse battery", cheap)
	if h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=99999999,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		if err := VerifyPassword("x", bad); err == nil || errors.Is(err, ErrMismatch) {
			t.Errorf("hash %q: %v", bad, err)
		}
	}
	if _, err := HashPassword("short", cheap); err == nil {
		t.Error("a 5-character password was hashed")
	}
	for name, ok := range map[string]bool{"anna": true, "a.b-c_d@x": true, "": false, "freepbx:admin": false, "a b": false} {
		if (CheckUserName(name) == nil) != ok {
			t.Errorf("CheckUserName(%q) ok = %v", name, !ok)
		}
	}
}

func TestThrottle(t *testing.T) {
	th := NewThrottle()
	now := time.Unix(1e9, 0)
	for i := range 5 {
		if w := th.Fail("u:anna", now); w != 0 {
			t.Fatalf("failure %d waits %v", i+1, w)
		}
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	for _, w := range want {
		if got := th.Fail("u:anna", now); got != w {
			t.Errorf("wait %v, want %v", got, w)
		}
	}
	if th.Wait("u:anna", now) != 8*time.Second || th.Wait("u:anna", now.Add(8*time.Second)) != 0 || th.Wait("u:bob", now) != 0 {
		t.Error("Wait does not follow Fail")
	}
	for range 40 {
		th.Fail("u:anna", now)
	}
	if w := th.Wait("u:anna", now); w != th.Max {
		t.Errorf("wait %v, want the cap %v", w, th.Max)
	}
	th.Reset("u:anna")
	if th.Wait("u:anna", now) != 0 {
		t.Error("Reset kept the wait")
	}
}

// TestSignIns checks that sign-in failures slow down the address they come
// from, not the user they name: an attacker cannot lock anyone else out.
func TestSignIns(t *testing.T) {
	th := NewSignIns()
	now := time.Unix(1e9, 0)
	const attacker, admin = "203.0.113.9", "198.51.100.1"
	for range 40 {
		th.Fail("admin", attacker, now)
	}
	if w := th.Wait("admin", admin, now); w != 0 {
		t.Errorf("the real admin from another address waits %v", w)
	}
	if w := th.Wait("ADMIN", attacker, now); w == 0 {
		t.Error("the attacker's address is not slowed down")
	}
	if w := th.Wait("alice", attacker, now); w == 0 {
		t.Error("the attacker's address may try another name at once")
	}

	// An address may fail AddrFree times over many names, one name PairFree times.
	th = NewSignIns()
	for i := range AddrFree {
		if w := th.Wait(fmt.Sprintf("user%d", i), attacker, now); w != 0 {
			t.Fatalf("name %d waits %v", i, w)
		}
		th.Fail(fmt.Sprintf("user%d", i), attacker, now)
	}
	th.Fail("one-more", attacker, now)
	if th.Wait("anyone", attacker, now) == 0 {
		t.Errorf("an address failing %d names is not slowed down", AddrFree+1)
	}
	for range PairFree + 1 {
		th.Fail("bob", admin, now)
	}
	if th.Wait("bob", admin, now) == 0 {
		t.Error("a name failing from one address is not slowed down")
	}
	// A success clears the pair, not the address.
	th.Succeed("anyone", attacker)
	th.Succeed("bob", admin)
	if th.Wait("bob", admin, now) != 0 || th.Wait("anyone", attacker, now) == 0 {
		t.Error("Succeed cleared the wrong keys")
	}

	// IPv6 counts per /64: a host picks any address in its prefix.
	th = NewSignIns()
	for i := range AddrFree + 1 {
		th.Fail(fmt.Sprintf("user%d", i), fmt.Sprintf("2001:db8:1:2::%x", i+1), now)
	}
	if th.Wait("x", "2001:db8:1:2:ffff::1", now) == 0 || th.Wait("x", "2001:db8:1:3::1", now) != 0 {
		t.Error("IPv6 addresses are not throttled per /64")
	}
	if addrKey("::ffff:192.0.2.1") != "192.0.2.1" {
		t.Errorf("IPv4-mapped address: %q", addrKey("::ffff:192.0.2.1"))
	}
}

func TestShareToken(t *testing.T) {
	key, now := []byte("k"), time.Unix(1e9, 0)
	exp := now.Add(time.Hour)
	tok := SignShare(key, 42, exp)
	id, gotExp, err := VerifyShare(key, tok, now)
	if err != nil || id != 42 || !gotExp.Equal(exp) {
		t.Fatalf("VerifyShare = %d %v %v", id, gotExp, err)
	}
	for _, bad := range []string{tok + "x", strings.Replace(tok, "42.", "43.", 1), "42.1.x", "", SignShare([]byte("other"), 42, exp)} {
		if _, _, err := VerifyShare(key, bad, now); !errors.Is(err, ErrShareInvalid) {
			t.Errorf("VerifyShare(%q) = %v", bad, err)
		}
	}
	if _, _, err := VerifyShare(key, tok, exp); !errors.Is(err, ErrShareInvalid) {
		t.Error("an expired link verifies")
	}
	a, ha := NewAPIToken()
	b, _ := NewAPIToken()
	if a == b || !strings.HasPrefix(a, APITokenPrefix) || HashToken(a) != ha || len(ha) != 64 {
		t.Errorf("API tokens %q %q %q", a, b, ha)
	}
}
