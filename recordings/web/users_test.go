package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/totalrec/totalrec/recordings"
)

func TestUsersPage(t *testing.T) {
	f := sharedFixture(t)
	form := url.Values{"name": {"dave"}, "role": {"supervisor"}, "scope": {"105-107, 120"}, "password": {testPassword}}
	if res, _ := f.post(t, "/users", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d", res.StatusCode)
	}
	for _, bad := range []url.Values{
		{"name": {"dave"}, "role": {"user"}, "scope": {"100"}, "password": {testPassword}},      // exists
		{"name": {"x:y"}, "role": {"user"}, "scope": {"100"}, "password": {testPassword}},       // bad name
		{"name": {"erin"}, "role": {"boss"}, "scope": {"100"}, "password": {testPassword}},      // bad role
		{"name": {"erin"}, "role": {"user"}, "scope": {"100-1999"}, "password": {testPassword}}, // bad scope
		{"name": {"erin"}, "role": {"user"}, "scope": {"100"}, "password": {"short"}},           // short password
	} {
		if res, body := f.post(t, "/users", bad); res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `id="users-error"`) {
			t.Errorf("add %v: %d", bad, res.StatusCode)
		}
	}
	u, err := f.cat.UserByName(t.Context(), "dave")
	if err != nil || u.Role != recordings.RoleSupervisor || u.Scope.String() != "105-107,120" {
		t.Fatalf("dave: %+v %v", u, err)
	}
	_, body := f.get(t, "/users")
	if !strings.Contains(string(body), `data-user="dave"`) {
		t.Error("the users page does not list dave")
	}
	// dave signs in; disabling him ends his session.
	if res, ck := tryLogin(t, f.anonymous(), "dave", testPassword); ck == nil {
		t.Fatalf("dave signs in: %d", res.StatusCode)
	}
	d := f.as(t, "dave", recordings.RoleSupervisor, "")
	id := strconv.FormatInt(u.ID, 10)
	if res, _ := f.post(t, "/users/"+id, url.Values{"role": {"user"}, "scope": {"105"}, "disabled": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d", res.StatusCode)
	}
	if res, _ := d.get(t, "/api/v1/recordings"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a disabled user's session: %d", res.StatusCode)
	}
	if res, _ := tryLogin(t, f.anonymous(), "dave", testPassword); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a disabled user signs in: %d", res.StatusCode)
	}
	if len(auditOf(t, f, "admin", actUserAdd)) == 0 || len(auditOf(t, f, "admin", actUserUpdate)) == 0 {
		t.Error("user changes are not audited")
	}
	// An administrator cannot lock themselves out.
	me, _ := f.cat.UserByName(t.Context(), "admin")
	if res, _ := f.post(t, "/users/"+strconv.FormatInt(me.ID, 10), url.Values{"role": {"user"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("self-demotion: %d", res.StatusCode)
	}
}

func TestAuthMessageTables(t *testing.T) { sameKeys(t, authMessagesEN(), authMessagesRU()) }
