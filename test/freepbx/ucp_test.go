package freepbx

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings/auth"
)

// TestUCPWidget: the module's UCP widget, for a User Manager user with a default
// extension and UCP-assigned ones, embeds Totalrec with a sign-on token that the Go
// verifier accepts and that carries exactly those extensions; a user with none
// gets no widget.
func TestUCPWidget(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef"
	conf := filepath.Join(t.TempDir(), "totalrec.conf")
	must(t, os.WriteFile(conf, []byte("listen = 127.0.0.1:8080\nsso_secret = "+secret+"\n"), 0o644))
	type widget struct {
		Extensions []string `json:"extensions"`
		Widgets    []string `json:"widgets"`
		HTML       string   `json:"html"`
	}
	render := func(def, assigned string) widget {
		t.Helper()
		out, err := exec.Command(php(t), "testdata/ucp_widget.php", "../../module", conf, def, assigned).CombinedOutput()
		if err != nil {
			t.Fatalf("php ucp_widget.php: %v\n%s", err, out)
		}
		var w widget
		if err := json.Unmarshal(out, &w); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return w
	}
	w := render("100", "101,100,none")
	if len(w.Widgets) != 1 || len(w.Extensions) != 2 || w.Extensions[0] != "100" || w.Extensions[1] != "101" {
		t.Fatalf("widget for 100 + assigned 101,100,none: %+v", w)
	}
	m := regexp.MustCompile(`src="([^"]*)/sso\?token=([^"&]*)"`).FindStringSubmatch(w.HTML)
	if m == nil {
		t.Fatalf("no sign-on iframe in %q", w.HTML)
	}
	tok, err := url.QueryUnescape(m[2])
	if err != nil {
		t.Fatal(err)
	}
	cl, err := auth.ParseSSO(tok, []byte(secret), time.Now())
	if err != nil || cl.User != "alice" || cl.Scope != "100,101" {
		t.Errorf("the widget's token: %+v, %v", cl, err)
	}
	if w := render("none", ""); len(w.Widgets) != 0 {
		t.Errorf("a user with no extension gets a widget: %+v", w)
	}
}
