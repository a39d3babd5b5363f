package freepbx

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestInstall_ApacheProxy: install.sh makes FreePBX's Apache the UI's reverse
// proxy — /totalrec/ on FreePBX's own origin to the daemon, which serves the same
// path — on Debian (conf-available, a2enmod, a2enconf) and RHEL/Sangoma 7
// (conf.d) layouts, adds base_path to a config that lacks it, and --uninstall
// takes the proxy away again.
func TestInstall_ApacheProxy(t *testing.T) {
	dir := release(t)

	t.Run("debian", func(t *testing.T) {
		root, tools, log := fakeFreePBX(t, "16")
		install(t, dir, root, tools)
		conf := filepath.Join(root, "etc/apache2/conf-available/totalrec.conf")
		checkProxyConf(t, read(t, conf), "http://127.0.0.1:8080/totalrec/")
		if fi, _ := os.Stat(conf); fi.Mode().Perm() != 0o644 {
			t.Errorf("%s mode %v, want 0644", conf, fi.Mode().Perm())
		}
		if body := read(t, filepath.Join(root, "etc/totalrec/totalrec.conf")); strings.Count(body, "\nbase_path = /totalrec\n") != 1 {
			t.Errorf("the new config does not say base_path = /totalrec once:\n%s", body)
		}
		calls := read(t, log)
		if !regexp.MustCompile(`a2enmod -q proxy proxy_http headers alias\na2enconf -q totalrec\napache2ctl graceful\n`).MatchString(calls) {
			t.Errorf("install.sh did not enable the modules and the conf, then reload Apache; it ran:\n%s", calls)
		}
		if strings.Contains(calls, "apachectl") {
			t.Errorf("RHEL's apachectl run on Debian:\n%s", calls)
		}
		// An upgrade's new base_path (and binary) take effect: a running daemon restarts.
		if !strings.Contains(calls, "systemctl try-restart totalrec.service\nsystemctl enable --now totalrec.service\n") {
			t.Errorf("install.sh does not restart a running daemon; it ran:\n%s", calls)
		}

		must(t, os.WriteFile(log, nil, 0o644))
		install(t, dir, root, tools, "--uninstall")
		calls = read(t, log)
		if !regexp.MustCompile(`a2disconf -q totalrec\napache2ctl graceful\n`).MatchString(calls) {
			t.Errorf("--uninstall did not disable the conf and reload Apache; it ran:\n%s", calls)
		}
		if _, err := os.Stat(conf); !os.IsNotExist(err) {
			t.Errorf("%s still there after --uninstall", conf)
		}
		// Nothing left to remove: Apache is left alone.
		must(t, os.WriteFile(log, nil, 0o644))
		install(t, dir, root, tools, "--uninstall")
		if calls := read(t, log); strings.Contains(calls, "apache2ctl") || strings.Contains(calls, "a2disconf") {
			t.Errorf("a second --uninstall reloaded Apache:\n%s", calls)
		}
	})

	t.Run("rhel", func(t *testing.T) {
		root, tools, log := fakeFreePBX(t, "16")
		must(t, os.RemoveAll(filepath.Join(root, "etc/apache2")))
		must(t, os.MkdirAll(filepath.Join(root, "etc/httpd/conf.d"), 0o755))
		install(t, dir, root, tools)
		conf := filepath.Join(root, "etc/httpd/conf.d/totalrec.conf")
		checkProxyConf(t, read(t, conf), "http://127.0.0.1:8080/totalrec/")
		calls := read(t, log)
		if !strings.Contains(calls, "apachectl graceful\n") || strings.Contains(calls, "a2en") || strings.Contains(calls, "apache2ctl") {
			t.Errorf("on RHEL install.sh should only reload with apachectl; it ran:\n%s", calls)
		}
		must(t, os.WriteFile(log, nil, 0o644))
		install(t, dir, root, tools, "--uninstall")
		if _, err := os.Stat(conf); !os.IsNotExist(err) {
			t.Errorf("%s still there after --uninstall", conf)
		}
		if calls := read(t, log); !strings.Contains(calls, "apachectl graceful\n") {
			t.Errorf("--uninstall did not reload Apache; it ran:\n%s", calls)
		}
	})

	t.Run("existing config", func(t *testing.T) {
		// An upgrade: the admin's config predates base_path, listens elsewhere and
		// has a section at its end. base_path and manifest_key go before the section, the proxy
		// follows listen, and a second run changes nothing.
		root, tools, _ := fakeFreePBX(t, "16")
		cfg := filepath.Join(root, "etc/totalrec/totalrec.conf")
		must(t, os.MkdirAll(filepath.Dir(cfg), 0o755))
		old := "listen = 0.0.0.0:8090\nsso_secret = 00112233\n\n[cdr]\ntable = cdr\n"
		must(t, os.WriteFile(cfg, []byte(old), 0o640))
		out := install(t, dir, root, tools)
		if !strings.Contains(out, "added base_path = /totalrec") {
			t.Errorf("install output:\n%s", out)
		}
		want := "listen = 0.0.0.0:8090\nsso_secret = 00112233\n\nbase_path = /totalrec\nmanifest_key = /etc/totalrec/manifest.key\n[cdr]\ntable = cdr\n"
		if got := read(t, cfg); got != want {
			t.Errorf("config after the upgrade:\n%s\nwant:\n%s", got, want)
		}
		checkProxyConf(t, read(t, filepath.Join(root, "etc/apache2/conf-available/totalrec.conf")), "http://127.0.0.1:8090/totalrec/")
		install(t, dir, root, tools)
		if got := read(t, cfg); got != want {
			t.Errorf("a second run changed the config:\n%s", got)
		}

		// An administrator who empties base_path opts out of the proxy.
		must(t, os.WriteFile(cfg, []byte("base_path =\n"+old), 0o640))
		conf := filepath.Join(root, "etc/apache2/conf-available/totalrec.conf")
		must(t, os.Remove(conf))
		if out := install(t, dir, root, tools); !strings.Contains(out, "base_path is empty") {
			t.Errorf("install output with an empty base_path:\n%s", out)
		}
		if _, err := os.Stat(conf); !os.IsNotExist(err) {
			t.Error("a proxy was written for an empty base_path")
		}
	})
}

// checkProxyConf checks the Apache conf install.sh writes for the UI at /totalrec/.
func checkProxyConf(t *testing.T, conf, target string) {
	t.Helper()
	for _, want := range []string{
		"<Location /totalrec/>", "ProxyPass " + target + " flushpackets=on", "ProxyPassReverse " + target,
		"ProxyPreserveHost On", "RequestHeader unset X-Forwarded-Proto", "RequestHeader set X-Forwarded-Proto https env=HTTPS",
		"RedirectMatch 302 ^/totalrec$ /totalrec/",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("the Apache conf lacks %q:\n%s", want, conf)
		}
	}
}
